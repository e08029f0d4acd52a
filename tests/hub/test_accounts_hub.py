"""Accounts without a terminal on a real hub, in real Chromium (issues 27 and 24): a new student
logs in with the start password from her letter, must choose her own before anything else, logs
out and in with it, changes it again from the student view; her teacher gives her a new start
password (shown once) and the old one stops working. Next to it the probes that must fail: nobody
changes or resets another's password by any URL or field, a teacher not outside her cohort, no
form without its XSRF token, no password in logs, argv, the audit trail or the next page, and a
limit on wrong current-password tries. Users: prefix "ak"."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import ARTIFACTS, ROOT, screenshot
from hub_helpers import hub_start, leerplein, port_for, post_in_page, reachable_base, remove_users, service_url
from leerplein.accounts.passwords import password_ok
from leerplein.course.audit import audit_file
from leerplein.course.course import Course

TEACHER_A, TEACHER_B, ANNA, BERT, ADMIN, NINA = "akdocenta", "akdocentb", "akanna", "akbert", "akbaas", "aknina"
PEOPLE = [TEACHER_A, TEACHER_B, ANNA, BERT, ADMIN, NINA]
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def ws(hub) -> str:
    return service_url(hub, "leerplein-grading") + "/werkplek/"


class ArgvWatch:
    """Every command line on the machine, sampled while passwords change (`ps` sees the same)."""

    def __init__(self):
        self.seen, self._stop = set(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for proc in Path("/proc").iterdir():
                if proc.name.isdigit():
                    try:
                        self.seen.add((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                    except OSError:
                        pass
            time.sleep(0.005)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "accounts")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course,studentnummer\n"
                      f"{TEACHER_A},Docent Aaltje,teacher,groep-a,\n{TEACHER_B},Docent Bram,teacher,groep-b,\n"
                      f"{ANNA},Anna de Wit,student,groep-a,1234567\n{BERT},Bert Jansen,student,groep-b,7654321\n"
                      f"{ADMIN},Beheerder Bea,admin,groep-a,\n")
    state = base / "state"
    remove_users(PEOPLE)
    proc = hub_start(roster, state, port_for(11))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    init = leerplein("course", "init", *course, "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    hub = {"url": url, "state": state, "passwords": passwords, "used": set(passwords.values())}
    yield hub
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users(PEOPLE)


def letter_password(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.search(r"\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b", text).group(1)


def browser_login(context, hub, user, password):
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_load_state("load")
    return page


def hub_session(hub, user, password) -> tuple[requests.Session, int]:
    s = requests.Session()
    s.get(f"{hub['url']}/hub/login")
    r = s.post(f"{hub['url']}/hub/login", allow_redirects=False,
               data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")})
    return s, r.status_code


def logs_of(hub) -> str:
    return "".join(p.read_text(errors="replace") for p in hub["state"].rglob("*.log") if p.is_file())


def narrow(page, name):
    """The page at phone size: looked at, and nothing sticks out sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    screenshot(page, f"accounts-{name}-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.set_viewport_size({"width": 1100, "height": 900})


def test_first_login_forced_change_own_change_and_teacher_reset(hub, browser):
    state = hub["state"]
    made = leerplein("hub", "letters", ANNA, "--state-dir", str(state))
    assert made.returncode == 0, made.stdout + made.stderr
    pdf = state / "accounts" / "brieven" / f"{ANNA}.pdf"
    assert str(pdf) in made.stdout and oct(pdf.stat().st_mode & 0o777) == "0o600"
    assert oct((state / "accounts").stat().st_mode & 0o777) == "0o700"
    start = letter_password(pdf)
    hub["used"].add(start)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(ARTIFACTS / "accounts-letter")],
                   check=True)
    assert ANNA not in (state / "initial-passwords.csv").read_text()  # that first password no longer works
    assert not hub_session(hub, ANNA, hub["passwords"][ANNA])[1] == 302

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, ANNA, start)
    assert page.url.endswith("/hub/wachtwoord"), page.url
    assert "Kies een nieuw wachtwoord" in page.inner_text("main")
    assert "Je startwachtwoord (van de brief)" in page.inner_text("main")
    screenshot(page, "accounts-1-forced")
    narrow(page, "1-forced")
    # (Peiling's start page is open to guests without any login, so it is not among them)
    for elsewhere in ("/hub/home", "/hub/spawn", f"/user/{ANNA}/leerplein", "/services/leerkring/",
                      "/hub/token", "/hub/api/oauth2/authorize?client_id=service-leerkring&response_type=code"):
        page.goto(hub["url"] + elsewhere)
        page.wait_for_load_state("load")
        assert page.url.endswith("/hub/wachtwoord"), (elsewhere, page.url)

    for weak, reason in (("kort", "te kort"), ("akanna-en-meer", "gebruikersnaam"), ("wachtwoord123", "te makkelijk")):
        page.fill("#huidig", start)
        page.fill("#nieuw", weak)
        page.fill("#herhaal", weak)
        page.evaluate("() => document.querySelectorAll('input').forEach(i => i.removeAttribute('minlength'))")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        assert reason in page.inner_text("main"), weak
    screenshot(page, "accounts-2-weak")
    page.fill("#huidig", start)
    page.fill("#nieuw", "fiets door de regen")
    page.fill("#herhaal", "fiets door de regen!")
    page.click("button[type=submit]")
    assert "niet hetzelfde" in page.inner_text("main")

    own = "mijn fiets staat buiten"
    hub["used"].add(own)
    with ArgvWatch() as argv:
        page.fill("#huidig", start)
        page.fill("#nieuw", own)
        page.fill("#herhaal", own)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
    assert "Je wachtwoord is gewijzigd" in page.inner_text("main")
    screenshot(page, "accounts-3-changed")
    assert not [line for line in argv.seen if own in line or start in line]
    page.reload()
    assert "Je wachtwoord is gewijzigd" not in page.inner_text("main")  # a reload shows nothing of it again

    page.goto(f"{hub['url']}/hub/logout")
    context.close()
    assert hub_session(hub, ANNA, start)[1] != 302  # the start password stopped working
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, ANNA, own)
    deadline = time.monotonic() + 120
    while "/leerplein" not in page.url and time.monotonic() < deadline:  # her server starts
        page.wait_for_timeout(1000)
    page.wait_for_load_state("load")
    assert f"/user/{ANNA}/leerplein" in page.url, page.url
    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/hub/wachtwoord") and "Wachtwoord wijzigen" in page.inner_text("main")
    screenshot(page, "accounts-4-own-change")
    narrow(page, "4-own-change")
    page.fill("#huidig", "niet mijn wachtwoord")
    page.fill("#nieuw", "een nieuwe lange zin")
    page.fill("#herhaal", "een nieuwe lange zin")
    page.click("button[type=submit]")
    assert "Je huidige wachtwoord klopt niet" in page.inner_text("main")
    assert password_ok(ANNA, own)
    again = "een nieuwe lange zin"
    hub["used"].add(again)
    page.fill("#huidig", own)
    page.fill("#nieuw", again)
    page.fill("#herhaal", again)
    page.click("button[type=submit]")
    assert "Je wachtwoord is gewijzigd" in page.inner_text("main")
    assert hub_session(hub, ANNA, again)[1] == 302 and hub_session(hub, ANNA, own)[1] != 302
    context.close()

    # a hub session of hers that is still open somewhere (someone else's browser, say)
    stale = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    browser_login(stale, hub, ANNA, again).close()

    # her teacher gives her a new start password
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, TEACHER_A, hub["passwords"][TEACHER_A])
    page.goto(f"{ws(hub)}wachtwoorden")
    text = page.inner_text("main")
    assert "Anna de Wit" in text and "Bert" not in text and "eigen wachtwoord" in text
    screenshot(page, "accounts-5-teacher-list")
    narrow(page, "5-teacher-list")
    page.get_by_role("button", name="Nieuw startwachtwoord voor Anna de Wit").click()
    page.wait_for_load_state("load")
    reset = page.locator(".brief dd.wachtwoord").inner_text().strip()
    hub["used"].add(reset)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", reset)
    assert "Je ziet dit wachtwoord hierna niet meer" in page.inner_text("main")
    screenshot(page, "accounts-6-shown-once")
    narrow(page, "6-shown-once")
    page.reload()  # the page after: never the password again (a reload, the back button, the link)
    assert reset not in page.content() and "al een keer getoond" in page.inner_text("main")
    page.goto(f"{ws(hub)}wachtwoorden")
    assert reset not in page.content() and "wacht op eerste inlog" in page.inner_text("main")
    page.go_back()
    assert reset not in page.content()
    page.goto(f"{ws(hub)}logboek")
    assert "nieuw startwachtwoord gegeven" in page.inner_text("main")
    context.close()
    # the session that was still open is logged out by the reset (not merely sent to the forced
    # change): its password page is out of reach too (tests/hub/test_sessions_end_hub.py: the rest)
    page = stale.new_page()
    page.goto(f"{hub['url']}/hub/home")
    page.wait_for_load_state("load")
    assert "/hub/login" in page.url, page.url
    page.goto(f"{hub['url']}/hub/wachtwoord")
    page.wait_for_load_state("load")
    assert "/hub/login" in page.url, page.url
    assert password_ok(ANNA, reset)
    stale.close()
    assert hub_session(hub, ANNA, again)[1] != 302  # the old one stopped working
    s, status = hub_session(hub, ANNA, reset)
    assert status == 302
    assert s.get(f"{hub['url']}/hub/home", allow_redirects=False).headers["Location"].endswith("/hub/wachtwoord")
    trail = audit_file(Course(ROOT, state / "course", state / "exchange")).read_text()
    assert ANNA in trail and not [p for p in hub["used"] if p in trail]


def test_nobody_changes_or_resets_another_password(hub, browser):
    bert = hub["passwords"][BERT]
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, BERT, bert)  # Bert has his own password (from `hub start`)
    page.goto(f"{hub['url']}/hub/wachtwoord")
    token = page.locator("input[name=_xsrf]").get_attribute("value")
    status, text = post_in_page(page, f"{hub['url']}/hub/wachtwoord",
                                {"_xsrf": token, "huidig": bert, "nieuw": "gekaapt door bert", "herhaal": "gekaapt door bert",
                                 "gebruiker": ANNA, "username": ANNA, "user": ANNA, "name": ANNA})
    # only ever her own: the fields naming Anna change nothing of Anna's
    assert not password_ok(ANNA, "gekaapt door bert") and password_ok(BERT, "gekaapt door bert")
    bert = "gekaapt door bert"
    hub["used"].add(bert)
    for path in (f"/hub/wachtwoord/{ANNA}", f"/hub/wachtwoord?user={ANNA}", f"/user/{ANNA}/leerplein"):
        page.goto(hub["url"] + path)
        page.wait_for_load_state("load")
        assert "Anna" not in page.inner_text("body")
    page.goto(f"{hub['url']}/hub/wachtwoord")
    status, _ = post_in_page(page, f"{hub['url']}/hub/wachtwoord",
                             {"huidig": bert, "nieuw": "zonder xsrf token", "herhaal": "zonder xsrf token"})
    assert status == 403 and password_ok(BERT, bert)  # no XSRF token: refused
    # a student reaches no reset page at all (the hub refuses the grading service to students)
    page.goto(f"{ws(hub)}wachtwoorden")
    page.wait_for_load_state("load")
    assert "Nieuw startwachtwoord" not in page.inner_text("body")
    context.close()

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, TEACHER_A, hub["passwords"][TEACHER_A])
    page.goto(f"{ws(hub)}wachtwoorden")
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    for outside in (BERT, TEACHER_B, TEACHER_A, "root", "nobody", "../" + BERT):
        status, text = post_in_page(page, f"{ws(hub)}wachtwoorden", {"_xsrf": token, "gebruiker": outside})
        assert status == 403 and not re.search(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", text), outside
        page.goto(f"{ws(hub)}wachtwoorden")
    assert password_ok(BERT, bert) and password_ok(TEACHER_B, hub["passwords"][TEACHER_B])
    status, _ = post_in_page(page, f"{ws(hub)}wachtwoorden", {"gebruiker": ANNA})
    assert status == 403  # no XSRF token: refused
    context.close()


def test_wrong_current_password_tries_are_limited(hub, browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, TEACHER_B, hub["passwords"][TEACHER_B])

    def attempt(current: str) -> str:
        page.goto(f"{hub['url']}/hub/wachtwoord")
        page.fill("#huidig", current)
        page.fill("#nieuw", "een heel nieuw wachtwoord")
        page.fill("#herhaal", "een heel nieuw wachtwoord")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("button[type=submit]")
        page.wait_for_load_state("load")
        return f"{answer.value.status} {page.inner_text('main')}"

    for _ in range(5):
        assert attempt("fout fout fout").startswith("400") and "klopt niet" in page.inner_text("main")
    text = attempt(hub["passwords"][TEACHER_B])
    assert text.startswith("429") and "te vaak" in text  # even the right one waits now
    assert password_ok(TEACHER_B, hub["passwords"][TEACHER_B])
    context.close()


def test_an_admin_adds_and_removes_someone_from_the_browser(hub, browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, ADMIN, hub["passwords"][ADMIN])
    page.goto(f"{ws(hub)}wachtwoorden")
    page.get_by_role("link", name="Deelnemers toevoegen of verwijderen").click()
    page.wait_for_load_state("load")
    page.fill("input[name=gebruiker]", "1fout")
    page.fill("input[name=groep]", "groep-a")
    page.get_by_role("button", name="Toevoegen", exact=True).click()
    page.wait_for_load_state("load")
    assert "De gebruikersnaam mag alleen" in page.inner_text("main")
    page.fill("input[name=gebruiker]", NINA)
    page.fill("input[name=naam]", "Nina Nieuw")
    page.fill("input[name=groep]", "groep-a")
    page.fill("input[name=studentnummer]", "5550001")
    screenshot(page, "accounts-7-people")
    narrow(page, "7-people")
    page.get_by_role("button", name="Toevoegen", exact=True).click()
    page.wait_for_load_state("load")
    start = page.locator(".brief dd.wachtwoord").inner_text().strip()
    hub["used"].add(start)
    s, status = hub_session(hub, NINA, start)  # the late student logs in on the running hub
    assert status == 302
    assert s.get(f"{hub['url']}/hub/home", allow_redirects=False).headers["Location"].endswith("/hub/wachtwoord")
    page.goto(f"{ws(hub)}deelnemers")
    assert "Nina Nieuw" in page.inner_text("main")
    page.get_by_role("button", name="Verwijder Nina Nieuw").click()
    page.wait_for_load_state("load")
    assert "Nina Nieuw is verwijderd" in page.inner_text("main")
    assert hub_session(hub, NINA, start)[1] != 302  # her login is locked
    assert page.locator("button[aria-label='Verwijder Beheerder Bea']").count() == 0  # not herself
    context.close()

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = browser_login(context, hub, TEACHER_A, hub["passwords"][TEACHER_A])
    assert page.goto(f"{ws(hub)}deelnemers").status == 403  # a teacher is no admin
    page.goto(f"{ws(hub)}wachtwoorden")
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, _ = post_in_page(page, f"{ws(hub)}deelnemers", {"_xsrf": token, "actie": "verwijderen", "gebruiker": ANNA})
    assert status == 403 and ANNA in (hub["state"] / "people.json").read_text()
    context.close()


def test_no_password_in_any_log(hub):
    text = logs_of(hub)
    assert "/hub/wachtwoord" in text  # the hub logged the requests to the password page
    leaked = [p for p in hub["used"] if p and p in text]
    assert not leaked
