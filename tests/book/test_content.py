"""The curriculum as a reader meets it: five modules with the promised parts and a final
assignment, study load that adds up, cases, learning paths for every role, a glossary that is
used, readable text."""

from __future__ import annotations

import re

from conftest import ROOT
from leerplein.book.check import check_repository
from leerplein.course.prepare.assign import exercise_slugs
from leerplein.course.prepare.rubrics import leerdoelen

MODULES = sorted(p for p in (ROOT / "modules").iterdir() if p.is_dir() and re.match(r"\d\d-", p.name))


def test_five_modules_each_with_3_to_5_leerdoelen_and_an_exercise():
    assert [m.name[:2] for m in MODULES] == ["01", "02", "03", "04", "05"]
    for module in MODULES:
        assert 3 <= len(leerdoelen(module / "index.md")) <= 5, module.name
    assert exercise_slugs(ROOT) == [m.name for m in MODULES] + ["06-eindopdracht"]


def test_study_load_adds_up_to_the_course_total():
    number = lambda text: float(text.replace(",", "."))  # noqa: E731 - Dutch decimal comma
    hours = [number(re.search(r"^Totaal: ([\d,]+) uur", (m / "index.md").read_text(), re.M).group(1)) for m in MODULES]
    total = number(re.search(r"Totale studiebelasting: ([\d,]+) uur", (ROOT / "book/intro.md").read_text()).group(1))
    assert sum(hours) == total


def test_every_module_has_two_cases_and_links_its_interactives():
    for module in MODULES:
        cases = next(module.glob("*casussen.md")).read_text()
        assert len(re.findall(r"admonition\}\s*Casus", cases)) >= 2, module.name
        index = (module / "index.md").read_text()
        for page in module.glob("doe-*.md"):
            assert f"({page.name})" in index, f"{module.name} does not link {page.name}"
            assert "leerplein.interactives import show" in page.read_text()


def test_learning_paths_for_every_role_the_introduction_names():
    from leerplein.interactives import zelfscan

    text = (ROOT / "book/leerpaden.md").read_text()
    assert "show.zelfscan()" in text and "paths_markdown" in text  # the intake and the paths, one source
    names = " ".join(r["naam"] for r in zelfscan.scan()["rollen"].values())
    for role in ("Wijkteam", "Bibliotheek", "Gemeente", "Schuldhulp", "Zorg", "Vrijwilliger", "LLO"):
        assert role in names


def test_glossary_terms_are_used_in_the_pages():
    glossary = (ROOT / "book/begrippenlijst.md").read_text()
    terms = re.findall(r"^([a-zA-Z][^\n]*)\n  \S", glossary.split("```{glossary}")[1], re.M)
    assert len(terms) >= 15
    pages = "".join(p.read_text() for p in (ROOT / "modules").rglob("*.md"))
    used = {t for t in terms if re.search(r"\{term\}`" + re.escape(t), pages, re.I)}
    assert len(used) >= len(terms) * 0.6, sorted(set(terms) - used)


def test_no_page_is_hard_to_read():
    errors = [f.format(ROOT) for f in check_repository(ROOT, only=["readability"]) if f.severity == "error"]
    assert errors == []
