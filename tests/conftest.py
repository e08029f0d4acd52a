"""Shared fixtures: the repository layout, a built book, and a real Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the local LTI 1.3 platform (tests/lti/lms_platform.py) serves the unit tests and the hub tests
sys.path.insert(0, str(Path(__file__).resolve().parent / "lti"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("LEERPLEIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", ""}


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def offline_prefix() -> list[str]:
    """A command prefix that runs a program without network (a new network namespace), if possible.

    Only the namespace's own loopback is brought up: Jupyter kernels talk to the build over it."""
    for unshare in (["unshare", "-n"], ["unshare", "-rn"]):
        prefix = [*unshare, "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
        probe = subprocess.run([*prefix, "true"], capture_output=True)
        if probe.returncode == 0:
            return prefix
    return []


BUILD_STATE: dict = {}


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book, built once per test session with `leerplein build` and no network at all
    (inside a new network namespace where the machine allows it; the execution cache keeps
    a warm rebuild fast)."""
    html = ROOT / "book" / "_build" / "html"
    prefix = offline_prefix()
    # parallel test workers (pytest-xdist) and `hub start` share the book: the build's own lock
    # lets one build at a time, the next finds it warm
    proc = subprocess.run([*prefix, str(ROOT / ".venv" / "bin" / "leerplein"), "build"], cwd=ROOT,
                          capture_output=True, text=True)
    BUILD_STATE.update(offline=bool(prefix), log=proc.stdout + proc.stderr, returncode=proc.returncode)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (html / "index.html").exists()
    return html


@pytest.fixture(scope="session")
def book_server(built_book):
    """Serve the built book on 127.0.0.1 with a plain HTTP server; yields the base URL."""
    import functools
    import http.server
    import threading

    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page whose non-local requests are blocked and recorded in page.blocked_requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    pg = context.new_page()
    pg.blocked_requests = []
    pg.console_errors = []
    pg.failed_requests = []

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            pg.blocked_requests.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    # a request still running when the next page opens is cancelled (ERR_ABORTED): not a failure
    pg.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED" and pg.failed_requests.append(r.url))
    yield pg
    context.close()


def axe_scan(page) -> list[dict]:
    """Run axe-core (from node_modules) in the page; return serious and critical violations."""
    source = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
    page.add_script_tag(content=source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(items):
    """Files with slow tests first: with two workers taking a file at a time, a long file that is
    handed out last keeps one worker busy while the other has nothing left to do. (scripts/dev.sh
    passes --no-loadscope-reorder: xdist would otherwise hand files out by their number of tests.)"""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: a file's tests stay together


def hand_in_reflections(course, base: Path, students, assignment: str, text: str = "") -> None:
    """The course side of a first round, as the workspace's steps would do it: release, each
    student fetches, writes a reflection (text, or one naming her) in every answer cell and hands in;
    collect, autograde."""
    import nbformat

    from leerplein.course.grading.autograde import autograde
    from leerplein.course.intake.collect import collect
    from leerplein.course.intake.exchange import fetch_as, submit_as

    api = course.api()
    assert api.generate_assignment(assignment, force=True)["success"] and api.release_assignment(assignment)["success"]
    for student in students:
        home = base / "homes" / student
        folder = fetch_as(course, assignment, student, home)
        nb = nbformat.read(str(folder / f"{assignment}.ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
                cell.source = text or f"Reflectie van {student}: ik zag dat iemand afspraken vergat."
        nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
        submit_as(course, assignment, student, home)
    collect(course, assignment)
    autograde(course, assignment)
