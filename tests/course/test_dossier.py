"""`leerplein dossier` builds the accreditation file for Registerplein and for SKJ, as HTML and a
PDF (printed by Chromium) that holds the leerdoelen, the study-load table and the toetsmatrijs,
with the course evaluation's totals (never an open answer's text); `leerplein deelnamebewijs`
writes a participant's certificate of attendance for the action-learning meetings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from test_credential import make_root

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def cli(root: Path, *args: str):
    return subprocess.run([sys.executable, "-m", "leerplein.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "LEERPLEIN_ROOT": str(root), "COLUMNS": "200"}, timeout=600)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages).split())


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def evaluation_db(tmp_path_factory):
    """A Peiling database with the course evaluation answered by three devices."""
    from leerplein.peiling.store import Store
    from leerplein.sessies.plans import load_evaluation

    path = tmp_path_factory.mktemp("peiling") / "peiling.sqlite"
    store = Store(path, b"s" * 32)
    evaluation = load_evaluation(ROOT)
    session = store.create(evaluation["titel"], evaluation["peiling"], plan="evaluatie", eigen_tempo=True)
    open_index = next(i for i, q in enumerate(evaluation["peiling"]) if q["soort"] == "open")
    for device, (scale, text) in enumerate([(5, "GEHEIM-ANTWOORD-1"), (4, "GEHEIM-ANTWOORD-2"), (4, "")]):
        store.answer(session.code, 0, f"apparaat-{device}", str(scale))
        if text:
            store.answer(session.code, open_index, f"apparaat-{device}", text)
    store.close()
    return path


@pytest.mark.parametrize("profile", ["registerplein", "skj"])
def test_the_dossier_pdf_holds_the_leerdoelen_the_study_load_and_the_toetsmatrijs(tmp_path, profile, evaluation_db):
    from leerplein.course.prepare.rubrics import leerdoelen
    from leerplein.dossier.facts import assessment_matrix

    root = make_root(tmp_path)
    out = tmp_path / "uit"
    done = cli(root, "dossier", "--profiel", profile, "-o", str(out), "--peiling-db", str(evaluation_db))
    assert done.returncode == 0, done.stdout + done.stderr
    page = (out / f"dossier-{profile}.html").read_text()
    text = pdf_text(out / f"dossier-{profile}.pdf")
    assert text.count("Hogeschool Proefstad") >= 2
    # leerdoelen: of the course and of every module
    for index in [ROOT / "book" / "eindopdracht.md", *sorted((ROOT / "modules").glob("*/index.md"))]:
        for goal in leerdoelen(index):
            assert flat(goal.rstrip(";."))[:60] in text, goal
    # the study-load table: every module's hours and the course total
    assert "Studiebelasting per activiteit, in uren" in text
    from leerplein.book.studielast import course_loads
    from leerplein.dossier.render import _hours

    loads = course_loads(ROOT)
    row = "Totaal " + " ".join(_hours(load.minutes) for load in loads) + " " + _hours(sum(l.minutes for l in loads))
    assert row in text, f"the study-load totals row ({row}) is not in the PDF"
    # the toetsmatrijs: its caption, a rubric criterion and a kennischeck against their leerdoel, the total points
    assert "Toetsmatrijs" in text and "Signalen herkennen (beoordelingsschema, max. 3)" in text
    assert "kennischeck check-3 (1)" in text
    total = sum(r.points for r in assessment_matrix(ROOT))
    assert f"Alle opdrachten samen {total:g}" in text
    assert "Cesuur" in text and "Sessieplannen" in text and "Literatuur" in text and "Wegwijzer" in text
    # the evaluation: totals only
    assert "Uitkomsten uit 1 evaluatie (alleen totalen)" in text and "gemiddeld 4,3" in text
    assert "GEHEIM-ANTWOORD" not in page and "GEHEIM-ANTWOORD" not in text
    # the profiles differ where the bodies ask different things
    if profile == "registerplein":
        assert "Voorstel punten" in text and "1 punt per netto uur" in text and "intervisie" in text
        assert "SKJ vraagt een eindtoets" not in text
    else:
        assert "SKJ vraagt een eindtoets" in text and "Eindtoets verplicht? Ja" in text
        assert "Voorstel punten" not in text
    assert "microcredential" not in text.lower().replace("het is geen microcredential", "")


def test_the_dossier_warns_while_the_institute_is_still_the_example(tmp_path):
    root = make_root(tmp_path, institute=(ROOT / "instituut.yml").read_text())
    done = cli(root, "dossier", "--profiel", "skj", "-o", str(tmp_path / "uit"), "--geen-pdf")
    assert done.returncode == 0 and "voorbeeld" in done.stderr
    assert "Vul instituut.yml in" in (tmp_path / "uit" / "dossier-skj.html").read_text()
    assert cli(root, "dossier", "--profiel", "nvo", "-o", str(tmp_path / "uit")).returncode == 2
    not_a_db = tmp_path / "geen.sqlite"
    not_a_db.write_text("dit is geen database")
    wrong = cli(root, "dossier", "--profiel", "skj", "-o", str(tmp_path / "uit2"), "--peiling-db", str(not_a_db), "--geen-pdf")
    assert wrong.returncode == 2 and "geen database van Peiling" in wrong.stderr and "Traceback" not in wrong.stderr
    assert not (tmp_path / "uit2" / "dossier-skj.html").exists()


def test_a_certificate_of_attendance_lists_only_the_action_learning_meetings_attended(tmp_path):
    from leerplein.course.course import Course, write_json
    from leerplein.course.prepare.init import init_course

    root = make_root(tmp_path)
    course = Course(root, tmp_path / "course", tmp_path / "exchange")
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role,email\ncrsanne,Sanne de Boer,student,sanne@example.nl\ncrkees,Kees,student,\n")
    init_course(course, roster)
    # the records as `course aanwezig` keeps them; one by plan name, and one left from before names were checked
    write_json(course.state / "aanwezigheid.json",
               {"crsanne": ["actieleren-1", "07-actieleren-vragen-stellen", "ontmoeting-1", "actieleren-typo"],
                "crkees": ["ontmoeting-2"]})
    dirs = ["--course-dir", str(course.directory), "--exchange", str(course.exchange)]
    done = cli(root, "deelnamebewijs", "crsanne", "-o", str(tmp_path / "bewijs"), *dirs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "'actieleren-typo'" in done.stderr  # said, and not counted
    text = pdf_text(tmp_path / "bewijs" / "deelnamebewijs-crsanne.pdf")
    assert "Sanne de Boer" in text and "2 bijeenkomsten actieleren" in text
    assert "Actieleren 1: de set begint" in text and "Actieleren 2" in text
    assert "Ontmoeting" not in text and "intervisie" in text.lower()
    assert "Hogeschool Proefstad" in text
    refused = cli(root, "deelnamebewijs", "crkees", "-o", str(tmp_path / "bewijs"), *dirs)
    assert refused.returncode == 1 and "geen bijeenkomst actieleren" in refused.stderr
    assert not (tmp_path / "bewijs" / "deelnamebewijs-crkees.pdf").exists()


def test_a_pdf_also_prints_when_called_from_a_running_event_loop(tmp_path):
    """A web page's handler (or a test with a browser open) runs an event loop on its thread;
    Playwright's sync API refused to print there."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from leerplein.dossier.output import print_pdf, write_html

    page = write_html("<html lang='nl'><body><h1>Inlogbrief</h1></body></html>", tmp_path / "brief.html")

    async def handler():
        return print_pdf(page, tmp_path / "brief.pdf", "Leerplein")

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever this worker's thread runs
        printed = pool.submit(lambda: asyncio.run(handler())).result()
    assert printed.read_bytes().startswith(b"%PDF")
