"""Finding and ending a hub's processes without control groups (the fallback on machines
without cgroups): the marker in the environment, not the process tree, decides."""

from __future__ import annotations

import os
import subprocess
import time

from leerplein.hub import limits


def test_without_cgroups_stop_finds_the_hubs_processes_by_their_marker(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CGROUP_ROOT", tmp_path / "geen-cgroups")
    assert limits.backend() is None
    hub = limits.hub_id(tmp_path / "state")
    marked = {**os.environ, limits.HUB_ID_ENV: hub}
    # a detached child of a child, as a user's background job would be
    ours = subprocess.Popen(["setsid", "sh", "-c", "sleep 120 & sleep 120"], env=marked, start_new_session=True)
    other = subprocess.Popen(["sleep", "120"], env={**os.environ, limits.HUB_ID_ENV: "leerplein-andere"})
    try:
        for _ in range(50):
            if len(limits.marked_pids(hub)) >= 2:
                break
            time.sleep(0.1)
        found = limits.marked_pids(hub)
        assert len(found) >= 2 and other.pid not in found
        assert sorted(limits.end_all(hub, timeout=5)) == sorted(found)
        assert limits.marked_pids(hub) == set()
        assert other.poll() is None  # another hub's process is left alone
    finally:
        other.kill()
        ours.kill()
