"""LTI 1.3 without a hub: lti.yml, who a launch is, usernames, the nonce store, the tool's key,
the outbox against the local platform (down, then up: exactly once) and the NRPS plan."""

from __future__ import annotations

import os
import stat

import pytest

from leerplein.lti import outbox
from leerplein.lti.authenticator import use_nonce
from leerplein.lti.config import LtiError, parse_config
from leerplein.lti.keys import ensure_key, public_jwks
from leerplein.lti.launch import choose_username, link, read_launch
from leerplein.lti.passback import send
from lms_platform import INSTRUCTOR, LEARNER, Platform


@pytest.fixture
def platform():
    p = Platform()
    yield p
    p.close()


@pytest.fixture
def state(tmp_path, platform):
    (tmp_path / "lti").mkdir(mode=0o700)
    (tmp_path / "lti" / "lti.yml").write_text(platform.lti_yml({"ctx-a": "groep-a"}, prefix="lt"))
    (tmp_path / "roster.csv").write_text("username,name,role,email,course\nltdocent,Docent,teacher,d@x.nl,groep-a\n")
    (tmp_path / "lti" / "hub.json").write_text(f'{{"roster": "{tmp_path / "roster.csv"}"}}')
    return tmp_path


def config_of(state):
    from leerplein.lti.config import load

    return load(state)


def launch_claims(platform, context="ctx-a", roles=(LEARNER,), sub="u-1", number="1234567", target=None):
    user = {"sub": sub, "name": "Anna de Vries", "email": "anna@example.nl", "org_defined_id": number}
    return platform.claims(user, context, list(roles), target or "http://localhost/hub/user-redirect/leerplein/opdracht/01-armoede-zien", "n")


def test_lti_yml_mistakes_get_a_dutch_message(platform):
    with pytest.raises(LtiError, match="'cursussen:' ontbreekt"):
        parse_config(platform.lti_yml({}).replace("cursussen:\n", ""))
    with pytest.raises(LtiError, match="'token_url' ontbreekt"):
        parse_config(platform.lti_yml({"c": "g"}).replace("  token_url:", "  x:"))
    with pytest.raises(LtiError, match="voorvoegsel"):
        parse_config(platform.lti_yml({"c": "g"}, prefix="9x"))
    config = parse_config(platform.lti_yml({"ctx-a": "groep-a"}))
    assert config.cohort("ctx-a") == "groep-a" and config.token_audience == f"{platform.url}/token"


def test_a_launch_gives_cohort_role_and_page(state, platform):
    config = config_of(state)
    launch = read_launch(config, launch_claims(platform))
    assert (launch.role, launch.cohort, launch.student_number) == ("student", "groep-a", "1234567")
    assert launch.target == "/hub/user-redirect/leerplein/opdracht/01-armoede-zien"
    assert read_launch(config, launch_claims(platform, roles=(INSTRUCTOR,))).role == "teacher"
    # the page is only ever a path on the hub, never another site or another part of the hub
    assert read_launch(config, launch_claims(platform, target="https://evil.example/x")).target == "/hub/"
    assert read_launch(config, launch_claims(
        platform, target="http://localhost/hub/user-redirect/leerplein/../../api/users")).target == "/hub/"


def test_launches_that_do_not_fit_are_refused_in_dutch(state, platform):
    config = config_of(state)
    with pytest.raises(LtiError, match="niet gekoppeld aan een groep"):
        read_launch(config, launch_claims(platform, context="ctx-onbekend"))
    with pytest.raises(LtiError, match="rol in deze cursus"):
        read_launch(config, launch_claims(platform, roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Guest",)))
    claims = launch_claims(platform)
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "other"
    with pytest.raises(LtiError, match="niet bekend bij Leerplein"):
        read_launch(config, claims)


def test_usernames_come_from_the_student_number_and_stay_linked(state, platform):
    config = config_of(state)
    launch = read_launch(config, launch_claims(platform))
    assert choose_username(state, config, launch, {}) == "lt1234567"
    link(state, launch, "lt1234567")
    # a new student number in the LMS later does not make her someone else
    moved = read_launch(config, launch_claims(platform, number="999"))
    assert choose_username(state, config, moved, {}) == "lt1234567"
    # someone else whose number gives the same name is refused, not merged
    other = read_launch(config, launch_claims(platform, sub="u-2"))
    with pytest.raises(LtiError, match="al iemand anders"):
        choose_username(state, config, other, {})
    # a roster row with her e-mail address (written by the admin) is hers
    third = read_launch(config, launch_claims(platform, sub="u-3", number="3"))
    assert choose_username(state, config, third, {"ltanna": {"email": "ANNA@example.nl"}}) == "ltanna"


def test_an_account_of_the_machine_is_never_handed_to_an_lms_user(state, platform):
    """Probe: prefix "s" + student number "ync" would be the system user `sync`."""
    config = parse_config(platform.lti_yml({"ctx-a": "groep-a"}, prefix="s"))
    launch = read_launch(config, launch_claims(platform, number="YNC"))
    with pytest.raises(LtiError, match="al in gebruik op de server"):
        choose_username(state, config, launch, {})


def test_a_nonce_is_accepted_once(state):
    assert use_nonce(state, "abc") and not use_nonce(state, "abc") and use_nonce(state, "def")
    assert stat.S_IMODE(os.stat(state / "lti" / "nonces.json").st_mode) == 0o600


def test_the_tool_key_is_root_only_and_only_its_public_half_is_served(state):
    path = ensure_key(state)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE((state / "lti").stat().st_mode) == 0o700
    key = public_jwks(state)["keys"][0]
    assert key["kty"] == "RSA" and key["kid"] and not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert ensure_key(state).read_bytes() == path.read_bytes()  # made once


def test_scores_arrive_exactly_once_also_when_the_platform_was_down(state, platform):
    ensure_key(state)
    platform.tool_jwks = public_jwks(state)
    config = config_of(state)
    services = {"ctx-a": {"lineitems": f"{platform.url}/ags/ctx-a/lineitems"}}
    (state / "lti" / "diensten.json").write_text(__import__("json").dumps(services))
    first = outbox.enqueue(state, "ctx-a", "lt1", "u-1", "01-armoede-zien", "Leerplein: 1", 7.0, 10.0)
    assert first and outbox.enqueue(state, "ctx-a", "lt1", "u-1", "01-armoede-zien", "Leerplein: 1", 7.0, 10.0) is None
    platform.down = True
    assert send(state, config)["mislukt"] == 1 and platform.scores == []
    assert [i.status for i in outbox.items(state)] == ["wacht"] and outbox.items(state)[0].attempts == 1
    platform.down = False
    assert send(state, config)["verstuurd"] == 1
    assert send(state, config)["verstuurd"] == 0
    got = platform.scores_for("u-1", "01-armoede-zien")
    assert len(got) == 1 and (got[0]["scoreGiven"], got[0]["scoreMaximum"]) == (7.0, 10.0)
    assert got[0]["gradingProgress"] == "FullyGraded"
    # a regrade is a new version; back to the first grade is one more, not "already sent"
    assert outbox.enqueue(state, "ctx-a", "lt1", "u-1", "01-armoede-zien", "Leerplein: 1", 8.0, 10.0)
    assert outbox.enqueue(state, "ctx-a", "lt1", "u-1", "01-armoede-zien", "Leerplein: 1", 7.0, 10.0)
    result = send(state, config)
    assert (result["verstuurd"], result["vervangen"]) == (1, 1)  # only the newest goes out
    assert [s["scoreGiven"] for s in platform.scores_for("u-1")] == [7.0, 7.0]
    assert len(platform.lineitems) == 1  # the line item is found again, not made twice
    assert stat.S_IMODE((state / "lti" / "outbox.sqlite").stat().st_mode) == 0o600


def test_nrps_plans_adds_and_removals(state, platform):
    from leerplein.lti import nrps

    ensure_key(state)
    platform.tool_jwks = public_jwks(state)
    config = config_of(state)
    (state / "lti" / "diensten.json").write_text(
        __import__("json").dumps({"ctx-a": {"memberships": f"{platform.url}/nrps/ctx-a"}}))
    platform.members["ctx-a"] = [
        {"user_id": "u-1", "name": "Anna", "email": "anna@x.nl", "lis_person_sourcedid": "111", "roles": [LEARNER]},
        {"user_id": "u-2", "name": "Bob", "email": "bob@x.nl", "lis_person_sourcedid": "222", "roles": [LEARNER]},
        {"user_id": "u-9", "name": "Docent", "email": "d@x.nl", "roles": [INSTRUCTOR]},
        {"user_id": "u-3", "name": "Weg", "roles": [LEARNER], "status": "Inactive"}]
    found, problems = nrps.fetch_all(state, config)
    assert problems == [] and len(found["ctx-a"]) == 3  # two pages, the inactive one left out
    plan = nrps.plan(state, config, found)
    assert sorted(r["username"] for r in plan.add) == ["lt111", "lt222"]  # the docent matched her e-mail row
    assert "Erbij: lt111 (Anna, student, groep groep-a)" in plan.dutch()
    # someone who came from the LMS and left it is removed; a row the admin wrote stays
    read = read_launch(config, launch_claims(platform, sub="u-7", number="777"))
    link(state, read, "lt777", added=True)
    (state / "roster.csv").write_text((state / "roster.csv").read_text() + "lt777,Weg,student,,groep-a\n"
                                      "lt888,Zelf,student,,groep-a\n")
    link(state, read_launch(config, launch_claims(platform, sub="u-8", number="888")), "lt888")  # the admin's row
    plan = nrps.plan(state, config, found)
    assert plan.remove == ["lt777"] and "Eraf: lt777" in plan.dutch()
    platform.down = True
    found, problems = nrps.fetch_all(state, config)
    assert found == {} and "gaf de ledenlijst niet" in problems[0]
    assert nrps.plan(state, config, found).empty  # an unreachable LMS removes nobody


def test_only_graded_work_is_scored_and_the_course_result_waits_for_everything():
    from leerplein.course.results.progress import AssignmentProgress, Rules, StudentProgress
    from leerplein.lti.passback import scores_of

    rules = Rules({"a": 0.55, "b": 0.55}, 0.0, 0, {})
    graded = AssignmentProgress("a", "Eén", "nagekeken", 7.0, 10.0, 5.5, True)
    waiting = AssignmentProgress("b", "Twee", "ingeleverd", 0.0, 10.0, 5.5, True)
    scores = scores_of(StudentProgress("lt1", [graded, waiting], 0, rules))
    assert scores == [("a", "Leerplein: Eén (punten)", 7.0, 10.0), ("a:gehaald", "Leerplein: Eén (gehaald)", 1.0, 1.0)]
    done = AssignmentProgress("b", "Twee", "nagekeken", 4.0, 10.0, 5.5, True)
    scores = scores_of(StudentProgress("lt1", [graded, done], 0, rules))
    assert ("b:gehaald", "Leerplein: Twee (gehaald)", 0.0, 1.0) in scores
    assert scores[-1] == ("leerplein-geslaagd", "Leerplein: cursus gehaald", 0.0, 1.0)  # b is below its cesuur


def test_a_display_name_from_the_lms_cannot_become_a_spreadsheet_formula(state, platform):
    """Probe: some LMSes let a student pick her display name; it goes into roster.csv."""
    claims = launch_claims(platform)
    claims["name"] = '=HYPERLINK("http://evil.example","Anna")'
    claims["email"] = "@SUM(1+1)\nanna@example.nl"
    launch = read_launch(config_of(state), claims)
    assert not launch.name.startswith(("=", "+", "-", "@")) and "\n" not in launch.email
    assert not launch.email.startswith("@")
