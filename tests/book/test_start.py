"""`leerplein start`: comes up, answers on both addresses, shows JupyterLab in Dutch, stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import screenshot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 120) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"no '{marker}' within {timeout} s:\n{seen}"
        line = proc.stdout.readline()
        assert line or proc.poll() is None, f"leerplein start exited early:\n{seen}"
        seen += line
    return seen


@pytest.mark.slow
@pytest.mark.browser
def test_start_serves_book_and_dutch_jupyterlab_and_stops_on_sigint(root, built_book, browser):
    lab_port, book_port = free_port(), free_port()
    proc = subprocess.Popen([str(root / ".venv/bin/leerplein"), "start", "--port", str(lab_port),
                             "--book-port", str(book_port)], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        output = read_until(proc, "Press Ctrl-C to stop.")
        book_url = re.search(r"Book \(read the course\):\s+(\S+)", output).group(1)
        lab_url = re.search(r"JupyterLab \(do the exercises\):\s+(\S+)", output).group(1)
        assert book_url == f"http://127.0.0.1:{book_port}/"
        with urllib.request.urlopen(book_url) as response:
            assert 'lang="nl"' in response.read().decode() or response.status == 200
        with urllib.request.urlopen(lab_url) as response:
            assert response.status == 200

        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(lab_url)
        page.get_by_role("menuitem", name="Bestand").wait_for(timeout=60_000)  # Dutch language pack
        page.get_by_text("01-armoede-zien").first.wait_for(timeout=30_000)     # course folder open
        page.wait_for_timeout(1000)
        assert page.get_by_text("official Jupyter news").count() == 0
        screenshot(page, "jupyterlab-start")
        context.close()

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        rest = proc.stdout.read()
        assert "Stopped JupyterLab and the book server." in rest
        for port in (lab_port, book_port):
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open after Ctrl-C"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_start_refuses_a_busy_port_with_a_clear_message(root):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([str(root / ".venv/bin/leerplein"), "start", "--no-build", "--port", str(port),
                               "--book-port", str(free_port())], cwd=root, capture_output=True, text=True,
                              timeout=60)
    assert proc.returncode == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in proc.stderr
