"""`leerplein check`: each rule fires on a broken fixture module, with file:line, and passes on a good one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import re
from pathlib import Path

import pytest

from leerplein.book.check import check_repository

GOOD_INDEX = """\
# Module 1: Proef

## Overzicht

Een korte module.

## Leerdoelen

Na deze module kun je:

- signalen herkennen;
- cijfers uitleggen;
- een gesprek voeren.

## Studiebelasting

Totaal: 4 uur (lezen 2 uur, interactief 1 uur, reflectie 1 uur)

## Pagina's

- [Eerste pagina](01-eerste.md)
"""

GOOD_PAGE = """\
---
kernelspec:
  name: python3
---
# Eerste pagina

In 2022 was het 3,8 procent {cite:p}`cbs2023`.

```{code-cell} ipython3
:tags: [remove-input]
print(1)
```
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write(tmp_path, {
        "book/_toc.yml": "format: jb-book\nroot: book/intro\nchapters:\n"
                         "  - file: modules/01-proef/index\n    sections:\n"
                         "      - file: modules/01-proef/01-eerste\n"
                         "      - file: modules/01-proef/doe-proef\n",
        "book/intro.md": "# Intro\n\nTotale studiebelasting: 4 uur.\n",
        "book/references.bib": "@misc{cbs2023,\n  title = {Armoede},\n  year = {2023}\n}\n",
        "modules/01-proef/index.md": GOOD_INDEX,
        "modules/01-proef/01-eerste.md": GOOD_PAGE,
        "modules/01-proef/doe-proef.md": "# Doe mee\n\n```{code-cell} ipython3\n:tags: [remove-input]\n"
                                          "from leerplein.interactives import show\n\nshow.netwerkwijzer()\n```\n",
        "exercises/01-proef/opdracht.md": "# Opdracht\n",
    })


STRUCTURAL_RULES = ["module-anatomy", "course-total", "module-parts", "citations", "links", "toc", "hidden-code"]


def rules_fired(root: Path) -> dict[str, list[str]]:
    fired: dict[str, list[str]] = {}
    for f in check_repository(root, only=STRUCTURAL_RULES):
        if f.severity == "error":
            fired.setdefault(f.rule, []).append(f.format(root))
    return fired


def test_a_complete_module_passes(course):
    assert rules_fired(course) == {}


def test_missing_leerdoelen_is_reported_with_file_and_line(course):
    index = course / "modules/01-proef/index.md"
    index.write_text(GOOD_INDEX.replace("## Leerdoelen", "## Doelen"))
    assert rules_fired(course)["module-anatomy"] == [
        "modules/01-proef/index.md:1: error: [module-anatomy] no '## Leerdoelen' section"]


def test_too_few_leerdoelen(course):
    index = course / "modules/01-proef/index.md"
    index.write_text(GOOD_INDEX.replace("- cijfers uitleggen;\n- een gesprek voeren.\n", ""))
    (message,) = rules_fired(course)["module-anatomy"]
    assert "index.md:7:" in message and "1 bullet(s)" in message


def test_studiebelasting_parts_must_add_up(course):
    index = course / "modules/01-proef/index.md"
    index.write_text(GOOD_INDEX.replace("reflectie 1 uur", "reflectie 3 uur"))
    fired = rules_fired(course)
    assert "add up to 6 uur, not the stated total 4 uur" in fired["module-anatomy"][0]
    assert "index.md:17:" in fired["module-anatomy"][0]


def test_missing_studiebelasting(course):
    index = course / "modules/01-proef/index.md"
    index.write_text(GOOD_INDEX.split("## Studiebelasting")[0])
    assert "no '## Studiebelasting' section" in rules_fired(course)["module-anatomy"][0]


def test_course_total_must_match_the_modules(course):
    (course / "book/intro.md").write_text("# Intro\n\nTotale studiebelasting: 10 uur.\n")
    assert rules_fired(course)["course-total"] == [
        "book/intro.md:3: error: [course-total] course total says 10 uur, the modules add up to 4 uur"]


def test_unknown_citation_key(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE.replace("cbs2023", "cbs1999"))
    assert rules_fired(course)["citations"] == [
        "modules/01-proef/01-eerste.md:7: error: [citations] citation key 'cbs1999' is not in book/references.bib"]


def test_broken_link_and_image(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + "\nZie [de volgende pagina](02-bestaat-niet.md).\n\n![grafiek](img/weg.png)\n")
    fired = rules_fired(course)["links"]
    assert any("'02-bestaat-niet.md' does not exist" in m for m in fired)
    assert any("image target 'img/weg.png' does not exist" in m for m in fired)


def test_external_links_are_not_resolved_locally(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + "\nZie [CBS](https://www.cbs.nl/) en [boven](#eerste-pagina).\n")
    assert "links" not in rules_fired(course)


def test_doe_page_without_a_call_to_an_interactive_is_not_enough(course):
    (course / "modules/01-proef/doe-proef.md").write_text("# Doe mee\n\nDe oefening komt hier.\n")
    assert "no interactive" in rules_fired(course)["module-parts"][0]


def test_module_without_interactive(course):
    (course / "modules/01-proef/doe-proef.md").unlink()
    (course / "book/_toc.yml").write_text((course / "book/_toc.yml").read_text().replace(
        "      - file: modules/01-proef/doe-proef\n", ""))
    assert "no interactive" in rules_fired(course)["module-parts"][0]


def test_module_without_reflection_exercise(course):
    (course / "exercises/01-proef/opdracht.md").unlink()
    (course / "exercises/02-ander").mkdir(parents=True)
    (course / "exercises/02-ander/opdracht.md").write_text("# x\n")
    assert "no reflection exercise in exercises/01-proef/" in rules_fired(course)["module-parts"][0]


def test_toc_entry_without_file(course):
    toc = course / "book/_toc.yml"
    toc.write_text(toc.read_text() + "      - file: modules/01-proef/99-weg\n")
    assert "'modules/01-proef/99-weg' is in the table of contents" in rules_fired(course)["toc"][0]


def test_visible_code_cell(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE.replace(":tags: [remove-input]\n", ""))
    assert "code cell is visible to readers" in rules_fired(course)["hidden-code"][0]


def test_cli_exit_code_and_messages(course):
    (course / "modules/01-proef/index.md").write_text(GOOD_INDEX.replace("## Leerdoelen", "## Doelen"))
    proc = subprocess.run([sys.executable, "-m", "leerplein.cli", "check"], cwd=course,
                          capture_output=True, text=True, env={"LEERPLEIN_ROOT": str(course), "PATH": ""})
    assert proc.returncode == 1
    assert "modules/01-proef/index.md:1: error: [module-anatomy]" in proc.stdout


def test_the_repository_itself_passes(root):
    errors = [f.format(root) for f in check_repository(root) if f.severity == "error"]
    assert errors == []


def assessment_findings(root: Path) -> list[str]:
    return [f.format(root) for f in check_repository(root, only=["assessment"]) if f.severity == "error"]


def _exercise(course: Path, criteria_goals: list[int], check_goals: list[int]) -> None:
    checks = "".join(f"  - {{soort: kennischeck, id: check-{i}, vraag: V, opties: {{A: a, B: b}}, antwoord: A, uitleg: Omdat A klopt, "
                     f"leerdoel: {g}}}\n" for i, g in enumerate(check_goals, 1))
    (course / "exercises/01-proef/opdracht.yml").write_text(
        "titel: T\nintro: I\nvragen:\n  - {soort: reflectie, id: reflectie-1, vraag: V}\n" + checks)
    crit = "".join(f"  - id: c{g}\n    titel: C{g}\n    leerdoel: {g}\n    niveaus:\n"
                   f"    - {{naam: nee, punten: 0, beschrijving: x}}\n    - {{naam: ja, punten: 2, beschrijving: y}}\n"
                   for g in criteria_goals)
    (course / "grading/rubrics").mkdir(parents=True, exist_ok=True)
    (course / "grading/rubrics/01-proef.yml").write_text(f"reflectie-1:\n  criteria:\n{crit}")


def test_every_leerdoel_must_be_assessed(course):
    goals = len(re.findall(r"^- ", GOOD_INDEX.split("## Leerdoelen")[1].split("##")[0], re.M))
    _exercise(course, list(range(1, goals)), [])
    found = assessment_findings(course)
    assert len(found) == 1 and f"leerdoel {goals}" in found[0] and "not assessed" in found[0]
    _exercise(course, list(range(1, goals)), [goals])
    assert assessment_findings(course) == []


def test_rubric_missing_for_a_reflection_and_unknown_leerdoel(course):
    _exercise(course, [1], [99])
    (course / "grading/rubrics/01-proef.yml").write_text("andere-vraag:\n  criteria: []\n")
    assert "has no rubric" in assessment_findings(course)[0]


# --- content rules: study load, figures with citations, no pasted sentences -------------------

STUDY_NORMS = "uren_per_ec: 28\nlezen: {bladzijden_per_uur: 6, woorden_per_bladzijde: 350, bronnen: []}\n"
STUDY_LOAD = ("activiteiten:\n  - soort: lezen\n  - {soort: opdracht, titel: Reflectie, minuten: 120}\n"
              "  - {soort: praktijk, titel: Praktijk, minuten: 118}\n")


def study_course(course: Path, stated_hours: str = "4", intro: str = "Totale studiebelasting: 4 uur. Dat is 0,14 EC.") -> Path:
    write(course, {"book/studielast.yml": STUDY_NORMS, "modules/01-proef/studielast.yml": STUDY_LOAD,
                   "book/intro.md": f"# Intro\n\n{intro}\n"})
    index = course / "modules/01-proef/index.md"
    index.write_text(index.read_text().replace("Totaal: 4 uur (lezen 2 uur, interactief 1 uur, reflectie 1 uur)",
                                               f"Totaal: {stated_hours} uur"))
    return course


def fired(root: Path, name: str) -> list[str]:
    return [f.format(root) for f in check_repository(root, only=[name]) if f.severity == "error"]


def test_study_load_matches_the_activities(course):
    from leerplein.book.studielast import module_load

    load = module_load(study_course(course), "01-proef")
    reading = load.activities[0]
    assert reading.kind == "lezen" and 0 < reading.minutes < 5  # a short page: its words at 35 per minute
    assert round(load.hours, 1) == 4.0
    assert fired(course, "study-load") == []


def test_a_stated_module_total_off_by_more_than_ten_percent_fails(course):
    study_course(course, stated_hours="6")
    assert any("states 6 uur, its activities add up to 4.0 uur" in f for f in fired(course, "study-load"))


def test_stated_course_hours_and_ec_must_follow_from_the_modules(course):
    study_course(course, intro="Totale studiebelasting: 32 uur. Dat is ruim 1 EC.")
    found = fired(course, "study-load")
    assert any("states 32 uur" in f for f in found) and any("states 1 EC" in f for f in found)


def test_a_module_without_its_activities_fails(course):
    study_course(course)
    (course / "modules/01-proef/studielast.yml").unlink()
    assert any("studielast.yml is missing" in f for f in fired(course, "study-load"))


def test_a_figure_needs_a_citation_in_its_paragraph(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + "\nIn Nederland hebben 614.000 huishoudens schulden.\n\nSandra (38) werkt 24 uur.\n")
    found = fired(course, "figure-citations")
    assert len(found) == 1 and "614.000" in found[0] and "01-eerste.md:" in found[0]  # ages and hours are not figures


def test_sentences_pasted_from_the_sources_are_found_and_quotations_with_a_source_are_not(tmp_path):
    shared = tmp_path / "shared" / "seeds"
    shared.mkdir(parents=True)
    seed = ("Op een dinsdagochtend zaten twaalf mensen uit de wijk samen aan een lange tafel in de bibliotheek "
            "en praatten over geld.")
    (shared / "000.txt").write_text(seed)
    root = write(tmp_path / "main", {
        "book/_toc.yml": "format: jb-book\nroot: book/intro\n", "book/intro.md": "# Intro\n",
        "modules/01-proef/index.md": f"# Proef\n\n{seed}\n\nEen eigen zin over twaalf mensen aan tafel.\n",
        "modules/01-proef/02-citaat.md": f"# Citaat\n\nEen deelnemer schreef: \"{seed}\" {{cite:p}}`seed`.\n",
    })
    found = fired(root, "no-pasted-sentences")
    assert len(found) == 1 and "index.md:3" in found[0] and "op een dinsdagochtend zaten" in found[0]


def test_a_module_needs_three_cases_and_a_marked_composite_story(course):
    page = course / "modules/01-proef/05-casussen.md"
    case = ":::{admonition} Casus: {}\nTekst.\n:::\n\n"
    page.write_text("# Casussen\n\n" + case.replace("{}", "A") + case.replace("{}", "B"))
    found = fired(course, "cases-and-voices")
    assert any("2 case(s)" in f for f in found) and any("no ':::{admonition} Ervaringsverhaal" in f for f in found)
    story = ':::{admonition} Ervaringsverhaal: "Ik"\nIk vertel.\n:::\n'
    page.write_text(page.read_text() + case.replace("{}", "C") + story)
    assert [f for f in fired(course, "cases-and-voices") if "voor deze cursus geschreven" in f]
    told = page.read_text()
    page.write_text(told.replace("Ik vertel.", "*Dit verhaal is samengesteld uit ervaringen van meerdere mensen. "
                                               "Het gaat niet over één echt persoon.*\n\nIk vertel."))
    assert [f for f in fired(course, "cases-and-voices") if "voor deze cursus geschreven" in f]
    page.write_text(told.replace("Ik vertel.", "*Dit verhaal is voor deze cursus geschreven, samengesteld uit "
                                               "ervaringen. Het gaat niet over één echt persoon.*\n\nIk vertel."))
    assert [f for f in fired(course, "cases-and-voices") if "must not claim" in f]
    page.write_text(told.replace("Ik vertel.", "*Dit verhaal is voor deze cursus geschreven. Het gaat niet over één "
                                               "echt persoon.*\n\nIk vertel."))
    assert fired(course, "cases-and-voices") == []


def test_english_course_jargon_in_a_page_is_reported(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + "\nJe vindt de opdracht onder Opdrachten (Assignments). Je docent gebruikt een rubric.\n\n"
                    "Zie *The Rubric Book* {cite:p}`cbs2023` en `assignment`.\n")
    found = fired(course, "plain-dutch")
    assert len(found) == 1 and "'Assignments' is English" in found[0]  # a cited title in italics and code are fine


def test_english_words_and_calques_the_review_found_are_reported(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + "\nDe begeleider is een guide on the side.\n\nWerk je op de hub?\n\n"
                    "In de set stel je vragen.\n\nKijk met een bandbreedteblik.\n\nDat maakte dat ik het volhield.\n\n"
                    "Lees *Scarcity* {cite:p}`cbs2023` in een actieleerset.\n")
    found = fired(course, "plain-dutch")
    assert [f.split(": error: ")[0].rsplit(":", 1)[1] for f in found] == ["14", "16", "18", "20", "22"]
    assert "'guide on the side' is English" in found[0] and "'bandbreedteblik' is English idiom" in found[3]


# --- attribution rules: quotations carry a source, the bibliography holds only what is cited --------

def test_a_quotation_needs_a_citation_in_its_paragraph(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + '\nEen spreker zei: "Wie schulden heeft, leert niets." Dat klopt vaak.\n')
    found = fired(course, "quotation-citations")
    assert len(found) == 1 and "01-eerste.md:14:" in found[0] and "Wie schulden heeft, leert niets." in found[0]
    page.write_text(GOOD_PAGE + '\nEen spreker zei: "Wie schulden heeft, leert niets." {cite:p}`cbs2023`\n')
    assert fired(course, "quotation-citations") == []


def test_fiction_questions_and_terms_are_not_quotations(course):
    page = course / "modules/01-proef/01-eerste.md"
    page.write_text(GOOD_PAGE + '\n:::{admonition} Casus: Sandra\nZe zegt: "ik heb het te druk".\n:::\n\n'
                    ':::{admonition} Voorbeeldbrief: na\n"U kreeg € 120 te veel."\n:::\n\n'
                    'Vraag bijvoorbeeld: "Lukt het om rond te komen deze maand?" De \'arme\' is soms je collega.\n')
    assert fired(course, "quotation-citations") == []
    assert fired(course, "figure-citations") == []  # a letter written for the course shows made-up amounts
    page.write_text(page.read_text().replace(":::{admonition} Voorbeeldbrief: na", ":::{admonition} Brief"))
    assert any("120" in f for f in fired(course, "figure-citations"))
    assert any("U kreeg" in f for f in fired(course, "quotation-citations"))


def test_every_bibliography_entry_must_be_cited(course):
    bib = course / "book/references.bib"
    bib.write_text(bib.read_text() + "@misc{ongebruikt,\n  title = {Niemand citeert mij},\n  year = {2020}\n}\n")
    assert fired(course, "bib-unused") == [
        "book/references.bib:5: error: [bib-unused] bibliography entry 'ongebruikt' is cited nowhere; cite it "
        "where the course uses it, or remove it"]
    study_course(course)
    (course / "modules/01-proef/studielast.yml").write_text(
        STUDY_LOAD + "  - {soort: literatuur, titel: T, bron: ongebruikt, url: 'https://x.nl', bladzijden: 1}\n")
    assert fired(course, "bib-unused") == []  # a required reading in a study-load file is a use


def test_a_session_shared_by_two_modules_counts_once(course, root):
    from leerplein.book.studielast import module_load, session_minutes

    _, minutes = session_minutes(root, "04-ontmoeting-kracht-en-netwerk")
    shared = [a.minutes for m in ("03-werken-vanuit-kracht", "04-bibliotheek-als-partner")
              for a in module_load(root, m).activities if a.kind == "bijeenkomst"]
    assert shared == [minutes / 2, minutes / 2]  # module 4 has its group session, the course total is unchanged
    study_course(course)
    for module in ("01-proef", "02-ander"):
        write(course, {f"modules/{module}/studielast.yml": STUDY_LOAD + "  - {soort: bijeenkomst, sessie: s1}\n"})
    found = [f for f in fired(course, "study-load") if "count this session" in f]
    assert found == ["sessies/s1.yml:1: error: [study-load] the modules count this session 2 times; share it with "
                     "'aandeel' so it counts once"]
