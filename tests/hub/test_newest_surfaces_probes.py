"""Hostile review of yesterday's surfaces (session 9, H1), on one real hub with real users (prefix
"hq"), every request through the hub's proxy as a browser's would go:

- the blind second assessor: Bas is asked to assess Anna's work blind. Until he has saved his own
  assessment, no workspace page shows him the first grade by points or pass/fail (Voortgang, the
  Herkansing page and its answer, Rapport, the grade export, Badges); Ada, who graded it, and work
  he was not asked about stay visible (controls). A teacher of another cohort can neither be asked
  nor choose the cohort by a hand-made form;
- ending sessions: code in Anna's notebook, with her own server's hub token, asks the hub's
  admin-only API to end a classmate's, her own and her teacher's sessions: refused, nothing ended;
- the password page: a form posted without the XSRF token (a forged cross-site post) changes
  nothing; the same form with it does (control);
- a student reaches none of the workspace's or Peiling's teacher pages.
Each probe must fail (attack refused); the blind-assessor pages failed before this session's fix."""

from __future__ import annotations

import csv
import json
import os
import re
import sys

import pytest
import requests

from conftest import ROOT, hand_in_reflections
from hub_helpers import A, as_user, hub_start, leerplein, login, port_for, post_in_page, \
    reachable_base, remove_users, run_code, server_token, service_url

DOC_A, DOC_B, DOC_C, ANNA, CAS = "hqdoca", "hqdocb", "hqdocc", "hqanna", "hqcas"
PEOPLE = [DOC_A, DOC_B, DOC_C, ANNA, CAS]
HIDDEN = "verborgen: je bent tweede beoordelaar"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def course_of(hub):
    sys.path.insert(0, str(ROOT / "src"))
    from leerplein.course.course import Course

    return Course(ROOT, hub["state"] / "course", hub["state"] / "exchange")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from leerplein.course import audit
    from leerplein.course.grading.rubric_grades import save_rubric_grade
    from leerplein.course.grading.second_assessor import ask_second

    base = reachable_base(tmp_path_factory, "newestprobes")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{DOC_A},Docent Ada,teacher,groep-a\n{DOC_B},Docent Bas,teacher,groep-a\n"
                      f"{DOC_C},Docent Cor,teacher,groep-c\n"
                      f"{ANNA},Anna de Wit,student,groep-a\n{CAS},Cas Bakker,student,groep-a\n")
    state = base / "state"
    remove_users(PEOPLE)
    for _ in range(3):  # on a loaded machine the services can outlast `hub start`'s 60 s: start again
        proc = hub_start(roster, state, port_for(14))
        if "did not come up" not in proc.stderr:
            break
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    init = leerplein("course", "init", "--course-dir", str(state / "course"), "--exchange", str(state / "exchange"),
                     "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = {r["username"]: r["password"] for r in csv.DictReader((state / "initial-passwords.csv").open())}
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    hub = {"url": url, "state": state, "passwords": passwords, "admin": admin}
    course = course_of(hub)
    hand_in_reflections(course, base, [ANNA, CAS], A)
    for student in (ANNA, CAS):  # Ada grades both low (not passed), as the grading page records it
        save_rubric_grade(course, A, student, "reflectie-1", {"signalen": "bijna", "schaamte": "bijna"}, "Eerste.")
        save_rubric_grade(course, A, student, "reflectie-2", {"niveaus": "bijna", "gesprek": "nog niet",
                                                              "ontmoetingen": "bijna"})
        audit.record(course, DOC_A, "beoordeeld", A, [student], "reflecties")
    assert ask_second(course, A, ANNA, DOC_B, DOC_A)  # as Ada's form on the Tweede beoordelaar page does
    yield hub
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users(PEOPLE)


def workspace(hub) -> str:
    return service_url(hub, "leerplein-grading") + "/werkplek/"


def xsrf_of(page: str) -> str:
    return re.search(r"name='_xsrf' value='([^']+)'", page).group(1)


def cells_of(page: str, name: str) -> str:
    """The text of a student's table row."""
    row = re.search(rf"<tr><th scope='row'>{re.escape(name)}</th>(.*?)</tr>", page, re.S)
    assert row, page[-2000:]
    return re.sub(r"<[^>]+>", " ", row.group(1))


def test_the_blind_second_assessor_sees_no_points_or_pass_fail_on_any_workspace_page(hub):
    bas = login(hub, DOC_B)
    progress = bas.get(workspace(hub) + "voortgang")
    assert progress.status_code == 200, progress.text[-500:]
    anna = cells_of(progress.text, "Anna de Wit")
    assert HIDDEN in anna and " van " not in anna and "gehaald" not in anna and "nee" not in anna, anna  # probe
    cas = cells_of(progress.text, "Cas Bakker")
    assert " van " in cas and "nog niet gehaald" in cas, cas  # control: work he was not asked about

    herkansing = bas.get(workspace(hub) + f"herkansing/{A}")
    anna = cells_of(herkansing.text, "Anna de Wit")
    assert HIDDEN in anna and " van " not in anna and "kan herkansen" not in anna and "<form" not in anna, anna
    assert "kan herkansen" in cells_of(herkansing.text, "Cas Bakker")
    # opening a herkansing would answer "already passed" or open one: neither, while he is blind
    opened = bas.post(workspace(hub) + f"herkansing/{A}",
                      data={"_xsrf": xsrf_of(herkansing.text), "student": ANNA, "deadline": "2099-12-14T17:00"})
    assert "Je bent tweede beoordelaar van dit werk" in opened.text and "Herkansing geopend" not in opened.text
    from leerplein.course.grading.resubmission import load_record

    assert load_record(course_of(hub), A, ANNA) is None

    for path in ("rapport", "badges"):
        page = bas.get(workspace(hub) + path)
        assert page.status_code == 403 and "Je bent tweede beoordelaar van werk in deze groep" in page.text, path
        assert "Per student" not in page.text and "gemiddeld" not in page.text.lower(), path
    export = bas.get(workspace(hub) + "cijfers")
    refused = bas.post(workspace(hub) + "cijfers", data={"_xsrf": xsrf_of(export.text), "lms": "moodle"})
    assert refused.status_code == 403 and "text/csv" not in refused.headers.get("Content-Type", ""), refused.text[:300]
    log = bas.get(workspace(hub) + "logboek").text
    assert "verborgen: je bent tweede beoordelaar van dit werk" in log

    ada = login(hub, DOC_A)  # control: the first assessor sees her own grades everywhere
    assert " van " in cells_of(ada.get(workspace(hub) + "voortgang").text, "Anna de Wit")
    assert ada.get(workspace(hub) + "rapport").status_code == 200
    export = ada.get(workspace(hub) + "cijfers")
    csv_text = ada.post(workspace(hub) + "cijfers", data={"_xsrf": xsrf_of(export.text), "lms": "moodle"})
    assert csv_text.status_code == 200 and ANNA in csv_text.text


def test_another_cohorts_teacher_is_never_asked_and_cannot_pick_the_cohort(hub):
    from leerplein.course.grading.second_assessor import asked

    ada = login(hub, DOC_A)
    page = ada.get(workspace(hub) + f"tweede/{A}")
    assert DOC_C not in page.text  # not offered
    forged = ada.post(workspace(hub) + f"tweede/{A}", data={"_xsrf": xsrf_of(page.text), "student": CAS,
                                                           "docent": DOC_C})
    assert "kan hier geen tweede beoordelaar zijn" in forged.text and DOC_C not in asked(course_of(hub), A, CAS)
    cor = login(hub, DOC_C)
    home = cor.get(workspace(hub))
    assert home.status_code == 200 and "Anna de Wit" not in home.text
    token = xsrf_of(cor.get(workspace(hub) + "cijfers").text)
    chosen = cor.post(workspace(hub) + "groep", data={"_xsrf": token, "groep": "groep-a"},
                      allow_redirects=False)
    assert chosen.status_code == 403
    assert "Anna de Wit" not in cor.get(workspace(hub) + "voortgang").text
    blind = cor.get(workspace(hub) + f"tweede/{A}/{ANNA}")
    assert blind.status_code == 403 and DOC_C not in asked(course_of(hub), A, ANNA)


def test_a_student_reaches_no_teacher_page(hub):
    cas = login(hub, CAS)
    for url in (workspace(hub) + "voortgang", workspace(hub) + f"tweede/{A}/{ANNA}",
                service_url(hub, "leerplein-grading") + f"/grade/{A}/{ANNA}",
                service_url(hub, "peiling") + "/begeleider"):
        answer = cas.get(url)
        assert answer.status_code in (403, 404) and "Eerste." not in answer.text, (url, answer.status_code)


ENDING = """
import json, os, urllib.request, urllib.error
api, token = os.environ["JUPYTERHUB_API_URL"], os.environ.get("JUPYTERHUB_API_TOKEN", "")
out = {"token": bool(token)}
def call(method, path):
    req = urllib.request.Request(api + path, method=method, data=b"" if method == "POST" else None,
                                 headers={"Authorization": "token " + token})
    try:
        return urllib.request.urlopen(req, timeout=20).status
    except urllib.error.HTTPError as err:
        return err.code
out["me"] = call("GET", "/user")
for name in %s:
    out[name] = call("POST", "/leerplein/sessies-beeindigen/" + name)
print(json.dumps(out))
"""


def test_her_notebook_cannot_end_anybodys_sessions_through_the_hub_api(hub):
    from leerplein.accounts.sessions import API_PATH, PENDING

    anna = server_token(hub, ANNA)
    cas = server_token(hub, CAS)
    before = requests.get(f"{hub['url']}/hub/api/users/{CAS}", headers=hub["admin"]).json()
    done = run_code(hub, ANNA, anna, ENDING % json.dumps([CAS, ANNA, DOC_A]))
    found = json.loads(done["stdout"].strip().splitlines()[-1])
    assert found["token"] and found["me"] == 200, found  # her server's own token works for what is hers
    assert found[CAS] == found[ANNA] == found[DOC_A] == 403, found  # the probe
    after = requests.get(f"{hub['url']}/hub/api/users/{CAS}", headers=hub["admin"]).json()
    assert after["servers"] and after["servers"][""]["started"] == before["servers"][""]["started"]
    assert requests.get(f"{hub['url']}/hub/api/user", headers=cas).status_code == 200  # her tokens still work
    # her browser session (cookie) on the hub's own origin: the API wants a token scope, not a cookie
    session = login(hub, ANNA)
    via_cookie = session.post(f"{hub['url']}/hub/api/{API_PATH}/{CAS}",
                              headers={"X-XSRFToken": session.cookies.get("_xsrf") or ""})
    assert via_cookie.status_code == 403
    assert requests.get(f"{hub['url']}/hub/api/user", headers=cas).status_code == 200
    # her teacher's own token (everything a teacher may do herself): no admin:users either
    teacher = requests.post(f"{hub['url']}/hub/api/users/{DOC_A}/tokens", headers=hub["admin"],
                            json={"note": "eigen"})
    assert teacher.status_code == 201, teacher.text
    for name in (ANNA, DOC_A):
        ended = requests.post(f"{hub['url']}/hub/api/{API_PATH}/{name}",
                              headers={"Authorization": f"token {teacher.json()['token']}"})
        assert ended.status_code == 403, (name, ended.status_code)
    assert requests.get(f"{hub['url']}/hub/api/user", headers=anna).status_code == 200
    # the list of resets made while the hub was down is root's: she cannot add to it
    pending = hub["state"] / "accounts" / PENDING
    existed = pending.exists()
    assert as_user(ANNA, "touch", str(pending)).returncode != 0 and pending.exists() == existed


@pytest.mark.browser
def test_a_password_form_without_its_xsrf_token_changes_nothing(hub, browser):
    """In real Chromium (a browser keeps the hub's session cookie, which the XSRF token is tied to)."""
    old, new = hub["passwords"][CAS], "een lange zin als nieuw wachtwoord"
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", CAS)
    page.fill("#password_input", old)
    page.click("#login_submit")
    page.wait_for_load_state("load")
    page.goto(f"{hub['url']}/hub/wachtwoord")
    status, _ = post_in_page(page, f"{hub['url']}/hub/wachtwoord", {"huidig": old, "nieuw": new, "herhaal": new})
    assert status == 403  # the probe: a forged form carries no XSRF token
    page.goto(f"{hub['url']}/hub/wachtwoord")
    page.fill("#huidig", old)  # control: her own form, with the old password as the current one
    page.fill("#nieuw", new)
    page.fill("#herhaal", new)
    page.locator("form[action$='wachtwoord'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "Je wachtwoord is gewijzigd" in page.inner_text("main"), page.inner_text("main")
    context.close()
    hub["passwords"][CAS] = new
    assert login(hub, CAS, new).login_status == 302 and login(hub, CAS, old).login_status != 302
