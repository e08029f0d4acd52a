"""The student's own herkansing line ("Herkansing open tot …") needs her herkansing on her own
server, but the course record (course/.leerplein/herkansing/) is the teacher's. So opening one
also writes a small notice into the exchange's feedback folder, under a name only she can make:
a hash of the submission secret in her own cache (as nbgrader names her feedback). The folder is
not listable (0711) and on a hub the file is readable by her private group only, so another
student can neither list nor read it; a student without a usable secret gets no notice (the
teacher's confirmation already says to tell her)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from leerplein.course.course import COURSE_ID, Course
from leerplein.course.safe_paths import UnsafePath, read_regular

MAX_BYTES = 4096


def notice_name(secret: str, slug: str) -> str:
    return hashlib.sha256(f"{secret}\0herkansing\0{slug}".encode()).hexdigest() + ".json"


def feedback_folder(exchange: Path) -> Path:
    return Path(exchange) / COURSE_ID / "feedback"


def publish_notice(course: Course, slug: str, student: str, record: dict) -> str | None:
    """Write her notice; its file name, or None when she has no usable secret (nothing written)."""
    from leerplein.course.intake.submission_secrets import release_secret
    from leerplein.course.results.feedback import publish_file

    secret = release_secret(course, slug, student)
    if secret is None:
        return None
    folder = feedback_folder(course.exchange)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o711)  # as nbgrader's release_feedback and guard.py keep it: not listable
    data = json.dumps({"opdracht": slug, "deadline": record["deadline"], "geopend_op": record["geopend_op"]})
    name = notice_name(secret, slug)
    publish_file(data.encode(), folder, name, student)
    return name


NAME = re.compile(r"[0-9a-f]{64}\.json")


def withdraw_notices(course: Course, student: str) -> list[str]:
    """Remove her notices (forgetting a student), by the names kept in her herkansing records
    (her secret may have changed since: a later hand-in records a new one); the names removed."""
    from leerplein.course.course import read_json

    removed = []
    for record in sorted((course.state / "herkansing").glob(f"*/{student}.json")):
        name = (read_json(record, {}) or {}).get("melding")
        target = feedback_folder(course.exchange) / str(name)
        if isinstance(name, str) and NAME.fullmatch(name) and os.path.lexists(target):
            target.unlink()
            removed.append(name)
    return removed


@dataclass(frozen=True)
class Notice:
    deadline: datetime
    opened: datetime


def read_notice(exchange: Path, secrets: list[str], slug: str) -> Notice | None:
    """Her notice for `slug`, found under any of her own submissions' secrets; None without one.
    A file that is not hers to read, not regular, or not well formed counts as no notice."""
    for secret in secrets:
        try:
            data = json.loads(read_regular(feedback_folder(exchange) / notice_name(secret, slug), MAX_BYTES))
            if data.get("opdracht") != slug:
                continue
            return Notice(datetime.fromisoformat(data["deadline"]), datetime.fromisoformat(data["geopend_op"]))
        except (OSError, UnsafePath, ValueError, TypeError, KeyError, AttributeError):
            continue
    return None


def notice_line(notice: Notice | None, handed_in: list[datetime], now: datetime, feedback: bool = True) -> str:
    """Her herkansing in plain Dutch: open (and what to do), handed in, or closed; '' without one.
    `feedback`: her feedback is there to read."""
    from leerplein.course.intake.deadlines import dutch_time

    if notice is None:
        return ""
    until = dutch_time(notice.deadline)
    again = [t for t in handed_in if t > notice.opened]
    if again:
        return (f"Je hebt je herkansing ingeleverd op {dutch_time(max(again))}. Je docent kijkt hem opnieuw na."
                + (f" Tot {until} kun je nog verbeteren en opnieuw inleveren." if now < notice.deadline else ""))
    if now < notice.deadline:
        how = ("Lees de feedback van je docent, verbeter je opdracht" if feedback else
               "Vraag je docent wat beter moet, verbeter je opdracht")
        return f"Herkansing open tot {until}. {how} en lever hem opnieuw in vóór die tijd."
    return f"De herkansing is gesloten sinds {until}. Je hebt niet opnieuw ingeleverd; je eerste beoordeling telt."
