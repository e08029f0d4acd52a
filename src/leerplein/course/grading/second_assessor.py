"""A blind second assessor: a second docent picks rubric levels without seeing the first grade;
the two are compared per criterion, agreement is a weighted Cohen's kappa (scikit-learn), and the
grade both agree on becomes the grade in the gradebook. Second grades are kept apart
(course/.leerplein/tweede-beoordeling/<assignment>/<student>.json, written atomically).

Blindness: a teacher who is asked to be second assessor (or who opened the blind form) sees no
first levels, comment, points or pass/fail anywhere until the blind second assessment is saved
(`blind_for`; the grading page asks it too, the workspace's pages `blind_work`). Who was asked:
.../<assignment>/gevraagd/<student>.json."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

from leerplein.course.prepare.assign import load_exercise
from leerplein.course.course import Course, read_json, write_json
from leerplein.course.grading.rubric_grades import GradingError, load_levels, points_for, save_rubric_grade


def second_path(course: Course, assignment: str, student: str) -> Path:
    return course.state / "tweede-beoordeling" / assignment / f"{student}.json"


def save_second_grade(course: Course, assignment: str, student: str, question: str, chosen: dict[str, str],
                      assessor: str) -> float:
    """Store the second assessor's levels; the gradebook and the first grade stay as they are."""
    exercise = load_exercise(course.root, assignment)
    if question not in exercise.rubric:
        raise GradingError(f"Onbekende vraag: {question}.")
    points = points_for(exercise.rubric[question], chosen)
    path = second_path(course, assignment, student)
    record = read_json(path, {}) or {}
    record[question] = {"levels": dict(chosen), "points": points, "beoordelaar": assessor}
    write_json(path, record)
    return points


def asked_path(course: Course, assignment: str, student: str) -> Path:
    return course.state / "tweede-beoordeling" / assignment / "gevraagd" / f"{student}.json"


def asked(course: Course, assignment: str, student: str) -> dict[str, dict]:
    """teacher -> {"door": who asked, "op": when}: who is (or made herself) second assessor."""
    return read_json(asked_path(course, assignment, student), {}) or {}


def ask_second(course: Course, assignment: str, student: str, teacher: str, by: str) -> bool:
    """Record that `teacher` is second assessor of this submission; False if she already was."""
    from datetime import datetime

    record = asked(course, assignment, student)
    if teacher in record:
        return False
    record[teacher] = {"door": by, "op": datetime.now().astimezone().isoformat(timespec="seconds")}
    write_json(asked_path(course, assignment, student), record)
    return True


def second_done(course: Course, assignment: str, student: str) -> bool:
    """The blind second assessment of every reflection is saved."""
    exercise = load_exercise(course.root, assignment)
    record = read_json(second_path(course, assignment, student), {}) or {}
    return all(isinstance(record.get(q["id"]), dict) and "levels" in record[q["id"]] for q in exercise.reflections)


def blind_for(course: Course, assignment: str, student: str, teacher: str | None) -> bool:
    """She is second assessor of this submission and the blind assessment is not saved yet: no page
    may show her the first assessor's levels or comment."""
    return bool(teacher) and teacher in asked(course, assignment, student) and not second_done(course, assignment,
                                                                                                   student)


def blind_work(course: Course, teacher: str | None, students) -> set[tuple[str, str]]:
    """(assignment, student) of these students' work whose first grade `teacher` may not see yet:
    the pages that show points or pass/fail (progress, herkansing, report, export, badges) hide
    it from her, as the grading page and the log do."""
    base = course.state / "tweede-beoordeling"
    if not teacher or not base.is_dir():
        return set()
    found = set()
    for asked_file in base.glob("*/gevraagd/*.json"):
        slug, student = asked_file.parent.parent.name, asked_file.stem
        if student in students and blind_for(course, slug, student, teacher):
            found.add((slug, student))
    return found


@dataclass(frozen=True)
class Pair:
    student: str
    question: str
    criterion: str
    first: str
    second: str


def pairs(course: Course, assignment: str, students: list[str]) -> list[Pair]:
    """Every criterion both assessors graded, per student."""
    exercise = load_exercise(course.root, assignment)
    found = []
    for student in students:
        first, second = load_levels(course, assignment, student), read_json(second_path(course, assignment, student), {}) or {}
        for question, criteria in exercise.rubric.items():
            a, b = (first.get(question) or {}).get("levels") or {}, (second.get(question) or {}).get("levels") or {}
            found += [Pair(student, question, c.id, a[c.id], b[c.id]) for c in criteria if c.id in a and c.id in b]
    return found


def agreement(course: Course, assignment: str, students: list[str]) -> dict[str, float | None]:
    """Linearly weighted Cohen's kappa per criterion ("question/criterion"), over the students both
    assessors graded; None when it is undefined (fewer than two pairs, or no spread at all)."""
    from sklearn.metrics import cohen_kappa_score

    exercise = load_exercise(course.root, assignment)
    found = pairs(course, assignment, students)
    out = {}
    for question, criteria in exercise.rubric.items():
        for c in criteria:
            order = [lv.naam for lv in c.niveaus]
            mine = [p for p in found if p.question == question and p.criterion == c.id]
            if len(mine) < 2:
                out[f"{question}/{c.id}"] = None
                continue
            first = [order.index(p.first) for p in mine]
            second = [order.index(p.second) for p in mine]
            with warnings.catch_warnings():  # undefined (no spread) is reported as None below
                warnings.simplefilter("ignore")
                kappa = float(cohen_kappa_score(first, second, labels=list(range(len(order))), weights="linear"))
            out[f"{question}/{c.id}"] = None if math.isnan(kappa) else round(kappa, 4)
    return out


def agree_final(course: Course, assignment: str, student: str, question: str, chosen: dict[str, str],
                comment: str = "") -> float:
    """The grade both assessors agreed on becomes the gradebook grade; both assessments stay."""
    first = load_levels(course, assignment, student).get(question)
    path = second_path(course, assignment, student)
    record = read_json(path, {}) or {}
    if first and "eerste" not in record.get(question, {}):
        record.setdefault(question, {})["eerste"] = first  # the first assessment, before the agreed grade replaces it
        write_json(path, record)
    points = save_rubric_grade(course, assignment, student, question, chosen, comment)
    record.setdefault(question, {})["afgesproken"] = {"levels": dict(chosen), "points": points}
    write_json(path, record)
    return points
