"""A blind second assessor on a real nbgrader cohort (issue 26): the second grades leave the
gradebook alone, the weighted kappa per criterion equals a reference computation, and the agreed
grade becomes the grade with both assessments kept."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from leerplein.course.grading.autograde import autograde
from leerplein.course.course import Course, read_json
from leerplein.course.prepare.init import init_course
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.intake.collect import collect
from leerplein.course.grading.rubric_grades import GradingError, load_levels, save_rubric_grade
from leerplein.course.grading.second_assessor import agree_final, agreement, save_second_grade, second_path

A = "01-armoede-zien"
STUDENTS = [f"askappa{i}" for i in range(6)]
LEVELS = ["nog niet", "bijna", "voldoende", "goed"]
# per student: (first, second) level index for reflectie-1/signalen; schaamte is graded alike by both
SIGNALEN = [(0, 0), (1, 2), (2, 2), (3, 2), (2, 1), (3, 3)]


def reference_kappa(a: list[int], b: list[int], k: int) -> float:
    """Linearly weighted kappa from its definition: 1 - sum(w*observed) / sum(w*expected)."""
    observed = np.zeros((k, k))
    for i, j in zip(a, b):
        observed[i, j] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return 1 - (weights * observed).sum() / (weights * expected).sum()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("kappa")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{s},Student {s},student\n" for s in STUDENTS))
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    for student in STUDENTS:
        folder = fetch_as(course, A, student, base / "homes" / student)
        nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = "Een reflectie over signalen en schaamte."
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
        submit_as(course, A, student, base / "homes" / student)
    collect(course, A)
    autograde(course, A)
    for student, (first, _) in zip(STUDENTS, SIGNALEN):
        save_rubric_grade(course, A, student, "reflectie-1", {"signalen": LEVELS[first], "schaamte": "voldoende"})
    return course


def test_second_grades_are_blind_and_leave_the_first_grade_alone(cohort):
    before = load_levels(cohort, A, STUDENTS[1])
    assert save_second_grade(cohort, A, STUDENTS[1], "reflectie-1", {"signalen": "voldoende", "schaamte": "voldoende"},
                             "docent2") == 4
    assert load_levels(cohort, A, STUDENTS[1]) == before  # the first grade is unchanged
    with pytest.raises(GradingError, match="Kies een niveau voor 'Rol van schaamte'"):
        save_second_grade(cohort, A, STUDENTS[2], "reflectie-1", {"signalen": "goed"}, "docent2")
    assert not second_path(cohort, A, STUDENTS[2]).exists()


def test_kappa_per_criterion_equals_the_reference(cohort):
    for student, (_, second) in zip(STUDENTS, SIGNALEN):
        save_second_grade(cohort, A, student, "reflectie-1", {"signalen": LEVELS[second], "schaamte": "voldoende"},
                          "docent2")
    kappa = agreement(cohort, A, STUDENTS)
    expected = reference_kappa([a for a, _ in SIGNALEN], [b for _, b in SIGNALEN], 4)
    assert kappa["reflectie-1/signalen"] == pytest.approx(expected, abs=1e-4)
    assert 0 < kappa["reflectie-1/signalen"] < 1  # they differ on three students
    assert kappa["reflectie-1/schaamte"] is None  # everyone 'voldoende' by both: no spread, kappa undefined
    assert kappa["reflectie-2/gesprek"] is None  # nobody double-graded


def test_the_agreed_grade_becomes_the_grade_and_both_assessments_stay(cohort):
    student = STUDENTS[3]  # first 'goed', second 'voldoende'
    assert agree_final(cohort, A, student, "reflectie-1", {"signalen": "voldoende", "schaamte": "voldoende"},
                       "Samen besproken.") == 4
    assert load_levels(cohort, A, student)["reflectie-1"]["levels"]["signalen"] == "voldoende"
    record = read_json(second_path(cohort, A, student))
    assert record["reflectie-1"]["levels"]["signalen"] == "voldoende"
    assert record["reflectie-1"]["afgesproken"]["points"] == 4
    assert record["reflectie-1"]["eerste"]["levels"]["signalen"] == "goed"  # the first assessment is kept


def test_the_report_shows_the_kappa_per_criterion(cohort, tmp_path):
    from leerplein.course.results.report import collect as report_numbers, write_report

    for student, (_, second) in zip(STUDENTS, SIGNALEN):
        save_second_grade(cohort, A, student, "reflectie-1", {"signalen": LEVELS[second], "schaamte": "voldoende"},
                          "docent2")
    rows = {r["criterion"]: r for r in report_numbers(cohort)["agreement"]}
    first = [load_levels(cohort, A, s)["reflectie-1"]["levels"]["signalen"] for s in STUDENTS]
    expected = reference_kappa([LEVELS.index(f) for f in first], [b for _, b in SIGNALEN], 4)
    assert rows["Signalen herkennen"]["kappa"] == pytest.approx(expected, abs=1e-4)
    assert rows["Signalen herkennen"]["n"] == len(STUDENTS)
    page = write_report(cohort, tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Overeenstemming tussen beoordelaars" in page
    assert f"{expected:.2f}".replace(".", ",") in page
    assert "Rol van schaamte" in page and "niet te berekenen" in page  # no spread: said, not a number


def test_the_asked_second_assessor_is_blind_until_her_assessment_is_saved(cohort):
    from leerplein.course.grading.second_assessor import ask_second, asked, blind_for

    student = STUDENTS[5]
    assert not blind_for(cohort, A, student, "docent3")  # nobody asked yet: nothing to hide from her
    assert ask_second(cohort, A, student, "docent3", "docent1") and not ask_second(cohort, A, student, "docent3", "x")
    assert asked(cohort, A, student)["docent3"]["door"] == "docent1"
    assert blind_for(cohort, A, student, "docent3")
    assert not blind_for(cohort, A, student, "docent1") and not blind_for(cohort, A, student, None)
    save_second_grade(cohort, A, student, "reflectie-1", {"signalen": "goed", "schaamte": "voldoende"}, "docent3")
    assert blind_for(cohort, A, student, "docent3")  # one of two reflections: still blind
    save_second_grade(cohort, A, student, "reflectie-2", {"niveaus": "goed", "gesprek": "goed", "ontmoetingen": "goed"},
                      "docent3")
    assert not blind_for(cohort, A, student, "docent3")  # her blind assessment is complete


def test_blind_work_names_what_she_may_not_see_in_her_cohort_only(cohort):
    from leerplein.course.grading.second_assessor import ask_second, blind_work

    student = STUDENTS[4]
    assert blind_work(cohort, "docent4", set(STUDENTS)) == set()
    ask_second(cohort, A, student, "docent4", "docent1")
    assert blind_work(cohort, "docent4", set(STUDENTS)) == {(A, student)}
    assert blind_work(cohort, "docent4", set(STUDENTS) - {student}) == set()  # another cohort's page: not listed
    assert blind_work(cohort, "docent1", set(STUDENTS)) == set() and blind_work(cohort, None, set(STUDENTS)) == set()
    save_second_grade(cohort, A, student, "reflectie-1", {"signalen": "goed", "schaamte": "voldoende"}, "docent4")
    save_second_grade(cohort, A, student, "reflectie-2", {"niveaus": "goed", "gesprek": "goed", "ontmoetingen": "goed"},
                      "docent4")
    assert blind_work(cohort, "docent4", set(STUDENTS)) == set()


def test_progress_and_herkansing_pages_hide_the_blind_work_and_the_course_result(cohort):
    from leerplein.course.results.progress import load_rules, student_progress
    from leerplein.teacher.assessment_pages import resubmission_page
    from leerplein.teacher.pages import HIDDEN, progress

    rules = load_rules(cohort.root)
    rows = [student_progress(cohort, s, rules) for s in STUDENTS[:2]]
    names = {s: f"Student {s}" for s in STUDENTS}
    hidden = {(A, STUDENTS[0])}
    page = progress(rows, names, hidden=hidden)
    blind_row = page.split(f"Student {STUDENTS[0]}")[1].split("</tr>")[0]
    other_row = page.split(f"Student {STUDENTS[1]}")[1].split("</tr>")[0]
    assert blind_row.count(HIDDEN) == 2 and "nagekeken" not in blind_row and "nee" not in blind_row, blind_row
    assert "nog niet nagekeken" in other_row and "nee" in other_row and HIDDEN not in other_row  # control
    items = [(p.student, next(a for a in p.assignments if a.slug == A), None) for p in rows]
    page = resubmission_page("/w/", A, items, names, "t", hidden=hidden)
    blind_row = page.split(f"Student {STUDENTS[0]}")[1].split("</tr>")[0]
    assert HIDDEN in blind_row and "nagekeken" not in blind_row and "beoordelen" not in blind_row, blind_row
    assert "eerst beoordelen" in page.split(f"Student {STUDENTS[1]}")[1].split("</tr>")[0]


def test_the_log_tells_the_blind_assessor_nothing_of_the_result(cohort):
    """Probe: points in a grading entry, a herkansing (it did not pass) or a badge (the course was
    passed) for work she is blind for; the same entries about a classmate stay (control)."""
    from leerplein.course.grading.second_assessor import ask_second
    from leerplein.teacher.handlers import blind_details

    blind, other = STUDENTS[2], STUDENTS[3]
    ask_second(cohort, A, blind, "docent6", "docent1")
    events = [{"actie": "beoordeeld", "opdracht": A, "studenten": [blind], "detail": "reflectie-1: 2 punten"},
              {"actie": "herkansing", "opdracht": A, "studenten": [blind], "detail": "open tot 1 jan"},
              {"actie": "badge", "opdracht": "", "studenten": [blind], "detail": "badge.png"},
              {"actie": "herkansing", "opdracht": A, "studenten": [other], "detail": "open tot 2 jan"},
              {"actie": "deadline", "opdracht": A, "studenten": [], "detail": "groep: 1 jan"}]
    shown = blind_details(cohort, events, "docent6")
    assert [e["actie"] for e in shown] == ["beoordeeld", "herkansing", "deadline"], shown
    assert shown[0]["detail"].startswith("verborgen") and shown[1]["studenten"] == [other]
    assert blind_details(cohort, events, "docent1") == events  # not blind: everything
