"""Login from the LMS on a real hub (LTI 1.3), against the local platform in tests/lti: a new
student launched from the LMS gets an account in the right cohort and lands on the assignment;
after grading and release her points and pass result reach the LMS's gradebook (AGS) exactly
once, also when the LMS was down at the first try; a member added to or removed from the LMS
course (NRPS) reaches the hub. Probes: a forged id_token, a replayed launch, a token for
another tool, an LMS course that is not mapped, an expired token: all refused, in Dutch."""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import sys
import time
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import screenshot
from hub_helpers import (A, action, answer, leerplein, port_for, reachable_base, remove_users, server_token,
                         start_course_hub, stop_course_hub)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lti"))
from lms_platform import INSTRUCTOR, LEARNER, Platform  # noqa: E402

TEACHER = "ltdocent"
ANNA = {"sub": "lms-anna-7f3", "name": "Anna Lt", "email": "anna.lt@example.nl", "org_defined_id": "2401"}
CAS = {"sub": "lms-cas-91a", "name": "Cas Lt", "email": "cas.lt@example.nl", "org_defined_id": "2402"}
DOCENT = {"sub": "lms-docent-1", "name": "Docent Lt", "email": "docent.lt@example.nl"}
ANNA_USER, CAS_USER = "lt2401", "lt2402"
CONTEXT = "ctx-lt-2026"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def lms():
    platform = Platform()
    yield platform
    platform.close()


@pytest.fixture(scope="module")
def hub(tmp_path_factory, lms):
    remove_users([ANNA_USER, CAS_USER])
    base = reachable_base(tmp_path_factory, "lti")
    (base / "lti.yml").write_text(lms.lti_yml({CONTEXT: "leerplein"}, prefix="lt"))
    os.environ["LEERPLEIN_LTI_RETRY_SECONDS"] = "2"
    try:
        hub = start_course_hub(base, [TEACHER], [], port_for(7))
    finally:
        os.environ.pop("LEERPLEIN_LTI_RETRY_SECONDS")
    # the admin adds the e-mail address the LMS knows the teacher by
    hub["roster"].write_text(f"username,name,role,course,email\n{TEACHER},Docent Lt,teacher,leerplein,{DOCENT['email']}\n")
    assert "leerplein lti register" in hub["start_output"]
    lms.tool_jwks = f"{hub['url']}/hub/lti13/jwks"
    lms.redirect_uris.add(f"{hub['url']}/hub/lti13/oauth_callback")
    hub["users"] += [ANNA_USER, CAS_USER]
    yield hub
    stop_course_hub(hub)


def roster_rows(hub) -> dict:
    with hub["roster"].open() as f:
        return {r["username"]: r for r in csv.DictReader(f)}


def browser_launch(browser, hub, lms, user, roles, target):
    lms.next_launch = {"user": user, "context": CONTEXT, "roles": roles, "target": target}
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(lms.login_initiation(hub["url"], target, user))
    return context, page


def test_the_tool_registration_values_and_root_only_files(hub):
    shown = leerplein("lti", "register", "--state-dir", str(hub["state"]))
    assert shown.returncode == 0, shown.stderr
    assert f"{hub['url']}/hub/lti13/jwks" in shown.stdout and f"{hub['url']}/hub/lti13/oauth_login" in shown.stdout
    keys = requests.get(f"{hub['url']}/hub/lti13/jwks", timeout=10).json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]
    lti = hub["state"] / "lti"
    assert oct(lti.stat().st_mode & 0o777) == "0o700" and oct((lti / "tool-key.pem").stat().st_mode & 0o777) == "0o600"


def test_a_new_student_launched_from_the_lms_lands_on_her_assignment(hub, lms, browser):
    target = f"{hub['url']}/hub/user-redirect/leerplein/opdracht/{A}"
    context, page = browser_launch(browser, hub, lms, ANNA, [LEARNER], target)
    page.wait_for_url(re.compile(rf"/user/{ANNA_USER}/leerplein/opdracht/{A}"), timeout=180_000)
    from leerplein.course.prepare.assign import load_exercise

    title = load_exercise(Path(__file__).resolve().parents[2], A).data["titel"]
    assert page.inner_text("h1") == title
    screenshot(page, "lti-launch-student")
    page.get_by_role("button", name="Ophalen en beginnen").click()
    page.wait_for_selector("textarea", timeout=120_000)  # her own copy, ready to write in
    screenshot(page, "lti-launch-student-opdracht")
    context.close()
    # a system user of her own, a roster row in the cohort of the LMS course, the hub's student group
    assert pwd.getpwnam(ANNA_USER).pw_uid >= 1000
    row = roster_rows(hub)[ANNA_USER]
    assert (row["role"], row["course"], row["name"]) == ("student", "leerplein", "Anna Lt")
    group = requests.get(f"{hub['url']}/hub/api/groups/leerplein-studenten", headers=hub["admin"], timeout=10).json()
    assert ANNA_USER in group["users"]


def test_the_teacher_from_the_lms_is_the_roster_teacher_in_her_workspace(hub, lms, browser):
    context, page = browser_launch(browser, hub, lms, DOCENT, [INSTRUCTOR], f"{hub['url']}/hub/")
    page.wait_for_url(re.compile(r"/services/leerplein-grading/werkplek/"), timeout=120_000)
    screenshot(page, "lti-launch-teacher")
    assert "Werkplek" in page.inner_text("body")
    context.close()
    assert TEACHER in roster_rows(hub) and "ltdocent" == next(
        e["username"] for e in json.loads((hub["state"] / "lti" / "gebruikers.json").read_text()).values()
        if e["sub"] == DOCENT["sub"])


def workspace_step(page, label: str, done: str, seconds: float = 240) -> str:
    """Click a step's button in the teacher's workspace and wait until its result is shown."""
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


def test_her_grades_reach_the_lms_exactly_once_also_after_it_was_down(hub, lms, browser):
    from leerplein.course.course import Course
    from leerplein.course.grading.rubric_grades import save_page

    headers = server_token(hub, ANNA_USER)
    if not (Path(pwd.getpwnam(ANNA_USER).pw_dir) / A / f"{A}.ipynb").exists():  # fetched at her launch
        action(hub, ANNA_USER, headers, "fetch")
    answer(hub, ANNA_USER, headers, "Mijn reflectie vanuit de leeromgeving.")
    action(hub, ANNA_USER, headers, "submit")
    # the teacher, logged in from the LMS too, runs the cycle in her workspace
    context, page = browser_launch(browser, hub, lms, DOCENT, [INSTRUCTOR], f"{hub['url']}/hub/")
    page.wait_for_url(re.compile(r"/services/leerplein-grading/werkplek/"), timeout=120_000)
    page.get_by_role("link", name=re.compile("armoede zien")).first.click()
    workspace_step(page, "Inleveringen ophalen", "1 inleveringen opgehaald.")
    workspace_step(page, "Automatisch nakijken", "1 nagekeken, 0 met een probleem.")
    course = Course(Path(__file__).resolve().parents[2], hub["state"] / "course", hub["state"] / "exchange")
    saved, errors = save_page(course, A, ANNA_USER, {  # what the rubric page saves
        "reflectie-1": ({"signalen": "goed", "schaamte": "voldoende"}, "Goed."),
        "reflectie-2": ({"niveaus": "voldoende", "gesprek": "voldoende", "ontmoetingen": "bijna"}, "")})
    assert saved and not errors

    lms.down = True
    page.reload()
    workspace_step(page, "Feedback vrijgeven", "Feedback vrijgegeven voor 1 studenten.")
    context.close()
    assert lms.scores == []
    waiting = leerplein("lti", "outbox", "--state-dir", str(hub["state"]))
    assert "wacht" in waiting.stdout and ANNA_USER in waiting.stdout, waiting.stdout + waiting.stderr

    lms.down = False  # the grading service tries again on its own
    deadline = time.monotonic() + 120
    while len(lms.scores_for(ANNA["sub"])) < 2 and time.monotonic() < deadline:
        time.sleep(1)
    points = lms.scores_for(ANNA["sub"], A)
    passed = lms.scores_for(ANNA["sub"], f"{A}:gehaald")
    assert len(points) == 1 and len(passed) == 1, lms.scores
    assert points[0]["scoreGiven"] > 0 and points[0]["scoreMaximum"] >= points[0]["scoreGiven"]
    assert passed[0]["scoreGiven"] in (0.0, 1.0) and passed[0]["scoreMaximum"] == 1.0
    # releasing again, and sending by hand, sends nothing twice
    again = leerplein("course", "feedback", A, *hub["course"])
    assert again.returncode == 0
    sent = leerplein("lti", "send", "--state-dir", str(hub["state"]))
    assert "Verstuurd: 0" in sent.stdout, sent.stdout + sent.stderr
    time.sleep(5)  # two more rounds of the grading service's retry
    assert len(lms.scores_for(ANNA["sub"])) == 2
    # nothing for work that is not graded: no score for any other assignment
    assert {s["lineitem"]["resourceId"] for s in lms.scores} == {A, f"{A}:gehaald"}


def test_a_student_cannot_touch_the_outbox_or_the_key(hub):
    from hub_helpers import as_user

    for name in ("outbox.sqlite", "tool-key.pem", "gebruikers.json"):
        probe = as_user(ANNA_USER, "cat", str(hub["state"] / "lti" / name))
        assert probe.returncode != 0 and "Permission denied" in probe.stderr, probe.stdout[:200]
    probe = as_user(ANNA_USER, "touch", str(hub["state"] / "lti" / "outbox.sqlite"))
    assert probe.returncode != 0


def test_a_member_added_or_removed_in_the_lms_reaches_the_hub(hub, lms):
    lms.members[CONTEXT] = [{"user_id": ANNA["sub"], "name": ANNA["name"], "roles": [LEARNER],
                             "lis_person_sourcedid": "2401"},
                            {"user_id": CAS["sub"], "name": CAS["name"], "email": CAS["email"], "roles": [LEARNER],
                             "lis_person_sourcedid": "2402"},
                            {"user_id": DOCENT["sub"], "name": DOCENT["name"], "email": DOCENT["email"],
                             "roles": [INSTRUCTOR]}]
    state = ["--state-dir", str(hub["state"])]
    dry = leerplein("lti", "members", *state)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"Erbij: {CAS_USER} (Cas Lt, student, groep leerplein)" in dry.stdout and "Eraf" not in dry.stdout
    assert CAS_USER not in roster_rows(hub)  # a dry run changes nothing
    applied = leerplein("lti", "members", "--apply", *state)
    assert applied.returncode == 0 and "1 erbij" in applied.stdout, applied.stdout + applied.stderr
    assert roster_rows(hub)[CAS_USER]["course"] == "leerplein" and pwd.getpwnam(CAS_USER)
    user = requests.get(f"{hub['url']}/hub/api/users/{CAS_USER}", headers=hub["admin"], timeout=10)
    assert user.status_code == 200 and "leerplein-studenten" in user.json()["groups"]

    lms.members[CONTEXT] = [m for m in lms.members[CONTEXT] if m["user_id"] != CAS["sub"]]
    applied = leerplein("lti", "members", "--apply", *state)
    assert f"Eraf: {CAS_USER}" in applied.stdout and "1 eraf" in applied.stdout, applied.stdout + applied.stderr
    assert CAS_USER not in roster_rows(hub) and ANNA_USER in roster_rows(hub) and TEACHER in roster_rows(hub)
    assert requests.get(f"{hub['url']}/hub/api/users/{CAS_USER}", headers=hub["admin"], timeout=10).status_code == 404


# --- probes: launches that must be refused, each with a Dutch message


def start_login(hub, lms, user=ANNA):
    """The first half of a launch by hand: the hub's login initiation sets the state and nonce
    cookies and sends the browser to the LMS with the nonce."""
    session = requests.Session()
    r = session.get(lms.login_initiation(hub["url"], f"{hub['url']}/hub/user-redirect/leerplein/", user),
                    allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith(f"{lms.url}/auth"), r.text[:300]
    from urllib.parse import parse_qs, urlparse

    query = {k: v[0] for k, v in parse_qs(urlparse(r.headers["Location"]).query).items()}
    return session, query


def post_launch(hub, session, state: str, token: str):
    return session.post(f"{hub['url']}/hub/lti13/oauth_callback", data={"id_token": token, "state": state},
                        allow_redirects=False, timeout=60)


def refused(r, dutch: str):
    assert r.status_code in (400, 401, 403), (r.status_code, r.headers.get("Location"))
    assert dutch in r.text, r.text[-1500:]


def test_probe_a_forged_id_token_is_refused(hub, lms):
    session, q = start_login(hub, lms)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = lms.sign(lms.claims(ANNA, CONTEXT, [LEARNER], hub["url"], q["nonce"]), key=other_key)
    refused(post_launch(hub, session, q["state"], forged), "kon niet worden gecontroleerd")
    # and claims changed after signing (another student's sub) break the signature too
    session, q = start_login(hub, lms)
    header, payload, sig = lms.sign(lms.claims(ANNA, CONTEXT, [LEARNER], hub["url"], q["nonce"])).split(".")
    claims = jwt.decode(lms.sign(lms.claims(CAS, CONTEXT, [INSTRUCTOR], hub["url"], q["nonce"])),
                        options={"verify_signature": False})
    body = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    refused(post_launch(hub, session, q["state"], f"{header}.{body}.{sig}"), "kon niet worden gecontroleerd")


def test_probe_a_replayed_launch_is_refused(hub, lms):
    """A captured launch (form post and the browser's state and nonce cookies) used again: the
    authenticator only compares the nonce with the cookie, so the same pair passes twice."""
    session, q = start_login(hub, lms)
    cookies = session.cookies.get_dict()
    token = lms.sign(lms.claims(ANNA, CONTEXT, [LEARNER], f"{hub['url']}/hub/user-redirect/leerplein/", q["nonce"]))
    first = post_launch(hub, session, q["state"], token)
    assert first.status_code == 302, first.text[-800:]
    replay = requests.Session()
    for name, value in cookies.items():
        replay.cookies.set(name, value)
    refused(post_launch(hub, replay, q["state"], token), "al gebruikt")


def test_probe_a_token_for_another_tool_is_refused(hub, lms):
    session, q = start_login(hub, lms)
    token = lms.sign({**lms.claims(ANNA, CONTEXT, [LEARNER], hub["url"], q["nonce"]), "aud": "een-andere-tool"})
    refused(post_launch(hub, session, q["state"], token), "voor een ander programma bedoeld")


def test_probe_an_lms_course_that_is_not_mapped_is_refused(hub, lms):
    session, q = start_login(hub, lms, CAS)
    token = lms.sign(lms.claims(CAS, "ctx-onbekend", [LEARNER], hub["url"], q["nonce"]))
    refused(post_launch(hub, session, q["state"], token), "niet gekoppeld aan een groep")
    assert CAS_USER not in roster_rows(hub)


def test_probe_an_expired_token_is_refused(hub, lms):
    session, q = start_login(hub, lms)
    old = int(time.time()) - 4000
    token = lms.sign({**lms.claims(ANNA, CONTEXT, [LEARNER], hub["url"], q["nonce"]), "iat": old, "exp": old + 300})
    refused(post_launch(hub, session, q["state"], token), "kon niet worden gecontroleerd")


def test_probe_the_hub_login_form_cannot_log_in_with_posted_claims(hub, lms):
    """JupyterHub's /hub/login form hands whatever fields are posted to the authenticator; the
    plain LTI13Authenticator would make a username of a posted `email`. Only a verified launch
    may log in."""
    session = requests.Session()
    session.get(f"{hub['url']}/hub/login", timeout=30)
    fields = {"_xsrf": session.cookies.get("_xsrf"), "username": TEACHER, "email": DOCENT["email"], "sub": DOCENT["sub"],
              "iss": lms.issuer, "https://purl.imsglobal.org/spec/lti/claim/deployment_id": lms.deployment_id}
    r = session.post(f"{hub['url']}/hub/login", data=fields, allow_redirects=False, timeout=30)
    assert r.status_code in (400, 403) and "open de link naar Leerplein in je cursus" in r.text, \
        (r.status_code, r.text[-800:])
    assert "jupyterhub-session-id" not in r.headers.get("Set-Cookie", "")
    me = session.get(f"{hub['url']}/hub/api/user", timeout=30)
    assert me.status_code in (401, 403)
    # the login page itself sends people to their LMS, in Dutch
    page = requests.get(f"{hub['url']}/hub/login", timeout=30)
    assert "Je logt in via je leeromgeving" in page.text and "wachtwoord" not in page.text.lower()


def test_probe_a_bookmarked_login_address_explains_the_lms_in_dutch(hub):
    r = requests.get(f"{hub['url']}/hub/lti13/oauth_login", timeout=30)
    assert r.status_code == 400 and "via je leeromgeving" in r.text
