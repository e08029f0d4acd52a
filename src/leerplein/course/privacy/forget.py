"""`leerplein course forget STUDENT`: remove one student's data (AVG/GDPR) from the course,
the exchange and the leerkring, and on a hub (`hub_state`) from the hub: its user record and
tokens, her files in /tmp, /var/tmp and /dev/shm, her lines in the hub's logs, and when asked
(`remove_account`) her system account and home folder. What cannot be removed here is listed
in `left`, each with why and what to do."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.course.course import Course
from leerplein.course.safe_paths import UnsafePath, plain_name


@dataclass
class ForgetResult:
    student: str
    removed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # "what: why, and what to do"


def forget_student(course: Course, student: str, hub_state: Path | None = None, remove_account: bool = False,
                   backups: list[Path] = (), temp_roots=None) -> ForgetResult:
    try:
        plain_name(student)
    except UnsafePath as err:
        raise ValueError(f"{student!r} is not a user name") from err
    result = ForgetResult(student)
    result.removed += _forget_in_course(course, student)
    if hub_state is not None:
        _forget_on_hub(result, Path(hub_state), remove_account, temp_roots)
    else:
        result.left.append("hub: not touched (no hub state folder given); on a hub, run again with --hub-state-dir")
    result.left += _backups_left(backups)
    if any(item.startswith("badge:") for item in result.removed):
        result.left.append("badge: a revoked badge keeps its number on the public status list, by design (it holds "
                           "no name), so a copy of her badge shows as revoked")
    return result


def _forget_on_hub(result: ForgetResult, state: Path, remove_account: bool, temp_roots) -> None:
    from leerplein.course.privacy import forget_system as system
    from leerplein.identity import expected_uid

    student = result.student
    removed, left = system.forget_hub_user(state, student)
    result.removed += removed
    result.left += left
    result.removed += system.forget_initial_password(state, student)
    uid = expected_uid(student) if system.pwd_exists(student) else None
    if uid is not None and uid != 0:
        if remove_account:
            ended = system.end_processes(uid)
            if ended:
                result.removed.append(f"processes: {ended} of {student} ended")
        removed, left = system.forget_temp_files(uid, *(() if temp_roots is None else (temp_roots,)))
        result.removed += removed
        result.left += left
        if remove_account:
            removed, left = system.remove_account(student)
            result.removed += removed
            result.left += left
        else:
            result.left.append(f"system account {student} and home folder: kept (her own files; she can still log "
                               "in if she is on the roster); add --remove-account to delete both")
    result.removed += system.scrub_logs(state, student)
    result.left += system.roster_mentions(state, student)


def _backups_left(backups) -> list[str]:
    found = []
    for place in backups:
        place = Path(place)
        files = sorted(place.glob("*.tar.gz")) if place.is_dir() else [place] if place.is_file() else []
        found += [str(f) for f in files]
    if found:
        return [f"backup {f}: still holds her data; make a new backup and delete this one" for f in found]
    return ["backups: `hub backup` archives made before now still hold her data; Leerplein does not track where "
            "they are: make a new backup and delete the older ones (or pass --backups FOLDER to list them)"]


def _forget_in_course(course: Course, student: str) -> list[str]:
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
    for sub in ("status", "rubric", "originals", "repairs", "intake", "secrets", "released", "herkansing", "pogingen",
                "tweede-beoordeling", "observatie"):
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
    from leerplein.course.intake.guard import QUARANTINE

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
    """Released feedback sits in the exchange under a hash of the secret recorded at collect
    (and, for feedback released before that record existed, of the copy in her feedback folder)."""
    from nbgrader.utils import notebook_hash

    from leerplein.course.course import read_json

    secrets = {}  # assignment -> secrets
    for record in (course.state / "secrets").glob(f"*/{student}.json"):
        secrets.setdefault(record.parent.name, set()).add((read_json(record, {}) or {}).get("secret"))
    for secret_file in (course.directory / "feedback" / student).glob("*/submission_secret.txt"):
        if not secret_file.is_symlink():
            secrets.setdefault(secret_file.parent.name, set()).add(secret_file.read_text())
    removed = []
    feedback_root = course.exchange / "leerplein" / "feedback"
    for assignment, known in sorted(secrets.items()):
        for secret in filter(None, known):
            target = feedback_root / f"{notebook_hash(secret=secret, notebook_id=assignment)}.html"
            if os.path.lexists(target):
                target.unlink()
                removed.append(f"exchange: feedback/{target.name}")
    from leerplein.course.grading.resubmission_notice import withdraw_notices

    removed += [f"exchange: feedback/{name}" for name in withdraw_notices(course, student)]
    return removed
