"""The assessment rules of `leerplein check` pass on the course and fail on fixtures that show
each fault the content review found (issue 26)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from leerplein.book.check import check_repository

FIXTURES = Path(__file__).parent / "fixtures"
M2 = "02-schaarste-en-bandbreedte"


@pytest.fixture
def repo(tmp_path):
    for part in ("exercises", "grading", "modules", "book", "sessies"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(ROOT / "src" / "leerplein" / "interactives" / "data", tmp_path / "src" / "leerplein" / "interactives" / "data")
    return tmp_path


def messages(root: Path, rule: str) -> list[str]:
    return [f.message for f in check_repository(root, only=[rule]) if f.severity == "error"]


def test_the_course_rubrics_pass():
    assert messages(ROOT, "rubric-levels") == []


def test_a_three_level_rubric_fails(repo):
    shutil.copy(FIXTURES / "rubric-three-levels.yml", repo / "grading" / "rubrics" / f"{M2}.yml")
    found = messages(repo, "rubric-levels")
    assert "reflectie-1/tunnel: levels must be nog niet, bijna, voldoende, goed in this order " \
           "(found nog niet, voldoende, goed)" in found
    assert len(found) == 3  # every criterion of the old rubric


def test_a_criterion_without_every_level_fails(repo):
    shutil.copy(FIXTURES / "rubric-missing-level.yml", repo / "grading" / "rubrics" / f"{M2}.yml")
    assert messages(repo, "rubric-levels") == [
        "reflectie-1/tunnel: levels must be nog niet, bijna, voldoende, goed in this order (found nog niet, voldoende, goed)"]


def test_a_voldoende_that_only_asks_to_mention_fails(repo):
    shutil.copy(FIXTURES / "rubric-mention.yml", repo / "grading" / "rubrics" / f"{M2}.yml")
    assert messages(repo, "rubric-levels") == [
        "reflectie-1/aannames: 'voldoende' only asks to mention something ('Noemt'); describe what shows the leerdoel is met"]


def test_a_gendered_descriptor_and_falling_points_fail(repo):
    path = repo / "grading" / "rubrics" / f"{M2}.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Beschrijft geen eigen tunnelmoment.", "Zij beschrijft geen eigen tunnelmoment.", 1)
    text = text.replace("      punten: 1\n", "      punten: 5\n", 1)
    path.write_text(text, encoding="utf-8")
    found = messages(repo, "rubric-levels")
    assert "reflectie-1/tunnel: points must start at 0 and rise with every level" in found
    assert any(m.startswith("reflectie-1/tunnel/nog niet: describe the work without") for m in found)


def test_the_course_items_pass_the_summative_rules():
    assert messages(ROOT, "summative-items") == []


def test_a_summative_item_that_repeats_a_formative_one_fails(repo):
    shutil.copy(FIXTURES / "opdracht-03-copies.yml", repo / "exercises" / "03-werken-vanuit-kracht" / "opdracht.yml")
    found = messages(repo, "summative-items")
    assert any(m.startswith("check-1 repeats the formative kennischeck m3-eigenkracht") for m in found), found
    assert any(m.startswith("check-2 repeats the formative kennischeck m3-rol") for m in found), found


def test_items_where_the_right_option_is_mostly_the_longest_fail(repo):
    import yaml

    for path in (repo / "exercises").glob("*/opdracht.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for q in data["vragen"]:
            if q["soort"] == "kennischeck":
                q["opties"][q["antwoord"]] += ", zoals de module uitlegt met een voorbeeld uit de praktijk"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "the right option is the longest in 13 of 13 items; make the distractors as long and as plausible" \
        in messages(repo, "summative-items")
