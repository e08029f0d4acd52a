"""Herkansing and the blind second assessor in the workspace, on a real hub in real Chromium
(issue 26). A docent opens a herkansing for work that did not pass; a colleague assesses the same
work without seeing the first grade, sees both side by side afterwards, and they record the agreed
grade, with both names in the log. Probes: another cohort's student, a form without XSRF, the first
assessor as 'second', an agreed grade before the blind one, and a student: all refused."""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime, timedelta

import pytest

from conftest import ROOT, hand_in_reflections, screenshot
from hub_helpers import hub_start, leerplein, login, port_for, post_in_page, reachable_base, \
    remove_users, service_url
from test_student_path import english_words

DOC_A, DOC_B, ANNA, BERT = "asdoca", "asdocb", "asstuda", "asstudb"
A = "01-armoede-zien"
FIRST_COMMENT = "Eerste oordeel: de signalen blijven algemeen."
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def course_of(hub):
    sys.path.insert(0, str(ROOT / "src"))
    from leerplein.course.course import Course

    return Course(ROOT, hub["state"] / "course", hub["state"] / "exchange")


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    from leerplein.course import audit
    from leerplein.course.grading.rubric_grades import save_rubric_grade

    base = reachable_base(tmp_path_factory, "assessment")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{DOC_A},Docent Ada,teacher,groep-a\n{DOC_B},Docent Bas,teacher,groep-a\n"
                      f"{ANNA},Anna de Wit,student,groep-a\n{BERT},Bert Jansen,student,groep-b\n")
    state = base / "state"
    remove_users([DOC_A, DOC_B, ANNA, BERT])
    proc = hub_start(roster, state, port_for(9))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    init = leerplein("course", "init", "--course-dir", str(state / "course"), "--exchange", str(state / "exchange"),
                     "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    hub = {"url": url, "state": state, "passwords": passwords}
    # the first round on the course side (as the workspace's steps would): both hand in, both fail
    course = course_of(hub)
    hand_in_reflections(course, base, [ANNA, BERT], A)
    for student in (ANNA, BERT):
        save_rubric_grade(course, A, student, "reflectie-1", {"signalen": "bijna", "schaamte": "bijna"}, FIRST_COMMENT)
        save_rubric_grade(course, A, student, "reflectie-2", {"niveaus": "bijna", "gesprek": "nog niet",
                                                              "ontmoetingen": "bijna"})
        audit.record(course, DOC_A, "beoordeeld", A, [student], "reflecties")  # as the grading page records it
    yield hub
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users([DOC_A, DOC_B, ANNA, BERT])


def browser_login(browser, hub, user):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    return context, page


def ws(hub) -> str:
    return service_url(hub, "leerplein-grading") + "/werkplek/"


def test_a_docent_opens_a_herkansing_for_her_own_student_only(hub, browser):
    from leerplein.course.grading.resubmission import load_record

    course = course_of(hub)
    context, page = browser_login(browser, hub, DOC_A)
    page.get_by_role("link", name="Toetskwaliteit").click()
    page.get_by_role("link", name="Herkansing").first.click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "Anna de Wit" in text and "kan herkansen" in text and "Bert" not in text, text
    assert not english_words(text), english_words(text)
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    later = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    status, _ = post_in_page(page, f"{ws(hub)}herkansing/{A}", {"_xsrf": token, "student": BERT, "deadline": later})
    assert status == 403 and load_record(course, A, BERT) is None  # another cohort's student
    status, _ = post_in_page(page, f"{ws(hub)}herkansing/{A}", {"student": ANNA, "deadline": later})
    assert status == 403 and load_record(course, A, ANNA) is None  # no XSRF token

    page.goto(f"{ws(hub)}herkansing/{A}")
    page.fill(f"#d-{ANNA}", later)
    page.get_by_role("button", name="Herkansing openen").click()
    page.get_by_role("status").wait_for()
    screenshot(page, "herkansing-opened")
    text = page.inner_text("main")
    assert "Herkansing geopend voor Anna de Wit, inleveren tot" in text, text
    assert load_record(course, A, ANNA)["geopend_door"] == DOC_A
    assert page.get_by_role("button", name="Herkansing openen").count() == 0  # no second one offered
    status, body = post_in_page(page, f"{ws(hub)}herkansing/{A}", {"_xsrf": token, "student": ANNA, "deadline": later})
    assert status == 200 and "Een derde poging is niet mogelijk" in body
    context.close()


def test_a_blind_second_assessment_and_an_agreed_grade(hub, browser):
    from leerplein.course.audit import events
    from leerplein.course.grading.rubric_grades import load_levels

    course = course_of(hub)
    second = f"{ws(hub)}tweede/{A}/{ANNA}"
    context, page = browser_login(browser, hub, DOC_A)  # the first assessor is not her own second
    page.goto(second)
    assert "Je hebt dit werk zelf als eerste beoordeeld" in page.inner_text("main")
    assert page.locator("input[type=radio]").count() == 0
    context.close()

    context, page = browser_login(browser, hub, DOC_B)
    page.goto(f"{ws(hub)}tweede/{A}")
    text = page.inner_text("main")
    assert "Anna de Wit" in text and "wacht op een tweede beoordeling" in text and "Bert" not in text, text
    page.get_by_role("link", name="Anna de Wit").click()
    page.wait_for_load_state("networkidle")
    html_text = page.content()
    assert "ik zag dat iemand afspraken vergat" in html_text  # her work is there
    assert FIRST_COMMENT not in html_text and "checked" not in html_text  # the first grade is not
    assert "Eerste beoordelaar" not in page.inner_text("main")
    assert not english_words(page.inner_text("main")), english_words(page.inner_text("main"))

    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, _ = post_in_page(page, second, {"_xsrf": token, "actie": "afspraak", "reflectie-1:signalen": "goed",
                                            "reflectie-1:schaamte": "goed", "reflectie-2:niveaus": "goed",
                                            "reflectie-2:gesprek": "goed", "reflectie-2:ontmoetingen": "goed"})
    assert status == 403 and load_levels(course, A, ANNA)["reflectie-1"]["levels"]["signalen"] == "bijna"
    status, _ = post_in_page(page, f"{ws(hub)}tweede/{A}/{BERT}", {"_xsrf": token, "actie": "tweede"})
    assert status == 403  # another cohort's student

    page.goto(second)  # back from the refusals to her blind form
    levels = {"reflectie-1:signalen": "voldoende", "reflectie-1:schaamte": "bijna", "reflectie-2:niveaus": "bijna",
              "reflectie-2:gesprek": "bijna", "reflectie-2:ontmoetingen": "bijna"}
    for name, value in levels.items():
        page.check(f"input[name='{name}'][value='{value}']")
    page.get_by_role("button", name="Tweede beoordeling opslaan").click()
    page.get_by_role("status").wait_for()
    text = page.inner_text("main")
    screenshot(page, "second-assessor-comparison")
    assert "Tweede beoordeling opgeslagen" in text and "Eerste beoordelaar" in text and "verschilt" in text, text
    assert load_levels(course, A, ANNA)["reflectie-1"]["levels"]["signalen"] == "bijna"  # the grade is unchanged

    page.check("input[name='reflectie-1:signalen'][value='voldoende']")
    page.check("input[name='reflectie-2:gesprek'][value='bijna']")
    page.get_by_role("button", name="Eindoordeel vastleggen").click()
    page.get_by_text("Eindoordeel vastgelegd").wait_for()
    final = load_levels(course, A, ANNA)
    assert final["reflectie-1"]["levels"]["signalen"] == "voldoende" and final["reflectie-1"]["comment"] == FIRST_COMMENT
    agreed = next(e for e in events(course) if e["actie"] == "eindcijfer-afgesproken")
    assert agreed["wie"] == DOC_B and DOC_A in agreed["detail"] and DOC_B in agreed["detail"]
    page.goto(f"{ws(hub)}logboek")
    assert "eindbeoordeling afgesproken" in page.inner_text("main")
    context.close()


def test_calibration_results_are_hers_alone_and_similarity_lists_her_cohort(hub, browser):
    from leerplein.course.grading.calibration import items

    first = items(ROOT)[0]
    context, page = browser_login(browser, hub, DOC_B)
    page.goto(f"{ws(hub)}kalibratie")
    page.get_by_role("link", name="Voorbeeld 1", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert first.text[:60] in page.inner_text("main")
    for c in first.criteria:
        page.check(f"input[name='k:{c.id}'][value='goed']")
    page.get_by_role("button", name="Mijn oordeel opslaan").click()
    page.get_by_text("Jouw oordeel en het bedoelde niveau").wait_for()
    text = page.inner_text("main")
    assert "Bedoeld niveau" in text and first.level in text, text
    assert not english_words(text), english_words(text)
    page.goto(f"{ws(hub)}kalibratie")
    assert "Jouw kalibratie:" in page.inner_text("main")
    page.goto(f"{ws(hub)}gelijkenis/{A}")
    text = page.inner_text("main")
    assert "Geen lange gelijke stukken gevonden." in text and "geen straf" in text, text
    context.close()
    context, page = browser_login(browser, hub, DOC_A)
    page.goto(f"{ws(hub)}kalibratie")
    assert "Jouw kalibratie:" not in page.inner_text("main")  # Docent Bas's results are not shown to her
    context.close()


def test_a_student_reaches_no_assessment_page(hub):
    from leerplein.course.grading.calibration import items

    first = items(ROOT)[0]
    session = login(hub, ANNA)
    for path in (f"tweede/{A}/{ANNA}", f"herkansing/{A}", "toetskwaliteit", "kalibratie", f"kalibratie/{first.id}",
                 f"gelijkenis/{A}"):
        page = session.get(f"{ws(hub)}{path}", allow_redirects=True)
        assert page.status_code == 403 or "Werkplek" not in page.text, (path, page.status_code)
        assert "ik zag dat iemand" not in page.text and first.text[:60] not in page.text  # no work, no model answer
