"""Probe (session 9, H1): after a hub crash its address file stays while its port is free. A
student's program that takes the port must not receive the hub's admin token when a teacher
resets a password (`end_sessions_on_hub`): the reset is remembered for the hub's next start
instead. Control: with root listening there, the request is sent."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from leerplein.accounts.sessions import PENDING, end_sessions_on_hub
from leerplein.hub.prestart import HUB_URL_FILE

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a listener of another uid needs root to start")

LISTENER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("ready", flush=True)
c, _ = s.accept(); c.settimeout(5)
data = b""
try:
    while b"\\r\\n\\r\\n" not in data:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
c.sendall(b"HTTP/1.1 204 No Content\\r\\nContent-Length: 0\\r\\n\\r\\n"); c.close()
print(data.decode("latin-1"), flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listen_as(uid: int, port: int) -> subprocess.Popen:
    """A listener (as `uid`) that prints the first request it gets."""
    cmd = [sys.executable, "-c", LISTENER, str(port)]
    if uid:
        cmd = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def state_with_token(tmp_path, port: int):
    state = tmp_path / "state"
    state.mkdir()
    (state / HUB_URL_FILE).write_text(f"http://127.0.0.1:{port}/")
    (state / "admin-token").write_text("geheim-admin-token")
    return state


@pytest.mark.parametrize("uid, sent", [(65534, False), (0, True)])
def test_the_admin_token_goes_only_to_a_port_root_listens_on(tmp_path, uid, sent):
    port = free_port()
    state = state_with_token(tmp_path, port)
    proc = listen_as(uid, port)
    try:
        problems = end_sessions_on_hub(state, ["hqanna"], timeout=5)
        if not sent:
            time.sleep(0.5)
            proc.kill()
            got = proc.communicate(timeout=10)[0]
            assert "geheim-admin-token" not in got and "sessies-beeindigen" not in got, got  # the probe
            assert json.loads((state / "accounts" / PENDING).read_text()) == ["hqanna"]  # ended at the next start
            assert problems == []
        else:  # control: root's hub there gets the request
            got = proc.communicate(timeout=10)[0]
            assert "geheim-admin-token" in got and "/hub/api/leerplein/sessies-beeindigen/hqanna" in got, got
            assert problems == [] and not (state / "accounts" / PENDING).exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
