"""The toetsmatrijs comes from the single sources, and the rules that guard what it shows:
a skill leerdoel is assessed by more than multiple choice, a kernleerdoel has evidence."""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict

import pytest

from conftest import ROOT
from leerplein.book.check import check_repository
from leerplein.book.toetsmatrijs import toetsmatrijs, toetsmatrijs_csv, toetsmatrijs_html
from leerplein.course.prepare.assign import exercise_slugs
from leerplein.course.prepare.rubrics import goals_page, leerdoelen


@pytest.fixture
def repo(tmp_path):
    for part in ("exercises", "grading", "modules", "book", "sessies"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("_build"))
    return tmp_path


def messages(root, rule):
    return [f.message for f in check_repository(root, only=[rule]) if f.severity == "error"]


def test_every_leerdoel_is_in_the_matrix_with_its_course_leerdoel_and_weights_add_up():
    rows = toetsmatrijs(ROOT)
    for slug in exercise_slugs(ROOT):
        goals = leerdoelen(goals_page(ROOT, slug))
        if slug == "06-eindopdracht":
            assert {r.cursus_leerdoel for r in rows if r.opdracht == slug} == set(range(1, len(goals) + 1))
            continue
        mine = [r for r in rows if r.opdracht == slug]
        assert {r.module_leerdoel for r in mine} == set(range(1, len(goals) + 1)), slug
        assert all(r.cursus_leerdoel and r.cursus_leerdoel_tekst for r in mine), slug
    weight = defaultdict(float)
    for r in rows:
        weight[r.opdracht] += r.gewicht
    assert all(abs(total - 1) < 0.001 for total in weight.values()), dict(weight)


def test_the_open_conversation_is_assessed_in_writing_and_observed_and_is_core():
    rows = [r for r in toetsmatrijs(ROOT) if r.opdracht == "01-armoede-zien" and r.module_leerdoel == 3]
    assert {r.vorm for r in rows} == {"reflectie", "observatie"} and all(r.kern for r in rows)
    assert "een open gesprek over geldzorgen voeren" in rows[0].module_leerdoel_tekst


def test_csv_and_html_carry_the_same_rows():
    rows = toetsmatrijs(ROOT)
    table = list(csv.DictReader(io.StringIO(toetsmatrijs_csv(ROOT))))
    assert len(table) == len(rows) and table[0].keys() >= {"module_leerdoel", "cursus_leerdoel", "vorm", "gewicht"}
    html = toetsmatrijs_html(ROOT)
    assert html.count("<tr>") == len(rows) + 1 and "observatie in bijeenkomst (rubric)" in html


def test_the_skill_and_core_rules_pass_on_the_course():
    assert messages(ROOT, "skill-assessed") == [] and messages(ROOT, "core-goals") == []


def test_a_skill_assessed_only_by_multiple_choice_fails(repo):
    (repo / "grading" / "observaties.yml").unlink()  # without the observation, only check-2 assesses it
    found = messages(repo, "skill-assessed")
    assert len(found) == 1 and found[0].startswith("leerdoel 4 ('in een leergroep open vragen stellen")
    assert "only assessed by multiple choice" in found[0]


def test_a_core_leerdoel_without_a_criterion_fails(repo):
    rules = repo / "grading" / "slaagregels.yml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "kernleerdoelen:\n", "kernleerdoelen:\n  - {opdracht: 02-schaarste-en-bandbreedte, leerdoel: 3}\n"),
        encoding="utf-8")
    assert messages(repo, "core-goals") == [
        "kernleerdoel 02-schaarste-en-bandbreedte/3 has no rubric criterion or observation form"]


def test_a_module_leerdoel_without_a_course_leerdoel_fails(repo):
    path = repo / "grading" / "toetsmatrijs.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("{1: 2, 2: 2, 3: 2, 4: 2, 5: 2}", "{1: 2, 2: 2}"),
                    encoding="utf-8")
    found = messages(repo, "skill-assessed")
    assert "02-schaarste-en-bandbreedte: leerdoel 3 has no course leerdoel in cursusleerdoelen" in found
