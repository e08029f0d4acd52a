"""The print edition: the whole book as one PDF, built offline.

Sphinx's singlehtml builder writes every page into one HTML file (from the same execution cache
as the web book). This module adds a cover, a table of contents in the order of book/_toc.yml,
page breaks before each part, and under every interactive a note that points to its web page
(the interactive itself is printed as the still it shows on opening). Chromium (Debian's, driven by
Playwright) prints it to A4 with page numbers and a PDF outline. Nothing is downloaded.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from leerplein.book.build import BuildFailed, build_lock, kernel_env
from leerplein.book.vendor import vendor_assets
from leerplein.paths import Layout

CHROMIUM = os.environ.get("LEERPLEIN_CHROMIUM", "/usr/bin/chromium")
MARKER = re.compile(r'<span id="document-([^"]+)"></span>')
INTERACTIVE_END = re.compile(r'(<section class="lp-interactive"[^>]*>.*?</section>)', re.S)

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
  .bd-footer-article, .prev-next-area, .leerplein-launch, .headerlink, #pst-skip-link,
  .bd-search, .search-button-field, .onlyprint { display: none !important; }
  .bd-main .bd-content .bd-article-container, .bd-page-width { max-width: 100% !important; }
  body { font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  .lp-part { break-before: page; }
  .bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }  /* the theme hides it */
  .lp-interactive { break-inside: avoid; }
}
.lp-cover { break-after: page; min-height: 200mm; display: flex; flex-direction: column; justify-content: center; }
.lp-cover h1 { font-size: 32pt; margin-bottom: 1rem; }
.lp-toc { break-after: page; }
.lp-toc ol { list-style: none; padding-left: 0; }
.lp-toc li.lp-toc-part { font-weight: 600; margin-top: .8rem; }
.lp-toc li.lp-toc-page { padding-left: 1.2rem; }
.lp-toc li { display: flex; gap: .5rem; }
.lp-toc li a { flex: 1; }
.lp-toc-no { visibility: hidden; font-variant-numeric: tabular-nums; }
.lp-toc-no.lp-known { visibility: visible; }
.lp-print-note { border-left: 4px solid #1a5fb4; padding: .3rem .8rem; margin: .5rem 0 1rem; font-style: italic;
                 display: flex; gap: 1rem; align-items: center; break-inside: avoid; }
.lp-print-note img { width: 28mm; height: 28mm; flex: none; }
@media print {
  /* page breaks are ignored inside the theme's flex containers: print them as plain blocks */
  .bd-container, .bd-container__inner, .bd-main, .bd-content, .bd-article-container, .bd-page-width,
  .bd-article { display: block !important; }
}
"""


class PdfFailed(RuntimeError):
    pass


def chapters(root: Path) -> list[tuple[str, str, bool]]:
    """(toc entry, title, starts a part) in reading order; module index pages and the
    pages outside the modules start a part."""
    from leerplein.book.rules import page_title, toc_files

    out = []
    for entry in toc_files(root):
        part = not entry.startswith("modules/") or entry.endswith("/index")
        out.append((entry, page_title(root, entry), part))
    return out


def web_base(layout: Layout) -> str:
    """The published book's address (html.baseurl in book/_config.yml), or "" when not set."""
    import yaml

    config = yaml.safe_load((layout.book / "_config.yml").read_text(encoding="utf-8")) or {}
    return ((config.get("html") or {}).get("baseurl") or "").rstrip("/")


def pointer_note(title: str, entry: str, base: str) -> str:
    """Under an interactive's still: where to do it, as a full address and a QR code when the
    book's public address is set (html.baseurl in book/_config.yml)."""
    if not base:
        return (f'<p class="lp-print-note"><span>Deze oefening doe je op de webpagina "{html.escape(title)}" '
                f'({html.escape(entry)}.html in de webversie van het boek; je begeleider weet het adres). '
                'Hierboven zie je hoe ze eruitziet.</span></p>')
    import segno

    url = f"{base}/{entry}.html"
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#111", light="#fff")
    return (f'<p class="lp-print-note"><img src="{qr}" alt="QR-code naar {html.escape(url)}">'
            f'<span>Deze oefening doe je op de webpagina "{html.escape(title)}": {html.escape(url)} '
            'Scan de QR-code of typ het adres. Hierboven zie je hoe ze eruitziet.</span></p>')


def print_html(layout: Layout, single: str, base: str | None = None) -> str:
    """The singlehtml page, made into the print edition."""
    entries = chapters(layout.root)
    titles = {entry: title for entry, title, _ in entries}
    marked = set(MARKER.findall(single))
    toc = []
    for entry, title, part in entries:
        kind = "lp-toc-part" if part else "lp-toc-page"
        href = f"#document-{html.escape(entry)}" if entry in marked else "#"  # the root page has no marker
        # the page number is filled in after a first print (toc_page_numbers); "000" holds its room
        toc.append(f'<li class="{kind}"><a href="{href}">{html.escape(title)}</a>'
                   f'<span class="lp-toc-no" data-title="{html.escape(title)}">000</span></li>')
    front = (f'<div class="lp-cover"><h1>Leerplein</h1><p>Armoede zien, schaarste begrijpen, werken vanuit kracht.</p>'
             f'<p>Printversie, gemaakt op {time.strftime("%d-%m-%Y")}. De oefeningen werken op de webpagina; '
             f'in deze versie zie je een afbeelding met een verwijzing.</p></div>'
             f'<nav class="lp-toc" aria-label="Inhoud"><h1>Inhoud</h1><ol>{"".join(toc)}</ol></nav>')
    base = web_base(layout) if base is None else base.rstrip("/")
    marks = list(MARKER.finditer(single))
    if not marks:
        raise PdfFailed("The one-page book has no page markers: did the singlehtml builder change?")
    pieces, last = [], 0
    for i, mark in enumerate(marks):
        entry = mark.group(1)
        end = marks[i + 1].start() if i + 1 < len(marks) else len(single)
        pieces.append(single[last:mark.start()])
        part = next((p for e, _, p in entries if e == entry), False)
        chunk = single[mark.start():end]
        note = pointer_note(titles.get(entry, entry), entry, base)
        chunk = INTERACTIVE_END.sub(lambda m: m.group(1) + note, chunk)
        pieces.append((f'<div class="lp-part"></div>' if part and i else "") + chunk)
        last = end
    body = "".join(pieces) + single[last:]
    if '<article class="bd-article">' not in body:
        raise PdfFailed("The one-page book has no article element: did the theme change?")
    # the root document (the introduction) has no marker: the cover and contents go before it
    body = body.replace('<article class="bd-article">', '<article class="bd-article">' + front, 1)
    return body.replace("</head>", f"<style>{PRINT_CSS}</style></head>", 1)


def build_singlehtml(layout: Layout) -> Path:
    vendor_assets(layout)
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(layout.root),
           "--config", str(layout.book / "_config.yml"), "--toc", str(layout.book / "_toc.yml"),
           "--path-output", str(layout.book), "--builder", "singlehtml"]
    proc = subprocess.run(cmd, cwd=layout.root, env=kernel_env(layout), capture_output=True, text=True)
    out = layout.book / "_build" / "singlehtml"
    root_doc = next(out.rglob("intro.html"), None) if out.exists() else None
    if proc.returncode != 0 or root_doc is None:
        raise BuildFailed((proc.stdout + proc.stderr)[-3000:])
    return root_doc


def build_pdf(layout: Layout, output: Path | None = None, progress=print) -> Path:
    from playwright.sync_api import sync_playwright

    progress("1/3 Building the book as one page...")
    with build_lock(layout):  # it shares the html build's doctrees and execution cache
        root_doc = build_singlehtml(layout)
    single_root = layout.book / "_build" / "singlehtml"
    page_file = single_root / "leerplein-print.html"  # beside _static and _images, so their links hold
    page_file.write_text(print_html(layout, root_doc.read_text(encoding="utf-8")), encoding="utf-8")
    output = output or layout.book / "_build" / "pdf" / "leerplein.pdf"
    output.parent.mkdir(parents=True, exist_ok=True)
    progress("2/3 Opening it in Chromium...")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())  # offline: nothing from elsewhere
            page.goto(page_file.as_uri(), wait_until="load")
            still_drawn(page)
            progress("3/3 Printing the PDF...")
            print_pdf(page, output)
            # a second print with the contents' page numbers, read from the first one's outline
            spans = page.locator(".lp-toc-no")
            numbers = toc_page_numbers(output, [spans.nth(i).get_attribute("data-title") for i in range(spans.count())])
            page.evaluate("""(numbers) => document.querySelectorAll('.lp-toc-no').forEach((span, i) => {
                if (numbers[i]) { span.textContent = String(numbers[i]); span.classList.add('lp-known'); } })""", numbers)
            print_pdf(page, output)
        finally:
            browser.close()
    return output


STILL_ERRORS = ("kon niet laden", "heeft JavaScript nodig")


def still_drawn(page, timeout_ms: int = 30_000) -> None:
    """Wait until every interactive shows its first state (the Leesbaarheidscheck its scores);
    a still with an error text is not printed."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('section.lp-interactive')].every((s) => s.dataset.ready === 'true')
              && [...document.querySelectorAll("section.lp-interactive[data-tool='leesbaarheid']")]
                   .every((s) => s.querySelector('.lp-score') || /kon niet laden/.test(s.textContent))""",
        timeout=timeout_ms)
    text = page.inner_text("body")
    broken = [e for e in STILL_ERRORS if e in text]
    if broken:
        raise PdfFailed(f"An interactive shows an error instead of its still: {broken}")


def print_pdf(page, output: Path) -> None:
    page.pdf(path=str(output), format="A4", print_background=True, outline=True, tagged=True,
             display_header_footer=True, header_template="<span></span>",
             footer_template='<div style="font-size:8pt;width:100%;text-align:center">'
                             'Leerplein · <span class="pageNumber"></span></div>',
             margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})


def toc_page_numbers(pdf: Path, titles: list[str]) -> list[int | None]:
    """Printed page number (as in the footer) of each contents entry, found in the PDF's outline
    in reading order: the first heading after the previous entry's that has the entry's title
    (whitespace ignored: Chromium's outline drops the space where a heading wraps). Several
    modules have a page "Casussen"; the order keeps them apart. Not found: None, no number."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    headings: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                headings.append((re.sub(r"\s+", "", item.title or ""), reader.get_destination_page_number(item) + 1))
    walk(reader.outline)
    numbers: list[int | None] = []
    at = 0
    for title in titles:
        key = re.sub(r"\s+", "", title)
        # Chromium sometimes writes a heading's title twice in the outline ("CasussenCasussen")
        hit = next((i for i in range(at, len(headings)) if headings[i][0] in (key, key + key)), None)
        if hit is None:
            numbers.append(None)
            continue
        numbers.append(headings[hit][1])
        at = hit + 1
    return numbers
