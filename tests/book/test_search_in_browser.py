"""The book's search finds Dutch words in their other forms: the index and the search box stem
the same way (the walkthrough's "schulden" found nothing, "doorverwijzen" missed a page)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import screenshot

WORDS = ["schulden", "schuld", "doorverwijzen", "doorverwijzing", "verwijst", "laaggeletterdheid", "bibliotheken",
         "gemeenten", "armoede", "schaarste", "bandbreedte", "krachten", "gesprekken", "inwoners", "brieven"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_index_and_search_box_stem_dutch_alike(built_book):
    from leerplein.book.sphinx_ext import dutch_search_language

    language = dutch_search_language()({"stemmer": "dutch_porter"})
    script = (f"{(built_book / '_static' / 'language_data.js').read_text()}\n"
              f"const s = new Stemmer(); console.log(JSON.stringify({json.dumps(WORDS)}.map((w) => s.stemWord(w))));")
    browser_stems = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert browser_stems == [language.stem(w) for w in WORDS]


@pytest.mark.browser
@pytest.mark.parametrize("query, title", [("schulden", "Schulden, gezondheid en taal"),
                                          ("doorverwijzen", "Warm doorverwijzen")])
def test_search_finds_a_page_by_another_form_of_its_word(book_server, page, query, title):
    page.goto(f"{book_server}/search.html?q={query}", wait_until="networkidle")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=20_000)
    found = [t.strip() for t in page.locator("#search-results ul.search li > a").all_inner_texts()]
    screenshot(page, f"search-{query}")
    assert any(title in t for t in found), found
