"""What collect says to each student about her hand-in (Dutch lines: skipped files, not
released to her cohort, ...), kept per assignment so that autograde and the teacher's overview
show it later."""

from __future__ import annotations

from pathlib import Path

from leerplein.course.course import Course, read_json


def intake_path(course: Course, assignment: str, student: str) -> Path:
    return course.state / "intake" / assignment / f"{student}.json"


def intake_messages(course: Course, assignment: str) -> dict[str, list[str]]:
    folder = course.state / "intake" / assignment
    return {p.stem: read_json(p, []) for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}
