"""`leerplein check` keeps what pages say in words true to the data: the number of reflections and
kennisvragen a module's overview or an assignment's intro names (module 1 said "drie korte
reflecties" where there are two), the parts of the eindopdracht, and the group sessions and the
attendance rule in the facilitator guide (a six-meeting scheme next to "8 of 11")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from leerplein.book.check import check_repository

RULES = ["assignment-counts", "session-counts"]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    for part in ("exercises", "grading", "modules", "book", "sessies"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("_build", "*.mo"))
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def findings(root: Path) -> list[str]:
    return [f"{f.path.relative_to(root)}:{f.line}: {f.message}" for f in check_repository(root, only=RULES)]


def test_the_course_as_it_is_passes():
    assert findings(ROOT) == []


def test_an_overview_naming_three_reflections_where_there_are_two_fails(course):
    index = course / "modules/01-armoede-zien/index.md"
    edit(index, "twee korte reflecties", "drie korte reflecties")
    line = next(i for i, t in enumerate(index.read_text().splitlines(), 1) if "drie korte reflecties" in t)
    assert findings(course) == [f"modules/01-armoede-zien/index.md:{line}: says 3 reflection(s), but "
                                "exercises/01-armoede-zien/opdracht.yml has 2"]


def test_a_wrong_number_of_kennisvragen_fails_and_een_paar_is_no_number(course):
    edit(course / "modules/03-werken-vanuit-kracht/index.md", "ook twee kennisvragen", "ook drie kennisvragen")
    edit(course / "modules/02-schaarste-en-bandbreedte/index.md", "ook\ndrie kennisvragen", "ook\neen paar kennisvragen")
    assert [f.split(": ", 1)[1] for f in findings(course)] == [
        "says 3 kennisvraag/-vragen, but exercises/03-werken-vanuit-kracht/opdracht.yml has 2"]


def test_an_assignment_intro_and_the_eindopdracht_page_are_checked_too(course):
    edit(course / "exercises/04-bibliotheek-als-partner/opdracht.yml", "beantwoordt drie", "beantwoordt vier")
    edit(course / "book/eindopdracht.md", "Het portfolio heeft vier delen", "Het portfolio heeft vijf delen")
    found = findings(course)
    assert any(f.startswith("exercises/04-bibliotheek-als-partner/opdracht.yml:") and "says 4 kennisvraag" in f
               for f in found), found
    assert any(f.startswith("book/eindopdracht.md:") and "says 5 part(s)" in f for f in found), found
    assert len(found) == 2


def test_adding_a_question_without_updating_the_texts_fails(course):
    path = course / "exercises/05-leren-in-de-praktijk/opdracht.yml"
    edit(path, "  - soort: kennischeck\n    id: check-1\n",
         "  - soort: kennischeck\n    id: check-0\n    vraag: Nieuw?\n    opties: {A: ja, B: nee}\n    antwoord: A\n"
         "  - soort: kennischeck\n    id: check-1\n")
    found = findings(course)
    assert {f.split(":")[0] for f in found} == {"exercises/05-leren-in-de-praktijk/opdracht.yml",
                                                 "modules/05-leren-in-de-praktijk/index.md"}, found


def test_the_guide_must_match_the_attendance_rule_and_the_session_plans(course):
    edit(course / "grading/slaagregels.yml", "minimum: 8 ", "minimum: 9 ")
    found = findings(course)
    assert found and all("asks 9" in f and f.startswith("book/handleiding-begeleiders.md:") for f in found), found
    edit(course / "grading/slaagregels.yml", "minimum: 9 ", "minimum: 8 ")
    edit(course / "book/handleiding-begeleiders.md", "daarna zes wekelijkse bijeenkomsten met\nactieleren",
         "daarna vier wekelijkse bijeenkomsten met\nactieleren")
    edit(course / "book/handleiding-begeleiders.md", "acht van de elf bijeenkomsten", "acht van de zes bijeenkomsten")
    edit(course / "book/intro.md", "elf groepsbijeenkomsten", "zes groepsbijeenkomsten")
    messages = sorted(f.split(": ", 1)[1] for f in findings(course))
    assert messages == ["says 4 action-learning sessions; the modules count 6 session plans",
                        "says 6 group sessions; the modules count 11 session plans",
                        "says 6 sessions in all; the modules count 11 session plans"], messages


def test_a_sentence_broken_over_lines_is_still_read(course):
    """The guide's sentence wraps: 'eerst vijf ontmoetingen, daarna zes wekelijkse bijeenkomsten met' /
    'actieleren'. A count must not escape the check because of where the line breaks."""
    edit(course / "book/handleiding-begeleiders.md", "daarna zes wekelijkse bijeenkomsten met\nactieleren",
         "daarna vier wekelijkse bijeenkomsten met\nactieleren")
    assert [f.split(": ", 1)[1] for f in findings(course)] == [
        "says 4 action-learning sessions; the modules count 6 session plans"]


def test_the_session_plan_pages_are_read_too(course):
    edit(course / "book/sessies/07-actieleren-vragen-stellen.md", "actieleertraject: zes wekelijkse",
         "actieleertraject: acht wekelijkse")
    assert [f.split(": ", 1)[1] for f in findings(course)] == [
        "says 8 action-learning sessions; the modules count 6 session plans"]
