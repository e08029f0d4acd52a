"""The report names assignments by their title, not their slug (issue 24), on a real nbgrader
course: the table per module, the charts' text alternatives, the rubric criteria, the agreement
between assessors and the per-student points. The CSV export keeps the slug as its column key."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import ROOT, hand_in_reflections
from leerplein.course.course import Course
from leerplein.course.grading.rubric_grades import save_rubric_grade
from leerplein.course.grading.second_assessor import save_second_grade
from leerplein.course.prepare.assign import exercise_slugs, load_exercise
from leerplein.course.prepare.init import init_course
from leerplein.course.results.export import export_text
from leerplein.course.results.report import write_report

A = "01-armoede-zien"
STUDENTS = ("qarapa", "qarapb")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("rapporttitels")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{s},Student {s},student\n" for s in STUDENTS))
    init_course(course, roster)
    hand_in_reflections(course, base, STUDENTS, A, "Een reflectie.")
    for student, level in zip(STUDENTS, ("bijna", "voldoende")):
        save_rubric_grade(course, A, student, "reflectie-1", {"signalen": level, "schaamte": level})
        save_rubric_grade(course, A, student, "reflectie-2", {"niveaus": level, "gesprek": level,
                                                              "ontmoetingen": level})
        save_second_grade(course, A, student, "reflectie-1", {"signalen": "voldoende", "schaamte": level}, "qadoc2")
    return course


def test_the_report_shows_titles_and_no_slugs(course, tmp_path):
    title = load_exercise(ROOT, A).data["titel"]
    report = write_report(course, tmp_path / "rapport.html").read_text(encoding="utf-8")
    import html as html_module

    text = html_module.unescape(report)
    for slug in exercise_slugs(ROOT):
        assert slug not in text, slug  # not in a table, a chart's text or a note
        assert load_exercise(ROOT, slug).data["titel"] in text, slug  # every module by its title
    assert f"<td>{html_module.escape(title)}</td><td>2 van 2</td>" in report  # the table per module
    assert f'alt="{html_module.escape(title)}: 2 van 2' in report  # the completion chart's text
    assert f"{title}: Signalen herkennen" in text  # the criteria chart's text
    assert f"<td>{html_module.escape(title)}</td><td>Signalen herkennen</td><td>2</td>" in report  # agreement


def test_the_export_keeps_the_slug_as_its_column_key(course):
    rows = list(csv.DictReader(io.StringIO(export_text(course, "moodle"))))
    assert A in rows[0] and {r["Username"] for r in rows} == set(STUDENTS)
