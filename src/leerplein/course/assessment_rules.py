"""Curriculum rules for assessment quality: rubrics with the four levels where "voldoende" means
the leerdoel is met, summative items that are not copies of formative ones and not guessable
by length, and skill leerdoelen assessed by more than multiple choice."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from leerplein.book.check import Finding, rule
from leerplein.course.assign import ExerciseError, exercise_slugs, load_exercise

LEVELS = ("nog niet", "bijna", "voldoende", "goed")
PASS_LEVEL = "voldoende"

# A "voldoende" that only asks to mention or attach something does not show the leerdoel is met.
MENTION = re.compile(r"\b(noemt|vermeldt|somt\w* op|staat erbij|staan erbij|komt (?:voor|aan bod)|wordt genoemd)\b", re.I)
# Descriptors describe the work, not the person: no gendered pronouns.
GENDERED = re.compile(r"\b(hij|hem|zij|haar|zijn eigen|haar eigen)\b", re.I)
SKILL_VERBS = ("voeren", "stellen", "toepassen", "beoordelen")


def rubric_findings(path: Path, rubric: dict) -> Iterator[Finding]:
    """Findings for one loaded rubric ({question: [Criterion]})."""
    for qid, criteria in rubric.items():
        for c in criteria:
            where = f"{qid}/{c.id}"
            names = [lv.naam for lv in c.niveaus]
            if tuple(names) != LEVELS:
                yield Finding(path, 1, "rubric-levels",
                              f"{where}: levels must be {', '.join(LEVELS)} in this order (found {', '.join(names)})")
                continue
            points = [lv.punten for lv in c.niveaus]
            if points[0] != 0 or any(a >= b for a, b in zip(points, points[1:])):
                yield Finding(path, 1, "rubric-levels", f"{where}: points must start at 0 and rise with every level")
            for lv in c.niveaus:
                if not lv.beschrijving.strip():
                    yield Finding(path, 1, "rubric-levels", f"{where}/{lv.naam}: the level has no description")
                if GENDERED.search(lv.beschrijving):
                    yield Finding(path, 1, "rubric-levels",
                                  f"{where}/{lv.naam}: describe the work without 'hij' or 'zij' ({lv.beschrijving[:40]}…)")
            passing = c.niveaus[LEVELS.index(PASS_LEVEL)].beschrijving
            if MENTION.search(passing):
                yield Finding(path, 1, "rubric-levels",
                              f"{where}: '{PASS_LEVEL}' only asks to mention something ('{MENTION.search(passing).group(0)}'); "
                              f"describe what shows the leerdoel is met")


@rule("rubric-levels")
def check_rubric_levels(root: Path) -> Iterator[Finding]:
    for slug in exercise_slugs(root):
        try:
            exercise = load_exercise(root, slug)
        except ExerciseError:
            continue  # reported by `assessment`
        yield from rubric_findings(root / "grading" / "rubrics" / f"{slug}.yml", exercise.rubric)
