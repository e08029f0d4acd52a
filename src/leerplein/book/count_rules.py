"""Counts that pages state in words and that data elsewhere decides:

- `assignment-counts`: what a module's overview (its 'Reflectie-opdracht' section), an
  assignment's intro and the eindopdracht page say about the number of reflections, kennisvragen
  or parts must match `exercises/NN-slug/opdracht.yml`;
- `session-counts`: what the book says about the group sessions ("elf bijeenkomsten", "minstens
  acht van de elf bijeenkomsten", "vijf Ontmoetingen") must match the session plans the modules
  count (their studielast.yml) and the attendance rule in `grading/slaagregels.yml`, which is
  where the progress code reads it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import yaml

from leerplein.book.check import Finding, rule

NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
                "negen": 9, "tien": 10, "elf": 11, "twaalf": 12}
NUMBER = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
# "een paar kennisvragen" is not a count: only these adjectives may stand between number and noun
ADJECTIVE = r"(?:(?:korte|kleine|schriftelijke|eigen|losse)\s+)?"
REFLECTIONS = re.compile(rf"\b{NUMBER}\s+{ADJECTIVE}reflecties?\b", re.I)
CHECKS = re.compile(rf"\b{NUMBER}\s+{ADJECTIVE}(?:kennisvragen|kennisvraag|kennischecks?)\b", re.I)
PARTS = re.compile(rf"\b{NUMBER}\s+delen\b", re.I)


def number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def _matches(text: str, first_line: int, pattern: re.Pattern) -> Iterator[tuple[int, re.Match]]:
    """(line, match) for each match in the whole text: a sentence may wrap between number and noun."""
    for match in pattern.finditer(text):
        yield first_line + text.count("\n", 0, match.start()), match


def _stated(text: str, first_line: int, pattern: re.Pattern) -> Iterator[tuple[int, int]]:
    """(line, number) for each count the text states with pattern."""
    for line, match in _matches(text, first_line, pattern):
        yield line, number(match.group(1))


def exercise_counts(path: Path) -> tuple[int, int]:
    """(reflections, kennischecks) of an opdracht.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds = [str(q.get("soort", "")) for q in data.get("vragen") or []]
    return kinds.count("reflectie"), kinds.count("kennischeck")


def _overview_section(index: Path) -> tuple[int, str]:
    from leerplein.book.rules import sections

    line, body = sections(index.read_text(encoding="utf-8").splitlines()).get("reflectie-opdracht", (0, []))
    return line + 1, "\n".join(body)


def _intro(path: Path) -> tuple[int, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("intro:")), None)
    if start is None:
        return 0, ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
    return start + 1, "\n".join(lines[start:end])


def _mismatches(where: Path, line: int, text: str, reflections: int, checks: int, parts: int | None,
                source: str) -> Iterator[Finding]:
    for kind, pattern, actual in (("reflection(s)", REFLECTIONS, reflections), ("kennisvraag/-vragen", CHECKS, checks),
                                  ("part(s)", PARTS, parts)):
        if actual is None:
            continue
        for number_line, said in _stated(text, line, pattern):
            if said != actual:
                yield Finding(where, number_line, "assignment-counts",
                              f"says {said} {kind}, but {source} has {actual}")


@rule("assignment-counts")
def check_assignment_counts(root: Path) -> Iterator[Finding]:
    for exercise in sorted((root / "exercises").glob("*/opdracht.yml")):
        slug = exercise.parent.name
        reflections, checks = exercise_counts(exercise)
        source = f"exercises/{slug}/opdracht.yml"
        line, text = _intro(exercise)
        yield from _mismatches(exercise, line, text, reflections, checks, None, "its vragen")
        index = root / "modules" / slug / "index.md"
        if index.is_file():
            line, text = _overview_section(index)
            yield from _mismatches(index, line, text, reflections, checks, None, source)
    final = root / "exercises" / "06-eindopdracht" / "opdracht.yml"
    page = root / "book" / "eindopdracht.md"
    if final.is_file() and page.is_file():
        reflections, checks = exercise_counts(final)
        yield from _mismatches(page, 1, page.read_text(encoding="utf-8"), reflections, checks, reflections,
                               "exercises/06-eindopdracht/opdracht.yml")


def counted_sessions(root: Path) -> dict[str, int]:
    """Per series (reeks), the group sessions the modules count in their study load."""
    from leerplein.dossier.facts import referenced_sessions
    from leerplein.sessies.plans import load_plans

    counted = set(referenced_sessions(root))
    series: dict[str, int] = {}
    for plan in load_plans(root):
        if plan.id in counted:
            series[plan.reeks] = series.get(plan.reeks, 0) + 1
    return series


def attendance_minimum(root: Path) -> int | None:
    path = root / "grading" / "slaagregels.yml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    value = (data.get("aanwezigheid") or {}).get("minimum")
    return int(value) if value is not None else None


ATTENDANCE = re.compile(rf"\b{NUMBER}\s+van\s+de\s+{NUMBER}\s+(?:groeps)?bijeenkomsten\b", re.I)
TOTAL = re.compile(rf"(?:\b{NUMBER}\s+groepsbijeenkomsten\b|(?:heeft|tijd voor|^#+)\s+{NUMBER}\s+bijeenkomsten\b)",
                   re.I | re.M)
MEETINGS = re.compile(rf"\b{NUMBER}\s+(?:De\s+)?Ontmoetingen\b|"
                      rf"De Ontmoetingen\**:\s+{NUMBER}\s+(?:wekelijkse\s+)?(?:bijeenkomsten|gesprekken)", re.I)
ACTION = re.compile(rf"\b{NUMBER}\s+(?:wekelijkse\s+)?bijeenkomsten\s+(?:met\s+)?actieleren\b|"
                    rf"actieleertraject\**:\s+{NUMBER}\s+(?:wekelijkse\s+)?bijeenkomsten", re.I)


def _numbers(match: re.Match) -> list[int]:
    return [number(g) for g in match.groups() if g]


@rule("session-counts")
def check_session_counts(root: Path) -> Iterator[Finding]:
    from leerplein.book.rules import book_pages

    series = counted_sessions(root)
    if not series:
        return
    total = sum(series.values())
    minimum = attendance_minimum(root)
    expected = {MEETINGS: ("Ontmoetingen", series.get("De Ontmoetingen", 0)),
                ACTION: ("action-learning sessions", series.get("Actieleertraject", 0)),
                TOTAL: ("group sessions", total)}
    pages = [*book_pages(root), *sorted((root / "book" / "sessies").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for line, match in _matches(text, 1, ATTENDANCE):
            said_min, said_total = _numbers(match)
            if minimum is not None and said_min != minimum:
                yield Finding(page, line, "session-counts",
                              f"says {said_min} sessions to attend; grading/slaagregels.yml asks {minimum}")
            if said_total != total:
                yield Finding(page, line, "session-counts",
                              f"says {said_total} sessions in all; the modules count {total} session plans")
        for pattern, (kind, actual) in expected.items():
            for line, match in _matches(text, 1, pattern):
                said = _numbers(match)[0]
                if said != actual:
                    yield Finding(page, line, "session-counts",
                                  f"says {said} {kind}; the modules count {actual} session plans")
