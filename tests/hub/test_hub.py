"""A real JupyterHub on 127.0.0.1 (configurable-http-proxy, PAM, real system users), started
and stopped by `leerplein hub start|stop`: the student and teacher cycle, isolation between
students, and launch links through nbgitpuller."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import ROOT
from hub_helpers import (A, action, answer, leerplein, login, port_for, reachable_base, server_token, start_course_hub,
                         stop_course_hub)
from hub_helpers import service_url, user_url

STUDENTS = ["lptanna", "lptbob"]
TEACHER = "lptdocent"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "hub")
    hub = start_course_hub(base, [TEACHER], STUDENTS, port_for(0))
    assert "initial-passwords.csv" in hub["start_output"] and "leerplein-grading" in hub["start_output"]
    yield hub
    stop_course_hub(hub)


def test_student_cycle_through_the_hub(hub):
    assert login(hub, STUDENTS[0], "fout-wachtwoord").login_status != 302
    student = login(hub, STUDENTS[0])
    headers = server_token(hub, STUDENTS[0])
    base = f"{user_url(hub, STUDENTS[0])}"
    # the server runs as the student's own system user, in Dutch
    assert requests.get(f"{base}/api/status", headers=headers).status_code == 200
    listed = requests.get(f"{base}/assignments", params={"course_id": "leerplein"}, headers=headers).json()
    assert [a["assignment_id"] for a in listed["value"]] == [A]
    action(hub, STUDENTS[0], headers, "fetch")
    answer(hub, STUDENTS[0], headers, "Mijn reflectie via de hub.")
    home = Path(pwd.getpwnam(STUDENTS[0]).pw_dir)
    assert (home / A / f"{A}.ipynb").stat().st_uid == pwd.getpwnam(STUDENTS[0]).pw_uid
    action(hub, STUDENTS[0], headers, "submit")

    # the teacher collects, autogrades and grades on the grading service
    for step in (("collect", A), ("autograde", A)):
        done = leerplein("course", *step, *hub["course"])
        assert done.returncode == 0, done.stdout + done.stderr
    teacher = login(hub, TEACHER)
    page = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{STUDENTS[0]}")
    assert page.status_code == 200 and "Mijn reflectie via de hub." in page.text
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", page.text).group(1)
    form = {"question": "reflectie-1", "comment": "Goed begin.", "_xsrf": xsrf,
            "reflectie-1:signalen": "goed", "reflectie-1:schaamte": "voldoende"}
    saved = teacher.post(page.url, data=form)
    assert "reflectie-1 krijgt 5 punten" in saved.text
    saved = teacher.post(page.url, data={"_xsrf": xsrf, "reflectie-2:niveaus": "voldoende",
                                         "reflectie-2:gesprek": "voldoende", "reflectie-2:ontmoetingen": "bijna"})
    assert "reflectie-2 krijgt 5 punten" in saved.text  # fully graded: her feedback may go out
    assert student.get(f"{service_url(hub, 'leerplein-grading')}/").status_code == 403

    released = leerplein("course", "feedback", A, *hub["course"])
    assert released.returncode == 0 and "Released" in released.stdout, released.stdout + released.stderr
    action(hub, STUDENTS[0], headers, "fetch_feedback")
    feedback = next((home / A / "feedback").rglob("*.html")).read_text()
    assert "Goed begin." in feedback and "HIDDEN" not in feedback and "goed=" not in feedback


def test_students_are_isolated(hub):
    anna, bob = STUDENTS
    server_token(hub, anna)
    bob_headers = server_token(hub, bob)
    bob_session = login(hub, bob)
    as_bob = ["runuser", "-u", bob, "--"]
    home = pwd.getpwnam(anna).pw_dir
    assert subprocess.run([*as_bob, "ls", home], capture_output=True).returncode != 0
    inbound = hub["state"] / "exchange" / "leerplein" / "inbound"
    assert subprocess.run([*as_bob, "ls", str(inbound)], capture_output=True).returncode != 0
    submitted = hub["state"] / "course" / "submitted"
    assert subprocess.run([*as_bob, "ls", str(submitted)], capture_output=True).returncode != 0
    assert subprocess.run([*as_bob, "cat", str(hub["state"] / "course" / "gradebook.db")],
                          capture_output=True).returncode != 0
    # Bob's token opens neither Anna's server, the admin API, nor the grading service
    assert requests.get(f"{user_url(hub, anna)}/api/contents", headers=bob_headers,
                        allow_redirects=False).status_code in (302, 403)
    assert requests.get(f"{hub['url']}/hub/api/users", headers=bob_headers).status_code == 403
    assert bob_session.get(f"{service_url(hub, 'leerplein-grading')}/").status_code == 403
    # submitting as Anna: the exchange records Bob as the owner, and collect refuses it
    action(hub, bob, bob_headers, "fetch")
    forged = subprocess.run([*as_bob, sys.executable, "-m", "nbgrader", "submit", A, "--course=leerplein",
                             f"--student={anna}", f"--Exchange.root={hub['state'] / 'exchange'}",
                             # nbgrader's own submit demands a writable exchange root, which students no
                             # longer get; Leerplein's class (what her JupyterLab uses) lets her try
                             "--ExchangeFactory.submit=leerplein.course.intake.nbgrader_exchange.PrivateSubmit"],
                            cwd=pwd.getpwnam(bob).pw_dir, capture_output=True, text=True)
    assert forged.returncode == 0, forged.stderr[-1000:]
    collected = leerplein("course", "collect", A, *hub["course"])
    assert "rejected" in collected.stdout and bob in collected.stdout, collected.stdout + collected.stderr


def test_launch_link_pulls_and_keeps_student_edits(hub):
    user = STUDENTS[1]
    headers = server_token(hub, user)
    repo = f"file://{ROOT}"
    branch = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    query = urllib.parse.urlencode({"repo": repo, "branch": branch})

    def pull():
        r = requests.get(f"{user_url(hub, user)}/git-pull/api?{query}", headers=headers, timeout=120)
        assert r.status_code == 200 and '"phase": "finished"' in r.text, r.text[-1500:]

    pull()
    page = Path(pwd.getpwnam(user).pw_dir) / ROOT.name / "modules" / A / "doe-rondkomen.md"
    assert page.is_file() and page.stat().st_uid == pwd.getpwnam(user).pw_uid
    subprocess.run(["runuser", "-u", user, "--", "sh", "-c", f"echo 'Mijn notitie' >> '{page}'"], check=True)
    pull()
    assert page.read_text().rstrip().endswith("Mijn notitie")
    from leerplein.hub.links import launch_url

    link = launch_url(hub["url"], repo, branch, f"modules/{A}/doe-rondkomen.md")
    r = login(hub, user).get(link, allow_redirects=False)
    target = urllib.parse.unquote(urllib.parse.unquote(r.headers["location"]))
    assert r.status_code in (302, 303) and f"/user/{user}/git-pull?repo={repo}" in target
    assert f"urlpath=lab/tree/{ROOT.name}/modules/{A}/doe-rondkomen.md" in target
