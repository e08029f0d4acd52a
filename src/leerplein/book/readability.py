"""Readability of the book's body text: `leerplein check --readability` and the rule behind it.

Measure: Flesch-Douma (Dutch Flesch Reading Ease, via `leerplein.readability`). Higher is
easier. Douma's norm table calls 60-70 "normaal" and 45-60 "tamelijk moeilijk"
(content brief, S28a). Leerplein aims at B1-ish body text for professionals, so:

- below FAIL_BELOW (50) a page fails the check: that is secondary-school-exam prose, too
  hard for a course that must work for mbo-level professionals and volunteers;
- below WARN_BELOW (60) the check warns: rewrite when you touch the page.

Formulas measure sentence and word length, not understanding (Douma himself called them
aids, not infallible instruments): the threshold is a guard against drift, not a proof.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from leerplein.book.check import Finding, rule
from leerplein.course.course import write_atomic
from leerplein.readability import Readability, measure

FAIL_BELOW = 50.0
WARN_BELOW = 60.0
MIN_WORDS = 80  # shorter pages (a glossary, a bibliography) give no stable score

FENCE = re.compile(r"^(`{3,}|~{3,})")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
ROLE_WITH_TEXT = re.compile(r"\{(?:term|doc|ref)\}`([^`<]*?)(?:\s*<[^>]*>)?`")
ROLE_GLUE = re.compile(r"\{glue:text\}`[^`]*`")
ROLE_OTHER = re.compile(r"\{[a-z:]+\}`[^`]*`")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"[*_]{1,2}([^*_]+)[*_]{1,2}")


def body_text(markdown: str) -> str:
    """The prose a reader reads: no front matter, comments, code, directive syntax, headings or
    tables. (A comment is for authors: editing one must not change a count a reader sees.)"""
    lines = HTML_COMMENT.sub("", markdown).splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    prose: list[str] = []
    fence = None
    open_directives: list[str] = []  # fences of prose directives whose body is being read
    for line in lines:
        stripped = line.strip()
        match = FENCE.match(stripped)
        if fence:
            if match and stripped.startswith(fence) and not stripped[len(fence):].strip():
                fence = None
            continue
        if match:
            if open_directives and stripped == open_directives[-1]:
                open_directives.pop()  # the closing line of a prose directive
            elif "{code-cell}" in stripped or not stripped.startswith(match.group(1) + "{"):
                fence = match.group(1)
            else:
                open_directives.append(match.group(1))  # e.g. ```{warning}: its line skipped, its body kept
            continue
        if stripped.startswith((":::", "#", "|", ":", "%")) or not stripped:  # "%": a MyST comment line
            prose.append("")
            continue
        text = re.sub(r"^(?:[-*]|\d+\.)\s+", "", stripped)
        text = ROLE_GLUE.sub("1000", text)
        text = ROLE_WITH_TEXT.sub(r"\1", text)
        text = ROLE_OTHER.sub("", text)
        text = LINK.sub(r"\1", text)
        text = EMPHASIS.sub(r"\1", text).replace("`", "")
        if text != stripped and not text.endswith((".", "!", "?", ":", ";")):
            text += "."  # a list item is a sentence of its own
        prose.append(text)
    paragraphs = " ".join(line if line else "\n" for line in prose).split("\n")
    return "\n".join(p.strip() for p in paragraphs if p.strip())


@dataclass(frozen=True)
class PageScore:
    path: Path
    scores: Readability


def page_scores(root: Path, cache: Path | None = None) -> list[PageScore]:
    """Every page's scores. With a cache file, a page whose prose did not change is not measured
    again (hyphenating the whole book takes a quarter of a second: too long for an edit loop)."""
    from leerplein.book.rules import book_pages

    known = _read_cache(cache)
    fresh: dict[str, dict] = {}
    scores = []
    for page in book_pages(root):
        text = body_text(page.read_text(encoding="utf-8"))
        key = hashlib.sha256(text.encode()).hexdigest()
        try:
            result = Readability(**known[key])
        except (KeyError, TypeError):
            result = measure(text)
        fresh[key] = asdict(result)
        scores.append(PageScore(page, result))
    if cache is not None and fresh != known:
        write_atomic(cache, json.dumps(fresh))
    return scores


def _read_cache(cache: Path | None) -> dict[str, dict]:
    try:
        data = json.loads(cache.read_text()) if cache is not None else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def readability_rows(root: Path, for_readers: bool = True, cache: Path | None = None) -> list[dict]:
    """One row per page. For readers (the book's "Over deze cursus"): the page's title and Dutch
    decimals; for authors (`leerplein check`): the file and plain numbers."""
    from leerplein.book.rules import page_title

    def number(value: float) -> str | float:
        return f"{value:.1f}".replace(".", ",") if for_readers else round(value, 1)

    rows = []
    for item in page_scores(Path(root), cache):
        s = item.scores
        where = str(item.path.relative_to(root))
        rows.append({
            "pagina": page_title(Path(root), where) if for_readers else where,
            "woorden": f"{s.words:,}".replace(",", ".") if for_readers else s.words,
            "woorden per zin": number(s.words_per_sentence),
            "Flesch-Douma": number(s.flesch_douma),
            "oordeel": s.douma_label if s.words >= MIN_WORDS else "te kort om te meten",
            "LIX": number(s.lix),
        })
    return rows


def readability_html(root: Path, cache: Path | None = None) -> str:
    """For readers ("Over deze cursus"): the measured pages, too-short ones left out."""
    import html

    rows = [r for r in readability_rows(root, True, cache) if r["oordeel"] != "te kort om te meten"]
    if not rows:
        return "<p>Er zijn nog geen pagina's om te meten.</p>"
    head = "".join(f"<th scope='col'>{html.escape(h[:1].upper() + h[1:])}</th>" for h in rows[0])
    body = "".join("<tr><th scope='row'>" + html.escape(str(r["pagina"])) + "</th>" +
                   "".join(f"<td>{html.escape(str(v))}</td>" for k, v in r.items() if k != "pagina") + "</tr>"
                   for r in rows)
    return (f"<table class='table leesbaarheid'><caption>Leesbaarheid per pagina</caption><thead><tr>{head}"
            f"</tr></thead><tbody>{body}</tbody></table>")


def readability_table(root: Path) -> str:
    rows = readability_rows(root, for_readers=False)
    if not rows:
        return "No pages to measure."
    headers = list(rows[0])
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in headers]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths)))
    return "\n".join(out)


@rule("readability")
def check_readability(root: Path) -> Iterator[Finding]:
    for item in page_scores(root):
        s = item.scores
        if s.words < MIN_WORDS:
            continue
        if s.flesch_douma < FAIL_BELOW:
            yield Finding(item.path, 1, "readability",
                          f"Flesch-Douma {s.flesch_douma:.0f} ({s.douma_label}) is below {FAIL_BELOW:.0f}: "
                          f"use shorter sentences (now {s.words_per_sentence:.1f} words) and common words")
        elif s.flesch_douma < WARN_BELOW:
            yield Finding(item.path, 1, "readability",
                          f"Flesch-Douma {s.flesch_douma:.0f} ({s.douma_label}) is below the aim of "
                          f"{WARN_BELOW:.0f}", "warning")
