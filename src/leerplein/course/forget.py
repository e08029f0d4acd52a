"""`leerplein course forget STUDENT`: remove one student's data everywhere (AVG/GDPR)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from leerplein.course.course import Course


def forget_student(course: Course, student: str) -> list[str]:
    from nbgrader.api import Gradebook, MissingEntry

    removed = []
    removed += _forget_released_feedback(course, student)
    with Gradebook(course.gradebook_url) as gb:
        try:
            gb.find_student(student)
        except MissingEntry:
            pass
        else:
            for assignment in gb.assignments:
                try:
                    gb.remove_submission(assignment.name, student)
                    removed.append(f"gradebook: submission {assignment.name}")
                except MissingEntry:
                    pass
            gb.remove_student(student)
            removed.append("gradebook: student record")
    for stage in ("submitted", "autograded", "feedback"):
        folder = course.directory / stage / student
        if folder.exists():
            shutil.rmtree(folder)
            removed.append(f"{stage}/{student}/")
    for sub in ("status", "rubric", "originals", "repairs", "intake"):
        base = course.state / sub
        for path in sorted(base.rglob(f"{student}*")) if base.exists() else []:
            if path.name in (student, f"{student}.json") and path.exists():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
                removed.append(f".leerplein/{sub}/{path.relative_to(base)}")
    removed += _forget_in_exchange(course, student)
    removed += _forget_in_leerkring(course, student)
    from leerplein.credentials.issue import revoke

    if (course.state / "badges" / "uitgegeven.json").is_file() and revoke(course, student, forget=True):
        removed.append("badge: record removed; the badge stays revoked on the status list")
    attendance = course.state / "aanwezigheid.json"
    if attendance.is_file():
        from leerplein.course.course import read_json, write_json

        data = read_json(attendance, {})
        if data.pop(student, None) is not None:
            write_json(attendance, data)
            removed.append(".leerplein/aanwezigheid.json: attendance")
    return removed


def leerkring_db(course: Course) -> Path:
    """On the one-machine hub the leerkring lives next to the exchange, in the hub's state."""
    import os

    configured = os.environ.get("LEERPLEIN_LEERKRING_DB")
    return Path(configured) if configured else course.exchange.parent / "leerkring" / "leerkring.sqlite"


def _forget_in_leerkring(course: Course, student: str) -> list[str]:
    path = leerkring_db(course)
    if not path.is_file() or path.is_symlink():
        return []
    from leerplein.leerkring.store import Store

    store = Store(path, {})
    try:
        return store.forget(student)
    finally:
        store.close()


def _forget_in_exchange(course: Course, student: str) -> list[str]:
    """The student's submissions in inbound/ and anything of theirs that was moved aside. Only
    the top level is matched by name; links are removed, never followed."""
    from leerplein.course.course import COURSE_ID
    from leerplein.course.guard import QUARANTINE

    removed = []
    base = course.exchange / COURSE_ID
    for folder, prefix in ((base / "inbound", f"{student}+"), (base / QUARANTINE, f"inbound.{student}+")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if not entry.name.startswith(prefix):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)  # fd-based on Linux: safe against links inside
            else:
                os.unlink(entry.path)
            removed.append(f"exchange: {Path(entry.path).relative_to(course.exchange)}")
    return removed


def _forget_released_feedback(course: Course, student: str) -> list[str]:
    """Released feedback sits in the exchange under a hash of the submission's secret."""
    from nbgrader.utils import notebook_hash

    removed = []
    feedback_root = course.exchange / "leerplein" / "feedback"
    for secret_file in (course.directory / "feedback" / student).glob("*/submission_secret.txt"):
        secret = secret_file.read_text()
        for html_file in secret_file.parent.glob("*.html"):
            target = feedback_root / f"{notebook_hash(secret=secret, notebook_id=html_file.stem)}.html"
            if target.exists():
                target.unlink()
                removed.append(f"exchange: feedback/{target.name}")
    return removed
