"""Blindness of the second assessor on the general grading page, on a real hub in real Chromium
(issue 26). A docent asks a colleague to assess Anna's work blind; until the colleague has saved
her blind assessment, the grading service's page for Anna shows her neither the first levels nor
the first comment and takes no grade from her; it says why and links to her blind assessment.
Controls: the same page for a student she was not asked about shows the first grade, and after her
blind assessment Anna's page does too."""

from __future__ import annotations

import os
import re
import sys

import pytest

from conftest import ROOT, hand_in_reflections, screenshot
from hub_helpers import hub_start, leerplein, port_for, post_in_page, reachable_base, \
    remove_users, service_url
from test_student_path import english_words

DOC_A, DOC_B, ANNA, CAS = "qadoca", "qadocb", "qastuda", "qastudc"
A = "01-armoede-zien"
FIRST_COMMENT = "Eerste oordeel: de signalen blijven nog algemeen."
LEVELS = {"reflectie-1:signalen": "voldoende", "reflectie-1:schaamte": "bijna", "reflectie-2:niveaus": "bijna",
          "reflectie-2:gesprek": "bijna", "reflectie-2:ontmoetingen": "bijna"}
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

    base = reachable_base(tmp_path_factory, "blind")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{DOC_A},Docent Ada,teacher,groep-a\n{DOC_B},Docent Bas,teacher,groep-a\n"
                      f"{ANNA},Anna de Wit,student,groep-a\n{CAS},Cas Bakker,student,groep-a\n")
    state = base / "state"
    remove_users([DOC_A, DOC_B, ANNA, CAS])
    proc = hub_start(roster, state, port_for(8))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    init = leerplein("course", "init", "--course-dir", str(state / "course"), "--exchange", str(state / "exchange"),
                     "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    hub = {"url": url, "state": state, "passwords": passwords}
    course = course_of(hub)
    hand_in_reflections(course, base, [ANNA, CAS], A)
    for student in (ANNA, CAS):  # Ada grades first, as the grading page would record it
        save_rubric_grade(course, A, student, "reflectie-1", {"signalen": "bijna", "schaamte": "bijna"}, FIRST_COMMENT)
        save_rubric_grade(course, A, student, "reflectie-2", {"niveaus": "bijna", "gesprek": "nog niet",
                                                              "ontmoetingen": "bijna"})
        audit.record(course, DOC_A, "beoordeeld", A, [student], f"reflectie-1: 2 punten ({student})")
    yield hub
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users([DOC_A, DOC_B, ANNA, CAS])


def browser_login(browser, hub, user):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    return context, page


def grading(hub, student: str) -> str:
    return f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{student}"


def test_the_asked_second_assessor_sees_no_first_grade_on_the_grading_page(hub, browser):
    from leerplein.course.audit import events
    from leerplein.course.grading.rubric_grades import load_levels
    from leerplein.course.grading.second_assessor import asked

    course = course_of(hub)
    ws = service_url(hub, "leerplein-grading") + "/werkplek/"
    context, page = browser_login(browser, hub, DOC_A)  # Ada asks Bas to assess Anna's work blind
    page.goto(f"{ws}tweede/{A}")
    page.select_option(f"#v-{ANNA}", DOC_B)
    options = page.locator(f"#v-{ANNA} option").all_inner_texts()
    assert options == ["Docent Bas"], options  # not Ada herself: she graded it first
    page.locator(f"form:has(#v-{ANNA})").get_by_role("button", name="Vragen").click()
    page.get_by_role("status").wait_for()
    assert "Docent Bas is gevraagd als tweede beoordelaar van Anna de Wit" in page.inner_text("main")
    assert set(asked(course, A, ANNA)) == {DOC_B}
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, body = post_in_page(page, f"{ws}tweede/{A}", {"_xsrf": token, "student": CAS, "docent": DOC_A})
    assert status == 200 and "kan hier geen tweede beoordelaar zijn" in body and asked(course, A, CAS) == {}
    context.close()

    context, page = browser_login(browser, hub, DOC_B)
    page.goto(grading(hub, ANNA))
    html_text, text = page.content(), page.inner_text("main")
    screenshot(page, "blind-grading-page")
    assert FIRST_COMMENT not in html_text and "checked" not in html_text, text  # the probe
    assert "Je bent tweede beoordelaar van dit werk" in text and not english_words(text), text
    assert page.locator("input[type=radio]").count() == 0

    page.goto(grading(hub, CAS))  # control: work she was not asked about shows the first grade
    assert FIRST_COMMENT in page.content()
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, body = post_in_page(page, grading(hub, ANNA), {**{k: "goed" for k in LEVELS}, "_xsrf": token,
                                                            "comment:reflectie-1": "Mijn oordeel."})
    assert status == 200 and FIRST_COMMENT not in body and "Je bent tweede beoordelaar" in body, body
    assert load_levels(course, A, ANNA)["reflectie-1"]["levels"]["signalen"] == "bijna"  # no grade taken
    assert not [e for e in events(course) if e["actie"] == "beoordeeld" and e["wie"] == DOC_B]
    page.goto(f"{ws}logboek")  # the log's grading entry names the points: hidden for Anna's work only
    log = page.inner_text("main")
    assert f"reflectie-1: 2 punten ({ANNA})" not in log and "verborgen: je bent tweede beoordelaar" in log, log
    assert f"reflectie-1: 2 punten ({CAS})" in log

    page.goto(grading(hub, ANNA))
    page.get_by_role("link", name="Naar je tweede beoordeling").click()
    page.wait_for_load_state("networkidle")
    for name, value in LEVELS.items():
        page.check(f"input[name='{name}'][value='{value}']")
    page.get_by_role("button", name="Tweede beoordeling opslaan").click()
    page.get_by_role("status").wait_for()
    page.goto(grading(hub, ANNA))  # her blind assessment is saved: now she may see the first one
    assert FIRST_COMMENT in page.content()
    page.goto(f"{ws}logboek")
    assert f"reflectie-1: 2 punten ({ANNA})" in page.inner_text("main")
    context.close()


def test_opening_the_blind_form_makes_her_blind_on_the_grading_page(hub, browser):
    from leerplein.course.grading.second_assessor import asked

    context, page = browser_login(browser, hub, DOC_B)
    page.goto(f"{service_url(hub, 'leerplein-grading')}/werkplek/tweede/{A}/{CAS}")
    page.get_by_role("button", name="Tweede beoordeling opslaan").wait_for()
    assert DOC_B in asked(course_of(hub), A, CAS)
    page.goto(grading(hub, CAS))
    assert FIRST_COMMENT not in page.content() and "Je bent tweede beoordelaar" in page.inner_text("main")
    context.close()
