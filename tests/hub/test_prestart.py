"""`leerplein hub prestart`: a group's servers are started before the session, so everyone who
logs in on the hour lands in a running server; other courses are left alone. Students' servers
are the lighter ones (no terminal)."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import requests

from hub_helpers import hub_start, leerplein, port_for, reachable_base, stop_course_hub
from hub_helpers import user_url

from leerplein.hub.prestart import PrestartError, start_time

GROUP_A, GROUP_B = ["lpwanna", "lpwbram"], ["lpwcees"]


def test_start_time_is_the_lead_before_the_session_and_refuses_nonsense():
    now = datetime(2026, 11, 24, 13, 0)
    assert start_time("14:00", 10, now) == datetime(2026, 11, 24, 13, 50)
    assert start_time("2026-11-25 09:30", 15, now) == datetime(2026, 11, 25, 9, 15)
    assert start_time("13:05", 10, now) == now  # less than the lead away: start now
    for bad, lead in (("12:00", 10), ("vanmiddag", 10), ("14:00", 90)):
        with pytest.raises(PrestartError):
            start_time(bad, lead, now)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")
def test_prestart_starts_one_course_and_its_students_find_their_server_running(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "prestart")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n" + "".join(f"{s},{s},student,groep-a\n" for s in GROUP_A)
                      + "".join(f"{s},{s},student,groep-b\n" for s in GROUP_B))
    state, port = base / "state", port_for(7)
    proc = hub_start(roster, state, port)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hub = {"url": f"http://localhost:{port}", "state": state, "users": [*GROUP_A, *GROUP_B]}
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    try:
        done = leerplein("hub", "prestart", "--course", "groep-a", "--state-dir", str(state))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "2 of 2 servers ready" in done.stdout

        def running(user):
            info = requests.get(f"{hub['url']}/hub/api/users/{user}", headers=admin, timeout=10).json()
            return bool(info["servers"].get("", {}).get("ready"))

        assert all(running(u) for u in GROUP_A) and not running(GROUP_B[0])
        again = leerplein("hub", "prestart", "--course", "groep-a", "--state-dir", str(state))
        assert again.returncode == 0 and "2 were already running" in again.stdout, again.stdout + again.stderr

        unknown = leerplein("hub", "prestart", "--course", "groep-z", "--state-dir", str(state))
        assert unknown.returncode == 2 and "groep-a, groep-b" in unknown.stderr

        # the student's server is the light one: no terminal for a student
        token = requests.post(f"{hub['url']}/hub/api/users/{GROUP_A[0]}/tokens", headers=admin, json={},
                              timeout=10).json()["token"]
        terminal = requests.post(f"{user_url(hub, GROUP_A[0])}/api/terminals",
                                 headers={"Authorization": f"token {token}"}, timeout=10)
        assert terminal.status_code == 404
        status = requests.get(f"{user_url(hub, GROUP_A[0])}/leerplein/", headers={"Authorization": f"token {token}"},
                              timeout=30)
        assert status.status_code == 200 and "Mijn opdrachten" in status.text
    finally:
        stop_course_hub(hub)
    assert leerplein("hub", "prestart", "--state-dir", str(state)).returncode == 2  # no hub: a clear refusal
