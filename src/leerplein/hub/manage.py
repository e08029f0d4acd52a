"""Start and stop the one-machine hub in the background (`leerplein hub start|stop`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from leerplein.hub.settings import HubError, HubSettings, prepare, python_reachable_by_others


def pid_file(state_dir: Path) -> Path:
    return state_dir / "jupyterhub.pid"


def start_hub(settings: HubSettings, timeout: float = 60) -> str:
    state = Path(settings.state_dir)
    if os.geteuid() == 0:
        blocked = python_reachable_by_others()
        if blocked:
            raise HubError(
                f"Students' servers run as their own system users, but they cannot enter {blocked}, where "
                f"Python is installed. Install Python somewhere users can reach (e.g. /usr or /opt), or allow "
                f"entering (not listing) that folder: chmod o+x {blocked}")
    running = pid_file(state)
    if running.exists() and _alive(int(running.read_text())):
        raise HubError(f"A hub is already running (pid {running.read_text()}); stop it with `leerplein hub stop`.")
    prepare(settings)
    log = (state / "jupyterhub.log").open("a")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(Path(settings.root) / "hub" / "jupyterhub_config.py")],
        cwd=state, env={**os.environ, "LEERPLEIN_HUB_SETTINGS": settings.to_env()},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    running.write_text(str(proc.pid))
    url = f"http://127.0.0.1:{settings.port}/"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}hub/api/", timeout=2)
            return url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (state / "jupyterhub.log").read_text(errors="replace")[-2000:]
                stop_hub(state)
                raise HubError(f"JupyterHub did not come up. The end of {state / 'jupyterhub.log'}:\n{tail}")
            time.sleep(0.5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def stop_hub(state: Path, timeout: float = 30) -> bool:
    running = pid_file(state)
    if not running.exists():
        return False
    pid = int(running.read_text())
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)  # the hub stops the proxy, services and user servers itself
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
    running.unlink(missing_ok=True)
    return True
