"""The book as a student meets it: Dutch theme text and citations, and no sideways scrolling on a
phone (390 px wide) for every kind of page."""

from __future__ import annotations

import re

import pytest

from conftest import screenshot

ENGLISH_THEME = ["Skip to main content", "Back to top", "Link to this heading", "Toggle primary sidebar",
                 "Toggle secondary sidebar", "previous page", "next page", '"On this page"', '"Site navigation"',
                 "Please activate JavaScript", "Technical Report"]
PAGE_TYPES = {
    "introductie": "book/intro.html",
    "leespagina": "modules/04-bibliotheek-als-partner/04-schulden-als-wortel.html",
    "leespagina-grafiek": "modules/01-armoede-zien/01-armoede-in-cijfers.html",
    "module-overzicht": "modules/01-armoede-zien/index.html",
    "doe-rondkomen": "modules/01-armoede-zien/doe-rondkomen.html",
    "doe-schaarste-spel": "modules/02-schaarste-en-bandbreedte/doe-schaarste-spel.html",
    "doe-krachtenkaart": "modules/03-werken-vanuit-kracht/doe-krachtenkaart.html",
    "doe-leesbaarheid": "modules/04-bibliotheek-als-partner/doe-leesbaarheid.html",
    "doe-netwerkwijzer": "modules/04-bibliotheek-als-partner/doe-netwerkwijzer.html",
    "doe-actieleerlogboek": "modules/05-leren-in-de-praktijk/doe-actieleerlogboek.html",
    "doe-kennischeck": "modules/05-leren-in-de-praktijk/doe-kennischeck.html",
    "zelfscan": "book/leerpaden.html",
    "eindopdracht": "book/eindopdracht.html",
    "sessieplan": "book/sessies/01-ontmoeting-armoede-dichtbij.html",
    "handleiding": "book/handleiding-begeleiders.html",
    "over-deze-cursus": "book/over-deze-cursus.html",
    "begrippenlijst": "book/begrippenlijst.html",
    "bronnen": "book/bronnen.html",
    "zoeken": "search.html?q=schulden",
}


def test_no_english_theme_text_on_any_page(built_book):
    found = {}
    for path in built_book.rglob("*.html"):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        hits = [s for s in ENGLISH_THEME if s in text]
        if hits:
            found[str(path.relative_to(built_book))] = hits
    assert found == {}


def test_citations_join_authors_with_en(built_book):
    page = (built_book / "modules/03-werken-vanuit-kracht/doe-krachtenkaart.html").read_text(encoding="utf-8")
    assert "Kretzmann en McKnight, 1993" in page and "Kretzmann and McKnight" not in page
    sources = (built_book / "book/bronnen.html").read_text(encoding="utf-8")
    assert "Sendhil Mullainathan en Eldar Shafir" in sources and "Mullainathan and" not in sources


def test_the_readability_table_shows_page_titles_and_dutch_decimals(built_book):
    page = (built_book / "book/over-deze-cursus.html").read_text(encoding="utf-8")
    table = page[page.index("Flesch-Douma</th>") - 2000:]
    table = table[:table.index("</table>")]
    assert "Schulden, gezondheid en taal" in table and "modules/" not in table and ".md" not in table
    assert not re.search(r"<td>\d+\.\d</td>", table) and re.search(r"<td>\d+,\d</td>", table)


@pytest.mark.browser
def test_no_page_type_scrolls_sideways_on_a_phone(book_server, browser, built_book):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", device_scale_factor=1,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = {}
    for name, rel in PAGE_TYPES.items():
        assert (built_book / rel.split("?")[0]).exists(), rel
        page.goto(f"{book_server}/{rel}", wait_until="networkidle")
        page.wait_for_timeout(300)  # the interactives and the search draw
        sizes = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        screenshot(page, f"phone-{name}")
        if sizes[0] > sizes[1]:
            culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .filter((e) => getComputedStyle(e).position !== 'fixed')
                .slice(0, 4).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
            wide[name] = (sizes, culprits)
    context.close()
    assert wide == {}, "\n".join(f"{k}: {v}" for k, v in wide.items())
