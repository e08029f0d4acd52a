"""kill -9 during a session: first the hub, then the proxy. A student's server and her running
kernel (with its variables) survive, she can still hand in, and nothing handed in is lost."""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests

from hub_helpers import (A, action, answer, hub_start, leerplein, port_for, reachable_base, server_token,
                         start_course_hub, stop_course_hub)
from hub_helpers import execute, user_url

STUDENT, TEACHER = "lprjan", "lprdocent"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "restarts")
    hub = start_course_hub(base, [TEACHER], [STUDENT], port_for(6))
    hub["port"] = port_for(6)
    yield hub
    stop_course_hub(hub)


class Kernel:
    """A kernel of the student's own server that stays up between calls."""

    def __init__(self, hub, headers):
        self.hub, self.headers = hub, headers
        self.id = requests.post(f"{user_url(hub, STUDENT)}/api/kernels", headers=headers,
                                json={"name": "python3"}).json()["id"]

    def run(self, code: str, timeout: float = 60) -> str:
        result = execute(self.hub, STUDENT, self.headers, self.id, code, timeout)
        return result["stdout"] + result["error"]


def wait_until(check, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def test_kill_9_of_the_hub_and_of_the_proxy_loses_nothing(hub):
    headers = server_token(hub, STUDENT)
    action(hub, STUDENT, headers, "fetch")
    answer(hub, STUDENT, headers, "Voor de crash geschreven.")
    action(hub, STUDENT, headers, "submit")
    kernel = Kernel(hub, headers)
    assert kernel.run("x = 41\nprint('klaar')").strip() == "klaar"

    # 1. the hub dies hard; the institute starts it again with the same command
    os.kill(int((hub["state"] / "jupyterhub.pid").read_text()), signal.SIGKILL)
    time.sleep(1)
    again = hub_start(hub["roster"], hub["state"], hub["port"])
    assert again.returncode == 0, again.stdout + again.stderr
    status = f"{user_url(hub, STUDENT)}/api/status"
    assert wait_until(lambda: requests.get(status, headers=headers).status_code == 200), "her server is gone"
    assert kernel.run("print(x + 1)").strip() == "42", "her kernel lost its state"
    answer(hub, STUDENT, headers, "Na de crash van de hub geschreven.")
    action(hub, STUDENT, headers, "submit")

    # 2. the proxy dies hard; the hub notices and starts a new one with every route
    os.kill(int((hub["state"] / "jupyterhub-proxy.pid").read_text()), signal.SIGKILL)
    assert wait_until(lambda: requests.get(status, headers=headers, timeout=3).status_code == 200), "no proxy again"
    assert kernel.run("print(x + 2)").strip() == "43"
    answer(hub, STUDENT, headers, "Na de crash van de proxy geschreven.")
    action(hub, STUDENT, headers, "submit")

    # nothing handed in is lost: all three submissions are in the exchange, the last one collected
    inbound = sorted((hub["state"] / "exchange" / "leerplein" / "inbound").glob(f"{STUDENT}+{A}+*"))
    assert len(inbound) == 3
    collected = leerplein("course", "collect", A, *hub["course"])
    assert collected.returncode == 0, collected.stdout + collected.stderr
    submitted = (hub["state"] / "course" / "submitted" / STUDENT / A / f"{A}.ipynb").read_text()
    assert "Na de crash van de proxy geschreven." in submitted
