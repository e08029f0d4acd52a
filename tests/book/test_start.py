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
    proc = subprocess.Popen([str(root / ".venv/bin/leerplein"), "start", "--lab", "--port", str(lab_port),
                             "--book-port", str(book_port)], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        output = read_until(proc, "Press Ctrl-C to stop.")
        book_url = re.search(r"Book \(read the course\):\s+(\S+)", output).group(1)
        lab_url = re.search(r"JupyterLab \(author and teach\):\s+(\S+)", output).group(1)
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


@pytest.mark.slow
@pytest.mark.browser
def test_start_for_a_learner_opens_the_student_view_not_jupyterlab(root, built_book, browser, tmp_path):
    """Walkthrough: `leerplein start` sent a learner into JupyterLab, where pages show code. Now
    she gets the module pages with their interactives and her notes, as on the hub."""
    port, book_port = free_port(), free_port()
    home = tmp_path / "leerling"
    proc = subprocess.Popen([str(root / ".venv/bin/leerplein"), "start", "--no-build", "--port", str(port),
                             "--book-port", str(book_port), "--home", str(home)], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        output = read_until(proc, "Press Ctrl-C to stop.")
        assert "JupyterLab" not in output
        url = re.search(r"Leerplein \(read and take part\):\s+(\S+)", output).group(1)
        assert url.startswith(f"http://127.0.0.1:{port}/leerplein/?token=")
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("text=Welkom op Leerplein")
        text = page.inner_text("body")
        assert "Je werkt op je eigen computer" in text and "Mijn opdrachten" not in text and "JupyterLab" not in text
        page.click("summary >> nth=0")
        page.click("text=Doe mee: rondkomen")
        page.wait_for_selector("section.lp-interactive[data-ready='true']")
        assert page.locator(".jp-CodeCell, .cm-editor, pre").count() == 0
        page.fill("#notities", "Thuis gelezen.")
        page.click("text=Aantekeningen bewaren")
        # ("Nog niet bewaard…" shows while typing: wait for the saved message itself)
        page.wait_for_selector("#notities-status:has-text('zijn bewaard')")
        assert (home / "Leerplein" / "aantekeningen" / "01-armoede-zien" / "doe-rondkomen.md").read_text() == "Thuis gelezen."
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "start-leerling")
        context.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "Stopped Leerplein and the book server." in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
