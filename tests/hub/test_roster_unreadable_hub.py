"""On a real hub (one machine: the same grading service and the same LEERPLEIN_PEOPLE_FILE the
Kubernetes grading pod reads), a teacher whose roster file has gone missing or is broken gets a
Dutch message on the Werkplek and the grading page, no student and no traceback; once the file is
back she sees her students again. (tests/hub/test_kubernetes_cohorts.py does the same in-process
with the grading pod's own environment.)"""

from __future__ import annotations

import os

import pytest

from hub_helpers import (leerplein, login, port_for, reachable_base, remove_users, service_url, start_course_hub,
                         stop_course_hub)
from leerplein.course.cohorts import PEOPLE_UNREADABLE

TEACHER, ANNA = "hkdocent", "hkanna"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "roster-unreadable")
    remove_users([TEACHER, ANNA])  # left over from an interrupted run
    for attempt in range(3):  # on a loaded machine the hub may miss `hub start`'s 60 s: wait and start again
        try:
            hub = start_course_hub(base, [TEACHER], [ANNA], port_for(52))
            break
        except AssertionError as err:
            leerplein("hub", "stop", "--state-dir", str(base / "state"))
            if "did not come up" not in str(err) or attempt == 2:
                remove_users([TEACHER, ANNA])
                raise
    yield hub
    stop_course_hub(hub)


def test_a_broken_roster_file_gives_the_teacher_a_dutch_message(hub):
    people = hub["state"] / "people.json"
    good = people.read_text(encoding="utf-8")
    teacher = login(hub, TEACHER)
    werkplek = f"{service_url(hub, 'leerplein-grading')}/werkplek/voortgang"
    grading = f"{service_url(hub, 'leerplein-grading')}/"
    assert teacher.get(werkplek).status_code == 200 and "Student hkanna" in teacher.get(werkplek).text
    try:
        for broken in ("missing", '{"hkdocent": ', "[]"):
            people.unlink(missing_ok=True)
            if broken != "missing":
                people.write_text(broken)
            for url in (werkplek, grading):
                page = teacher.get(url)
                assert page.status_code == 503, (broken, url, page.status_code)
                assert PEOPLE_UNREADABLE in page.text and "Student hkanna" not in page.text
                assert "Traceback" not in page.text
    finally:
        people.write_text(good)
        os.chmod(people, 0o600)
    assert "Student hkanna" in teacher.get(werkplek).text
