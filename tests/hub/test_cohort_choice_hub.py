"""A teacher of two cohorts chooses which one a leerkring set or a Peiling poll is for (issue 23),
on a real hub in real Chromium: the form offers only her own cohorts, the set and the poll show
their cohort, a course-only poll of her second cohort reaches that cohort's students. Probes that
must fail: a hand-made form naming a cohort she does not teach (refused in Dutch, nothing made),
a set mixing members of two cohorts. Users: prefix "qb"."""

from __future__ import annotations

import os
import re

import pytest

from hub_helpers import (A, action, hub_start, leerplein, port_for, post_in_page, reachable_base, remove_users,
                         server_token, service_url)

TWO, OTHER = "qbtwee", "qbander"
G1 = [f"qbeen{i}" for i in range(1, 5)]
G2 = [f"qbtwee{i}" for i in range(1, 5)]
G3 = ["qbdrie1"]
PEOPLE = [TWO, OTHER, *G1, *G2, *G3]
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "cohortchoice")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{TWO},Docent Twee,teacher,groep-1;groep-2\n{OTHER},Docent Ander,teacher,groep-3\n"
                      + "".join(f"{s},{s},student,groep-1\n" for s in G1)
                      + "".join(f"{s},{s},student,groep-2\n" for s in G2)
                      + "".join(f"{s},{s},student,groep-3\n" for s in G3))
    state = base / "state"
    remove_users(PEOPLE)
    proc = hub_start(roster, state, port_for(4))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    yield {"url": url, "state": state, "passwords": passwords, "admin": admin}
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users(PEOPLE)


def login(browser, hub, user):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.click("#login_submit")
    page.wait_for_load_state("load")
    return context, page


def options(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(f"{selector} option", "els => els.map(e => e.value)")


def test_a_leerkring_set_for_the_cohort_she_chooses(hub, browser):
    leerkring = service_url(hub, "leerkring") + "/"
    context, page = login(browser, hub, TWO)
    page.goto(leerkring)
    page.wait_for_load_state("load")
    # probe: a hand-made form for a cohort she does not teach
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, text = post_in_page(page, leerkring, {"_xsrf": token, "naam": "Niet de mijne", "cursus": "groep-3",
                                                  "lid": G3[0]})
    assert status == 400 and "Je geeft geen les aan groep 'groep-3'" in text, (status, text[:300])
    page.goto(leerkring)
    assert options(page, "#cursus") == ["groep-1", "groep-2"]  # her own cohorts only
    assert G3[0] not in page.content()
    # probe: members of her other cohort in a set of this one
    page.goto(leerkring)
    page.fill("#naam", "Gemengd")
    page.select_option("#cursus", "groep-2")
    for student in [G1[0], *G2[:3]]:
        page.check(f"input[name=lid][value={student}]")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert "jouw cursus niet (groep groep-2): qbeen1" in page.inner_text("main")
    assert page.locator("#cursus").input_value() == "groep-2"  # her choice is kept

    page.goto(leerkring)
    page.fill("#naam", "Kring van groep 2")
    page.select_option("#cursus", "groep-2")
    for student in G2:
        page.check(f"input[name=lid][value={student}]")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert re.search(r"/kring/\d+$", page.url), page.url
    assert "Groep groep-2" in page.inner_text("main")
    page.goto(leerkring)
    page.wait_for_load_state("load")
    assert "Kring van groep 2 · groep groep-2" in page.inner_text("main")
    assert "Niet de mijne" not in page.inner_text("main")
    context.close()

    context, page = login(browser, hub, G2[0])  # a member sees her set, with its cohort
    page.goto(leerkring)
    page.wait_for_load_state("load")
    assert "Kring van groep 2 · groep groep-2" in page.inner_text("main")
    context.close()


def test_a_peiling_poll_for_the_cohort_she_chooses(hub, browser):
    begeleider = service_url(hub, "peiling") + "/begeleider"
    context, page = login(browser, hub, TWO)
    page.goto(begeleider)
    page.wait_for_load_state("load")
    assert "/begeleider" in page.url, page.url
    # probe: a hand-made form for a cohort she does not teach
    token = page.locator("input[name=_xsrf]").first.get_attribute("value")
    status, text = post_in_page(page, begeleider, {"_xsrf": token, "titel": "Niet de mijne", "vragen": "open: Wat?",
                                                   "cursus": "groep-3"})
    assert status == 400 and "Je geeft geen les aan groep 'groep-3'" in text, (status, text[:300])
    page.goto(begeleider)
    assert options(page, "#cursus-2") == ["groep-1", "groep-2"]

    page.goto(begeleider)
    page.fill("#titel", "Start groep 2")
    page.fill("#vragen", "open: Wat neem je mee?")
    page.select_option("#cursus-2", "groep-2")
    page.check("#ac2")  # only for the cohort's members
    page.click("form:has(#titel) button[type=submit]")
    page.wait_for_load_state("load")
    code = re.search(r"/begeleider/([A-Z0-9]+)", page.url).group(1)
    page.goto(begeleider)
    page.wait_for_load_state("load")
    assert f"code {code} · open · groep groep-2" in page.inner_text("main")
    assert "Niet de mijne" not in page.inner_text("main")
    context.close()

    # a student of groep-2 follows the course-only poll; one of groep-1 does not
    for student, allowed in ((G2[0], True), (G1[0], False)):
        context, page = login(browser, hub, student)
        response = page.goto(service_url(hub, "peiling") + f"/p/{code}")
        page.wait_for_load_state("load")
        text = page.inner_text("body")
        assert ("alleen voor deelnemers" not in text) == allowed, (student, response.status, text[:200])
        context.close()
    # the teacher of groep-3 does not see it
    context, page = login(browser, hub, OTHER)
    page.goto(begeleider)
    page.wait_for_load_state("load")
    assert code not in page.inner_text("main")
    context.close()


def test_the_grading_overview_has_a_table_per_cohort_of_hers(hub, browser):
    state = hub["state"]
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    for step in (["init", *course, "--roster", str(state.parent / "roster.csv")], ["release", A, *course]):
        done = leerplein("course", *step)
        assert done.returncode == 0, done.stdout + done.stderr
    for student in (G1[0], G2[0], G3[0]):  # one of each cohort hands in
        headers = server_token(hub, student)
        action(hub, student, headers, "fetch")
        action(hub, student, headers, "submit")
    collected = leerplein("course", "collect", A, *course)
    assert collected.returncode == 0, collected.stdout + collected.stderr

    context, page = login(browser, hub, TWO)
    page.goto(service_url(hub, "leerplein-grading") + "/")
    page.wait_for_load_state("load")
    assert page.locator("main h2").all_inner_texts() == ["Groep groep-1", "Groep groep-2"]
    first = page.get_by_role("region", name="Groep groep-1").inner_text()
    second = page.get_by_role("region", name="Groep groep-2").inner_text()
    assert G1[0] in first and G2[0] not in first and G2[0] in second and G1[0] not in second
    assert G3[0] not in page.inner_text("main")  # not her cohort
    context.close()

    context, page = login(browser, hub, OTHER)  # one cohort: one table, as before
    page.goto(service_url(hub, "leerplein-grading") + "/")
    page.wait_for_load_state("load")
    assert page.locator("main h2").count() == 0 and G3[0] in page.inner_text("main")
    assert G1[0] not in page.inner_text("main")
    context.close()
