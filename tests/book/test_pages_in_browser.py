"""Every built page, opened in real Chromium with all non-local requests blocked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import axe_scan, screenshot

EXTERNAL_LOAD = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)


def built_pages(html: Path) -> list[str]:
    skip = {"genindex.html", "search.html", "index.html"}  # the root index.html only redirects
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if str(p.relative_to(html)) not in skip and "_static" not in p.parts and "_sources" not in p.parts)


@pytest.fixture(scope="module")
def pages(built_book) -> list[str]:
    found = built_pages(built_book)
    assert len(found) >= 3
    return found


def test_no_built_page_loads_anything_from_another_host(built_book, pages):
    offenders = {}
    for rel in pages + ["search.html", "genindex.html"]:
        text = (built_book / rel).read_text(encoding="utf-8")
        hits = EXTERNAL_LOAD.findall(text) + re.findall(r"https?://(?:unpkg|cdn\.jsdelivr|cdnjs)[^\"' ]*", text)
        if hits:
            offenders[rel] = hits[:3]
    assert offenders == {}


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_loads_offline_accessible_and_navigable(built_book, book_server, pages, page):
    problems = []
    for rel in pages:
        page.blocked_requests.clear()
        page.console_errors.clear()
        page.failed_requests.clear()
        # "load", not "networkidle" (half a second more per page): requests and errors that come
        # later still land in the lists, which are read after axe and the screenshot
        page.goto(f"{book_server}/{rel}", wait_until="load")
        title = page.title()
        if not title or "Leerplein" not in title:
            problems.append(f"{rel}: title {title!r}")
        if page.locator("nav.bd-docs-nav a").count() < 3:
            problems.append(f"{rel}: no navigation")
        if page.locator("html[lang='nl']").count() != 1:
            problems.append(f"{rel}: html lang is not nl")
        for violation in axe_scan(page):
            targets = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{rel}: axe {violation['impact']} {violation['id']} at {targets}")
        screenshot(page, "book-" + rel.replace("/", "__").removesuffix(".html"))
        for kind, found in (("blocked external request", page.blocked_requests),
                            ("failed request", page.failed_requests),
                            ("console error", page.console_errors)):
            problems += [f"{rel}: {kind}: {item}" for item in found]
    assert problems == [], "\n".join(problems)
