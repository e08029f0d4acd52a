"""Updates mid-course on a real hub: a corrected assignment reaches the running hub with
`leerplein hub update`; handed-in work stays byte for byte as it was; a student's draft is kept,
she sees in Dutch that a new version exists and takes it with her answers carried over."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
import requests

from conftest import ROOT
from hub_helpers import (A, action, answer, leerplein, port_for, reachable_base, server_token, start_course_hub,
                         stop_course_hub, user_url)

DORA, EVA, TEACHER = "hsdora", "hseva", "hsdoc3"
OLD_QUESTION = "Denk aan een inwoner, klant of collega bij wie je achteraf denkt"
NEW_QUESTION = "Denk aan een inwoner of klant (verbeterde vraag) bij wie je achteraf denkt"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "updatehub")
    hub = start_course_hub(base, [TEACHER], [DORA, EVA], port_for(13))
    # the institute's checkout, where the teacher corrects the exercise (a copy: the repository stays as it is)
    checkout = base / "checkout"
    for folder in ("exercises", "grading"):
        shutil.copytree(ROOT / folder, checkout / folder)
    hub["checkout"] = checkout
    yield hub
    stop_course_hub(hub)


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def update(hub) -> str:
    done = leerplein("hub", "update", "--state-dir", str(hub["state"]), "--no-book",
                     env={**os.environ, "LEERPLEIN_ROOT": str(hub["checkout"])}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def student_view(hub, user, headers) -> requests.Session:
    session = requests.Session()
    session.headers.update(headers)
    return session


def test_a_corrected_assignment_keeps_drafts_and_handed_in_work(hub):
    dora = server_token(hub, DORA)
    action(hub, DORA, dora, "fetch")
    answer(hub, DORA, dora, "Dora's concept, nog niet ingeleverd.")
    eva = server_token(hub, EVA)
    action(hub, EVA, eva, "fetch")
    answer(hub, EVA, eva, "Eva's ingeleverde tekst.")
    action(hub, EVA, eva, "submit")
    inbound = hub["state"] / "exchange" / "leerplein" / "inbound"
    handed_in = tree(inbound)
    assert any(EVA in name for name in handed_in), handed_in
    import pwd

    draft = Path(pwd.getpwnam(DORA).pw_dir) / A / f"{A}.ipynb"
    draft_before = draft.read_bytes()

    assert f"{A}: ongewijzigd." in update(hub)  # nothing changed: nothing is released again

    exercise = hub["checkout"] / "exercises" / A / "opdracht.yml"
    exercise.write_text(exercise.read_text(encoding="utf-8").replace(OLD_QUESTION, NEW_QUESTION), encoding="utf-8")
    out = update(hub)
    assert f"{A}: nieuwe versie vrijgegeven." in out and "Klaar: 1 opdracht(en) opnieuw vrijgegeven" in out, out
    assert NEW_QUESTION in (hub["state"] / "exchange" / "leerplein" / "outbound" / A / f"{A}.ipynb").read_text()

    # handed-in work: untouched, byte for byte; her draft: untouched until she chooses
    assert tree(inbound) == handed_in
    assert draft.read_bytes() == draft_before

    view = student_view(hub, DORA, dora)
    home = view.get(f"{user_url(hub, DORA)}/leerplein/", timeout=30)
    assert "Er is een nieuwe versie van deze opdracht." in home.text
    page = view.get(f"{user_url(hub, DORA)}/leerplein/opdracht/{A}", timeout=30)
    assert "Er is een nieuwe versie van deze opdracht." in page.text and OLD_QUESTION in page.text
    assert "Dora&#39;s concept, nog niet ingeleverd." in page.text
    switched = view.post(f"{user_url(hub, DORA)}/leerplein/opdracht/{A}/nieuwe-versie", timeout=60,
                         data={"_xsrf": view.cookies.get("_xsrf")})
    assert switched.status_code == 200, switched.text[:500]
    assert "Je werkt nu in de nieuwe versie van deze opdracht." in switched.text
    assert NEW_QUESTION in switched.text and "Dora&#39;s concept, nog niet ingeleverd." in switched.text
    assert "Er is een nieuwe versie" not in switched.text
    kept = list((draft.parents[1] / "Leerplein" / "vorige-versies").glob(f"{A}-*.ipynb"))
    assert len(kept) == 1 and kept[0].read_bytes() == draft_before
    assert kept[0].stat().st_uid == draft.stat().st_uid  # written by her own server, as her

    # Eva handed in the old version: her hand-in is still exactly what she handed in
    assert tree(inbound) == handed_in
    assert "Er is een nieuwe versie" in student_view(hub, EVA, eva).get(f"{user_url(hub, EVA)}/leerplein/",
                                                                      timeout=30).text


def test_a_broken_exercise_is_named_and_the_hub_keeps_the_last_good_version(hub):
    exercise = hub["checkout"] / "exercises" / A / "opdracht.yml"
    good = (hub["state"] / "exchange" / "leerplein" / "outbound" / A / f"{A}.ipynb").read_bytes()
    exercise.write_text("vragen: [niet: goed\n", encoding="utf-8")
    done = leerplein("hub", "update", "--state-dir", str(hub["state"]), "--no-book",
                     env={**os.environ, "LEERPLEIN_ROOT": str(hub["checkout"])}, timeout=300)
    assert done.returncode == 1
    assert f"{A}: NIET bijgewerkt" in done.stdout and "1 mislukt" in done.stdout, done.stdout
    assert (hub["state"] / "exchange" / "leerplein" / "outbound" / A / f"{A}.ipynb").read_bytes() == good
