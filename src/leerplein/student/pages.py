"""Module pages for the student view: the article of the built book's page (citations, figures
and interactives exactly as in the book, no code), with its links kept inside the student view,
and a private notes field per page saved in the student's own home."""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from leerplein.course.course import write_atomic
from leerplein.student.form import FormError

NAME = re.compile(r"^[0-9a-z][0-9a-z-]{0,79}$")
MAX_NOTES_CHARS = 20_000
ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
# the theme's thebe configuration; the interactives' data (application/json) stays
CODE_SCRIPT = re.compile(r'<script(?![^>]*type="application/json")[^>]*>.*?</script>', re.S)
URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')


@dataclass
class Page:
    module: str
    name: str
    titel: str
    html: str


def _title(document: str, fallback: str) -> str:
    found = TITLE.search(document)
    if not found:
        return fallback
    return re.sub(r"\s+[—–-]\s+Leerplein\s*$", "", html.unescape(found.group(1))).strip()


def check_names(module: str, page: str) -> None:
    if not (NAME.match(module or "") and NAME.match(page or "")):
        raise FormError("Deze pagina bestaat niet. Ga terug naar de modules.")


def page_file(book_html: Path, module: str, page: str) -> Path:
    check_names(module, page)
    path = book_html / "modules" / module / f"{page}.html"
    if not path.is_file():
        raise FormError("Deze pagina bestaat niet (meer). Ga terug naar de modules.")
    return path


def _rewrite(url: str, page_dir: str, base: str) -> str:
    if not url or url.startswith(("#", "/", "data:", "mailto:")) or re.match(r"^[a-z][a-z0-9+.-]*:", url):
        return url
    path, _, fragment = url.partition("#")
    target = posixpath.normpath(posixpath.join(page_dir, path.split("?", 1)[0]))
    if target.startswith(".."):
        return "#"
    parts = target.split("/")
    if len(parts) == 2 and parts[0] == "book" and parts[1].endswith(".html") and parts[1][:-5] in BOOK_PAGES:
        new = f"{base}{BOOK_PAGES[parts[1][:-5]]}"
    elif len(parts) == 3 and parts[0] == "modules" and parts[2].endswith(".html"):
        new = f"{base}pagina/{parts[1]}/{parts[2][:-5]}"
    else:
        new = f"{base}boek/{target}"
    return new + (f"#{fragment}" if fragment else "")


def _load(path: Path, page_dir: str, module: str, page: str, base: str) -> Page:
    text = path.read_text(encoding="utf-8")
    article = ARTICLE.search(text)
    if not article:
        raise FormError("Deze pagina kan niet worden getoond. Meld het bij je docent.")
    body = CODE_SCRIPT.sub("", HEADERLINK.sub("", article.group(1)))
    body = URL_ATTR.sub(lambda m: f'{m.group(1)}="{_rewrite(m.group(2), page_dir, base)}"', body)
    # links inside an interactive's data (the zelfscan's advice) stay inside the student view too
    body = PAYLOAD_HREF.sub(lambda m: m.group(1) + _rewrite(m.group(2), page_dir, base) + m.group(3), body)
    return Page(module, page, _title(text, page), body)


def load_page(book_html: Path, module: str, page: str, base: str) -> Page:
    """`base` is the student view's own URL, ending in a slash."""
    return _load(page_file(book_html, module, page), f"modules/{module}", module, page, base)


# Pages of the book outside the modules that students read in the student view.
BOOK_PAGES = {"leerpaden": "zelfscan", "eindopdracht": "eindopdracht"}  # book page -> route
PAYLOAD_HREF = re.compile(r'("href":")([^"<>]+)(")')


def load_book_page(book_html: Path, name: str, base: str) -> Page:
    if name not in BOOK_PAGES:
        raise FormError("Deze pagina bestaat niet. Ga terug naar de modules.")
    path = book_html / "book" / f"{name}.html"
    if not path.is_file():
        raise FormError("Deze pagina is er nog niet. Vraag je docent om het boek klaar te zetten.")
    return _load(path, "book", "book", name, base)


def _toc_pages(book_html: Path) -> list[tuple[str, str]]:
    """(module, page) in the book's order, from its table of contents; [] without one."""
    for toc in (book_html.parent.parent / "_toc.yml", _root_toc()):
        if toc is not None and toc.is_file():
            return re.findall(r"file:\s*modules/([0-9a-z-]+)/([0-9a-z-]+)", toc.read_text(encoding="utf-8"))
    return []


def _root_toc() -> Path | None:
    try:
        from leerplein.paths import find_root

        return find_root() / "book" / "_toc.yml"
    except Exception:  # noqa: BLE001 - outside a course folder the built book's order will do
        return None


def modules(book_html: Path) -> list[dict]:
    """Each module with its title and every page (reading and 'Doe mee'), in the book's order."""
    order = [(m, p) for m, p in _toc_pages(book_html) if (book_html / "modules" / m / f"{p}.html").is_file()]
    if not order:  # no table of contents: folder order, the overview first and 'Doe mee' last
        for index in sorted((book_html / "modules").glob("*/index.html")):
            names = sorted(p.stem for p in index.parent.glob("*.html") if p.stem != "index")
            order += [(index.parent.name, "index")] + [(index.parent.name, n) for n in
                                                       sorted(names, key=lambda n: n.startswith("doe-"))]
    out: dict[str, dict] = {}
    for module, page in order:
        path = book_html / "modules" / module / f"{page}.html"
        titel = _title(path.read_text(encoding="utf-8"), page)
        entry = out.setdefault(module, {"name": module, "titel": module, "paginas": [], "doe": []})
        if page == "index":
            entry["titel"] = titel
        item = {"name": page, "titel": titel, "module": module}
        entry["paginas"].append(item)
        if page.startswith("doe-"):
            entry["doe"].append(item)
    return list(out.values())


def neighbours(book_html: Path, module: str, page: str) -> dict:
    """The module this page belongs to, and the pages before and after it in the book."""
    listed = modules(book_html)
    flat = [p for m in listed for p in m["paginas"]]
    here = next((i for i, p in enumerate(flat) if p["module"] == module and p["name"] == page), None)
    own = next((m for m in listed if m["name"] == module), None)
    if here is None:
        return {"module": own, "vorige": None, "volgende": None}
    return {"module": own, "vorige": flat[here - 1] if here > 0 else None,
            "volgende": flat[here + 1] if here + 1 < len(flat) else None}


def notes_file(home: Path, module: str, page: str) -> Path:
    check_names(module, page)
    return home / "Leerplein" / "aantekeningen" / module / f"{page}.md"


def read_notes(home: Path, module: str, page: str) -> str:
    path = notes_file(home, module, page)
    if path.is_symlink() or not path.is_file():
        return ""
    return path.read_text(encoding="utf-8", errors="replace")


def save_notes(home: Path, module: str, page: str, text: str) -> Path:
    if len(text) > MAX_NOTES_CHARS:
        raise FormError(f"Je aantekeningen zijn te lang ({len(text)} tekens; het maximum is {MAX_NOTES_CHARS}). "
                        "Maak ze korter en bewaar opnieuw. Er is niets verloren gegaan.")
    path = notes_file(home, module, page)
    for folder in [path.parents[2], path.parents[1], path.parent]:
        if folder.is_symlink():
            raise FormError("De map voor aantekeningen is vervangen door een snelkoppeling. Haal die weg "
                            "en probeer het opnieuw.")
        folder.mkdir(mode=0o700, exist_ok=True)
    write_atomic(path, text.replace("\r\n", "\n"))
    return path
