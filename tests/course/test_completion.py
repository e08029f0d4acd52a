"""Completion, end to end with real nbgrader: pass rules, progress, and the badge. A
learner who passes gets a badge in her feedback that verifies offline; a tampered copy, the
wrong key, a revoked and an expired badge do not; a learner who did not pass gets none; forget
keeps the revocation list working."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.grading.autograde import autograde
from leerplein.course.course import Course
from leerplein.course.prepare.init import init_course
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.intake.collect import collect
from leerplein.course.results.progress import student_progress
from leerplein.course.grading.rubric_grades import save_rubric_grade

A = "01-armoede-zien"
RULES = """opdrachten:
  01-armoede-zien: {telt_mee: true, minimum: 0.55}
cursus:
  minimum_totaal: 0.6
aanwezigheid:
  minimum: 1
badge:
  naam: "Leerplein (proef)"
  beschrijving: "Proefbadge"
  studielast_uren: 84
  ec: 3
  taal: nl
  niveau: "Niet NLQF-ingeschaald"
  beoordeling: "Rubric"
"""


def cli(root: Path, *args):
    return subprocess.run([sys.executable, "-m", "leerplein.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "LEERPLEIN_ROOT": str(root)}, timeout=300)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course counting only module 1: 'slaagt' answers well, 'zakt' hands in nothing useful."""
    base = tmp_path_factory.mktemp("completion")
    root = base / "repo"
    (root / "grading").mkdir(parents=True)
    for name in ("exercises", "modules", "book", "sessies"):
        (root / name).symlink_to(ROOT / name)
    (root / "grading" / "rubrics").symlink_to(ROOT / "grading" / "rubrics")
    (root / "grading" / "slaagregels.yml").write_text(RULES)
    (root / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    from test_credential import INSTITUTE
    (root / "instituut.yml").write_text(INSTITUTE)
    course = Course(root, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,email\nslaagt,Sanne,student,sanne@example.nl\nzakt,Zeger,student,\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    homes = base / "homes"
    for student, good in (("slaagt", True), ("zakt", False)):
        folder = fetch_as(course, A, student, homes / student)
        path = folder / f"{A}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if good and cell.cell_type == "code" and cell.source.startswith("antwoord_"):
                n = int(cell.source.split("_")[1].split()[0])
                cell.source = f'antwoord_{n} = "{ {1: "C", 2: "B", 3: "A"}[n] }"'
            if good and cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = "Een echte reflectie over signalen, schaamte en drie niveaus."
        nbformat.write(nb, str(path))
        submit_as(course, A, student, homes / student)
    collect(course, A)
    autograde(course, A)
    top = {"reflectie-1": {"signalen": "goed", "schaamte": "goed"}, "reflectie-2": {"niveaus": "goed", "gesprek": "goed", "ontmoetingen": "goed"}}
    low = {"reflectie-1": {"signalen": "nog niet", "schaamte": "nog niet"},
           "reflectie-2": {"niveaus": "nog niet", "gesprek": "nog niet", "ontmoetingen": "nog niet"}}
    for student, levels in (("slaagt", top), ("zakt", low)):
        for question, chosen in levels.items():
            save_rubric_grade(course, A, student, question, chosen)
    return {"course": course, "root": root, "base": base, "homes": homes,
            "dirs": ["--course-dir", str(course.directory), "--exchange", str(course.exchange)]}


def test_pass_rules_and_progress(graded):
    course = graded["course"]
    sanne = student_progress(course, "slaagt")
    assert sanne.counted[0].status == "nagekeken" and sanne.counted[0].passed and sanne.total == (18.0, 18.0)
    assert not sanne.passed and "Bijeenkomsten: 0 van 1 bijgewoond" in sanne.open_items  # attendance is required
    done = cli(graded["root"], "course", "aanwezig", "ontmoeting-1", "slaagt", "zakt", *graded["dirs"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert student_progress(course, "slaagt").passed
    zeger = student_progress(course, "zakt")
    assert not zeger.passed and any("nodig" in item for item in zeger.open_items)
    table = cli(graded["root"], "course", "progress", *graded["dirs"])
    assert re.search(r"slaagt\s*│\s*yes", table.stdout) and re.search(r"zakt\s*│\s*no", table.stdout), table.stdout


def badge_from_feedback(graded, student) -> Path | None:
    """The badge as it travels to the learner: inside the feedback page released to her. (Read
    from the course's feedback folder: in this test every 'student' shares root's nbgrader cache,
    so fetching as one student would also fetch the other's; on the hub each has her own.)"""
    from leerplein.course.results.feedback import feedback_path

    text = feedback_path(graded["course"], A, student).read_text()
    assert '"nagekeken": true' in text  # the score block "Mijn voortgang" reads
    found = re.search(r'id="leerplein-badge"[^>]*href="data:image/png;base64,([^"]+)"', text)
    if not found:
        return None
    target = graded["base"] / f"{student}-badge.png"
    target.write_bytes(base64.b64decode(found.group(1)))
    return target


def test_a_learner_who_passes_gets_a_badge_that_verifies_and_copies_that_lie_do_not(graded):
    from openbadgeslib.baking import ITXT_KEYWORD_OB3, bake_png
    from openbadgeslib.ob3 import OB3Verifier

    from leerplein.credentials.issue import badge_image

    cli(graded["root"], "course", "aanwezig", "ontmoeting-1", "slaagt", *graded["dirs"])  # idempotent
    fed = cli(graded["root"], "course", "feedback", A, *graded["dirs"])  # everyone's feedback, as before
    assert fed.returncode == 0, fed.stdout + fed.stderr
    issued = cli(graded["root"], "course", "badges", "--ob2", *graded["dirs"])
    assert issued.returncode == 0 and "1 badge(s) issued; 1 student(s) have not passed yet." in issued.stdout, \
        issued.stdout + issued.stderr
    badges = graded["course"].state / "badges"
    key = badges / "issuer-key.pem"
    assert key.stat().st_mode & 0o077 == 0 and badges.stat().st_mode & 0o077 == 0
    assert not (badges / "zakt.png").exists()
    assert badge_from_feedback(graded, "zakt") is None, "a learner who did not pass got a badge"

    badge = badge_from_feedback(graded, "slaagt")
    from leerplein.course.results.feedback import feedback_path
    assert "controleren op https://www.proefstad-hs.nl/badges/controleren.html" in \
        feedback_path(graded["course"], A, "slaagt").read_text(), "the learner is not told where an employer checks it"
    public, status = badges / "issuer-public.pem", badges / "status.json"
    ok = cli(graded["root"], "badge", "verify", str(badge), "--public-key", str(public), "--status-list", str(status))
    assert ok.returncode == 0 and "GELDIG" in ok.stdout and "niet ingetrokken" in ok.stdout, ok.stdout + ok.stderr
    token = OB3Verifier.extract_token_from_png(badge.read_bytes())
    assert "sanne@example.nl" not in token and "Sanne" not in base64.urlsafe_b64decode(
        token.split(".")[1] + "==").decode(), "the badge shows more than the learner agreed to"
    from test_credential import claims_of, ob3_validator
    vc = claims_of(token)
    assert not list(ob3_validator().iter_errors(vc)), "the issued badge does not validate against OB 3.0"
    assert vc["credentialSubject"]["achievement"]["achievementType"] == "Course"  # 3 EC but no level
    assert vc["credentialSubject"]["identifier"][0]["identityType"] == "emailAddress"  # from the roster
    published = badges / "publiceren"
    assert {p.name for p in published.iterdir()} >= {"status.json", "issuer-public.pem", "controleren.html", "jose"}
    assert not list(published.rglob("*key.pem")), "the private key is in the folder to publish"
    assert (badges / "slaagt-ob2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # tampered: the payload changed, the signature kept
    head, payload, sig = token.split(".")
    claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().replace("Leerplein (proef)", "Leerplein (cum laude)")
    forged = ".".join([head, base64.urlsafe_b64encode(claims.encode()).decode().rstrip("="), sig])
    fake = graded["base"] / "vervalst.png"
    fake.write_bytes(bake_png(badge_image("x"), forged, keyword=ITXT_KEYWORD_OB3))
    bad = cli(graded["root"], "badge", "verify", str(fake), "--public-key", str(public))
    assert bad.returncode == 1 and "veranderd" in bad.stdout, bad.stdout
    # the wrong key: another institute's public key
    from openbadgeslib import KeyEd25519

    other = KeyEd25519()
    other.generate_keypair()
    other_pem = graded["base"] / "ander.pem"
    pem = other.get_pub_key_pem()
    other_pem.write_bytes(pem if isinstance(pem, bytes) else pem.encode())
    wrong = cli(graded["root"], "badge", "verify", str(badge), "--public-key", str(other_pem))
    assert wrong.returncode == 1 and "andere sleutel" in wrong.stdout, wrong.stdout
    # not a badge at all
    plain = graded["base"] / "gewoon.png"
    plain.write_bytes(badge_image("x"))
    assert "Geen badge gevonden" in cli(graded["root"], "badge", "verify", str(plain), "--public-key", str(public)).stdout

    # expired: issued long ago
    from leerplein.credentials.issue import issue

    old = issue(graded["course"], "slaagt", "sanne@example.nl", now=datetime.now(timezone.utc) - timedelta(days=365 * 6))
    expired = cli(graded["root"], "badge", "verify", str(old), "--public-key", str(public))
    assert expired.returncode == 1 and "verlopen" in expired.stdout, expired.stdout
    issue(graded["course"], "slaagt", "sanne@example.nl")

    # revoked, then forgotten: the status list still says revoked
    revoked = cli(graded["root"], "course", "badges", "--revoke", "slaagt", *graded["dirs"])
    assert "Revoked" in revoked.stdout
    now_bad = cli(graded["root"], "badge", "verify", str(badge), "--public-key", str(public), "--status-list", str(status))
    assert now_bad.returncode == 1 and "ingetrokken" in now_bad.stdout, now_bad.stdout
    from leerplein.course.privacy.forget import forget_student

    forgotten = forget_student(graded["course"], "slaagt")
    assert any("badge" in r for r in forgotten.removed), forgotten
    assert any("status list" in r for r in forgotten.left), forgotten  # the revocation entry stays, by design
    assert "slaagt" not in (badges / "uitgegeven.json").read_text() and not (badges / "slaagt.png").exists()
    still = cli(graded["root"], "badge", "verify", str(badge), "--public-key", str(public), "--status-list", str(status))
    assert still.returncode == 1 and "ingetrokken" in still.stdout


def test_the_report_draws_no_empty_charts_and_lists_every_student(graded, tmp_path):
    from leerplein.course.results.report import write_report

    fresh = Course(graded["root"], tmp_path / "course", tmp_path / "exchange")
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role\nnieuw,Nieuw,student\n")
    init_course(fresh, roster)
    page = write_report(fresh, tmp_path / "leeg.html").read_text()
    assert "Nog niets beoordeeld." in page and "Nog geen punten." in page and page.count("<img") == 1
    assert "<th scope=row>nieuw</th><td>nee</td>" in page
    full = write_report(graded["course"], tmp_path / "vol.html").read_text()
    assert full.count("<img") == 3 and "<th scope=row>zakt</th><td>nee</td>" in full
