"""Herkansing (resubmission): one more attempt per assignment for a student whose graded work
did not pass, opened by her teacher with its own deadline.

Opening it (resubmission_opening.py) copies the first attempt aside (submitted and autograded notebooks, feedback, rubric
levels, scores) into course/.leerplein/pogingen/<assignment>/<student>/1/, written under a temp
name and renamed, before anything new can be collected; that copy is never written again. When
collect then takes in a hand-in made after the opening, the active rubric levels are cleared, so
the new version is graded afresh. Progress, pass rules and the export use the last graded attempt:
the first while the second waits for grading, the second once it is graded. There is no third.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from leerplein.course.course import Course, read_json, write_json
from leerplein.course.safe_paths import UnsafePath, inside, plain_name

THIRD = "Er is al een herkansing voor deze opdracht geweest. Een derde poging is niet mogelijk."


class ResubmissionError(ValueError):
    pass


def record_path(course: Course, slug: str, student: str) -> Path:
    return inside(course.state, "herkansing", slug, f"{plain_name(student)}.json")


def archive_dir(course: Course, slug: str, student: str) -> Path:
    return inside(course.state, "pogingen", slug, student, "1")


def load_record(course: Course, slug: str, student: str) -> dict | None:
    try:
        return read_json(record_path(course, slug, student)) or None
    except UnsafePath:
        return None


def records(course: Course, slug: str) -> dict[str, dict]:
    folder = course.state / "herkansing" / slug
    return {p.stem: read_json(p, {}) for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


@dataclass(frozen=True)
class Counted:
    """What counts for progress and the export: the last graded attempt."""
    attempt: int  # 1 or 2
    status: str  # "open", "ingeleverd" or "nagekeken", as in progress.AssignmentProgress
    score: float
    note: str = ""  # Dutch, for the teacher's and the student's progress ("" without a herkansing)


def counted(course: Course, slug: str, student: str, status: str, score: float) -> Counted:
    """Given the active (gradebook) state of her work, which attempt counts."""
    record = load_record(course, slug, student)
    if not record:
        return Counted(1, status, score)
    from leerplein.course.intake.deadlines import dutch_time

    until = dutch_time(datetime.fromisoformat(record["deadline"]))
    if not record.get("ingeleverd"):
        return Counted(1, "nagekeken", float(record["eerste"]["score"]), f"herkansing open tot {until}")
    if status != "nagekeken":
        return Counted(1, "nagekeken", float(record["eerste"]["score"]), "herkansing ingeleverd, wacht op nakijken")
    return Counted(2, status, score, "herkansing telt (poging 2)")


def hold_back(course: Course, slug: str, students: list[str]) -> dict[str, str]:
    """Students whose herkansing is already graded: a later hand-in is not collected (no third
    attempt). Returns student -> Dutch message."""
    from leerplein.course.grading.rubric_grades import load_levels

    out = {}
    for student in students:
        record = load_record(course, slug, student)
        if record and record.get("ingeleverd") and load_levels(course, slug, student):
            out[student] = ("Je herkansing is al beoordeeld. Een derde poging is niet mogelijk; deze inlevering is "
                            "niet opgehaald.")
    return out


def after_collect(course: Course, slug: str, students: list[str]) -> list[str]:
    """Students whose herkansing hand-in was just collected: their first grade stays in the
    archive, the active rubric levels and feedback are cleared so the new version is graded afresh."""
    from leerplein.course.grading.rubric_grades import rubric_path
    from leerplein.course.intake.deadlines import handed_in_at

    changed = []
    for student in students:
        record = load_record(course, slug, student)
        if not record or record.get("ingeleverd"):
            continue
        handed = handed_in_at(course, slug, student)
        if handed is None or handed <= datetime.fromisoformat(record["geopend_op"]):
            continue  # her old hand-in, collected again: still the first attempt
        if not archive_dir(course, slug, student).is_dir():  # never clear what is not kept
            continue
        rubric_path(course, slug, student).unlink(missing_ok=True)
        shutil.rmtree(inside(course.directory, "feedback", student, slug), ignore_errors=True)
        record.update(ingeleverd=True, ingeleverd_op=handed.isoformat(),
                      te_laat=handed > datetime.fromisoformat(record["deadline"]))
        write_json(record_path(course, slug, student), record)
        changed.append(student)
    return changed


def first_attempt(course: Course, slug: str, student: str) -> dict:
    """The kept first attempt's result and feedback (HTML), for the teacher."""
    folder = archive_dir(course, slug, student)
    result = read_json(folder / "resultaat.json", {}) or {}
    feedback = folder / "feedback" / f"{slug}.html"
    return {**result, "feedback": feedback.read_text(encoding="utf-8") if feedback.is_file() else ""}
