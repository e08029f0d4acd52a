"""Helpers for tests against a real hub: start one with `leerplein hub start` as an institute
would, log in, get a user's server and token, run code in the user's own kernel, act as a
user on the command line (runuser)."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import ROOT

A = "01-armoede-zien"
_getaddrinfo = socket.getaddrinfo


def _localhost_names(host, *args, **kwargs):
    """Browsers resolve every *.localhost name to this machine; the hub puts each user's server
    and each service on one (alice.localhost). Do the same in this test process only, instead of
    editing the machine's /etc/hosts."""
    if isinstance(host, (str, bytes)):
        name = host.decode() if isinstance(host, bytes) else host
        if name.lower().rstrip(".").endswith(".localhost"):
            host = "localhost"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _localhost_names


def _single_origin(hub: dict) -> bool:
    """A hub on an IP address has no subdomains: everything on one origin (Leerplein before
    issue 22; kept so that a test can be run against that code to see it fail)."""
    return hub["url"].split("://", 1)[1].split(":")[0].replace(".", "").isdigit()


def user_url(hub: dict, user: str) -> str:
    """The user's own server, on its own origin: http://<user>.localhost:<port>/user/<user>."""
    scheme, host = hub["url"].split("://", 1)
    return f"{hub['url']}/user/{user}" if _single_origin(hub) else f"{scheme}://{user}.{host}/user/{user}"


def service_url(hub: dict, name: str) -> str:
    """A hub service on its own origin: http://<name>--service.localhost:<port>/services/<name>."""
    scheme, host = hub["url"].split("://", 1)
    return f"{hub['url']}/services/{name}" if _single_origin(hub) else \
        f"{scheme}://{name}--service.{host}/services/{name}"


def leerplein(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "leerplein.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=kwargs.pop("timeout", 180), **kwargs)


def reachable_base(tmp_path_factory, name: str) -> Path:
    """A folder every user can reach (the hub's exchange and state live in it). Not under
    pytest's own temp root: pytest makes /tmp/pytest-of-root private again whenever another
    pytest session starts, which would cut the students off in the middle of a run."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix=f"leerplein-{name}-", dir="/tmp"))
    os.chmod(base, 0o755)
    return base


def write_roster(base: Path, teachers: list[str], students: list[str]) -> Path:
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n" + "".join(f"{t},Docent {t},teacher,leerplein\n" for t in teachers)
                      + "".join(f"{s},Student {s},student,leerplein\n" for s in students))
    return roster


def port_for(offset: int) -> int:
    """A hub uses its port and the next four (hub API, proxy API, grading, Peiling). Each pytest
    process (and each xdist worker, gw0, gw1, …) gets its own range of 64 ports."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    return 9000 + ((os.getpid() % 75) + 75 * (worker % 4)) * 64 + offset * 6


def as_background_job():
    """What a shell script's `command &` does to a program: it ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def hub_start(roster: Path, state: Path, port: int, *extra: str):
    """Started as an institute's start-up script would, in the background (SIGINT ignored)."""
    args = ["hub", "start", "--roster", str(roster), "--port", str(port), "--state-dir", str(state), *extra]
    proc = leerplein(*args, preexec_fn=as_background_job)
    if proc.returncode == 2 and "chmod o+x" in proc.stderr:
        # this machine keeps Python under /root: follow the message, as an institute admin would
        os.chmod(re.search(r"chmod o\+x (\S+)", proc.stderr).group(1), 0o711)
        proc = leerplein(*args, preexec_fn=as_background_job)
    return proc


def start_course_hub(base: Path, teachers: list[str], students: list[str], port: int, *extra: str) -> dict:
    """A running hub with the course initialised and assignment A released."""
    roster = write_roster(base, teachers, students)
    state = base / "state"
    proc = hub_start(roster, state, port, *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    course = ["--course-dir", str(state / "course"), "--exchange", str(state / "exchange")]
    init = leerplein("course", "init", *course, "--roster", str(roster))
    assert init.returncode == 0, init.stdout + init.stderr
    released = leerplein("course", "release", A, *course)
    assert released.returncode == 0, released.stdout + released.stderr
    passwords = {r["username"]: r["password"] for r in csv.DictReader((state / "initial-passwords.csv").open())}
    admin = {"Authorization": f"token {(state / 'admin-token').read_text().strip()}"}
    return {"url": url, "state": state, "course": course, "passwords": passwords, "admin": admin, "roster": roster,
            "start_output": proc.stdout + proc.stderr, "users": [*teachers, *students]}


def stop_course_hub(hub: dict) -> None:
    stopped = leerplein("hub", "stop", "--state-dir", str(hub["state"]))
    assert "Stopped" in stopped.stdout, stopped.stdout + stopped.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(hub["url"], timeout=3)
    remove_users(hub["users"])


def remove_users(users: list[str]) -> None:
    for user in users:
        subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        subprocess.run(["userdel", "-r", user], capture_output=True)


def login(hub, user, password=None) -> requests.Session:
    s = requests.Session()
    s.get(f"{hub['url']}/hub/login")
    r = s.post(f"{hub['url']}/hub/login", allow_redirects=False,
               data={"username": user, "password": password or hub["passwords"][user], "_xsrf": s.cookies.get("_xsrf")})
    assert r.status_code == 302 or password, r.text[:500]
    s.login_status = r.status_code
    return s


def server_token(hub, user) -> dict:
    requests.post(f"{hub['url']}/hub/api/users/{user}/server", headers=hub["admin"])
    for _ in range(120):
        info = requests.get(f"{hub['url']}/hub/api/users/{user}", headers=hub["admin"]).json()
        if info.get("servers", {}).get("", {}).get("ready"):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"no server for {user}")
    token = requests.post(f"{hub['url']}/hub/api/users/{user}/tokens", headers=hub["admin"], json={"note": "test"})
    return {"Authorization": f"token {token.json()['token']}"}


def restart_server(hub, user) -> dict:
    """Stop the user's server (also when it died) and start a new one; returns a new token."""
    requests.delete(f"{hub['url']}/hub/api/users/{user}/server", headers=hub["admin"])
    for _ in range(120):
        info = requests.get(f"{hub['url']}/hub/api/users/{user}", headers=hub["admin"]).json()
        if not info.get("servers"):
            break
        time.sleep(0.5)
    return server_token(hub, user)


def action(hub, user, headers, name) -> dict:
    r = requests.post(f"{user_url(hub, user)}/assignments/{name}", headers=headers,
                      data={"course_id": "leerplein", "assignment_id": A})
    assert r.status_code == 200 and r.json()["success"], r.text[:1000]
    return r.json()


def answer(hub, user, headers, reflection: str, check_1: str = "C") -> None:
    """Fill in the fetched notebook through the user's server, as JupyterLab saves it."""
    nb_url = f"{user_url(hub, user)}/api/contents/{A}/{A}.ipynb"
    nb = requests.get(nb_url, headers=headers).json()["content"]
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and cell["source"].startswith("antwoord_1"):
            cell["source"] = f"antwoord_1 = {check_1!r}"
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "reflectie-1":
            cell["source"] = reflection
    assert requests.put(nb_url, headers=headers, json={"type": "notebook", "format": "json", "content": nb}).ok


def execute(hub, user, headers, kernel_id: str, code: str, timeout: float = 60) -> dict:
    """Execute code in a running kernel of the user's own server, as her notebook would.
    Returns {"status", "stdout", "error"}."""
    import websocket

    base = user_url(hub, user)
    ws = websocket.create_connection(f"{base.replace('http', 'ws')}/api/kernels/{kernel_id}/channels",
                                     header=[f"Authorization: {headers['Authorization']}"], timeout=timeout)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                                   "session": uuid.uuid4().hex, "version": "5.3"},
                        "parent_header": {}, "metadata": {}, "channel": "shell",
                        "content": {"code": code, "silent": False, "store_history": False}}))
    out, error, status, idle = [], "", None, False
    deadline = time.monotonic() + timeout
    try:
        # output and "idle" come on iopub, the reply on shell: no order between the two channels,
        # so the reply can arrive before the printed output. Wait for both.
        while time.monotonic() < deadline and not (status and idle):
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg.get("msg_type")
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
            elif kind == "execute_reply":
                status = msg["content"]["status"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
    except websocket.WebSocketConnectionClosedException:
        status = status or "dead"
    finally:
        ws.close()
    return {"status": status, "stdout": "".join(out), "error": error}


def run_code(hub, user, headers, code: str, timeout: float = 60) -> dict:
    """Execute code in a new kernel of the user's own server; the kernel is shut down afterwards."""
    base = user_url(hub, user)
    kernel = requests.post(f"{base}/api/kernels", headers=headers, json={"name": "python3"}).json()
    try:
        return execute(hub, user, headers, kernel["id"], code, timeout)
    finally:
        requests.delete(f"{base}/api/kernels/{kernel['id']}", headers=headers)


def as_user(user: str, *cmd: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command as the student (a shell in her JupyterLab terminal would do the same)."""
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True,
                          timeout=kwargs.pop("timeout", 60), **kwargs)



def post_in_page(page, url: str, fields: dict) -> tuple[int, str]:
    """Post a hand-made form from the page the browser is on (same origin, her own cookies), as a
    forger with her own browser would; returns (status, text of the answer). Playwright's request
    API cannot be used here: it resolves names outside the browser, where *.localhost is unknown."""
    page.evaluate("""([url, fields]) => {
        const form = document.createElement('form');
        form.method = 'post'; form.action = url; form.id = 'hand-made';
        for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement('input');
            input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form);
    }""", [url, fields])
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.evaluate("() => document.getElementById('hand-made').submit()")
    page.wait_for_load_state("load")
    return answer.value.status, page.inner_text("body")
