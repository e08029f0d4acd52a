"""What the hub benchmarks share: a real hub on 127.0.0.1 with N throwaway system users, taken
down again afterwards, and memory per user (RSS and PSS)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "leerplein.cli", "hub"]

_getaddrinfo = socket.getaddrinfo


def _localhost_names(host, *args, **kwargs):
    """Each user's server has an origin of its own (alice.localhost); resolve *.localhost to this
    machine in this process, as browsers do."""
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.lower().rstrip(".").endswith(".localhost"):
        host = "localhost"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _localhost_names


def public_url(base: str) -> str:
    """The hub's own origin (what users type): localhost, not 127.0.0.1, so that user servers
    can live on its subdomains."""
    return base.replace("://127.0.0.1:", "://localhost:")


def user_url(base: str, user: str) -> str:
    """A user's server on its own origin: http://<user>.localhost:<port>/user/<user>."""
    scheme, host = public_url(base).split("://", 1)
    return f"{scheme}://{user}.{host}/user/{user}"


@dataclass
class BenchHub:
    folder: Path
    state: Path
    base: str
    token: str
    users: list[str]

    def stop(self) -> None:
        subprocess.run([*CLI, "stop", "--state-dir", str(self.state)], cwd=ROOT, capture_output=True)
        for user in self.users:
            subprocess.run(["pkill", "-u", user], capture_output=True)
            subprocess.run(["userdel", "-r", user], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_hub(users: list[str], port: int, prefix: str, course: str = "leerplein", extra: tuple = ()) -> BenchHub:
    if os.geteuid() != 0:
        raise SystemExit("Run as root: the hub makes one system user per student.")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(tmp, 0o755)
    roster = tmp / "roster.csv"
    roster.write_text("username,name,role,course\n" + "".join(f"{u},{u},student,{course}\n" for u in users))
    state = tmp / "state"
    command = [*CLI, "start", "--roster", str(roster), "--port", str(port), "--state-dir", str(state), *extra]
    started = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if started.returncode == 2 and "chmod o+x" in started.stderr:
        # Python lives under a private folder (e.g. /root): do what the message says, as an admin would
        os.chmod(re.search(r"chmod o\+x (\S+)", started.stderr).group(1), 0o711)
        started = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if started.returncode:
        hub = BenchHub(tmp, state, "", "", users)
        hub.stop()  # the start may have made some of the users already
        raise SystemExit(started.stdout + started.stderr)
    return BenchHub(tmp, state, f"http://127.0.0.1:{port}", (state / "admin-token").read_text().strip(), users)


def memory_by_user(users: list[str]) -> dict[str, dict[str, int]]:
    """Bytes per user over all her processes: RSS, and PSS (shared pages divided among the
    processes that share them; summed over all processes it is the memory in use)."""
    out = {u: {"rss": 0, "pss": 0} for u in users}
    for proc in psutil.process_iter(["username"]):
        if proc.info["username"] in out:
            try:
                full = proc.memory_full_info()
            except psutil.Error:
                continue
            out[proc.info["username"]]["rss"] += full.rss
            out[proc.info["username"]]["pss"] += full.pss
    return out
