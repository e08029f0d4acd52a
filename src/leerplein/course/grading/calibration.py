"""Calibration: a teacher grades the model answers (grading/modelantwoorden/, never released to
students) with the rubric and sees where she differs from the level each was written for.

The intended level of a model answer under a rubric level name ("voldoende") is that level on
every criterion of the question; the borderline and mixed examples carry no machine-readable
level per criterion, so they are not used here. Items are named by a short hash, so a URL does not
give the level away. Results are kept per teacher (course/.leerplein/kalibratie/<teacher>.json)
and shown to her alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from leerplein.course.course import Course, read_json, write_json
from leerplein.course.prepare.assign import Criterion, exercise_slugs, load_exercise
from leerplein.course.prepare.rubrics import model_answers
from leerplein.course.safe_paths import inside, plain_name


class CalibrationError(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    id: str
    slug: str
    question: str
    level: str  # the intended level on every criterion
    text: str
    vraag: str
    criteria: tuple[Criterion, ...]


def _item_id(slug: str, question: str, level: str) -> str:
    return hashlib.sha256(f"{slug}/{question}/{level}".encode()).hexdigest()[:10]


def items(root: Path) -> list[Item]:
    """Every model answer written at a rubric level, in a fixed order that hides the level."""
    out = []
    for slug in exercise_slugs(root):
        exercise = load_exercise(root, slug)
        answers = model_answers(root, slug)
        for q in exercise.reflections:
            criteria = tuple(exercise.rubric[q["id"]])
            names = {lv.naam for c in criteria for lv in c.niveaus}
            for level, text in (answers.get(q["id"]) or {}).items():
                if level in names:
                    out.append(Item(_item_id(slug, q["id"], level), slug, q["id"], level, " ".join(str(text).split()),
                                    q["vraag"], criteria))
    return sorted(out, key=lambda i: (i.slug, i.question, i.id))


def find_item(root: Path, item_id: str) -> Item:
    for item in items(root):
        if item.id == item_id:
            return item
    raise CalibrationError("Dit voorbeeld bestaat niet.")


def results_path(course: Course, teacher: str) -> Path:
    return inside(course.state, "kalibratie", f"{plain_name(teacher)}.json")


def load_results(course: Course, teacher: str) -> dict[str, dict]:
    return read_json(results_path(course, teacher), {}) or {}


def save_calibration(course: Course, teacher: str, item_id: str, chosen: dict[str, str]) -> dict:
    item = find_item(course.root, item_id)
    for c in item.criteria:
        if chosen.get(c.id) not in {lv.naam for lv in c.niveaus}:
            raise CalibrationError(f"Kies een niveau voor '{c.titel}'; er is niets opgeslagen.")
    results = load_results(course, teacher)
    results[item.id] = {"levels": {c.id: chosen[c.id] for c in item.criteria},
                        "wanneer": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_json(results_path(course, teacher), results)
    return results[item.id]


@dataclass(frozen=True)
class Difference:
    criterion: str  # title
    intended: str
    chosen: str
    steps: int  # chosen minus intended, in levels: > 0 milder, < 0 stricter


def compare(item: Item, chosen: dict[str, str]) -> list[Difference]:
    out = []
    for c in item.criteria:
        order = [lv.naam for lv in c.niveaus]
        if chosen.get(c.id) in order and item.level in order:
            out.append(Difference(c.titel, item.level, chosen[c.id], order.index(chosen[c.id]) - order.index(item.level)))
    return out


@dataclass(frozen=True)
class Summary:
    graded: int  # criteria judged
    same: int
    mean_steps: float  # signed: > 0 she grades milder than intended, < 0 stricter


def summary(course: Course, teacher: str) -> Summary:
    results = load_results(course, teacher)
    diffs = [d for item in items(course.root) if item.id in results for d in compare(item, results[item.id]["levels"])]
    if not diffs:
        return Summary(0, 0, 0.0)
    return Summary(len(diffs), sum(d.steps == 0 for d in diffs), sum(d.steps for d in diffs) / len(diffs))
