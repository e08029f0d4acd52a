"""The build notices what jupyter-cache and Sphinx do not: changed interactive code or data
(pages embed its output) and changed house assets (Sphinx copies static files only when a
page changed)."""

from __future__ import annotations

import os
import time

from leerplein.book.build import forget_stale_interactive_pages, interactives_digest, sync_static_assets
from leerplein.paths import Layout


def test_pages_with_an_interactive_are_rebuilt_when_its_code_changes(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "tool.py").write_text("X = 1\n")
    layout = Layout(tmp_path)
    page = tmp_path / "modules/01-m/doe-x.md"
    other = tmp_path / "modules/01-m/01-tekst.md"
    page.parent.mkdir(parents=True)
    page.write_text("from leerplein.interactives import show\n")
    other.write_text("# Tekst\n")
    stamp = tmp_path / "book/_build/.interactives-digest"
    stamp.parent.mkdir(parents=True)
    stamp.write_text(interactives_digest(package))
    old = time.time() - 100
    for p in (page, other):
        os.utime(p, (old, old))

    forget_stale_interactive_pages(layout, package)
    assert page.stat().st_mtime == old  # unchanged code: nothing to redo

    (package / "tool.py").write_text("X = 2\n")
    forget_stale_interactive_pages(layout, package)
    assert page.stat().st_mtime > old  # Sphinx will read it again
    assert other.stat().st_mtime == old  # a page without an interactive is left alone


def test_changed_assets_reach_the_built_book(tmp_path):
    layout = Layout(tmp_path)
    source = tmp_path / "book/_assets/leerplein.js"
    built = tmp_path / "book/_build/html/_static/leerplein.js"
    source.parent.mkdir(parents=True)
    built.parent.mkdir(parents=True)
    built.write_text("oud")
    old = time.time() - 100
    os.utime(built, (old, old))
    source.write_text("nieuw")
    sync_static_assets(layout)
    assert built.read_text() == "nieuw"
