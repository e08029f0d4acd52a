"""The student sees her herkansing on the real hub, in real Chromium on a 390 px phone (issue 26):
she hands in through her student view, her teacher grades it below the cesuur on the grading page
and opens a herkansing; her card and her assignment page then say "Herkansing open tot <date>"
and what to do. Her classmate, who handed in too and was graded the same, sees no such line, and
the notice in the exchange is readable by her private group only."""

from __future__ import annotations

import os
import re
import stat
import sys
from datetime import datetime, timedelta

import pytest

from conftest import ROOT, screenshot
from hub_helpers import A, leerplein, login, port_for, reachable_base, service_url, start_course_hub, stop_course_hub
from hub_helpers import as_user, user_url
from test_student_path import english_words

STUDENT, OTHER, TEACHER = "qaherkans", "qaklasgenoot", "qadocent"
PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "herkansingstudent")
    hub = start_course_hub(base, [TEACHER], [STUDENT, OTHER], port_for(7))
    yield hub
    stop_course_hub(hub)


def course_of(hub):
    sys.path.insert(0, str(ROOT / "src"))
    from leerplein.course.course import Course

    return Course(ROOT, hub["state"] / "course", hub["state"] / "exchange")


def browser_login(browser, hub, user):
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.press("#password_input", "Enter")
    page.wait_for_selector("text=Welkom op Leerplein", timeout=120_000)
    return context, page


def hand_in(browser, hub, user: str) -> None:
    context, page = browser_login(browser, hub, user)
    page.click("text=Ophalen en beginnen")
    page.wait_for_selector("textarea#antwoord-reflectie-1")
    page.fill("#antwoord-reflectie-1", "Een bewoner liet brieven liggen.")
    page.click("button[value=inleveren]")
    page.click("text=Ja, toch inleveren")
    page.wait_for_selector("text=Je opdracht is ingeleverd.", timeout=90_000)
    context.close()


def grade_low(hub, student: str) -> None:
    teacher = login(hub, TEACHER)
    form = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{student}")
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", form.text).group(1)
    saved = teacher.post(form.url, data={"_xsrf": xsrf, "reflectie-1:signalen": "nog niet",
                                         "reflectie-1:schaamte": "nog niet", "reflectie-2:niveaus": "nog niet",
                                         "reflectie-2:gesprek": "nog niet", "reflectie-2:ontmoetingen": "nog niet"})
    assert "reflectie-2 krijgt" in saved.text, saved.text[:400]


def test_her_card_and_page_say_herkansing_open_and_the_classmate_sees_nothing(hub, browser):
    from leerplein.course.grading.resubmission_opening import open_resubmission
    from leerplein.course.grading.resubmission_notice import feedback_folder
    from leerplein.course.intake.deadlines import ZONE, dutch_time

    for user in (STUDENT, OTHER):
        hand_in(browser, hub, user)
    for step in ("collect", "autograde"):
        done = leerplein("course", step, A, *hub["course"])
        assert done.returncode == 0, done.stdout + done.stderr
    for user in (STUDENT, OTHER):
        grade_low(hub, user)
    deadline = (datetime.now(ZONE) + timedelta(days=5)).replace(second=0, microsecond=0)
    course = course_of(hub)
    open_resubmission(course, A, STUDENT, deadline.strftime("%Y-%m-%dT%H:%M"), TEACHER)  # as the workspace does
    notices = [p for p in feedback_folder(course.exchange).glob("*.json")]
    assert len(notices) == 1 and stat.S_IMODE(notices[0].stat().st_mode) == 0o640, notices
    import grp

    assert grp.getgrgid(notices[0].stat().st_gid).gr_name == STUDENT  # her private group alone

    expected = f"Herkansing open tot {dutch_time(deadline)}."
    context, page = browser_login(browser, hub, STUDENT)
    card = page.inner_text(".kaart")
    assert expected in card and "lever hem opnieuw in" in card, card
    assert not english_words(card), english_words(card)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "herkansing-student-kaart")
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/opdracht/{A}")
    page.wait_for_selector("textarea#antwoord-reflectie-1")
    assert expected in page.inner_text("main")
    screenshot(page, "herkansing-student-opdracht")
    context.close()

    context, page = browser_login(browser, hub, OTHER)
    assert "Herkansing" not in page.inner_text("main")  # graded the same, but no herkansing opened for her
    page.goto(f"{user_url(hub, OTHER)}/leerplein/opdracht/{A}")
    page.wait_for_selector("textarea#antwoord-reflectie-1")
    assert "Herkansing" not in page.inner_text("main")
    context.close()
    # probes as the classmate's own uid: she can neither list the folder nor read the notice by its name
    listed = as_user(OTHER, "ls", str(feedback_folder(course.exchange)))
    assert listed.returncode != 0 and notices[0].name not in listed.stdout, listed.stdout
    read = as_user(OTHER, "cat", str(notices[0]))
    assert read.returncode != 0 and "deadline" not in read.stdout, read.stdout
    assert as_user(STUDENT, "cat", str(notices[0])).returncode == 0  # control: she can
