"""Rules of `leerplein check` that keep every attribution traceable:

- `quotation-citations`: a quotation (words between double quotes) in a module or book page has a
  citation in the same paragraph. Conventions the rule relies on: quotations use double quotes,
  terms and scare quotes use single quotes ('arme'); example questions a reader may ask end with a
  question mark; cases, ervaringsverhalen and example letters are fiction and marked as such in
  their admonition title, so what people say in them is not a quotation of anyone.
- `bib-unused`: every entry of book/references.bib is cited somewhere (a page, a session page, or a
  study-load file's required reading), so the bibliography lists only what the course uses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import yaml

from leerplein.book.check import Finding, rule
from leerplein.book.content_rules import CITATION, paragraphs
from leerplein.book.rules import CITE, book_pages, module_dirs

QUOTATION = re.compile(r"[\"“„]([^\"“”„\n]+?)[\"”]")
FICTION = re.compile(r"^:::\{admonition\}\s+(?:Casus|Ervaringsverhaal|Voorbeeldbrief)\b.*?^:::\s*$", re.M | re.S)
MIN_QUOTED_WORDS = 2


def fiction_lines(text: str) -> set[int]:
    """Line numbers inside the admonitions that hold the course's own fiction."""
    lines: set[int] = set()
    for match in FICTION.finditer(text):
        first = text.count("\n", 0, match.start()) + 1
        lines.update(range(first, first + match.group(0).count("\n") + 1))
    return lines


def quotations(paragraph: str) -> list[str]:
    """The quotations a reader would want a source for: two words or more, not a question."""
    prose = re.sub(r"\{[a-z:]+\}`[^`]*`|`[^`]*`|\]\([^)]*\)", " ", paragraph)
    found = []
    for match in QUOTATION.finditer(prose):
        quoted = match.group(1).strip()
        if len(quoted.split()) >= MIN_QUOTED_WORDS and not quoted.rstrip(".…").endswith("?"):
            found.append(quoted)
    return found


@rule("quotation-citations")
def check_quotation_citations(root: Path) -> Iterator[Finding]:
    for page in book_pages(root):
        text = page.read_text(encoding="utf-8")
        fiction = fiction_lines(text)
        for number, paragraph in paragraphs(text):
            if number in fiction:
                continue
            quoted = quotations(paragraph)
            if quoted and not CITATION.search(paragraph):
                yield Finding(page, number, "quotation-citations",
                              f"quotation \"{quoted[0][:50]}\" without a citation in the same paragraph; say who "
                              "said it and add {cite:p}`key`, or use single quotes for a term")


def _study_load_keys(root: Path) -> set[str]:
    keys: set[str] = set()
    files = [root / "book" / "studielast.yml", *(folder / "studielast.yml" for folder in module_dirs(root))]
    for path in files:
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys.update((data.get("lezen") or {}).get("bronnen") or [])
        keys.update(item["bron"] for item in data.get("activiteiten") or [] if isinstance(item, dict) and item.get("bron"))
    return keys


def cited_keys(root: Path) -> set[str]:
    pages = [*book_pages(root), *sorted((root / "book" / "sessies").glob("*.md"))]
    keys = {key.strip() for page in pages for group in CITE.findall(page.read_text(encoding="utf-8"))
            for key in group.split(",")}
    return keys | _study_load_keys(root)


@rule("bib-unused")
def check_bib_unused(root: Path) -> Iterator[Finding]:
    bib = root / "book" / "references.bib"
    if not bib.is_file():
        return
    used = cited_keys(root)
    for number, line in enumerate(bib.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", line)
        if match and match.group(1) not in used:
            yield Finding(bib, number, "bib-unused",
                          f"bibliography entry '{match.group(1)}' is cited nowhere; cite it where the course uses "
                          "it, or remove it")
