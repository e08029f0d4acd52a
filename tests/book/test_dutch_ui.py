"""Every word of the book's own interface is Dutch: the theme's buttons, labels, tooltips and
links on every page, and the search page's messages (the walkthrough found "Skip to main content",
"Link to this heading", "Toggle primary sidebar", "previous page"; "Link to this term" and an empty
status line after a search remained)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import screenshot

# Interface phrases of Sphinx, pydata-sphinx-theme, sphinx-book-theme and their extensions.
ENGLISH_UI = re.compile(
    r"\b(?:Skip to|Back to top|Link to this|Toggle|[Pp]revious(?: page| topic)?|[Nn]ext(?: page| topic)?|"
    r"On this page|Site navigation|Main|Page|Navigation|Contents|Search(?:ing| the docs| Results| this book)?|"
    r"Color mode|Light|Dark|System [Ss]ettings|Copy(?: to clipboard)?|Copied|Download|Print to PDF|Fullscreen|"
    r"Edit this page|Show [Ss]ource|Click to (?:show|hide)|Version warning|Please activate|By|Last updated|"
    r"Created using|Hide Search Matches|Preparing search|Your search|Index pages|General Index|Quick search)\b")
LABELS = ("aria-label", "aria-description", "placeholder", "alt", "data-bs-title", "data-tooltip", "value")


def english_ui(html: str) -> list[str]:
    """English interface phrases in a page's visible text and in what a screen reader or a tooltip
    says. Titles of citation links are book titles (some English), so only the title of an
    element that is not a citation link counts."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    found = []
    for element in soup.find_all(True):
        said = [str(element.get(name)) for name in LABELS if element.get(name)]
        citation = element.name == "a" and "headerlink" not in (element.get("class") or [])
        if element.get("title") and not citation:
            said.append(str(element["title"]))
        found += [f"{element.name}@{s}" for s in said if ENGLISH_UI.search(s)]
    for citation in soup.select(".citation, .bibliography, cite, em"):
        citation.decompose()  # titles of sources and emphasised English terms are content
    found += [f"text:{t}" for t in soup.stripped_strings if ENGLISH_UI.search(t)]
    return found


def test_the_probe_finds_the_strings_the_walkthrough_found():
    page = ('<a class="skip-link" href="#main">Skip to main content</a><button title="Toggle primary sidebar">'
            '</button><a class="headerlink" href="#x" title="Link to this term">#</a>'
            '<a class="reference internal" title="Scarcity: Why Having Too Little Means So Much">x</a>'
            '<p>Lees <em>Poverty, by America</em>.</p>')
    assert english_ui(page) == ["button@Toggle primary sidebar", "a@Link to this term", "text:Skip to main content"]


def test_no_page_has_english_interface_text(built_book):
    found = {}
    for path in sorted(built_book.rglob("*.html")):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        hits = english_ui(path.read_text(encoding="utf-8"))
        if hits:
            found[str(path.relative_to(built_book))] = sorted(set(hits))[:5]
    assert found == {}


def test_the_theme_is_dutch_through_its_catalog(built_book):
    """Dutch comes from the supported way (language nl and a Dutch catalog for what the theme's own
    catalogs miss), so a theme update that renames a string shows up here, not as English."""
    page = (built_book / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'lang="nl"' in page
    page += (built_book / "modules/04-bibliotheek-als-partner/04-schulden-als-wortel.html").read_text(encoding="utf-8")
    for dutch in ("Naar de inhoud", "Naar boven", "Menu tonen of verbergen", "Link naar dit kopje", "vorige pagina",
                  'aria-label="Kleurmodus"', 'aria-label="Op deze pagina"'):
        assert dutch in page, dutch
    glossary = (built_book / "book" / "begrippenlijst.html").read_text(encoding="utf-8")
    assert 'title="Link naar dit begrip"' in glossary


@pytest.mark.browser
@pytest.mark.parametrize("query, dutch", [("schulden", r"Klaar met zoeken\. Aantal pagina's gevonden: \d+\."),
                                          ("qqxyzzy", r"Je zoekwoorden staan op geen enkele pagina")])
def test_the_search_page_speaks_dutch(book_server, page, query, dutch):
    page.goto(f"{book_server}/search.html?q={query}", wait_until="networkidle")
    status = page.locator("#search-results .search-summary")
    page.wait_for_function("() => (document.querySelector('#search-results .search-summary')?.innerText || '')"
                           ".trim().length > 0", timeout=20_000)
    screenshot(page, f"search-dutch-{query}")
    text = status.inner_text()
    assert re.search(dutch, text), text
    assert not ENGLISH_UI.search(page.locator("#search-results").inner_text())


PATH = re.compile(r"(?<![\w./:])[\w-]+/(?:[\w.-]+/)*(?:[\w-]+\.(?:md|yml|yaml|py|csv|json|ipynb|txt)\b|(?=\s|$))")
COMMAND = re.compile(r"\bleerplein\s+(?:check|build|start|course|hub|peiling|badge)\b")


def test_the_probe_finds_paths_and_commands():
    text = "De vragen staan in sessies/evaluatie/evaluatie.yml. Zie grading/modelantwoorden/ of draai leerplein check."
    assert [m.group(0) for m in PATH.finditer(text)] == ["sessies/evaluatie/evaluatie.yml", "grading/modelantwoorden/"]
    assert COMMAND.search(text)
    assert not PATH.search("lezen, schrijven en/of rekenen, zie https://leerplein.example.nl/boek/")


def test_reader_pages_show_no_file_paths_or_commands(built_book):
    """Teachers and students are no programmers: the guide, 'Over deze cursus' and the session plans
    name places in Leerplein, not folders or command lines (the walkthrough found both)."""
    found = {}
    for path in sorted(built_book.rglob("*.html")):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")
        if article is None:
            continue
        for hidden in article(["script", "style"]):
            hidden.decompose()
        for source in article.select(".citation, .bibliography"):
            source.decompose()  # a source's web address is a path by nature
        text = re.sub(r"https?://\S+", " ", article.get_text(" ", strip=True))
        hits = [m.group(0) for m in PATH.finditer(text)] + [m.group(0) for m in COMMAND.finditer(text)]
        if hits:
            found[str(path.relative_to(built_book))] = hits[:3]
    assert found == {}


@pytest.mark.browser
def test_naar_boven_never_covers_text_on_a_phone(book_server, browser):
    """The walkthrough's phone: 'Back to top' floated over the text while scrolling."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    phone.goto(f"{book_server}/modules/01-armoede-zien/01-armoede-in-cijfers.html", wait_until="networkidle")
    covered = []
    shown = 0
    for y in (600, 1400, 2400):
        phone.evaluate(f"window.scrollTo(0, {y})")
        phone.wait_for_timeout(200)
        phone.evaluate(f"window.scrollTo(0, {y - 150})")  # the theme shows the button when scrolling up
        phone.wait_for_timeout(400)
        shown += phone.evaluate("() => document.getElementById('pst-back-to-top').style.display === 'block'")
        covered += phone.evaluate("""() => {
            const button = document.getElementById('pst-back-to-top');
            if (!button || getComputedStyle(button).display === 'none') return [];  // fixed: no offsetParent
            const b = button.getBoundingClientRect();
            return [...document.querySelectorAll('.bd-article p, .bd-article li, .bd-article h2')]
              .filter((e) => { const r = e.getBoundingClientRect();
                return r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom; })
              .map((e) => e.innerText.slice(0, 40));
        }""")
    screenshot(phone, "phone-naar-boven")
    context.close()
    assert shown == 3  # the theme did show it (the premise), and CSS keeps it off the phone
    assert covered == []


@pytest.mark.browser
def test_pages_stay_dutch_after_their_scripts_ran(book_server, page):
    """What the theme's and the interactives' scripts add at run time (tooltips, buttons, the search
    dialog) is read by the same probe as the built HTML."""
    found = {}
    for rel in ("book/intro.html", "modules/01-armoede-zien/doe-rondkomen.html",
                "modules/02-schaarste-en-bandbreedte/doe-schaarste-spel.html",
                "modules/04-bibliotheek-als-partner/doe-leesbaarheid.html", "book/begrippenlijst.html"):
        page.goto(f"{book_server}/{rel}", wait_until="networkidle")
        page.keyboard.press("Control+k")  # the search dialog
        page.wait_for_timeout(300)
        hits = english_ui(page.content())
        if hits:
            found[rel] = sorted(set(hits))[:5]
    assert found == {}
