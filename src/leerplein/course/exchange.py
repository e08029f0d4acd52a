"""Student-side exchange actions for scripts and tests (on the hub, students use JupyterLab's
assignment list): fetch the released assignment, submit a folder as a given student."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from leerplein.course.course import Course


@contextlib.contextmanager
def _cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _app(cls, course: Course, assignment: str, student: str):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    cfg = course.nbgrader_config()
    cfg.CourseDirectory.assignment_id = assignment
    cfg.CourseDirectory.student_id = student
    coursedir = CourseDirectory(config=cfg)
    return cls(coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg)


def fetch_as(course: Course, assignment: str, student: str, home: Path) -> Path:
    from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment

    home.mkdir(parents=True, exist_ok=True)
    with _cwd(home):
        _app(ExchangeFetchAssignment, course, assignment, student).start()
    return home / assignment


def submit_as(course: Course, assignment: str, student: str, home: Path) -> None:
    """Submit home/<assignment>/ as `student` through the exchange."""
    from nbgrader.exchange.default.submit import ExchangeSubmit

    with _cwd(home):
        _app(ExchangeSubmit, course, assignment, student).start()


def reject_impersonations(course: Course, assignment: str) -> list[str]:
    """Submissions in the exchange whose owner is not the student they claim to be are moved
    aside (nbgrader itself only warns). Submissions made by root (local use) are trusted."""
    import pwd
    import shutil

    from leerplein.course.course import COURSE_ID

    inbound = course.exchange / COURSE_ID / "inbound"
    rejected = []
    for entry in sorted(inbound.glob(f"*+{assignment}+*")) if inbound.is_dir() else []:
        claimed = entry.name.split("+", 1)[0]
        try:
            owner = pwd.getpwuid(entry.stat().st_uid).pw_name
        except KeyError:
            owner = str(entry.stat().st_uid)
        if owner not in (claimed, "root"):
            target = course.state / "rejected" / entry.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(entry), target)
            rejected.append(f"{entry.name}: claims to be from {claimed} but was submitted by {owner}")
    return rejected
