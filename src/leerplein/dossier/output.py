"""Write a Dutch HTML page and its PDF (printed by Debian's Chromium, offline), each written to
a temporary name first and renamed, so nothing is left half-written."""

from __future__ import annotations

import os
import re
from pathlib import Path

CHROMIUM = os.environ.get("LEERPLEIN_CHROMIUM", "/usr/bin/chromium")


def write_html(text: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def print_pdf(html_file: Path, target: Path, footer: str) -> Path:
    """Print html_file to target. Playwright's sync API refuses a thread that runs an event loop
    (a web handler's, or a test's open browser): the printing then gets a thread of its own."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print_pdf(html_file, target, footer)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_print_pdf, html_file, target, footer).result()


def _print_pdf(html_file: Path, target: Path, footer: str) -> Path:
    from playwright.sync_api import sync_playwright

    tmp = target.with_name(f".{target.name}.tmp")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())  # offline
            page.goto(html_file.resolve().as_uri(), wait_until="load")
            page.pdf(path=str(tmp), format="A4", print_background=True, outline=True, tagged=True,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8pt;width:100%;text-align:center">'
                                     f'{footer} · <span class="pageNumber"></span>/<span class="totalPages"></span></div>',
                     margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})
        finally:
            browser.close()
    os.replace(tmp, target)
    return target
