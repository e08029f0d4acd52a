"""The teacher workspace on a real hub, in real Chromium, with cohorts (issue 23, "done when"): two
teachers with two cohorts each run the whole cycle from the browser (release with a deadline,
collect, autograde, grade a page with two reflections saved at once, feedback refused for ungraded
work and then released, attendance with a typo refused, progress, report, export, badges, a
corrected assignment released again), with a screenshot of each step. Releasing for one cohort
does not release for the other: the other cohort's student does not see it, and work he hands in
around his view is not collected. Probes: teacher A reaches nothing of teacher B's cohorts by any
URL, id, form field or cohort choice; a student reaches no teacher page; a teacher cannot forget a
student, the admin can (with a confirmation step). Every screen is Dutch. One hub for the module."""

from __future__ import annotations

import csv
import io
import os
import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
import requests

from conftest import screenshot
from hub_helpers import (A, action, answer, hub_start, leerplein, login, port_for, post_in_page, reachable_base,
                         remove_users, server_token, service_url, user_url)
from test_student_path import english_words

DOC_A, DOC_B, ADMIN = "tcdoca", "tcdocb", "tcbeheer"
ANNA, BERT, CEES, DIRK, FENNA, GIJS = "tcanna", "tcbert", "tccees", "tcdirk", "tcfenna", "tcgijs"
NAMES = {ANNA: "Anna de Wit", BERT: "Bert Jansen", CEES: "Cees Bakker", DIRK: "Dirk Visser", FENNA: "Fenna Smit",
         GIJS: "Gijs Laat"}
ROSTER = ("username,name,role,course\n"
          f"{DOC_A},Docent Aaltje,teacher,groep-a;groep-b\n{DOC_B},Docent Bram,teacher,groep-c;groep-d\n"
          f"{ADMIN},Beheerder Els,admin,leerplein\n"
          f"{ANNA},Anna de Wit,student,groep-a\n{BERT},Bert Jansen,student,groep-b\n"
          f"{CEES},Cees Bakker,student,groep-c\n{DIRK},Dirk Visser,student,groep-d\n"
          f"{FENNA},Fenna Smit,student,groep-a\n")
TITLE = "armoede zien"
CARD = "<h3>Reflectie-opdracht: armoede zien en bespreekbaar maken</h3>"  # its card under Mijn opdrachten

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def ws(hub) -> str:
    return service_url(hub, "leerplein-grading") + "/werkplek/"


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    remove_users([DOC_A, DOC_B, ADMIN, *NAMES])  # left over from an interrupted run
    base = reachable_base(tmp_path_factory, "cohorts")
    roster = base / "roster.csv"
    roster.write_text(ROSTER)
    state = base / "state"
    proc = hub_start(roster, state, port_for(11))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    init = leerplein("course", "init", *course, "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    hub = {"url": url, "state": state, "passwords": passwords, "admin": admin, "roster": roster, "course": course,
           "started": time.monotonic()}
    yield hub
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users([DOC_A, DOC_B, ADMIN, *NAMES])
    print(f"teacher cohorts hub: {time.monotonic() - hub['started']:.0f} s")


def browser_login(browser, hub, user):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    return context, page


def dutch_screen(page, name: str) -> str:
    """Screenshot the step and check that nothing on it is English."""
    page.wait_for_load_state("networkidle")
    screenshot(page, f"teacher-cohorts-{name}")
    text = page.inner_text("body")
    assert not english_words(text), f"{name}: English on screen: {english_words(text)}"
    return text


def step(page, label: str, done: str, seconds: float = 240) -> str:
    """Click a step's button and wait (the page refreshes itself) until its result is shown."""
    page.get_by_role("button", name=label, exact=True).click()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.wait_for_load_state("load")
        text = page.inner_text("main")
        if done in text:
            return text
        time.sleep(1)
        try:
            page.reload()
        except PlaywrightError:  # the page's own refresh came first and cut the reload short: look again
            pass
    pytest.fail(f"{label}: no '{done}' in {page.inner_text('main')[:800]}")


def student_view(hub, student, headers) -> str:
    r = requests.get(f"{user_url(hub, student)}/leerplein/", headers=headers)
    assert r.status_code == 200, r.text[:300]
    return r.text


def switch(page, hub, cohort: str) -> None:
    page.goto(ws(hub))
    page.select_option("#groep-keuze", cohort)
    page.get_by_role("button", name="Wisselen").click()
    page.wait_for_load_state("load")
    assert f"Groep: {cohort}" in page.inner_text("main")


def run_cycle(browser, hub, teacher, name, cohort, other, student, outsider, tag):
    """The whole cycle by one teacher for one of her cohorts; `outsider` is in her other cohort."""
    context, page = browser_login(browser, hub, teacher)
    assert "/werkplek/" in page.url, page.url  # she lands in her workspace, not in JupyterLab
    text = dutch_screen(page, f"{tag}-01-home")
    assert f"Welkom, {name}" in text and f"Groep: {cohort}" in text and f"Je hebt ook: {other}" in text
    assert f"{cohort} (2 studenten)" in text or f"{cohort} (1 student)" in text

    page.get_by_role("link", name=re.compile(TITLE)).first.click()
    page.fill(f"#d-{cohort}", "2020-01-01T12:00")  # long past: her work is marked late, not refused
    page.get_by_role("button", name="Deadline opslaan").click()
    text = dutch_screen(page, f"{tag}-02-deadline")
    assert f"Deadline opgeslagen ({cohort}: 1 januari 2020, 12:00)" in text
    assert f"Deadline voor {other}" not in text  # every page is about one cohort

    text = step(page, "Vrijgeven", f"Vrijgegeven voor {cohort}: studenten kunnen de opdracht nu ophalen.")
    assert "versie 1" in text, text
    dutch_screen(page, f"{tag}-03-released")

    headers = server_token(hub, student)
    view = student_view(hub, student, headers)
    assert CARD in view  # released to her cohort: listed, with her cohort's deadline
    assert "Inleveren vóór 1 januari 2020, 12:00" in view
    action(hub, student, headers, "fetch")
    answer(hub, student, headers, f"Reflectie van {student} over schaamte en signalen bij de balie.")
    action(hub, student, headers, "submit")
    stranger = server_token(hub, outsider)
    assert CARD not in student_view(hub, outsider, stranger)  # not released to his cohort
    action(hub, outsider, stranger, "fetch")  # around his view, straight from nbgrader's exchange
    action(hub, outsider, stranger, "submit")

    text = step(page, "Inleveringen ophalen", "1 inleveringen opgehaald.")
    assert NAMES[outsider] not in text
    dutch_screen(page, f"{tag}-04-collected")
    text = step(page, "Automatisch nakijken", "1 nagekeken, 0 met een probleem.")
    assert "Nog beoordelen (1)" in text and NAMES[student] in text and "te laat" in text, text
    dutch_screen(page, f"{tag}-05-autograded")
    text = step(page, "Feedback vrijgeven", "Er is nog geen volledig beoordeeld werk")
    assert NAMES[student] in text
    dutch_screen(page, f"{tag}-06-feedback-refused")

    page.goto(service_url(hub, "leerplein-grading") + "/")  # rubric grading: two reflections, one save
    assert NAMES[outsider] not in page.inner_text("main")
    page.get_by_role("link", name=NAMES[student]).click()
    groups = sorted({r.get_attribute("name") for r in page.locator("input[type=radio]").all()})
    assert {g.split(":")[0] for g in groups} == {"reflectie-1", "reflectie-2"}, groups
    for group in groups:
        page.locator(f"input[name='{group}']").last.check()  # "goed" for every criterion
    page.fill("#c-reflectie-1", "Mooi hoe je de signalen beschrijft.")
    page.fill("#c-reflectie-2", "Goed dat je de drie niveaus noemt.")
    page.get_by_role("button", name="Opslaan").click()
    text = dutch_screen(page, f"{tag}-07-graded")
    assert "Opgeslagen: reflectie-1 krijgt" in text and "Opgeslagen: reflectie-2 krijgt" in text, text
    page.reload()
    assert page.locator("input[type=radio]:checked").count() == len(groups)  # both kept
    assert page.input_value("#c-reflectie-2") == "Goed dat je de drie niveaus noemt."

    page.goto(f"{ws(hub)}opdracht/{A}")
    text = step(page, "Feedback vrijgeven", "Feedback vrijgegeven voor 1 studenten.")
    dutch_screen(page, f"{tag}-08-feedback-released")

    page.goto(f"{ws(hub)}aanwezigheid")
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, text = post_in_page(page, f"{ws(hub)}aanwezigheid",
                                {"_xsrf": token, "sessie": "ontmoetng-2", "student": student, "actie": "aanwezig"})
    assert status == 200 and "Bedoelt u ontmoeting-2?" in text
    dutch_screen(page, f"{tag}-09-attendance-typo")
    page.goto(f"{ws(hub)}aanwezigheid")
    page.select_option("#sessie", "ontmoeting-2")
    page.get_by_label(NAMES[student]).check()
    page.get_by_role("button", name="Aanwezig opslaan").click()
    text = dutch_screen(page, f"{tag}-10-attendance")
    assert f"{NAMES[student]} aanwezig" in text and NAMES[outsider] not in text
    page.select_option("#sessie", "ontmoeting-1")
    page.get_by_label(NAMES[student]).check()
    page.get_by_role("button", name="Aanwezig opslaan").click()
    page.select_option("#sessie", "ontmoeting-1")
    page.get_by_label(NAMES[student]).check()
    page.get_by_role("button", name="Weghalen (ongedaan maken)").click()  # undo a slip
    assert f"{NAMES[student]} weggehaald" in page.inner_text("main")

    page.goto(f"{ws(hub)}voortgang")
    text = dutch_screen(page, f"{tag}-11-progress")
    assert NAMES[student] in text and " van " in text and "(te laat)" in text and NAMES[outsider] not in text

    page.goto(f"{ws(hub)}rapport")
    text = dutch_screen(page, f"{tag}-12-report")
    assert f"(groep {cohort})" in text and NAMES[outsider] not in text and outsider not in page.content()

    page.goto(f"{ws(hub)}cijfers")
    dutch_screen(page, f"{tag}-13-export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Cijfers downloaden (CSV)").click()
    assert cohort in download.value.suggested_filename
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    got = {r["OrgDefinedId"]: r[f"{A} Points Grade"] for r in rows}
    assert got[student] not in ("", "0") and outsider not in got and set(got) <= {ANNA, FENNA, CEES}

    page.goto(f"{ws(hub)}badges")
    page.get_by_role("button", name="Badges uitgeven aan wie geslaagd is").click()
    text = dutch_screen(page, f"{tag}-14-badges")
    assert "Badges kunnen nog niet worden uitgegeven" in text and NAMES[outsider] not in text  # example issuer

    page.goto(f"{ws(hub)}opdracht/{A}")
    text = step(page, "Verbeterde versie opnieuw vrijgeven", f"De verbeterde versie is vrijgegeven voor {cohort}.")
    assert "versie 2" in text and "ingeleverd: 1" in text  # what was handed in stays
    dutch_screen(page, f"{tag}-15-released-again")

    switch(page, hub, other)  # her other cohort: not released there; his work waits, with a reason
    page.goto(f"{ws(hub)}opdracht/{A}")
    assert "Vrijgegeven: nee" in page.inner_text("main")
    text = step(page, "Inleveringen ophalen", "0 inleveringen opgehaald.")
    assert f"niet vrijgegeven voor groep {other}" in text and NAMES[outsider] in text and NAMES[student] not in text
    dutch_screen(page, f"{tag}-16-other-cohort")

    page.goto(f"{ws(hub)}logboek")
    text = dutch_screen(page, f"{tag}-17-log")
    assert NAMES[student] not in text  # the log of her other cohort
    switch(page, hub, cohort)
    page.goto(f"{ws(hub)}logboek")
    text = page.inner_text("main")
    for event in ("opdracht vrijgegeven", "inleveringen opgehaald", "automatisch nagekeken", "deadline gezet",
                  "reflectie beoordeeld", "feedback vrijgegeven", "aanwezigheid vastgelegd", "cijfers geëxporteerd"):
        assert event in text, event
    assert teacher in text and NAMES[student] in text and NAMES[outsider] not in text
    context.close()


def test_two_teachers_each_run_the_whole_cycle_for_their_own_cohorts(hub, browser):
    run_cycle(browser, hub, DOC_A, "Docent Aaltje", "groep-a", "groep-b", ANNA, BERT, "a")
    run_cycle(browser, hub, DOC_B, "Docent Bram", "groep-c", "groep-d", CEES, DIRK, "b")


def test_teacher_a_reaches_nothing_of_teacher_b_s_cohorts(hub, browser):
    context, page = browser_login(browser, hub, DOC_A)
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    grading = service_url(hub, "leerplein-grading")
    probes = []
    status, _ = post_in_page(page, f"{ws(hub)}groep", {"_xsrf": token, "groep": "groep-c"})
    probes.append(("choose cohort groep-c", status, 403))
    page.goto(ws(hub))
    for cohort in ("groep-c", "groep-d"):
        status, _ = post_in_page(page, f"{ws(hub)}opdracht/{A}", {"_xsrf": token, "groep": cohort,
                                                                   "deadline": "2030-01-01T12:00"})
        probes.append((f"deadline for {cohort}", status, 403))
        page.goto(ws(hub))
    status, _ = post_in_page(page, f"{ws(hub)}aanwezigheid", {"_xsrf": token, "sessie": "ontmoeting-2",
                                                              "student": CEES, "actie": "aanwezig"})
    probes.append(("attendance for Cees", status, 403))
    page.goto(ws(hub))
    status, _ = post_in_page(page, f"{ws(hub)}observatie/geldgesprek",
                             {"_xsrf": token, "student": DIRK})
    probes.append(("observation of Dirk", status, 403))
    probes.append(("grading page of Cees", page.goto(f"{grading}/grade/{A}/{CEES}").status, 404))
    probes.append(("forget page", page.goto(f"{ws(hub)}vergeten").status, 403))
    for path in ("opdracht/..%2F..%2Fetc", "opdracht/bestaat-niet"):
        probes.append((path, page.goto(f"{ws(hub)}{path}").status, 404))
    page.goto(f"{ws(hub)}opdracht/{A}?bericht=Uw+wachtwoord+is+verlopen")  # a link cannot put words on her page
    probes.append(("words from a link", "wachtwoord" in page.inner_text("main"), False))
    page.goto(ws(hub))
    status, _ = post_in_page(page, f"{ws(hub)}aanwezigheid", {"sessie": "ontmoeting-2", "student": ANNA,
                                                              "actie": "aanwezig"})
    probes.append(("form without XSRF token", status, 403))
    page.goto(ws(hub))
    # a cohort cookie she makes herself (or a sibling subdomain tosses at her) is not signed: ignored
    context.add_cookies([{"name": "leerplein-groep", "value": "groep-c", "url": ws(hub)}])
    text = page.goto(ws(hub)) and page.inner_text("main")
    probes.append(("forged cohort cookie", "Groep: groep-a" in text and "groep-c" not in text, True))
    for path in ("", "voortgang", "rapport", "logboek", "badges", "aanwezigheid", f"opdracht/{A}", "observatie"):
        page.goto(f"{ws(hub)}{path}")
        seen = page.content()
        probes.append((f"{path or 'home'} shows cohort c/d", any(x in seen for x in (CEES, DIRK, NAMES[CEES],
                                                                                      NAMES[DIRK], "groep-c")), False))
    page.goto(f"{ws(hub)}cijfers")
    with page.expect_download() as download:
        page.get_by_role("button", name="Cijfers downloaden (CSV)").click()
    exported = open(download.value.path(), encoding="utf-8").read()
    probes.append(("export names Cees or Dirk", CEES in exported or DIRK in exported, False))
    context.close()

    student = login(hub, ANNA)
    for path in ("", "voortgang", "aanwezigheid", "cijfers", "rapport", "logboek", "badges", "vergeten",
                 f"opdracht/{A}", "observatie"):
        r = student.get(f"{ws(hub)}{path}", allow_redirects=True)
        probes.append((f"student GET {path or 'home'}", r.status_code, 403))
    r = student.post(f"{ws(hub)}opdracht/{A}/vrijgeven", allow_redirects=False)
    probes.append(("student POST vrijgeven", r.status_code in (302, 403) and "werkplek" not in
                   r.headers.get("Location", ""), True))
    probes.append(("anonymous", requests.get(ws(hub), allow_redirects=False).status_code, 302))
    print("\n".join(f"probe {what}: {got} (expected {want})" for what, got, want in probes))
    assert [p for p in probes if p[1] != p[2]] == []


def test_only_the_admin_forgets_a_student_after_confirming(hub, browser):
    context, page = browser_login(browser, hub, ADMIN)
    page.goto(f"{ws(hub)}vergeten")
    dutch_screen(page, "forget-1-choose")
    page.select_option("#student", FENNA)
    page.get_by_role("button", name="Verder").click()
    text = dutch_screen(page, "forget-2-confirm")
    assert "Weet u het zeker?" in text and "Fenna Smit" in text
    page.fill("#bevestiging", "tcfen")  # a slip of the keyboard: nothing happens
    page.get_by_role("button", name="Definitief wissen").click()
    assert "Er is niets gewist" in page.inner_text("main")
    assert requests.get(f"{hub['url']}/hub/api/users/{FENNA}", headers=hub["admin"]).status_code == 200
    page.fill("#bevestiging", FENNA)
    page.get_by_role("button", name="Definitief wissen").click()
    text = dutch_screen(page, "forget-3-done")
    assert "De gegevens van Fenna Smit zijn gewist." in text and "cijferlijst: haar gegevens als student" in text
    assert "deelnemerslijst: zij staat er nog in" in text
    assert requests.get(f"{hub['url']}/hub/api/users/{FENNA}", headers=hub["admin"]).status_code == 404
    page.goto(f"{ws(hub)}logboek")
    assert "gegevens van een student gewist" in page.inner_text("main") and "Fenna" not in page.inner_text("main")
    context.close()


def test_roster_changes_reach_a_running_hub_without_stopping_anybody(hub, browser):
    roster = hub["roster"]
    before = requests.get(f"{hub['url']}/hub/api/users/{ANNA}", headers=hub["admin"]).json()
    assert before["servers"][""]["ready"]  # Anna's server runs from the first test
    roster.write_text(ROSTER.replace(f"{FENNA},Fenna Smit,student,groep-a\n", "").replace(
        f"{DIRK},Dirk Visser,student,groep-d\n", f"{GIJS},Gijs Laat,student,groep-a\n"))
    out = leerplein("hub", "roster", "--roster", str(roster), "--state-dir", str(hub["state"]))
    assert out.returncode == 0 and f"Added: {GIJS}; removed: {DIRK}, {FENNA}" in out.stdout, out.stdout + out.stderr
    after = requests.get(f"{hub['url']}/hub/api/users/{ANNA}", headers=hub["admin"]).json()
    assert after["servers"][""]["started"] == before["servers"][""]["started"]  # nobody's server restarted
    passwords = dict(line.split(",", 1) for line in (hub["state"] / "initial-passwords.csv").read_text().splitlines()[1:])
    assert login(hub, GIJS, passwords[GIJS]).login_status == 302  # the late student logs in
    assert login(hub, DIRK, hub["passwords"][DIRK]).login_status != 302  # who left cannot
    context, page = browser_login(browser, hub, DOC_A)
    assert "groep-a (2 studenten)" in page.inner_text("main")
    page.goto(f"{ws(hub)}voortgang")
    assert "Gijs Laat" in page.inner_text("main")
    context.close()
