"""Feedback says what the next level asks (issue 24), on a real nbgrader feedback file: for each
graded criterion below the top level, the descriptor of the level just above it, word for word
from the rubric file; nothing at the top level, and nothing at all for a reflection that is not
graded yet (never shown as 0)."""

from __future__ import annotations

import html
import re

import nbformat
import pytest
import yaml

from conftest import ROOT
from leerplein.course.course import Course
from leerplein.course.grading.autograde import autograde
from leerplein.course.grading.rubric_grades import save_rubric_grade
from leerplein.course.intake.collect import collect
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.prepare.init import init_course
from leerplein.course.results.feedback import feedback_path, generate_feedback

A = "01-armoede-zien"
STUDENT = "qafeedb"


def descriptor(question: str, criterion: str, level: str) -> str:
    """Straight from the rubric file, not through the code under test."""
    data = yaml.safe_load((ROOT / "grading" / "rubrics" / f"{A}.yml").read_text(encoding="utf-8"))
    c = next(c for c in data[question]["criteria"] if c["id"] == criterion)
    return next(lv["beschrijving"] for lv in c["niveaus"] if lv["naam"] == level)


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    base = tmp_path_factory.mktemp("volgendestap")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text(f"username,name,role\n{STUDENT},Student Feedback,student\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    home = base / "homes" / STUDENT
    folder = fetch_as(course, A, STUDENT, home)
    nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
            cell.source = "Mijn reflectie over signalen, schaamte en een open gesprek."
    nbformat.write(nb, str(folder / f"{A}.ipynb"))
    submit_as(course, A, STUDENT, home)
    collect(course, A)
    autograde(course, A)
    # reflectie-1 graded (one criterion at 'bijna', one at the top); reflectie-2 not graded yet
    save_rubric_grade(course, A, STUDENT, "reflectie-1", {"signalen": "bijna", "schaamte": "goed"}, "Goed begin.")
    generate_feedback(course, A, [STUDENT])
    return feedback_path(course, A, STUDENT).read_text(encoding="utf-8")


def section(text: str, question: str) -> str:
    """The part of the feedback file for one reflection (up to the next h2)."""
    title = question.replace("-", " ").capitalize()
    part = re.search(rf"<h2>{title}</h2>(.*?)(?=<h2>|$)", text, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", " ", part).replace("  ", " "))


def test_a_criterion_below_the_top_names_what_the_next_level_asks(feedback):
    first = section(feedback, "reflectie-1")
    asked = descriptor("reflectie-1", "signalen", "voldoende")
    assert f"Voor 'voldoende' vraagt de rubric: {asked}" in first, first
    assert re.search(r"Signalen herkennen\s+\(nu: bijna\)", first), first
    # at the top level there is no next step to name
    assert "Rol van schaamte (nu:" not in first
    assert first.count("vraagt de rubric") == 1


def test_an_ungraded_reflection_gets_no_next_step_and_no_zero(feedback):
    second = section(feedback, "reflectie-2")
    assert "Deze vraag is nog niet beoordeeld." in second
    assert "vraagt de rubric" not in second and "Wat de volgende stap vraagt" not in second
    assert "nog niet (0" not in second
