"""The build notices what jupyter-cache and Sphinx do not: changed interactive code or data
(pages embed its output) and changed house assets (Sphinx copies static files only when a
page changed)."""

from __future__ import annotations

import os
import time

from leerplein.book.build import (DATA_STAMP, build_book, build_lock, forget_stale_data_pages, is_stale,
                                  sync_static_assets, write_data_stamp)
from leerplein.paths import Layout


def test_pages_with_an_interactive_are_rebuilt_when_its_code_changes(tmp_path):
    package = tmp_path / "src/leerplein/interactives"
    package.mkdir(parents=True)
    (package / "tool.py").write_text("X = 1\n")
    layout = Layout(tmp_path)
    page = tmp_path / "modules/01-m/doe-x.md"
    other = tmp_path / "modules/01-m/01-tekst.md"
    page.parent.mkdir(parents=True)
    page.write_text("from leerplein.interactives import show\n")
    other.write_text("# Tekst\n")
    (tmp_path / "book/_build").mkdir(parents=True)
    write_data_stamp(layout)
    old = time.time() - 100
    for p in (page, other):
        os.utime(p, (old, old))

    forget_stale_data_pages(layout)
    assert page.stat().st_mtime == old  # unchanged code: nothing to redo

    (package / "tool.py").write_text("X = 2\n")
    assert "leerplein.interactives" in forget_stale_data_pages(layout)
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


def test_a_page_showing_data_is_executed_again_when_its_data_changes(tmp_path):
    """A session plan's page shows the plan's YAML: changing the YAML must change the page."""
    from leerplein.book.build import DATA_STAMP, data_digests
    from leerplein.paths import Layout

    (tmp_path / "sessies").mkdir()
    plan = tmp_path / "sessies" / "01-x.yml"
    plan.write_text("titel: a\n")
    page = tmp_path / "book" / "sessies" / "01-x.md"
    page.parent.mkdir(parents=True)
    page.write_text("```{code-cell} ipython3\nfrom leerplein.sessies.plans import show\n```\n")
    other = tmp_path / "book" / "gewoon.md"
    other.write_text("# Geen data\n")
    (tmp_path / "modules").mkdir()
    (tmp_path / "book" / "_build").mkdir()
    layout = Layout(tmp_path)
    write_data_stamp(layout)
    assert forget_stale_data_pages(layout) == []
    import os
    os.utime(page, (1, 1))
    os.utime(other, (1, 1))
    plan.write_text("titel: b\n")
    assert "leerplein.sessies" in forget_stale_data_pages(layout)  # (the study-load tables count sessions too)
    assert page.stat().st_mtime > 1 and other.stat().st_mtime == 1  # only the page that shows the plan
    assert (tmp_path / "book" / "_build" / DATA_STAMP).exists() and data_digests(tmp_path)


def test_a_changed_theme_catalog_makes_the_build_write_every_page(tmp_path):
    """Sphinx compiles book/_locales/…/sphinx.po but rewrites no page for it: the build then writes
    them all (a Dutch theme string changed in the catalog must reach every page)."""
    from leerplein.book.build import catalog_changed

    layout = Layout(tmp_path)
    assert not catalog_changed(layout)  # no catalog at all
    po = tmp_path / "book/_locales/nl/LC_MESSAGES/sphinx.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Back to top"\nmsgstr "Naar boven"\n')
    assert catalog_changed(layout)  # never compiled
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"compiled")
    assert not catalog_changed(layout)
    later = time.time() + 10
    os.utime(po, (later, later))
    assert catalog_changed(layout)


def test_a_build_that_changed_no_page_still_counts_as_fresh(tmp_path):
    """Sphinx does not write index.html again when nothing changed; `hub start` and `leerplein
    start` then rebuilt the book on every start, as long as a source was newer than that page."""
    layout = Layout(tmp_path)
    page = tmp_path / "modules/01-m/01-tekst.md"
    page.parent.mkdir(parents=True)
    page.write_text("# Tekst\n")
    index = layout.html / "index.html"
    index.parent.mkdir(parents=True)
    index.write_text("<html></html>")
    now = time.time()
    os.utime(index, (now - 300, now - 300))
    os.utime(page, (now - 200, now - 200))
    assert is_stale(layout)  # edited after the last build that wrote pages

    write_data_stamp(layout)  # what a build that finds nothing to write still leaves
    os.utime(layout.book / "_build" / DATA_STAMP, (now - 100, now - 100))
    assert not is_stale(layout)

    os.utime(page, (now, now))
    assert is_stale(layout)  # edited after that build


def test_a_second_build_waits_for_the_first_and_then_finds_the_book_fresh(tmp_path):
    """`hub start` and the test suite's (or an admin's) `leerplein build` used to build one
    _build folder at the same time."""
    import threading

    layout = Layout(tmp_path)
    index = layout.html / "index.html"
    index.parent.mkdir(parents=True)
    outcome = {}

    def second():
        outcome["result"] = build_book(layout, quiet=True, only_if_stale=True)

    with build_lock(layout):  # the first build is running (its index.html is not there yet)
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive()  # it waits rather than building alongside
        index.write_text("<html></html>")  # the first build finishes
    waiting.join(10)
    assert not waiting.is_alive() and outcome["result"] is None  # fresh: nothing built twice
