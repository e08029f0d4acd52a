"""Kernleerdoelen do not compensate (issue 26), end to end with real nbgrader: a student with
plenty of points but 'bijna' on 'Open gesprek voeren' does not pass; an observation form from the
role play counts as evidence; progress, the export and the book's cesuur follow the rules."""

from __future__ import annotations

import csv
import io

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.grading.autograde import autograde
from leerplein.course.course import Course
from leerplein.course.prepare.init import init_course
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.intake.collect import collect
from leerplein.course.grading.observations import ObservationError, load_forms, load_observation, save_observation
from leerplein.course.results.progress import pass_rules_html, student_progress
from leerplein.course.grading.rubric_grades import save_rubric_grade

A = "01-armoede-zien"
RULES = """opdrachten:
  01-armoede-zien: {telt_mee: true, minimum: 0.55}
cursus:
  minimum_totaal: 0.6
aanwezigheid:
  minimum: 0
"""
CORE = "kernleerdoelen:\n  - {opdracht: 01-armoede-zien, leerdoel: 3}\n"
ALMOST = {"reflectie-1": {"signalen": "goed", "schaamte": "goed"}, "reflectie-2": {"niveaus": "goed", "gesprek": "bijna", "ontmoetingen": "goed"}}
ENOUGH = {"reflectie-1": {"signalen": "voldoende", "schaamte": "voldoende"},
          "reflectie-2": {"niveaus": "voldoende", "gesprek": "voldoende", "ontmoetingen": "voldoende"}}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("core")
    root = base / "repo"
    (root / "grading").mkdir(parents=True)
    for name in ("exercises", "modules", "book", "sessies"):
        (root / name).symlink_to(ROOT / name)
    for name in ("rubrics", "observaties.yml"):
        (root / "grading" / name).symlink_to(ROOT / "grading" / name)
    (root / "grading" / "slaagregels.yml").write_text(RULES + CORE)
    (root / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    course = Course(root, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\nasbijna,Bijna,student\nasgoed,Goed,student\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    for student in ("asbijna", "asgoed"):
        folder = fetch_as(course, A, student, base / "homes" / student)
        path = folder / f"{A}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith("antwoord_"):
                n = int(cell.source.split("_")[1].split()[0])
                cell.source = f'antwoord_{n} = "{ {1: "C", 2: "B", 3: "A"}[n] }"'
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = "Een reflectie over signalen, schaamte, drie niveaus en een open gesprek."
        nbformat.write(nb, str(path))
        submit_as(course, A, student, base / "homes" / student)
    collect(course, A)
    autograde(course, A)
    for student, levels in (("asbijna", ALMOST), ("asgoed", ENOUGH)):
        for question, chosen in levels.items():
            save_rubric_grade(course, A, student, question, chosen)
    return course


def test_points_alone_passed_before_the_core_rule(graded):
    (graded.root / "grading" / "slaagregels.yml").write_text(RULES)
    try:
        assert student_progress(graded, "asbijna").passed  # 16 of 18 points: the old cesuur compensates
    finally:
        (graded.root / "grading" / "slaagregels.yml").write_text(RULES + CORE)


def test_a_core_leerdoel_below_voldoende_fails_despite_the_points(graded):
    form = load_forms(graded.root)["geldgesprek"]
    save_observation(graded, form, "asbijna", {"opening": "goed", "doorvragen": "goed"}, "docent1")
    p = student_progress(graded, "asbijna")
    got, out_of = p.total
    assert got >= 0.6 * out_of and p.counted[0].passed  # the points are there
    assert not p.passed
    assert "Kernleerdoel 'een open gesprek over geldzorgen voeren, zonder oordeel': nog niet voldoende " \
           "(Open gesprek voeren)" in p.open_items


def test_the_observation_is_evidence_and_completes_the_core_leerdoel(graded):
    p = student_progress(graded, "asgoed")
    assert not p.passed and p.core[0].status == "open"  # the role play is not observed yet
    assert "Kernleerdoel 'een open gesprek over geldzorgen voeren, zonder oordeel': nog niet (helemaal) beoordeeld" \
        in p.open_items
    form = load_forms(graded.root)["geldgesprek"]
    save_observation(graded, form, "asgoed", {"opening": "voldoende", "doorvragen": "bijna"}, "docent1")
    assert student_progress(graded, "asgoed").core[0].short == ["Doorvragen en luisteren"]
    save_observation(graded, form, "asgoed", {"opening": "voldoende", "doorvragen": "voldoende"}, "docent1",
                     "Opende met: hoe gaat het met de vaste lasten?")
    assert student_progress(graded, "asgoed").passed
    assert load_observation(graded, "geldgesprek", "asgoed")["docent"] == "docent1"


def test_an_incomplete_form_stores_nothing(graded):
    form = load_forms(graded.root)["open-vragen"]
    with pytest.raises(ObservationError, match="Kies een niveau voor 'Zonder advies'"):
        save_observation(graded, form, "asgoed", {"open": "goed"}, "docent1")
    assert load_observation(graded, "open-vragen", "asgoed") is None


def test_the_export_and_the_book_follow_the_core_rule(graded):
    from leerplein.course.results.export import RESULT, export_text

    rows = {r["Username"]: r for r in csv.DictReader(io.StringIO(export_text(graded, "moodle")))}
    assert rows["asbijna"][RESULT] == "0" and rows["asgoed"][RESULT] == "1"
    html = pass_rules_html(graded.root)
    assert "Kernleerdoelen" in html and "een open gesprek over geldzorgen voeren" in html
    assert "observatie: Open gesprek over geldzorgen (rollenspel)" in html
