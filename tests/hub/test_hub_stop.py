"""`leerplein hub stop` ends every process the hub started, also when the hub was started from
a background shell with nohup, and also what a student left running on purpose; `hub start`
refuses a port that a student's program holds."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT
from hub_helpers import hub_start, leerplein, port_for, reachable_base, remove_users, run_code, server_token, \
    write_roster
from leerplein.hub import limits

STUDENT = "lpzstop"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def hub_processes(state: Path, port: int) -> list[str]:
    """Processes that belong to this hub, found without its own records: by command line,
    environment marker and owner."""
    marker = f"{limits.HUB_ID_ENV}={limits.hub_id(state)}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            env = (proc / "environ").read_bytes().split(b"\0")
            owner = proc.stat().st_uid
        except OSError:
            continue
        from leerplein.identity import expected_uid

        if marker in env or str(state) in cmd or f":{port + 2}" in cmd or owner == expected_uid(STUDENT):
            found.append(f"{proc.name}: {cmd[:120]}")
    return found


def test_stop_after_a_nohup_start_ends_everything_even_what_a_student_detached(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "stop")
    roster = write_roster(base, [], [STUDENT])
    state, port = base / "state", port_for(2)
    try:
        hub_start(roster, state, port)  # once in the foreground: creates users, applies the chmod o+x advice
        assert leerplein("hub", "stop", "--state-dir", str(state)).returncode == 0
        log = base / "nohup.out"
        subprocess.run(["sh", "-c", f"nohup {ROOT}/.venv/bin/leerplein hub start --roster {roster} --port {port} "
                                    f"--state-dir {state} > {log} 2>&1 &"], cwd=ROOT, check=True)
        for _ in range(120):
            if log.exists() and "Leerplein hub:" in log.read_text():
                break
            time.sleep(0.5)
        assert "Leerplein hub:" in log.read_text(), log.read_text()[-2000:]
        url = f"http://localhost:{port}"  # users on its subdomains
        hub = {"url": url, "admin": {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}}
        def detach_a_job() -> None:
            headers = server_token(hub, STUDENT)
            left = run_code(hub, STUDENT, headers, "import subprocess\n"
                            "subprocess.Popen(['setsid', 'sh', '-c', 'sleep 600 & sleep 600'], start_new_session=True)\n"
                            "print('los')")
            assert left["stdout"].strip() == "los"
            assert subprocess.run(["pgrep", "-u", STUDENT, "sleep"], capture_output=True).returncode == 0

        # when her server stops (idle culler, logout, admin), what she left running stops with it
        detach_a_job()
        requests.delete(f"{url}/hub/api/users/{STUDENT}/server", headers=hub["admin"]).raise_for_status()
        for _ in range(240):  # a loaded machine: the server gets SIGINT, then SIGTERM, then SIGKILL
            user = requests.get(f"{url}/hub/api/users/{STUDENT}", headers=hub["admin"]).json()
            if not user.get("server") and not user.get("pending"):
                break
            time.sleep(0.25)
        for _ in range(50):
            if subprocess.run(["pgrep", "-u", STUDENT], capture_output=True).returncode != 0:
                break
            time.sleep(0.2)
        assert subprocess.run(["pgrep", "-u", STUDENT], capture_output=True).returncode != 0
        detach_a_job()
        assert hub_processes(state, port)

        stopped = leerplein("hub", "stop", "--state-dir", str(state))
        assert "Stopped" in stopped.stdout, stopped.stdout + stopped.stderr
        assert hub_processes(state, port) == []
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=3)
        hub_id = limits.hub_id(state)
        assert not any((limits.CGROUP_ROOT / c / hub_id).exists() for c in ("memory", "pids", "cpu", ""))

        # while the hub is down, the student's program takes the grading service's port
        squat = subprocess.Popen(["runuser", "-u", STUDENT, "--", "python3", "-c",
                                  f"import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                                  f"s.bind(('127.0.0.1', {port + 3})); "
                                  "s.listen(); time.sleep(60)"])
        try:
            for _ in range(50):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port + 3)) == 0:
                        break
                time.sleep(0.1)
            else:
                pytest.fail("the student's program could not take the port")
            refused = hub_start(roster, state, port)
            assert refused.returncode == 2
            assert re.search(rf"Port {port + 3} .* in use \(by {STUDENT}\)", refused.stderr), refused.stderr
        finally:
            squat.kill()
    finally:
        leerplein("hub", "stop", "--state-dir", str(state))
        remove_users([STUDENT])
