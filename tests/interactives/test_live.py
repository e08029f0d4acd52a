"""The interactives live, with a kernel: every doe-page executes headless as a notebook and
shows a widget, and in a real JupyterLab a reader operates one with the mouse and keyboard."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from conftest import ROOT, screenshot
from leerplein.interactives import budget

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
DOE_PAGES = sorted((ROOT / "modules").glob("*/doe-*.md"))


def live_env() -> dict:
    env = dict(os.environ)
    env.pop("LEERPLEIN_BOOK_BUILD", None)
    return env


@pytest.mark.parametrize("page", DOE_PAGES, ids=lambda p: p.stem)
def test_doe_page_executes_headless_and_shows_a_widget(page: Path, monkeypatch):
    monkeypatch.delenv("LEERPLEIN_BOOK_BUILD", raising=False)
    nb = jupytext.read(page)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(page.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outputs), "no widget shown"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = free_port(), "leerplein-test"
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True", "--allow-root",
         f"--ServerApp.root_dir={ROOT}"],
        cwd=ROOT, env=live_env(), stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}")
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
    yield url, token
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.browser
@pytest.mark.slow
def test_rondkomen_live_in_jupyterlab(lab, browser):
    url, token = lab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/lab/tree/modules/01-armoede-zien/doe-rondkomen.md?token={token}")
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    household = page.get_by_label("Huishouden")
    household.wait_for(timeout=60_000)
    result = page.locator(".lp-result").first
    calm = budget.simulate_month("alleenstaande")
    household.select_option(label=budget.budget_data()["huishoudens"]["alleenstaande"]["naam"])
    page.wait_for_function("t => document.querySelector('.lp-result').innerText.includes(t)",
                           arg=budget.euro(calm.weekly_balance[-1]), timeout=10_000)
    page.get_by_label("Kapotte wasmachine").focus()
    page.keyboard.press("Space")
    hit = budget.simulate_month("alleenstaande", ("wasmachine",))
    page.wait_for_function("t => document.querySelector('.lp-result').innerText.includes(t)",
                           arg=budget.euro(hit.weekly_balance[-1]), timeout=10_000)
    assert re.search(r"Week 1\s*" + re.escape(budget.euro(hit.weekly_balance[0])), result.inner_text())
    screenshot(page, "interactive-rondkomen-jupyterlab")
    context.close()
