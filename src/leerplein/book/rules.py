"""Structural curriculum rules: module anatomy, study load, citations, links, toc, hidden code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

from leerplein.book.check import Finding, rule
from leerplein.yamlfiles import load_yaml

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
BULLET = re.compile(r"^\s*[-*]\s+\S")
TOTAL = re.compile(r"Totaal:\s*(\d+(?:[.,]\d+)?)\s*uur(?:\s*\((.*)\))?", re.IGNORECASE)
PART_HOURS = re.compile(r"(\d+(?:[.,]\d+)?)\s*uur")
COURSE_TOTAL = re.compile(r"(?:totale\s+studiebelasting|studiebelasting\s+in\s+totaal)\D{0,40}?(\d+(?:[.,]\d+)?)\s*uur",
                          re.IGNORECASE)
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
BIB_KEY = re.compile(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
FIGURE = re.compile(r"^[`:]{3,}\{(?:image|figure)\}\s+(\S+)")
CODE_CELL = re.compile(r"^```\{code-cell\}")
HIDING_TAGS = {"remove-input", "remove-cell", "hide-input", "hide-cell"}


def _hours(text: str) -> float:
    return float(text.replace(",", "."))


def module_dirs(root: Path) -> list[Path]:
    modules = root / "modules"
    if not modules.is_dir():
        return []
    return sorted(p for p in modules.iterdir() if p.is_dir() and p.name[:2].isdigit())


def sections(lines: list[str]) -> dict[str, tuple[int, list[str]]]:
    """Level-2 sections of a page: title -> (line number, body lines)."""
    found: dict[str, tuple[int, list[str]]] = {}
    current = None
    for number, line in enumerate(lines, start=1):
        match = HEADING.match(line)
        if match and len(match.group(1)) == 2:
            current = match.group(2).strip().lower()
            found[current] = (number, [])
        elif current is not None:
            found[current][1].append(line)
    return found


def module_hours(index: Path) -> float | None:
    for line in index.read_text(encoding="utf-8").splitlines():
        match = TOTAL.search(line)
        if match:
            return _hours(match.group(1))
    return None


def leerdoelen(index: Path) -> list[str]:
    """The numbered learning goals of a module (bullets under '## Leerdoelen')."""
    body = sections(index.read_text(encoding="utf-8").splitlines()).get("leerdoelen", (0, []))[1]
    return [line.strip()[2:].strip() for line in body if BULLET.match(line)]


@rule("module-anatomy")
def check_module_anatomy(root: Path) -> Iterator[Finding]:
    for folder in module_dirs(root):
        index = folder / "index.md"
        if not index.is_file():
            yield Finding(folder, 0, "module-anatomy", "module folder has no index.md")
            continue
        lines = index.read_text(encoding="utf-8").splitlines()
        found = sections(lines)
        if "leerdoelen" not in found:
            yield Finding(index, 1, "module-anatomy", "no '## Leerdoelen' section")
        else:
            line, body = found["leerdoelen"]
            goals = [b for b in body if BULLET.match(b)]
            if not 3 <= len(goals) <= 5:
                yield Finding(index, line, "module-anatomy",
                              f"'Leerdoelen' has {len(goals)} bullet(s); write 3 to 5 observable goals")
        if "studiebelasting" not in found:
            yield Finding(index, 1, "module-anatomy", "no '## Studiebelasting' section")
            continue
        line, body = found["studiebelasting"]
        total_line = next(((i, b) for i, b in enumerate(body, start=line + 1) if TOTAL.search(b)), None)
        if total_line is None:
            yield Finding(index, line, "module-anatomy",
                          "Studiebelasting states no total; write e.g. 'Totaal: 6 uur (lezen 3 uur, interactief 1 uur, reflectie 2 uur)'")
            continue
        number, text = total_line
        match = TOTAL.search(text)
        parts = [_hours(h) for h in PART_HOURS.findall(match.group(2) or "")]
        if parts and abs(sum(parts) - _hours(match.group(1))) > 1e-9:
            yield Finding(index, number, "module-anatomy",
                          f"the parts add up to {sum(parts):g} uur, not the stated total {match.group(1)} uur")


@rule("course-total")
def check_course_total(root: Path) -> Iterator[Finding]:
    intro = root / "book" / "intro.md"
    folders = module_dirs(root)
    if not intro.is_file() or not folders:
        return
    hours = [module_hours(f / "index.md") for f in folders if (f / "index.md").is_file()]
    if any(h is None for h in hours):
        return  # reported by module-anatomy
    for number, line in enumerate(intro.read_text(encoding="utf-8").splitlines(), start=1):
        match = COURSE_TOTAL.search(line)
        if match:
            stated = _hours(match.group(1))
            if abs(stated - sum(hours)) > 1e-9:
                yield Finding(intro, number, "course-total",
                              f"course total says {stated:g} uur, the modules add up to {sum(hours):g} uur")
            return
    yield Finding(intro, 1, "course-total",
                  "the introduction does not state the course total; write 'Totale studiebelasting: N uur'")


@rule("module-parts")
def check_module_parts(root: Path) -> Iterator[Finding]:
    exercises = root / "exercises"
    have_exercises = exercises.is_dir() and any(p.is_dir() for p in exercises.iterdir())
    for folder in module_dirs(root):
        pages = list(folder.glob("*.md"))
        if not any("from leerplein.interactives import show" in p.read_text(encoding="utf-8") for p in pages):
            yield Finding(folder / "index.md", 1, "module-parts",
                          "module has no interactive: no page calls leerplein.interactives.show")
        if have_exercises:
            exercise = exercises / folder.name
            if not exercise.is_dir() or not any(exercise.iterdir()):
                yield Finding(folder / "index.md", 1, "module-parts",
                              f"module has no reflection exercise in exercises/{folder.name}/")


def book_pages(root: Path) -> list[Path]:
    pages = list((root / "book").glob("*.md"))
    for folder in module_dirs(root):
        pages += folder.rglob("*.md")
    return sorted(p for p in pages if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def bib_keys(root: Path) -> set[str]:
    bib = root / "book" / "references.bib"
    return set(BIB_KEY.findall(bib.read_text(encoding="utf-8"))) if bib.is_file() else set()


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    return enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)


@rule("citations")
def check_citations(root: Path) -> Iterator[Finding]:
    keys = bib_keys(root)
    for page in book_pages(root):
        for number, line in _lines(page):
            for group in CITE.findall(line):
                for key in (k.strip() for k in group.split(",")):
                    if key not in keys:
                        yield Finding(page, number, "citations",
                                      f"citation key '{key}' is not in book/references.bib")


def _is_local(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith(("#", "/"))


@rule("links")
def check_links(root: Path) -> Iterator[Finding]:
    for page in book_pages(root):
        for number, line in _lines(page):
            targets = [(t, "link") for t in MD_LINK.findall(line)]
            targets += [(t, "image") for t in MD_IMAGE.findall(line)]
            match = FIGURE.match(line.strip())
            if match:
                targets.append((match.group(1), "image"))
            for target, kind in targets:
                if not _is_local(target):
                    continue
                path = target.split("#")[0]
                if path and not (page.parent / path).exists():
                    yield Finding(page, number, "links", f"{kind} target '{target}' does not exist")
            for target in DOC_ROLE.findall(line):
                base = (root if target.startswith("/") else page.parent) / target.lstrip("/")
                if not any(base.with_suffix(s).exists() for s in (".md", ".ipynb")):
                    yield Finding(page, number, "links", f"{{doc}} target '{target}' does not exist")


def toc_files(root: Path) -> list[str]:
    toc = root / "book" / "_toc.yml"
    if not toc.is_file():
        return []
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root") and isinstance(value, str):
                    files.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(load_yaml(toc))
    return files


def page_title(root: Path, entry: str) -> str:
    """The first '# ' heading of a toc entry's page (the title the book shows)."""
    path = root / (entry if entry.endswith(".md") else f"{entry}.md")
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#\s+(.+?)\s*$", line)
        if match:
            return match.group(1)
    return entry


@rule("toc")
def check_toc(root: Path) -> Iterator[Finding]:
    toc = root / "book" / "_toc.yml"
    listed = set()
    for entry in toc_files(root):
        path = root / entry
        candidates = [path] if path.suffix else [path.with_suffix(".md"), path.with_suffix(".ipynb")]
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            yield Finding(toc, 1, "toc", f"'{entry}' is in the table of contents but the file does not exist")
        else:
            listed.add(found.resolve())
    for page in book_pages(root):
        if page.resolve() not in listed and page.parent.name != "data":
            yield Finding(page, 1, "toc", "page is not in book/_toc.yml, so it is not in the book", "warning")


@rule("hidden-code")
def check_hidden_code(root: Path) -> Iterator[Finding]:
    """Readers are mostly not programmers: every code cell hides its code unless marked as the point."""
    for page in book_pages(root):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if not CODE_CELL.match(line):
                continue
            options = []
            for follow in lines[number:number + 10]:
                if not follow.startswith(":"):
                    break
                options.append(follow)
            tags = set(re.findall(r"[\w-]+", " ".join(o for o in options if o.startswith(":tags:"))))
            if not tags & (HIDING_TAGS | {"show-code"}):
                yield Finding(page, number, "hidden-code",
                              "code cell is visible to readers; add ':tags: [remove-input]' (or 'show-code' when the code is the point)")
