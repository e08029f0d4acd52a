"""The leerkring on the real hub with real users: a facilitator makes a set, members share a
problem and ask questions (advice gets a hint first), the owner marks what helped. Probes that
must fail: another set, another course, a student without a set, the teacher of another set.
Withdraw, hide and `course forget` remove what they promise."""

from __future__ import annotations

import os
import re

import pytest

from hub_helpers import leerplein, login, port_for, reachable_base, stop_course_hub
from hub_helpers import service_url
from hub_helpers import hub_start

SET_A = ["lpkan1", "lpkan2", "lpkan3", "lpkan4"]
SET_B = ["lpkbo1", "lpkbo2", "lpkbo3", "lpkbo4"]
LONER, OTHER_COURSE = "lpkzon", "lpkxan"
T1, T2, T_OTHER = "lpkdoc1", "lpkdoc2", "lpkdocx"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    import csv

    base = reachable_base(tmp_path_factory, "leerkringhub")
    roster = base / "roster.csv"
    rows = ([(t, "teacher", "leerplein") for t in (T1, T2)] + [(T_OTHER, "teacher", "andere")]
            + [(s, "student", "leerplein") for s in SET_A + SET_B + [LONER]] + [(OTHER_COURSE, "student", "andere")])
    roster.write_text("username,name,role,course\n" + "".join(f"{u},{u},{r},{c}\n" for u, r, c in rows))
    state = base / "state"
    proc = hub_start(roster, state, port_for(5))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    passwords = {r["username"]: r["password"] for r in csv.DictReader((state / "initial-passwords.csv").open())}
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    init = leerplein("course", "init", *course, "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    hub = {"url": url, "state": state, "passwords": passwords, "users": [u for u, _, _ in rows], "course": course}
    yield hub
    stop_course_hub(hub)


def page(session, hub, path="", **data):
    url = f"{service_url(hub, 'leerkring')}/{path}"
    if not data:
        return session.get(url)
    first = session.get(url)
    data["_xsrf"] = session.cookies.get("_xsrf", path="/services/leerkring/")
    return session.post(url, data=data) if first.status_code < 500 else first


def test_a_set_runs_a_question_round_and_stays_closed(hub):
    t1 = login(hub, T1)
    home = page(t1, hub)
    assert home.status_code == 200 and "Nieuwe leerkring" in home.text and OTHER_COURSE not in home.text
    made = t1.post(f"{service_url(hub, 'leerkring')}/", data={
        "naam": "Kring Oost", "lid": SET_A, "_xsrf": t1.cookies.get("_xsrf", path="/services/leerkring/")})
    set_a = re.search(r"/kring/(\d+)", made.url).group(1)
    t2 = login(hub, T2)
    made_b = t2.post(f"{service_url(hub, 'leerkring')}/", data={
        "naam": "Kring West", "lid": SET_B, "_xsrf": page(t2, hub) and t2.cookies.get("_xsrf", path="/services/leerkring/")})
    assert "/kring/" in made_b.url

    owner, asker = login(hub, SET_A[0]), login(hub, SET_A[1])
    shared = page(owner, hub, f"kring/{set_a}", actie="vraagstuk",
                  tekst="Bewoners haken af bij de aanvraag bijzondere bijstand. <img src=x onerror=alert(1)>")
    assert "Je vraagstuk staat in de kring" in shared.text and "<img src=x" not in shared.text
    problem = re.search(r'name="post" value="(\d+)"><button name="actie" value="intrekken">Vraagstuk', shared.text).group(1)
    advice = page(asker, hub, f"kring/{set_a}", actie="vraag", post=problem, tekst="Je moet gewoon samen het formulier invullen.")
    assert "klinkt als een advies" in advice.text and "Wat zou er gebeuren als je" in advice.text
    assert "samen het formulier invullen." in advice.text, "her text was not kept"
    asked = page(asker, hub, f"kring/{set_a}", actie="vraag", post=problem, tekst="Bij welke stap haken de meesten af?")
    assert "Je vraag is geplaatst" in asked.text
    question = re.findall(r'name="post" value="(\d+)"><button name="actie" value="intrekken">Intrekken', asked.text)[-1]
    marked = page(owner, hub, f"kring/{set_a}", actie="hielp", post=question)
    assert "hielp" in marked.text and "Bij welke stap" in marked.text

    # probes: another set's member, another course, no set, the teacher of another set
    for outsider in (SET_B[0], OTHER_COURSE, LONER, T2, T_OTHER):
        s = login(hub, outsider)
        r = page(s, hub, f"kring/{set_a}")
        assert r.status_code == 403 and "niet van jou" in r.text, outsider
        assert "haken af" not in r.text
        r = page(s, hub, f"kring/{set_a}", actie="vraag", post=problem, tekst="Mag ik meekijken?")
        assert r.status_code in (400, 403) and "Mag ik meekijken" not in page(owner, hub, f"kring/{set_a}").text
        assert "haken af" not in page(s, hub, f"kring/{set_a}/bewaar/{problem}").text
        assert "Kring Oost" not in page(s, hub).text
    # a form from elsewhere (no XSRF token) writes nothing
    forged = asker.post(f"{service_url(hub, 'leerkring')}/kring/{set_a}",
                        data={"actie": "vraag", "post": problem, "tekst": "Vervalst?"})
    assert forged.status_code == 403 and "Vervalst" not in page(owner, hub, f"kring/{set_a}").text
    # only the owner saves her problem with its questions (without the askers' names)
    saved = page(owner, hub, f"kring/{set_a}/bewaar/{problem}")
    assert "Bij welke stap haken de meesten af? (hielp mij)" in saved.text and SET_A[1] not in saved.text
    assert page(asker, hub, f"kring/{set_a}/bewaar/{problem}").status_code == 403

    # the facilitator hides a question; the asker withdraws hers; the owner withdraws the problem
    page(t1, hub, f"kring/{set_a}", actie="verbergen", post=question)
    assert "Bij welke stap" not in page(login(hub, SET_A[2]), hub, f"kring/{set_a}").text
    assert "Bij welke stap" in page(t1, hub, f"kring/{set_a}").text
    page(t1, hub, f"kring/{set_a}", actie="tonen", post=question)
    assert "ingetrokken" in page(asker, hub, f"kring/{set_a}", actie="intrekken", post=question).text
    assert "Bij welke stap" not in page(owner, hub, f"kring/{set_a}").text
    page(owner, hub, f"kring/{set_a}", actie="intrekken", post=problem)
    late = page(asker, hub, f"kring/{set_a}", actie="vraag", post=problem, tekst="Wat gebeurt er nu?")
    assert late.status_code == 400 and "ingetrokken of verborgen" in late.text

    # forget: everything of one member goes, the others' own posts stay
    page(owner, hub, f"kring/{set_a}", actie="vraagstuk", tekst="Tweede vraagstuk van de eigenaar")
    page(asker, hub, f"kring/{set_a}", actie="vraagstuk", tekst="Vraagstuk van de vrager")
    forgot = leerplein("course", "forget", SET_A[0], "--yes", *hub["course"])
    assert forgot.returncode == 0 and "leerkring" in forgot.stdout, forgot.stdout + forgot.stderr
    after = page(t1, hub, f"kring/{set_a}").text
    assert "Tweede vraagstuk" not in after and "Vraagstuk van de vrager" in after and SET_A[0] not in after
