"""Calibration on the model answers (issue 26): a teacher grades them without knowing the level
each was written for, and sees per criterion where she differs; results are hers alone."""

from __future__ import annotations

import pytest

from conftest import ROOT
from leerplein.course.course import Course
from leerplein.course.grading.calibration import (CalibrationError, compare, find_item, items, load_results,
                                                  save_calibration, summary)
from leerplein.course.prepare.rubrics import model_answers


@pytest.fixture
def course(tmp_path):
    return Course(ROOT, tmp_path / "course", tmp_path / "exchange")


def test_every_model_answer_at_a_level_is_an_item_and_its_id_hides_the_level():
    found = items(ROOT)
    assert len(found) == 4 * 14  # four levels for each of the fourteen reflection questions
    assert all(i.level not in i.id and len(i.id) == 10 for i in found)
    levels_in_order = [i.level for i in found if i.slug == "01-armoede-zien" and i.question == "reflectie-1"]
    assert levels_in_order != ["nog niet", "bijna", "voldoende", "goed"]  # not in level order
    one = find_item(ROOT, found[0].id)
    assert one.text.split()[:5] == str(model_answers(ROOT, one.slug)[one.question][one.level]).split()[:5]


def test_differences_per_criterion_and_a_summary_per_teacher(course):
    good = next(i for i in items(ROOT) if i.slug == "01-armoede-zien" and i.question == "reflectie-1"
                and i.level == "goed")
    weak = next(i for i in items(ROOT) if i.slug == "01-armoede-zien" and i.question == "reflectie-1"
                and i.level == "nog niet")
    with pytest.raises(CalibrationError, match="Kies een niveau voor 'Rol van schaamte'"):
        save_calibration(course, "asjuf", good.id, {"signalen": "goed"})
    assert load_results(course, "asjuf") == {}
    saved = save_calibration(course, "asjuf", good.id, {"signalen": "goed", "schaamte": "voldoende"})
    diffs = {d.criterion: d for d in compare(good, saved["levels"])}
    assert diffs["Signalen herkennen"].steps == 0 and diffs["Rol van schaamte"].steps == -1  # stricter by one
    save_calibration(course, "asjuf", weak.id, {"signalen": "bijna", "schaamte": "bijna"})  # milder by one, twice
    mine = summary(course, "asjuf")
    assert (mine.graded, mine.same) == (4, 1) and mine.mean_steps == pytest.approx((0 - 1 + 1 + 1) / 4)
    assert summary(course, "asmeester").graded == 0 and load_results(course, "asmeester") == {}  # not shared
    with pytest.raises(CalibrationError):
        save_calibration(course, "asjuf", "../../etc", {})
