"""Rubric grades: the grader picks a level per criterion; the points follow from the levels and
go into nbgrader's gradebook as the manual score, the chosen levels and the comment are kept
alongside (course/.leerplein/rubric/<assignment>/<student>.json, written atomically)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from leerplein.course.assign import Criterion, load_exercise, notebook_answers
from leerplein.course.course import Course, read_json, write_json


class GradingError(ValueError):
    pass


def rubric_path(course: Course, assignment: str, student: str) -> Path:
    return course.state / "rubric" / assignment / f"{student}.json"


def load_levels(course: Course, assignment: str, student: str) -> dict:
    return read_json(rubric_path(course, assignment, student), {}) or {}


def points_for(criteria: list[Criterion], chosen: dict[str, str]) -> float:
    total = 0.0
    for c in criteria:
        names = {level.naam: level.punten for level in c.niveaus}
        if chosen.get(c.id) not in names:
            raise GradingError(f"Kies een niveau voor '{c.titel}'; er is niets opgeslagen.")
        total += names[chosen[c.id]]
    return total


def notebook_name(assignment: str) -> str:
    return assignment  # one notebook per assignment, named after it


def answers(course: Course, assignment: str, student: str) -> dict[str, str]:
    """The student's answers by grade_id, from the autograded (else the submitted) notebook."""
    for stage in ("autograded", "submitted"):
        path = course.directory / stage / student / assignment / f"{notebook_name(assignment)}.ipynb"
        if path.is_file():
            try:
                return notebook_answers(nbformat.read(str(path), as_version=4))
            except Exception:  # noqa: BLE001 - a broken notebook shows as no answer
                return {}
    return {}


def save_rubric_grade(course: Course, assignment: str, student: str, question: str,
                      chosen: dict[str, str], comment: str = "") -> float:
    from nbgrader.api import Gradebook, MissingEntry

    exercise = load_exercise(course.root, assignment)
    if question not in exercise.rubric:
        raise GradingError(f"Onbekende vraag: {question}.")
    points = points_for(exercise.rubric[question], chosen)
    with Gradebook(course.gradebook_url) as gb:
        try:
            grade = gb.find_grade(question, notebook_name(assignment), assignment, student)
            note = gb.find_comment(question, notebook_name(assignment), assignment, student)
        except MissingEntry as err:
            raise GradingError(f"De inlevering van {student} is nog niet automatisch nagekeken. Voer eerst "
                               f"'leerplein course autograde {assignment}' uit en probeer het dan opnieuw.") from err
        grade.manual_score = points
        note.manual_comment = comment
        gb.db.commit()
    record = load_levels(course, assignment, student)
    record[question] = {"levels": chosen, "comment": comment, "points": points}
    write_json(rubric_path(course, assignment, student), record)
    return points
