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
