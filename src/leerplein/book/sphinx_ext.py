"""A small Sphinx extension for Leerplein's offline, accessible book.

- Removes sphinx-thebe's script that names a CDN (unpkg). Jupyter Book 1 always loads
  sphinx-thebe; Leerplein has no live-code buttons, and a page must reference no
  external host.
- Adds a "Doe mee op Leerplein" link to each module's Doe mee page when `leerplein_hub_url`
  is set: it opens the page in the student's own space on the hub (leerplein.hub.links).
- Stems the search index for Dutch with the same algorithm as the search box: Sphinx 7 ships
  the (old) Porter Dutch stemmer in JavaScript, while snowballstemmer 3 made "dutch" a new
  algorithm, so "schulden" was indexed as "schul" and searched as "schuld" and found nothing.
- Registers the directives for tables computed from the book's sources
  (leerplein.book.directives: study load, readability).
- Registers Dutch citation and bibliography styles (leerplein.book.bibstyle: "en", not "and").
- Finds the pages outside the table of contents (not built) with a walk that skips excluded
  folders, before sphinx-external-toc would glob the whole source folder for them: the source
  folder is the repository root, with node_modules and the built book in it (0.25 s of every
  build, a tenth of an edit loop).
- Mends the theme's markup where axe-core finds serious problems, after each page is
  written: the colour-mode button's icons carry their own (title) text, which its name does not
  contain (label-content-name-mismatch), the navigation's expand toggles have no name
  (summary-name), and docutils' citation list claims role=list without list items
  (aria-required-children); and the theme's empty default colour mode, which logs a
  console error on a reader's first visit.
"""

from __future__ import annotations

import re
from pathlib import Path

CDN_MARKERS = ("unpkg.com", "cdn.jsdelivr.net", "cdnjs.cloudflare.com")

THEME_ICON = re.compile(r'(<i class="theme-switch [^"]*"[^>]*?)\s+title="[^"]*"></i>')
BARE_SUMMARY = '<summary><span class="toctree-toggle" role="presentation">'
NAMED_SUMMARY = ('<summary aria-label="Onderdelen tonen of verbergen">'
                 '<span class="toctree-toggle" role="presentation">')
# The theme starts with an empty colour mode when nothing is stored, and logs an error.
EMPTY_MODE = 'localStorage.getItem("mode") || ""'
CITATION_LIST = '<div role="list" class="citation-list">'
# Theme strings that stay English with language nl even with book/_locales/nl (Dutch for the
# strings the theme and Sphinx translate): sphinx-book-theme writes these without gettext.
DUTCH_THEME_STRINGS = {
    'aria-label="Main"': 'aria-label="Hoofdmenu"',
    'title="Toggle primary sidebar"': 'title="Menu tonen of verbergen"',
    'title="Toggle secondary sidebar"': 'title="Inhoud van deze pagina tonen of verbergen"',
    '<nav aria-label="Page">': '<nav aria-label="Pagina">',
}


def _drop_cdn_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = []
    for script in scripts:
        body = getattr(script, "attributes", {}).get("body", "") or ""
        name = str(getattr(script, "filename", script) or "")
        if any(marker in body or marker in name for marker in CDN_MARKERS) or name.endswith("sphinx-thebe.js"):
            continue
        kept.append(script)
    context["script_files"] = kept


DOE_MEE_PAGE = re.compile(r"^modules/[0-9a-z-]+/doe-[0-9a-z-]+$")


def launch_block(hub_url: str, docname: str) -> str:
    from leerplein.hub.links import student_page_url

    return (f'<p class="leerplein-launch"><a class="btn btn-primary" href="{student_page_url(hub_url, docname)}">'
            "Doe mee op Leerplein</a> Open deze pagina in je eigen omgeving en bewaar je aantekeningen.</p>")


def _add_launch_link(app, pagename, templatename, context, doctree):
    hub = (app.config.leerplein_hub_url or "").strip()
    if hub and DOE_MEE_PAGE.match(pagename) and "body" in context:
        context["body"] = launch_block(hub, pagename) + context["body"]


def mend_html(html: str) -> str:
    html = THEME_ICON.sub(r'\1 aria-hidden="true"></i>', html)
    html = html.replace(BARE_SUMMARY, NAMED_SUMMARY)
    html = html.replace(EMPTY_MODE, 'localStorage.getItem("mode") || "light"')
    for english, dutch in DUTCH_THEME_STRINGS.items():
        html = html.replace(english, dutch)
    return html.replace(CITATION_LIST, '<div class="citation-list">')


def _mend_written_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        mended = mend_html(text)
        if mended != text:
            page.write_text(mended, encoding="utf-8")


def dutch_search_language():
    """Sphinx's Dutch search, with the index stemmed like its JavaScript stemmer (Porter Dutch)."""
    import snowballstemmer
    from sphinx.search.nl import SearchDutch

    class SearchDutchPorter(SearchDutch):
        def init(self, options) -> None:
            # named in book/_config.yml (html_search_options), so changing it rebuilds the index
            algorithm = options.get("stemmer", "dutch_porter")
            if algorithm not in snowballstemmer.algorithms():
                algorithm = "dutch"
            self.stemmer = snowballstemmer.stemmer(algorithm)

    return SearchDutchPorter


def _exclude_pages_outside_toc(app, config):
    import os

    from sphinx.util.matching import Matcher

    from leerplein.book.rules import toc_files

    if not config["external_toc_exclude_missing"]:
        return
    root = Path(app.srcdir)
    toc_path = Path(config["external_toc_path"])
    toc_path = toc_path if toc_path.is_absolute() else root / toc_path
    if toc_path.resolve() != (root / "book" / "_toc.yml").resolve() or "glob" in toc_path.read_text(encoding="utf-8"):
        return  # a toc we do not read, or with globs: sphinx-external-toc's own search
    listed = set(toc_files(root))
    excluded = Matcher(config["exclude_patterns"])
    suffixes = tuple(config["source_suffix"])
    missing = []
    for folder, subfolders, files in os.walk(root, followlinks=True):
        here = Path(folder).relative_to(root).as_posix()
        prefix = "" if here == "." else here + "/"
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and not excluded(prefix + d))
        for name in sorted(files):
            suffix = next((s for s in suffixes if name.endswith(s)), None)
            posix = prefix + name
            if suffix and not name.startswith(".") and not excluded(posix) and not (
                    posix in listed or posix[: -len(suffix)] in listed):
                missing.append(posix)
    config["exclude_patterns"] = config["exclude_patterns"] + missing
    config["external_toc_exclude_missing"] = False


def setup(app):
    app.connect("config-inited", _exclude_pages_outside_toc, priority=400)  # before sphinx-external-toc (500)
    app.add_config_value("leerplein_hub_url", "", "html")
    app.add_search_language(dutch_search_language())
    from leerplein.book import bibstyle

    bibstyle.register()
    from leerplein.book import directives

    directives.register(app)
    app.connect("html-page-context", _drop_cdn_scripts, priority=900)
    app.connect("html-page-context", _add_launch_link)
    app.connect("build-finished", _mend_written_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
