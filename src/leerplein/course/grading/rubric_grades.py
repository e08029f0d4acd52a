"""Rubric grades: the grader picks a level per criterion; the points follow from the levels and
go into nbgrader's gradebook as the manual score, the chosen levels and the comment are kept
alongside (course/.leerplein/rubric/<assignment>/<student>.json, written atomically)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from leerplein.course.prepare.assign import Criterion, load_exercise, notebook_answers
from leerplein.course.course import Course, read_json, write_json
from leerplein.course.safe_paths import UnsafePath, inside, plain_name, read_regular

MAX_COMMENT = 10_000


class GradingError(ValueError):
    pass


class UnknownItem(GradingError):
    """An assignment or student the course does not know (or a name that is no plain name)."""


def check_known(course: Course, assignment: str, student: str) -> None:
    """Only assignments from exercises/ and students with a collected submission of it: every
    id in a URL or form is checked here before any path is built from it."""
    from leerplein.course.prepare.assign import exercise_slugs
    from leerplein.course.grading.autograde import submissions

    try:
        plain_name(assignment)
        plain_name(student)
    except UnsafePath as err:
        raise UnknownItem("Deze opdracht of student bestaat niet.") from err
    if assignment not in exercise_slugs(course.root):
        raise UnknownItem("Deze opdracht bestaat niet.")
    if student not in submissions(course, assignment):
        raise UnknownItem("Deze student heeft deze opdracht niet ingeleverd.")
    try:
        inside(course.directory, "submitted", student, assignment)
    except UnsafePath as err:  # a link in the course folder: never followed
        raise UnknownItem("Deze inlevering is geen gewone map.") from err


def rubric_path(course: Course, assignment: str, student: str) -> Path:
    return inside(course.state, "rubric", assignment, f"{plain_name(student)}.json")


def load_levels(course: Course, assignment: str, student: str) -> dict:
    try:
        return read_json(rubric_path(course, assignment, student), {}) or {}
    except UnsafePath:
        return {}


def points_for(criteria: list[Criterion], chosen: dict[str, str]) -> float:
    total = 0.0
    for c in criteria:
        names = {level.naam: level.punten for level in c.niveaus}
        if chosen.get(c.id) not in names:
            raise GradingError(f"Kies een niveau voor '{c.titel}'; deze vraag is niet opgeslagen.")
        total += names[chosen[c.id]]
    return total


def notebook_name(assignment: str) -> str:
    return assignment  # one notebook per assignment, named after it


def answers(course: Course, assignment: str, student: str) -> dict[str, str]:
    """The student's answers by grade_id, from the autograded (else the submitted) notebook."""
    for stage in ("autograded", "submitted"):
        try:
            path = inside(course.directory, stage, student, assignment, f"{notebook_name(assignment)}.ipynb")
        except UnsafePath:
            return {}
        if path.is_file():
            try:
                return notebook_answers(nbformat.reads(read_regular(path).decode("utf-8"), as_version=4))
            except Exception:  # noqa: BLE001 - a broken notebook shows as no answer
                return {}
    return {}


def save_rubric_grade(course: Course, assignment: str, student: str, question: str,
                      chosen: dict[str, str], comment: str = "") -> float:
    from nbgrader.api import Gradebook, MissingEntry

    check_known(course, assignment, student)
    exercise = load_exercise(course.root, assignment)
    if question not in exercise.rubric:
        raise GradingError(f"Onbekende vraag: {question}.")
    if len(comment) > MAX_COMMENT:
        raise GradingError(f"De opmerking bij {question} is langer dan {MAX_COMMENT} tekens; deze vraag is niet opgeslagen.")
    points = points_for(exercise.rubric[question], chosen)
    chosen = {c.id: chosen[c.id] for c in exercise.rubric[question]}
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


def save_page(course: Course, assignment: str, student: str,
              values: dict[str, tuple[dict[str, str], str | None]]) -> tuple[dict[str, float], list[str]]:
    """Save every question of a grading page that has levels chosen; a question with nothing
    chosen and an unchanged comment (None: not on the form) is left as it was. Returns the
    points saved and Dutch errors, one per question that could not be saved."""
    saved, errors = {}, []
    stored = load_levels(course, assignment, student)
    for question, (chosen, comment) in values.items():
        before = stored.get(question, {}).get("comment", "")
        if not any(chosen.values()) and comment in (None, before):
            continue
        comment = before if comment is None else comment
        try:
            saved[question] = save_rubric_grade(course, assignment, student, question, chosen, comment)
        except UnknownItem:
            raise
        except GradingError as err:
            errors.append(f"{question}: {err}")
    return saved, errors
