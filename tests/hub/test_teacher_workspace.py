"""The teacher's workspace on a real hub, in real Chromium (issue 23): a teacher lands in it after
logging in and runs the cycle from the browser (release, collect, autograde with its result,
attendance with undo, progress, feedback refused for ungraded work, the export). Two cohorts:
teacher A sees only cohort A's students; a student gets no teacher page. Every screen is Dutch."""

from __future__ import annotations

import csv
import io
import os
import re
import time

import pytest
import requests

from conftest import screenshot
from hub_helpers import (A, action, post_in_page, answer, hub_start, leerplein, login, port_for, reachable_base, remove_users,
                         server_token, service_url)
from test_student_path import english_words

TEACHER_A, TEACHER_B, ANNA, BERT, CEES = "twdocenta", "twdocentb", "twanna", "twbert", "twcees"
WORKSPACE = "/services/leerplein-grading/werkplek/"


def ws(hub) -> str:
    """The workspace on the grading service's own origin."""
    return service_url(hub, "leerplein-grading") + "/werkplek/"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "workspace")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{TEACHER_A},Docent Aaltje,teacher,groep-a\n{TEACHER_B},Docent Bram,teacher,groep-b\n"
                      f"{ANNA},Anna de Wit,student,groep-a\n{BERT},Bert Jansen,student,groep-b\n")
    state = base / "state"
    proc = hub_start(roster, state, port_for(7))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    init = leerplein("course", "init", *course, "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    hub = {"url": url, "state": state, "passwords": passwords, "admin": admin}
    yield hub
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users([TEACHER_A, TEACHER_B, ANNA, BERT, CEES])


def browser_login(browser, hub, user):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    return context, page


def dutch_screen(page, name: str) -> str:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"teacher-workspace-{name}")
    text = page.inner_text("body")
    assert not english_words(text), f"{name}: English on screen: {english_words(text)}"
    return text


def step(page, label: str, done: str, seconds: float = 180) -> str:
    """Click a step's button and wait (the page refreshes itself) until its result is shown."""
    page.get_by_role("button", name=label, exact=True).click()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.wait_for_load_state("load")
        text = page.inner_text("main")
        if done in text:
            return text
        time.sleep(1)
        page.reload()
    pytest.fail(f"{label}: no '{done}' in {page.inner_text('main')[:800]}")


def test_a_teacher_runs_the_cycle_from_her_workspace_and_sees_only_her_cohort(hub, browser):
    context, page = browser_login(browser, hub, TEACHER_A)
    assert WORKSPACE in page.url, page.url  # she lands in her workspace, not in JupyterLab
    text = dutch_screen(page, "1-home")
    assert "Werkplek voor docenten" in text and "Welkom, Docent Aaltje" in text and "groep-a (1 student)" in text and "Bert" not in text

    page.get_by_role("link", name=re.compile("armoede zien")).first.click()
    text = step(page, "Vrijgeven", "Vrijgegeven: studenten kunnen de opdracht nu ophalen.")
    dutch_screen(page, "2-released")

    for student in (ANNA, BERT):  # each fetches, answers and hands in from her own server
        headers = server_token(hub, student)
        action(hub, student, headers, "fetch")
        answer(hub, student, headers, f"Reflectie van {student} over schaamte en signalen.")
        action(hub, student, headers, "submit")

    step(page, "Inleveringen ophalen", "1 inleveringen opgehaald.")
    text = step(page, "Automatisch nakijken", "1 nagekeken, 0 met een probleem.")
    assert "Nog beoordelen (1)" in text and "Anna de Wit" in text
    dutch_screen(page, "3-autograded")
    page.fill("#d-groep-a", "2020-01-01T12:00")  # a deadline long past: her work is marked, not refused
    page.get_by_role("button", name="Deadline opslaan").click()
    text = page.inner_text("main")
    assert "Deadline opgeslagen (groep-a: 1 januari 2020, 12:00)" in text and "te laat" in text, text
    text = step(page, "Feedback vrijgeven", "Er is nog geen volledig beoordeeld werk")
    assert "Nog beoordelen: twanna" in text or "Anna" in text

    page.goto(f"{ws(hub)}aanwezigheid")
    page.select_option("#sessie", "ontmoeting-2")
    page.get_by_label("Anna de Wit").check()
    page.get_by_role("button", name="Aanwezig opslaan").click()
    text = dutch_screen(page, "4-attendance")
    assert "Anna de Wit aanwezig" in text and "Bert" not in text
    page.select_option("#sessie", "ontmoeting-2")
    page.get_by_label("Anna de Wit").check()
    page.get_by_role("button", name="Weghalen (ongedaan maken)").click()
    assert "Anna de Wit weggehaald" in page.inner_text("main")

    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, text = post_in_page(page, f"{ws(hub)}aanwezigheid",
                                {"_xsrf": token, "sessie": "ontmoetng-2", "student": ANNA, "actie": "aanwezig"})
    assert status == 200 and "Bedoelt u ontmoeting-2?" in text
    status, text = post_in_page(page, f"{ws(hub)}aanwezigheid",
                                {"_xsrf": token, "sessie": "ontmoeting-2", "student": BERT, "actie": "aanwezig"})
    assert status == 403  # Bert is in another cohort
    page.goto(f"{ws(hub)}aanwezigheid")
    status, text = post_in_page(page, f"{ws(hub)}aanwezigheid",
                                {"sessie": "ontmoeting-2", "student": ANNA, "actie": "aanwezig"})
    assert status == 403  # no XSRF token: refused

    page.goto(f"{ws(hub)}voortgang")
    text = dutch_screen(page, "5-progress")
    assert "Anna de Wit" in text and "nog niet nagekeken" in text and "Bert" not in text

    page.goto(f"{ws(hub)}cijfers")
    dutch_screen(page, "6-export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Cijfers downloaden (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["OrgDefinedId"] for r in rows] == [ANNA]  # only her own cohort
    assert rows[0][f"{A} Points Grade"] == ""  # not graded yet: empty, not 0

    page.goto(service_url(hub, "leerplein-grading") + "/")  # the rubric grading page: her cohort only
    text = page.inner_text("main")
    assert "Anna de Wit" in text and "Bert" not in text, text
    assert page.goto(service_url(hub, "leerplein-grading") + f"/grade/{A}/{BERT}").status == 404
    page.goto(service_url(hub, "leerplein-grading") + "/")
    page.get_by_role("link", name="Anna de Wit").click()
    for field in page.locator("input[type=radio]").all():  # the first level of every criterion
        if not page.locator(f"input[name='{field.get_attribute('name')}']:checked").count():
            field.check()
    page.get_by_role("button", name="Opslaan").click()
    assert "Opgeslagen" in page.inner_text("main")

    page.goto(f"{ws(hub)}logboek")
    text = dutch_screen(page, "7-log")
    for event in ("opdracht vrijgegeven", "inleveringen opgehaald", "automatisch nagekeken", "deadline gezet",
                  "reflectie beoordeeld",
                  "aanwezigheid vastgelegd", "aanwezigheid weggehaald", "cijfers geëxporteerd"):
        assert event in text, event
    assert TEACHER_A in text and "Anna de Wit" in text

    page.goto(f"{ws(hub)}badges")
    page.get_by_role("button", name="Badges uitgeven aan wie geslaagd is").click()
    text = dutch_screen(page, "8-badges")
    assert "Badges kunnen nog niet worden uitgegeven" in text and "instituut.yml" in text  # example issuer refused
    assert "Anna de Wit" in text and "Bert" not in text

    page.goto(f"{ws(hub)}rapport")
    assert "Bert" not in page.inner_text("body") and BERT not in page.content()
    for probe in ("opdracht/..%2F..%2Fetc", "opdracht/bestaat-niet"):
        assert page.goto(f"{ws(hub)}{probe}").status == 404
    page.goto(f"{ws(hub)}opdracht/{A}?bericht=Uw+wachtwoord+is+verlopen")  # a link cannot put words on her page
    assert "wachtwoord" not in page.inner_text("main")
    context.close()


def test_teacher_b_sees_only_cohort_b_and_students_reach_no_teacher_page(hub, browser):
    context, page = browser_login(browser, hub, TEACHER_B)
    text = page.inner_text("main")
    assert "groep-b (1 student)" in text
    page.goto(f"{ws(hub)}voortgang")
    assert "Bert Jansen" in page.inner_text("main") and "Anna" not in page.inner_text("main")
    page.goto(f"{ws(hub)}logboek")
    assert "Anna" not in page.inner_text("main")  # the log shows only her own cohort's students
    context.close()

    student = login(hub, ANNA)
    for path in ("", "voortgang", "aanwezigheid", "cijfers", "rapport", f"opdracht/{A}"):
        r = student.get(f"{ws(hub)}{path}", allow_redirects=True)
        assert r.status_code == 403 or "Werkplek" not in r.text, (path, r.status_code)
        assert "Bert" not in r.text and "Anna de Wit" not in r.text
    r = student.post(f"{ws(hub)}opdracht/{A}/vrijgeven", allow_redirects=False)
    assert r.status_code in (302, 403) and "werkplek" not in r.headers.get("Location", "")
    assert requests.get(f"{ws(hub)}", allow_redirects=False).status_code == 302  # login first


def test_roster_changes_reach_a_running_hub_without_stopping_anybody(hub, browser):
    roster = hub["state"].parent / "roster.csv"
    before = requests.get(f"{hub['url']}/hub/api/users/{ANNA}", headers=hub["admin"]).json()
    assert before["servers"][""]["ready"]  # Anna's server runs from the first test
    roster.write_text("username,name,role,course\n"
                      f"{TEACHER_A},Docent Aaltje,teacher,groep-a\n{TEACHER_B},Docent Bram,teacher,groep-b\n"
                      f"{ANNA},Anna de Wit,student,groep-a\n{CEES},Cees Laat,student,groep-a\n")
    out = leerplein("hub", "roster", "--roster", str(roster), "--state-dir", str(hub["state"]))
    assert out.returncode == 0 and f"Added: {CEES}; removed: {BERT}" in out.stdout, out.stdout + out.stderr
    after = requests.get(f"{hub['url']}/hub/api/users/{ANNA}", headers=hub["admin"]).json()
    assert after["servers"][""]["started"] == before["servers"][""]["started"]  # nobody's server restarted

    passwords = dict(line.split(",", 1) for line in (hub["state"] / "initial-passwords.csv").read_text().splitlines()[1:])
    late = login(hub, CEES, passwords[CEES])
    assert late.login_status == 302  # the late student logs in
    gone = login(hub, BERT, hub["passwords"][BERT])
    assert gone.login_status != 302  # who left cannot

    context, page = browser_login(browser, hub, TEACHER_A)
    assert "groep-a (2 studenten)" in page.inner_text("main")
    page.goto(f"{ws(hub)}voortgang")
    assert "Cees Laat" in page.inner_text("main")
    context.close()
