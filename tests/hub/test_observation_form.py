"""Observed skills on a real hub, in real Chromium at phone size (issue 26): the docent fills in
the observation form for 'open vragen stellen zonder advies' during a session and the student's
progress changes (the kernleerdoel goes from open to gehaald). Probes: an incomplete form stores
nothing; a student of another cohort and a student (not a docent) are refused."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from conftest import ROOT, screenshot
from hub_helpers import post_in_page, service_url, hub_start, leerplein, login, port_for, reachable_base, remove_users
from test_student_path import english_words

DOCENT, ANNA, BERT = "asdocent", "asanna", "asbert"
WORKSPACE = "/services/leerplein-grading/werkplek/"
GOAL = "in een leergroep open vragen stellen die een ander verder helpen, zonder zelf advies te geven"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "observation")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{DOCENT},Docent Ada,teacher,groep-a\n{ANNA},Anna de Wit,student,groep-a\n"
                      f"{BERT},Bert Jansen,student,groep-b\n")
    state = base / "state"
    remove_users([DOCENT, ANNA, BERT])
    proc = hub_start(roster, state, port_for(8))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    init = leerplein("course", "init", "--course-dir", str(state / "course"), "--exchange", str(state / "exchange"),
                     "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    yield {"url": url, "state": state, "passwords": passwords}
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users([DOCENT, ANNA, BERT])


def core_status(hub, student: str) -> tuple[str, list[str]]:
    """The student's progress as the course computes it (the same function the workspace uses)."""
    sys.path.insert(0, str(ROOT / "src"))
    from leerplein.course.course import Course
    from leerplein.course.results.progress import student_progress

    course = Course(ROOT, hub["state"] / "course", hub["state"] / "exchange")
    progress = student_progress(course, student)
    goal = next(c for c in progress.core if c.goal.naam == GOAL)
    return goal.status, progress.open_items


def test_the_docent_fills_in_an_observation_on_a_phone_and_progress_changes(hub, browser):
    status, items = core_status(hub, ANNA)
    assert status == "open" and f"Kernleerdoel '{GOAL}': nog niet (helemaal) beoordeeld" in items

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", DOCENT)
    page.fill("#password_input", hub["passwords"][DOCENT])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Observaties").click()
    page.get_by_role("link", name="Open vragen stellen zonder advies (actieleren)").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    text = page.inner_text("main")
    assert "Anna de Wit" in text and "Bert" not in text and "nog niet geobserveerd" in text
    assert not english_words(text), english_words(text)

    page.select_option("#student", ANNA)  # first, a form with one criterion left open: nothing is stored
    page.get_by_role("group", name="Open vragen").get_by_label(re.compile("^voldoende")).check()
    page.evaluate("document.querySelector('form').noValidate = true")
    page.get_by_role("button", name="Observatie opslaan").click()
    page.get_by_role("alert").wait_for()  # the answer page, not the form we left
    assert "Kies een niveau voor 'Zonder advies'; er is niets opgeslagen." in page.inner_text("main")
    assert core_status(hub, ANNA)[0] == "open"

    page.select_option("#student", ANNA)
    page.get_by_role("group", name="Open vragen").get_by_label(re.compile("^voldoende")).tap()
    page.get_by_role("group", name="Zonder advies").get_by_label(re.compile("^goed")).tap()
    page.fill("#notitie", "Vroeg: wat maakt dat het team er nog niet voor kiest?")
    page.get_by_role("button", name="Observatie opslaan").tap()
    page.get_by_text("Opgeslagen: Anna de Wit").wait_for()
    screenshot(page, "observation-phone")
    text = page.inner_text("main")
    assert "Opgeslagen: Anna de Wit, voldoende." in text
    status, items = core_status(hub, ANNA)
    assert status == "gehaald" and not any(GOAL in item for item in items)
    record = hub["state"] / "course" / ".leerplein" / "observatie" / "open-vragen" / f"{ANNA}.json"
    assert '"docent": "asdocent"' in record.read_text()

    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, _ = post_in_page(page, f"{service_url(hub, 'leerplein-grading')}/werkplek/observatie/open-vragen",
                             {"_xsrf": token, "student": BERT, "open": "goed", "geen-advies": "goed"})
    assert status == 403  # Bert is in another cohort
    assert not (record.parent / f"{BERT}.json").exists()
    page.goto(f"{service_url(hub, 'leerplein-grading')}/werkplek/observatie/open-vragen")
    status, _ = post_in_page(page, f"{service_url(hub, 'leerplein-grading')}/werkplek/observatie/open-vragen",
                             {"student": ANNA, "open": "nog niet", "geen-advies": "nog niet"})
    assert status == 403 and core_status(hub, ANNA)[0] == "gehaald"  # XSRF: nothing changed
    context.close()


def test_a_student_cannot_score_an_observation(hub):
    session = login(hub, ANNA)
    page = session.get(f"{service_url(hub, 'leerplein-grading')}/werkplek/observatie/open-vragen", allow_redirects=True)
    assert page.status_code == 403 or "Observatie opslaan" not in page.text, page.status_code
    assert "Anna de Wit" not in page.text
    sent = session.post(f"{service_url(hub, 'leerplein-grading')}/werkplek/observatie/geldgesprek", allow_redirects=False,
                        data={"student": ANNA, "opening": "goed", "doorvragen": "goed"})
    assert sent.status_code in (302, 403), sent.status_code
    assert not (Path(hub["state"]) / "course" / ".leerplein" / "observatie" / "geldgesprek" / f"{ANNA}.json").exists()
