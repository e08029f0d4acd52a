"""Attendance per group session: which students were at which session of the session plans.

Names are checked, so a typo never counts toward the pass rule: a session must be one of the
plans in `sessies/` and a student must be in the gradebook (the roster). Every change can be undone."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from leerplein.course.course import Course, read_json, write_json


class AttendanceError(ValueError):
    """A Dutch message a teacher can act on (it lists the valid names)."""


@dataclass(frozen=True)
class Session:
    id: str  # short and stable: "ontmoeting-2", "actieleren-1", "workshop-2"
    titel: str
    plan: str  # the plan's file name without .yml


def sessions(root: Path) -> list[Session]:
    """Every group session in the session plans, in plan order."""
    from leerplein.sessies.plans import load_plans

    out = []
    for plan in load_plans(root):
        kind = re.sub(r"^\d+-", "", plan.id).split("-")[0]
        out.append(Session(f"{kind}-{plan.nummer}", plan.titel, plan.id))
    return out


def attendance_file(course: Course) -> Path:
    return course.state / "aanwezigheid.json"


def attendance(course: Course) -> dict[str, list[str]]:
    """student -> sorted session ids."""
    return read_json(attendance_file(course), {})


def _suggest(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f" Bedoelt u {close[0]}?" if close else ""


def resolve_session(root: Path, name: str) -> Session:
    known = sessions(root)
    for session in known:
        if name in (session.id, session.plan):
            return session
    ids = [s.id for s in known]
    raise AttendanceError(f"Er is geen bijeenkomst '{name}'.{_suggest(name, ids)} Kies uit: {', '.join(ids)}.")


def course_students(course: Course) -> list[str]:
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        return sorted(s.id for s in gb.students)


def _check_students(course: Course, students: list[str]) -> None:
    if not students:
        raise AttendanceError("Kies minstens één student.")
    known = course_students(course)
    unknown = [s for s in students if s not in known]
    if unknown:
        hints = "".join(_suggest(s, known) for s in unknown)
        raise AttendanceError(f"Niet in deze cursus: {', '.join(unknown)}.{hints} "
                              f"Studenten in deze cursus: {', '.join(known) or 'nog niemand'}.")


def record_attendance(course: Course, session: str, students: list[str]) -> Session:
    """Mark students present at a session. Nothing is written when any name is wrong."""
    found = resolve_session(course.root, session)
    _check_students(course, students)
    data = attendance(course)
    for student in students:
        data[student] = sorted(set(data.get(student, [])) | {found.id})
    write_json(attendance_file(course), data)
    return found


def remove_attendance(course: Course, session: str, students: list[str]) -> Session:
    """Undo: the students were not at the session after all."""
    found = resolve_session(course.root, session)
    _check_students(course, students)
    data = attendance(course)
    for student in students:
        kept = [s for s in data.get(student, []) if s != found.id]
        if kept:
            data[student] = kept
        else:
            data.pop(student, None)
    write_json(attendance_file(course), data)
    return found


def attended(course: Course, student: str) -> int:
    """How many known sessions the student attended (records of unknown sessions do not count)."""
    valid = {s.id for s in sessions(course.root)}
    return len([s for s in attendance(course).get(student, []) if s in valid])
