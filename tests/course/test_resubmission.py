"""A full herkansing (resubmission) cycle on a real nbgrader course (issue 26): the first attempt
fails, the teacher opens one herkansing with its own deadline, the first version and feedback are
copied aside, the new version is collected, autograded and graded, and it passes; progress and the
export use the last graded attempt; a third attempt is refused with a Dutch message."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import nbformat
import pytest

from conftest import ROOT
from leerplein.course import audit
from leerplein.course.course import Course, read_json
from leerplein.course.grading.autograde import autograde
from leerplein.course.grading.resubmission import THIRD, ResubmissionError, archive_dir, first_attempt, load_record
from leerplein.course.grading.resubmission_opening import open_resubmission
from leerplein.course.grading.rubric_grades import load_levels, save_rubric_grade
from leerplein.course.intake.collect import collect
from leerplein.course.intake.messages import intake_messages
from leerplein.course.intake.deadlines import ZONE
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.prepare.assign import load_exercise
from leerplein.course.prepare.init import init_course
from leerplein.course.results.export import ATTEMPTS, export_text
from leerplein.course.results.feedback import feedback_path, generate_feedback, release_feedback
from leerplein.course.results.progress import student_progress
from leerplein.course.results.report import write_report

A = "01-armoede-zien"
FAILS, PASSES = "asherkans", "asgehaald"
FIRST_TEXT, SECOND_TEXT, THIRD_TEXT = "Eerste versie: kort.", "Tweede versie: uitgewerkt.", "Derde versie."
RIGHT = {1: "C", 2: "B", 3: "A"}
WRONG = {1: "A", 2: "A", 3: "B"}


def hand_in(course: Course, home, student: str, text: str, checks: dict[int, str]) -> None:
    path = home / A / f"{A}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
            cell.source = text
        for n, letter in checks.items():
            if cell.cell_type == "code" and cell.source.startswith(f"antwoord_{n} ="):
                cell.source = f"antwoord_{n} = {letter!r}"
    nbformat.write(nb, str(path))
    submit_as(course, A, student, home)


def grade_all(course: Course, student: str, level: str) -> None:
    save_rubric_grade(course, A, student, "reflectie-1", {"signalen": level, "schaamte": level}, f"{level} gegeven")
    save_rubric_grade(course, A, student, "reflectie-2", {"niveaus": level, "gesprek": level, "ontmoetingen": level})


def in_a_week() -> str:
    return (datetime.now(ZONE) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")


def export_rows(course: Course) -> dict[str, dict]:
    return {r["Username"]: r for r in csv.DictReader(io.StringIO(export_text(course, "moodle")))}


def progress_of(course: Course, student: str):
    return next(a for a in student_progress(course, student).assignments if a.slug == A)


@pytest.fixture(scope="module")
def first_round(tmp_path_factory):
    base = tmp_path_factory.mktemp("herkansing")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{s},Student {s},student\n" for s in (FAILS, PASSES)))
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    homes = {s: base / "homes" / s for s in (FAILS, PASSES)}
    for student, home in homes.items():
        fetch_as(course, A, student, home)
    hand_in(course, homes[FAILS], FAILS, FIRST_TEXT, WRONG)
    hand_in(course, homes[PASSES], PASSES, SECOND_TEXT, RIGHT)
    collect(course, A)
    autograde(course, A)
    grade_all(course, FAILS, "bijna")
    grade_all(course, PASSES, "voldoende")
    generate_feedback(course, A, [FAILS, PASSES])
    assert sorted(release_feedback(course, A).released) == sorted([FAILS, PASSES])
    return course, homes


def test_full_herkansing_cycle(first_round):
    course, homes = first_round
    first = progress_of(course, FAILS)
    assert first.status == "nagekeken" and not first.passed and first.score == 5
    first_feedback = feedback_path(course, A, FAILS).read_text(encoding="utf-8")

    with pytest.raises(ResubmissionError, match="al gehaald"):
        open_resubmission(course, A, PASSES, in_a_week(), "juf")
    with pytest.raises(ResubmissionError, match="verleden"):
        open_resubmission(course, A, FAILS, "2020-01-01T10:00", "juf")
    record = open_resubmission(course, A, FAILS, in_a_week(), "juf")
    assert record["eerste"]["score"] == 5
    assert any(e["actie"] == "herkansing" and e["studenten"] == [FAILS] for e in audit.events(course))
    with pytest.raises(ResubmissionError, match="Een derde poging is niet mogelijk"):
        open_resubmission(course, A, FAILS, in_a_week(), "juf")

    # the first attempt is kept aside: notebook, feedback, levels
    kept = archive_dir(course, A, FAILS)
    assert FIRST_TEXT in (kept / "submitted" / f"{A}.ipynb").read_text(encoding="utf-8")
    assert first_attempt(course, A, FAILS)["feedback"] == first_feedback
    assert read_json(kept / "rubric.json")["reflectie-1"]["levels"]["signalen"] == "bijna"

    # collecting again before she hands in anew changes nothing: still the first attempt
    collect(course, A)
    assert not load_record(course, A, FAILS)["ingeleverd"] and load_levels(course, A, FAILS)
    assert "herkansing open tot" in progress_of(course, FAILS).herkansing

    hand_in(course, homes[FAILS], FAILS, SECOND_TEXT, RIGHT)
    collect(course, A)
    assert load_record(course, A, FAILS)["ingeleverd"] and not load_record(course, A, FAILS)["te_laat"]
    assert load_levels(course, A, FAILS) == {}  # the new version is graded afresh
    waiting = progress_of(course, FAILS)
    # the last graded attempt counts while the herkansing waits: the first, not an empty or 0
    assert (waiting.attempt, waiting.status, waiting.score, waiting.passed) == (1, "nagekeken", 5, False)
    assert "wacht op nakijken" in waiting.herkansing
    assert export_rows(course)[FAILS][A] == "5" and export_rows(course)[FAILS][ATTEMPTS] == ""

    autograde(course, A)
    grade_all(course, FAILS, "voldoende")
    generate_feedback(course, A, [FAILS])
    release_feedback(course, A)
    last = progress_of(course, FAILS)
    assert (last.attempt, last.status, last.score, last.passed) == (2, "nagekeken", 13, True)
    row = export_rows(course)[FAILS]
    assert row[A] == "13" and row[ATTEMPTS] == f"{A}:herkansing"
    assert export_rows(course)[PASSES][ATTEMPTS] == ""
    assert SECOND_TEXT in (course.directory / "submitted" / FAILS / A / f"{A}.ipynb").read_text(encoding="utf-8")
    report = write_report(course, course.directory.parent / "rapport.html").read_text(encoding="utf-8")
    import html

    title = html.escape(load_exercise(ROOT, A).data["titel"])
    assert f"{title}: herkansing telt (poging 2)" in report  # by its title, not its slug

    # the kept first attempt was never overwritten
    assert FIRST_TEXT in (kept / "submitted" / f"{A}.ipynb").read_text(encoding="utf-8")
    assert first_attempt(course, A, FAILS)["feedback"] == first_feedback
    assert first_attempt(course, A, FAILS)["score"] == 5

    # a third hand-in is not collected, and she is told why
    hand_in(course, homes[FAILS], FAILS, THIRD_TEXT, RIGHT)
    collect(course, A)
    assert SECOND_TEXT in (course.directory / "submitted" / FAILS / A / f"{A}.ipynb").read_text(encoding="utf-8")
    assert any("derde poging" in m for m in intake_messages(course, A)[FAILS])
    assert progress_of(course, FAILS).passed
    with pytest.raises(ResubmissionError, match=THIRD):
        open_resubmission(course, A, FAILS, in_a_week(), "juf")


def test_unknown_or_hostile_names_are_refused(first_round):
    course, _ = first_round
    for name in ("../asherkans", "niemand", ""):
        with pytest.raises(ResubmissionError):
            open_resubmission(course, A, name, in_a_week(), "juf")


def test_forgetting_a_student_removes_both_attempts_and_the_herkansing_record(first_round):
    from leerplein.course.privacy.forget import forget_student
    from leerplein.course.grading.second_assessor import save_second_grade, second_path

    course, _ = first_round
    save_second_grade(course, A, PASSES, "reflectie-1", {"signalen": "goed", "schaamte": "goed"}, "asdocent2")
    if load_record(course, A, FAILS) is None:  # this test run alone: open her herkansing here
        open_resubmission(course, A, FAILS, in_a_week(), "juf")
    assert archive_dir(course, A, FAILS).is_dir() and second_path(course, A, PASSES).is_file()
    forget_student(course, FAILS)
    forget_student(course, PASSES)
    assert not archive_dir(course, A, FAILS).exists() and load_record(course, A, FAILS) is None
    assert not second_path(course, A, PASSES).exists()
    leftovers = [p for p in course.state.rglob("*") if FAILS in p.name or PASSES in p.name]
    assert not leftovers, leftovers
