"""A new password ends her other sessions (issue 27), on a real hub in real Chromium with two
browser contexts (two browsers of the same person, or hers and a thief's):

- she changes her own password in browser A: browser B is logged out of the hub and of her
  server, a token made for her stops working, the leerkring (a service) sends B to the login
  within its cache time; browser A stays logged in and gets her server back;
- her teacher gives her a new start password: every browser of hers is logged out, her server is
  stopped, her tokens end; the next login needs the new start password;
- probes that must fail: a student (her own token) cannot end a classmate's sessions through the
  hub's API, nor ask for it without a token.
Users: prefix "qb"."""

from __future__ import annotations

import os
import re
import time

import pytest
import requests

from hub_helpers import hub_start, leerplein, port_for, reachable_base, remove_users, service_url, user_url
from leerplein.service_base import TOKEN_CACHE_SECONDS

TEACHER, ANNA, BERT, COR = "qbdocent", "qbanna", "qbbert", "qbcor"
PEOPLE = [TEACHER, ANNA, BERT, COR]
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "sessions")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n"
                      f"{TEACHER},Docent Quirine,teacher,groep-q\n{ANNA},Anna Q,student,groep-q\n"
                      f"{BERT},Bert Q,student,groep-q\n{COR},Cor Q,student,groep-q\n")
    state = base / "state"
    remove_users(PEOPLE)
    proc = hub_start(roster, state, port_for(3))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    init = leerplein("course", "init", *course, "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    passwords = dict(line.split(",", 1) for line in (state / "initial-passwords.csv").read_text().splitlines()[1:])
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    yield {"url": url, "state": state, "passwords": passwords, "admin": admin}
    leerplein("hub", "stop", "--state-dir", str(state))
    remove_users(PEOPLE)


def login(browser, hub, user, password):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_load_state("load")
    return context, page


def wait_for(page, predicate, seconds: float, step_url: str | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if step_url:
            page.goto(step_url)
            page.wait_for_load_state("load")
        if predicate():
            return True
        page.wait_for_timeout(1000)
    return False


def open_her_server(page, hub, user):
    """Her own server in this browser (started when needed), as she would open it."""
    page.goto(f"{hub['url']}/hub/spawn")
    assert wait_for(page, lambda: f"/user/{user}/" in page.url and "leerplein" in page.url, 120), page.url
    page.wait_for_load_state("load")


def logged_out(page) -> bool:
    return "/hub/login" in page.url


def her_token(hub, user) -> dict:
    made = requests.post(f"{hub['url']}/hub/api/users/{user}/tokens", headers=hub["admin"], json={"note": "eigen"})
    assert made.status_code == 201, made.text
    return {"Authorization": f"token {made.json()['token']}"}


def token_works(hub, headers) -> bool:
    return requests.get(f"{hub['url']}/hub/api/user", headers=headers).status_code == 200


def server_running(hub, user) -> bool:
    info = requests.get(f"{hub['url']}/hub/api/users/{user}", headers=hub["admin"]).json()
    return bool(info.get("servers"))


def test_her_own_change_logs_out_her_other_browser_but_not_this_one(hub, browser):
    password = hub["passwords"][ANNA]
    a_context, a = login(browser, hub, ANNA, password)
    b_context, b = login(browser, hub, ANNA, password)
    open_her_server(a, hub, ANNA)
    open_her_server(b, hub, ANNA)
    leerkring = service_url(hub, "leerkring") + "/"
    b.goto(leerkring)
    b.wait_for_load_state("load")
    assert "/services/leerkring" in b.url and not logged_out(b)
    token = her_token(hub, ANNA)
    assert token_works(hub, token)

    a.goto(f"{hub['url']}/hub/wachtwoord")
    new = "de fiets staat in de regen"
    a.fill("#huidig", password)
    a.fill("#nieuw", new)
    a.fill("#herhaal", new)
    a.click("button[type=submit]")
    a.wait_for_load_state("load")
    assert "Je wachtwoord is gewijzigd" in a.inner_text("main")

    # browser B: out of the hub, her server and (within the service's cache time) the leerkring
    b.goto(f"{hub['url']}/hub/home")
    b.wait_for_load_state("load")
    assert logged_out(b), b.url
    b.goto(f"{user_url(hub, ANNA)}/leerplein")
    b.wait_for_load_state("load")
    assert logged_out(b), b.url
    assert not server_running(hub, ANNA)  # her kernels and terminals ended with it
    assert not token_works(hub, token)
    assert wait_for(b, lambda: logged_out(b), TOKEN_CACHE_SECONDS + 20, step_url=leerkring), b.url

    # browser A: still logged in; her server comes back on her next click
    a.goto(f"{hub['url']}/hub/home")
    a.wait_for_load_state("load")
    assert not logged_out(a) and "/hub/" in a.url, a.url
    open_her_server(a, hub, ANNA)
    a.goto(leerkring)
    a.wait_for_load_state("load")
    assert "/services/leerkring" in a.url and not logged_out(a), a.url
    a_context.close()
    b_context.close()


def test_a_teachers_own_change_logs_her_other_browser_out_of_the_workspace(hub, browser):
    password = hub["passwords"][TEACHER]
    workspace = service_url(hub, "leerplein-grading") + "/werkplek/"
    a_context, a = login(browser, hub, TEACHER, password)
    b_context, b = login(browser, hub, TEACHER, password)
    for page in (a, b):
        page.goto(workspace)
        page.wait_for_load_state("load")
        assert "/werkplek/" in page.url and not logged_out(page), page.url
    a.goto(f"{hub['url']}/hub/wachtwoord")
    new = "het bord hangt scheef"
    a.fill("#huidig", password)
    a.fill("#nieuw", new)
    a.fill("#herhaal", new)
    a.click("button[type=submit]")
    a.wait_for_load_state("load")
    assert "Je wachtwoord is gewijzigd" in a.inner_text("main")
    hub["passwords"][TEACHER] = new
    # the workspace trusts the hub's answer about a token for 10 s: then B is out, A still in
    assert wait_for(b, lambda: logged_out(b), TOKEN_CACHE_SECONDS + 20, step_url=workspace), b.url
    a.goto(workspace)
    a.wait_for_load_state("load")
    assert "/werkplek/" in a.url and not logged_out(a), a.url
    a_context.close()
    b_context.close()


def test_a_reset_by_her_teacher_logs_her_out_everywhere(hub, browser):
    password = hub["passwords"][BERT]
    contexts = []
    pages = []
    for _ in range(2):
        context, page = login(browser, hub, BERT, password)
        contexts.append(context)
        pages.append(page)
    open_her_server(pages[0], hub, BERT)
    token = her_token(hub, BERT)

    t_context, t = login(browser, hub, TEACHER, hub["passwords"][TEACHER])
    t.goto(service_url(hub, "leerplein-grading") + "/werkplek/wachtwoorden")
    t.get_by_role("button", name="Nieuw startwachtwoord voor Bert Q").click()
    t.wait_for_load_state("load")
    start = t.locator(".brief dd.wachtwoord").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", start)
    t_context.close()

    for page in pages:
        page.goto(f"{hub['url']}/hub/home")
        page.wait_for_load_state("load")
        assert logged_out(page), page.url  # not merely sent to the forced change
    pages[0].goto(f"{user_url(hub, BERT)}/leerplein")
    pages[0].wait_for_load_state("load")
    assert logged_out(pages[0]), pages[0].url
    assert not server_running(hub, BERT) and not token_works(hub, token)
    # only the start password from the letter opens her account now, and then the forced change
    page = pages[1]
    page.fill("#username_input", BERT)
    page.fill("#password_input", start)
    page.click("#login_submit")
    page.wait_for_load_state("load")
    assert page.url.endswith("/hub/wachtwoord"), page.url
    for context in contexts:
        context.close()


def test_a_student_cannot_end_a_classmates_sessions(hub):
    from leerplein.accounts.sessions import API_PATH

    cor = her_token(hub, COR)
    anna = her_token(hub, ANNA)
    for headers in (cor, {}):
        answer = requests.post(f"{hub['url']}/hub/api/{API_PATH}/{ANNA}", headers=headers)
        assert answer.status_code == 403, answer.status_code
    assert token_works(hub, anna) and token_works(hub, cor)
    done = requests.post(f"{hub['url']}/hub/api/{API_PATH}/{ANNA}", headers=hub["admin"])
    assert done.status_code == 204 and not token_works(hub, anna) and token_works(hub, cor)
