"""Content rules of `leerplein check` that guard what a reviewer checks by hand otherwise:

- `figure-citations`: every figure in a module page (a percentage, an amount, a large or exact
  number, a computed number) has a citation in the same paragraph;
- `no-pasted-sentences`: no run of twelve words or more from the source texts in `../shared/`
  (the seeds, the content brief and its addendum), unless it is a marked quotation with
  attribution. Facts carry over with citation; sentences do not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from leerplein.book.check import Finding, rule

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
FENCE = re.compile(r"^\s*(`{3,}|:{3,})")
CITATION = re.compile(r"\{cite(?::[a-z]+)?\}`|\[[^\]]*\]\(https?://")
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
NUMBER = re.compile(r"(?<![\w.,-])(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\w])")
FIGURE_CONTEXT = re.compile(r"procent|%|€|miljoen|miljard|duizend|op de \d", re.I)
COURSE_UNIT = re.compile(r"\s*(uur|minuten|min\.|EC|woorden|bladzijden|weken)\b")  # the course's own hours
GLUE = re.compile(r"\{glue(?::text)?\}`")
MIN_PASTED_WORDS = 12


def module_pages(root: Path) -> list[Path]:
    from leerplein.book.rules import module_dirs

    return sorted(p for d in module_dirs(root) for p in d.glob("*.md"))


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each prose paragraph and each list item; code and
    directive fences are skipped, headings too."""
    lines = text.splitlines()
    start = 0
    match = FRONT_MATTER.match(text)
    if match:
        start = match.group(0).count("\n")
    block: list[str] = []
    first = 0
    in_code = False
    fence = ""

    def flush():
        if block:
            yield first, " ".join(block)
        block.clear()

    for number in range(start, len(lines)):
        line = lines[number]
        opened = FENCE.match(line)
        if in_code:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) and \
                    line.strip() == opened.group(1):
                in_code = False
            continue
        if opened:
            yield from flush()
            if "{code-cell}" in line:
                in_code, fence = True, opened.group(1)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith(":") and not block:
            yield from flush()
            continue
        if re.match(r"^\s*(?:[-*]|\d+\.)\s+", line) or stripped.startswith("|"):
            yield from flush()
        if not block:
            first = number + 1
        block.append(stripped)
    yield from flush()


def figures(paragraph: str) -> list[str]:
    """The figures a reader would want a source for."""
    found = [m.group(0) for m in GLUE.finditer(paragraph)]
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", " ", paragraph)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    for match in NUMBER.finditer(text):
        value = match.group(1)
        if YEAR.match(value) or COURSE_UNIT.match(text[match.end():]):
            continue
        around = text[max(0, match.start() - 12):match.end() + 12]
        digits = int(value.replace(".", "").split(",")[0] or 0)
        if "." in value or "," in value or digits >= 100 or FIGURE_CONTEXT.search(around):
            found.append(value)
    return found


EXAMPLE_LETTER = re.compile(r"^:::\{admonition\}\s+Voorbeeldbrief\b.*?^:::\s*$", re.M | re.S)


def example_letter_lines(text: str) -> set[int]:
    """Line numbers inside ':::{admonition} Voorbeeldbrief …' blocks: a letter written for the course
    shows made-up amounts on purpose (plain letters name the amount), so they need no source."""
    lines: set[int] = set()
    for match in EXAMPLE_LETTER.finditer(text):
        first = text.count("\n", 0, match.start()) + 1
        lines.update(range(first, first + match.group(0).count("\n") + 1))
    return lines


@rule("figure-citations")
def check_figure_citations(root: Path) -> Iterator[Finding]:
    for page in module_pages(root):
        text = page.read_text(encoding="utf-8")
        letters = example_letter_lines(text)
        for number, paragraph in paragraphs(text):
            if paragraph.startswith("|") or number in letters:
                continue  # table rows: the table's caption or the paragraph before carries the source
            shown = figures(paragraph)
            if shown and not CITATION.search(paragraph):
                yield Finding(page, number, "figure-citations",
                              f"figure(s) {', '.join(shown[:3])} without a citation in the same paragraph; "
                              "add {cite:p}`key` (book/references.bib) or remove the figure")


WORDS = re.compile(r"[a-zà-ÿ0-9€]+(?:['’][a-z]+)?")
QUOTED = re.compile(r"[\"“„«][^\"”“«»]{10,}?[\"”»]")


def words(text: str) -> list[str]:
    return WORDS.findall(text.lower())


def source_texts(shared: Path) -> list[Path]:
    return sorted([*shared.glob("seeds/*.txt"), *shared.glob("content-brief*.md")])


def shingles(tokens: list[str], size: int = MIN_PASTED_WORDS) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def student_texts(root: Path) -> list[Path]:
    from leerplein.book.rules import book_pages

    return [*book_pages(root), *sorted((root / "exercises").glob("*/*.yml")), *sorted((root / "sessies").glob("*.yml"))]


def pasted_runs(text: str, known: set[tuple[str, ...]]) -> Iterator[tuple[int, str]]:
    """(line, first words) of each run of MIN_PASTED_WORDS words found in the sources, outside
    quotations that carry an attribution (a citation or a named source) in the same paragraph."""
    for number, paragraph in paragraphs(text):
        attributed = bool(CITATION.search(paragraph)) or " — " in paragraph or "(bron:" in paragraph.lower()
        prose = QUOTED.sub(" ¶ ", paragraph) if attributed else paragraph
        tokens = words(prose)
        for i in range(len(tokens) - MIN_PASTED_WORDS + 1):
            run = tuple(tokens[i:i + MIN_PASTED_WORDS])
            if run in known:
                yield number, " ".join(run)
                break


@rule("no-pasted-sentences")
def check_no_pasted_sentences(root: Path) -> Iterator[Finding]:
    shared = Path(root).resolve().parent / "shared"
    sources = source_texts(shared)
    if not sources:
        return  # the sources are not beside this checkout (a clean clone): nothing to compare with
    known: set[tuple[str, ...]] = set()
    for source in sources:
        known |= shingles(words(source.read_text(encoding="utf-8", errors="replace")))
    for page in student_texts(root):
        for number, run in pasted_runs(page.read_text(encoding="utf-8"), known):
            yield Finding(page, number, "no-pasted-sentences",
                          f"'{run} …' is copied from the sources in ../shared/; write it in your own words, or "
                          "quote it with quotation marks and a citation")


CASE = re.compile(r"^:::\{admonition\}\s+Casus:", re.M)
STORY = re.compile(r"^:::\{admonition\}\s+Ervaringsverhaal:(.*?)^:::\s*$", re.M | re.S)
MIN_CASES = 3


@rule("cases-and-voices")
def check_cases_and_voices(root: Path) -> Iterator[Finding]:
    """Each module: at least three cases, and one first-person ervaringsverhaal marked as written
    for this course and not about one real person (no experiences were collected, so it must not
    claim to be a composite of them), as the facilitator guide says."""
    from leerplein.book.rules import module_dirs

    for folder in module_dirs(root):
        text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*casussen*.md")))
        index = folder / "index.md"
        cases = len(CASE.findall(text))
        if cases < MIN_CASES:
            yield Finding(index, 1, "cases-and-voices", f"{cases} case(s) in the casussen page; write at least "
                          f"{MIN_CASES}, different in background and setting")
        stories = STORY.findall(text)
        if not stories:
            yield Finding(index, 1, "cases-and-voices", "no ':::{admonition} Ervaringsverhaal: …' in the casussen page")
        for story in stories:
            if "voor deze cursus geschreven" not in story or "niet over één echt persoon" not in story:
                yield Finding(index, 1, "cases-and-voices", "an ervaringsverhaal must say it is 'voor deze cursus "
                              "geschreven' and 'niet over één echt persoon'")
            elif "samengesteld uit" in story:
                yield Finding(index, 1, "cases-and-voices", "an ervaringsverhaal must not claim to be 'samengesteld "
                              "uit' real experiences: none were collected; say 'voor deze cursus geschreven'")


# English words that crept into what students read before (issue: "(Assignments)", "rubric").
# Loanwords in Dutch dictionaries (feedback, workshop, deadline) are fine.
ENGLISH = re.compile(r"\b(rubrics?|assignments?|submit(?:ted)?|notebooks?|asset map|needs map|learning path|"
                     r"self[- ]assessment|grade[sd]?|checklist|sets?|hub|questioning insight|guide on the side|"
                     r"sage on the stage|focus ?dividend|action learning|critical friend)\b", re.I)
# Calques the December 2026 review found: English idiom in Dutch words. Each with the plain Dutch.
CALQUES = {
    r"\bbandbreedte(?:blik|\s+(?:te\s+)?sparen|\s+spaart)\b": "say what it asks of bandwidth: 'kost minder bandbreedte'",
    r"\brol\s+(?:te\s+)?verschuiven\b": "'je rol veranderen'",
    r"\bvragen die openen\b": "'vragen die laten zien wat we nog niet weten'",
    r"\bmaakte dat (?:ik|je|we|hij|zij)\b": "'daardoor …'",
    r"\bleiden mee\b": "'leiden samen met …'",
    r"\bkritische vriend\b": "'meedenker die eerlijke vragen stelt'",
    r"\btussen twee loketten\b": "'tussen twee organisaties'",
    r"\bals wortel\b": "'schulden liggen aan de basis van …'",
}


@rule("plain-dutch")
def check_plain_dutch(root: Path) -> Iterator[Finding]:
    """Students read Dutch: no English course jargon in module and book pages (code, citations
    and link targets are not read)."""
    from leerplein.book.rules import book_pages

    for page in book_pages(root):
        for number, paragraph in paragraphs(page.read_text(encoding="utf-8")):
            prose = re.sub(r"\{[a-z:]+\}`[^`]*`|`[^`]*`|\]\([^)]*\)|\*[^*]+\*", " ", paragraph)
            for match in ENGLISH.finditer(prose):
                yield Finding(page, number, "plain-dutch", f"'{match.group(0)}' is English; students read Dutch "
                              "(e.g. beoordelingsschema, opdracht, inleveren)")
                break
            for pattern, advice in CALQUES.items():
                match = re.search(pattern, prose, re.I)
                if match:
                    yield Finding(page, number, "plain-dutch", f"'{match.group(0)}' is English idiom in Dutch words; "
                                  f"write plain Dutch, e.g. {advice}")
