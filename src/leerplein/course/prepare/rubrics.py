"""Curriculum rule: every leerdoel of a module is assessed by a rubric criterion or a kennischeck,
and every exercise has a valid rubric."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from leerplein.book.check import Finding, rule
from leerplein.course.prepare.assign import ExerciseError, exercise_slugs, load_exercise


def leerdoelen(index: Path) -> list[str]:
    text = index.read_text(encoding="utf-8")
    match = re.search(r"^## Leerdoelen\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return re.findall(r"^- (.+)$", match.group(1), re.M) if match else []


def goals_page(root: Path, slug: str) -> Path:
    """Where an exercise's leerdoelen are: its module's index, or for a course-wide assignment
    (the eindopdracht) its page in the book, book/<name without the number>.md."""
    module = root / "modules" / slug / "index.md"
    if module.is_file():
        return module
    return root / "book" / f"{slug.split('-', 1)[-1]}.md"


@rule("assessment")
def check_assessment(root: Path) -> Iterator[Finding]:
    for slug in exercise_slugs(root):
        source = root / "exercises" / slug / "opdracht.yml"
        index = goals_page(root, slug)
        try:
            exercise = load_exercise(root, slug)
        except ExerciseError as err:
            yield Finding(source, 1, "assessment", str(err))
            continue
        if not index.is_file():
            yield Finding(source, 1, "assessment", f"no module modules/{slug}/ and no book page {index.relative_to(root)} with its leerdoelen")
            continue
        goals = leerdoelen(index)
        assessed = {c.leerdoel for criteria in exercise.rubric.values() for c in criteria}
        assessed |= {int(q["leerdoel"]) for q in exercise.checks if "leerdoel" in q}
        for number in sorted(assessed - set(range(1, len(goals) + 1))):
            yield Finding(source, 1, "assessment", f"leerdoel {number} does not exist (the module has {len(goals)})")
        for number, goal in enumerate(goals, start=1):
            if number not in assessed:
                yield Finding(index, 1, "assessment",
                              f"leerdoel {number} ('{goal[:50]}…') is not assessed by any rubric criterion or kennischeck")
        for qid, criteria in exercise.rubric.items():
            for c in criteria:
                if len(c.niveaus) < 2:
                    yield Finding(source, 1, "assessment", f"{qid}/{c.id}: a criterion needs at least two levels")


def model_answers(root: Path, slug: str) -> dict:
    import yaml

    path = root / "grading" / "modelantwoorden" / f"{slug}.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


@rule("model-answers")
def check_model_answers(root: Path) -> Iterator[Finding]:
    """Teachers grade alike when every reflection question has an example for every rubric level
    (grading/modelantwoorden/<slug>.yml; never released to students)."""
    for slug in exercise_slugs(root):
        try:
            exercise = load_exercise(root, slug)
        except ExerciseError:
            continue  # reported by `assessment`
        answers = model_answers(root, slug)
        path = root / "grading" / "modelantwoorden" / f"{slug}.yml"
        for question in exercise.reflections:
            levels = {lv.naam for c in exercise.rubric.get(question["id"], []) for lv in c.niveaus}
            given = answers.get(question["id"]) or {}
            for level in sorted(levels - set(given)):
                yield Finding(path, 1, "model-answers",
                              f"{question['id']}: no model answer for level '{level}'")
            for level, text in given.items():
                if len(str(text).split()) < 5:
                    yield Finding(path, 1, "model-answers", f"{question['id']}/{level}: write a real example answer")
