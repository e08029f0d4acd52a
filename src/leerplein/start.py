"""`leerplein start`: the newcomer's main job.

Builds the book when a page changed, serves it on 127.0.0.1 and starts a Jupyter server on
127.0.0.1, prints both addresses and stops both cleanly on Ctrl-C (SIGINT) or SIGTERM. A
learner gets the student view (module pages, interactives, notes, logbook; no code), as on
the hub; teachers and authors ask for JupyterLab with the course folder open (`--lab`).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from leerplein.book.build import BuildFailed, build_book, is_stale
from leerplein.jupyter_setup import install_lab_settings
from leerplein.paths import Layout


class PortInUse(RuntimeError):
    pass


def ensure_free(port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise PortInUse(f"Port {port} on 127.0.0.1 is already in use. "
                            f"Stop the other program or pick another port (--port / --book-port).")


def wait_for(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"The process for {url} stopped with exit code {process.returncode}.")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def book_server_command(html: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(html)]


def lab_command(layout: Layout, port: int, token: str) -> list[str]:
    return [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={layout.root}", f"--IdentityProvider.token={token}",
        "--LabApp.default_url=/lab/tree/modules",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def student_view_command(layout: Layout, port: int, token: str, home: Path) -> list[str]:
    """A plain Jupyter server with only the student view, opening at /leerplein/."""
    import json

    config = layout.build_dir / "student-view" / "jupyter_server_config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"leerplein.student": True},
                                                "default_url": "/leerplein/"}}))
    return [
        sys.executable, "-m", "jupyter_server", "--no-browser", f"--config={config}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={home}", f"--IdentityProvider.token={token}",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def run_local_course(layout: Layout, lab_port: int = 8888, book_port: int = 8000, build: bool = True,
                     lab: bool = False, home: Path | None = None) -> int:
    try:
        ensure_free(lab_port)
        ensure_free(book_port)
    except PortInUse as exc:
        print(exc, file=sys.stderr)
        return 2
    if build and is_stale(layout):
        print("Building the book (only changed pages are executed) …", flush=True)
        try:
            result = build_book(layout, quiet=True, only_if_stale=True)
        except BuildFailed as exc:
            print(exc, file=sys.stderr)
            return 1
        if result is not None:
            print(f"Book built in {result.seconds:.1f} s.", flush=True)
    if not (layout.html / "index.html").exists():
        print("There is no built book yet. Run `leerplein start` without --no-build.", file=sys.stderr)
        return 1
    install_lab_settings()

    token = secrets.token_hex(16)
    log_dir = layout.build_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen] = []
    stop = {"requested": False}

    def request_stop(signum, frame):
        stop["requested"] = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with open(log_dir / "book-server.log", "w") as book_log, open(log_dir / "jupyterlab.log", "w") as lab_log:
            book = subprocess.Popen(book_server_command(layout.html, book_port), stdout=book_log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            processes.append(book)
            if lab:
                command, env = lab_command(layout, lab_port, token), None
            else:
                home = Path(home or Path.home())
                home.mkdir(parents=True, exist_ok=True)
                command = student_view_command(layout, lab_port, token, home)
                env = {**os.environ, "LEERPLEIN_BOOK_HTML": str(layout.html), "LEERPLEIN_LOKAAL": "1"}
            server = subprocess.Popen(command, cwd=layout.root, stdout=lab_log, env=env,
                                      stderr=subprocess.STDOUT, start_new_session=True)
            processes.append(server)
            book_url = f"http://127.0.0.1:{book_port}/"
            wait_for(book_url, process=book)
            wait_for(f"http://127.0.0.1:{lab_port}/api/status?token={token}", timeout=90, process=server)
            print("\nLeerplein is running:", flush=True)
            print(f"  Book (read the course):        {book_url}")
            if lab:
                print(f"  JupyterLab (author and teach): http://127.0.0.1:{lab_port}/lab/tree/modules?token={token}")
            else:
                print(f"  Leerplein (read and take part): http://127.0.0.1:{lab_port}/leerplein/?token={token}")
                print(f"  Your notes and logbook are kept in {home / 'Leerplein'}")
            print(f"  Logs: {log_dir}")
            print("Press Ctrl-C to stop.", flush=True)
            while not stop["requested"]:
                if any(p.poll() is not None for p in processes):
                    print("A server stopped unexpectedly; see the logs above. Stopping.", file=sys.stderr)
                    return 1
                time.sleep(0.3)
            return 0
    except (TimeoutError, RuntimeError) as exc:
        print(f"Could not start Leerplein: {exc}. See the logs in {log_dir}.", file=sys.stderr)
        return 1
    finally:
        _stop_all(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if processes:
            print("Stopped Leerplein and the book server." if not lab else "Stopped JupyterLab and the book server.", flush=True)


def _stop_all(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
