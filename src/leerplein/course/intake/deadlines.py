"""Deadlines per assignment per cohort, and when a student really handed in.

Late work is marked, never refused. The hand-in time is not the timestamp nbgrader writes (the
student's own server writes that, so she could set any time), but the newest change time (ctime)
of her submission folders in the exchange: the kernel sets ctime, and a user can move it forward
(by changing a file) but never back."""

from __future__ import annotations

import os
import pwd
import stat
from datetime import datetime
from zoneinfo import ZoneInfo

from leerplein.course.course import COURSE_ID, Course, read_json, write_json

ZONE = ZoneInfo("Europe/Amsterdam")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
MAX_ENTRIES = 400  # a submission holds at most 200 files (collect's limit); stop reading beyond this


class DeadlineError(ValueError):
    pass


def deadline_file(course: Course):
    return course.state / "deadlines.json"


def deadlines(course: Course) -> dict[str, dict[str, str]]:
    """cohort -> assignment -> ISO time."""
    return read_json(deadline_file(course), {})


def deadline_for(course: Course, cohort: str, slug: str) -> datetime | None:
    text = deadlines(course).get(cohort, {}).get(slug)
    return datetime.fromisoformat(text) if text else None


def set_deadline(course: Course, cohort: str, slug: str, when: str) -> datetime | None:
    """`when` as a browser's datetime-local value ("2026-12-14T17:00", Dutch time) or "" to remove."""
    data = deadlines(course)
    if not when:
        data.get(cohort, {}).pop(slug, None)
        write_json(deadline_file(course), data)
        _publish(course, data)
        return None
    try:
        moment = datetime.fromisoformat(when)
    except ValueError as err:
        raise DeadlineError("Vul een datum en tijd in, bijvoorbeeld 14-12-2026 17:00.") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    data.setdefault(cohort, {})[slug] = moment.isoformat()
    write_json(deadline_file(course), data)
    _publish(course, data)
    return moment


def _publish(course: Course, data: dict) -> None:
    """Students see their cohort's deadline in their view (a copy in the exchange, root's, 0644)."""
    from leerplein.course.prepare.releases import publish_deadlines

    if (course.exchange / COURSE_ID).is_dir():
        publish_deadlines(course, data)


def dutch_time(moment: datetime) -> str:
    local = moment.astimezone(ZONE)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def _newest_ctime(dir_fd: int, budget: list[int], depth: int = 0) -> float:
    newest = os.fstat(dir_fd).st_ctime
    if depth > 8:
        return newest
    for name in os.listdir(dir_fd):
        budget[0] -= 1
        if budget[0] < 0:
            break
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        newest = max(newest, info.st_ctime)
        if stat.S_ISDIR(info.st_mode):
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
            try:
                newest = max(newest, _newest_ctime(child, budget, depth + 1))
            finally:
                os.close(child)
    return newest


def handed_in_at(course: Course, slug: str, student: str) -> datetime | None:
    """The last moment anything in her submissions of this assignment changed (None: nothing there)."""
    inbound = course.exchange / COURSE_ID / "inbound"
    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        uid = None
    newest = None
    try:
        entries = list(os.scandir(inbound))
    except FileNotFoundError:
        return None
    for entry in entries:
        parts = entry.name.split("+")
        if len(parts) < 3 or parts[0] != student or parts[1] != slug:
            continue
        info = entry.stat(follow_symlinks=False)
        if not stat.S_ISDIR(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue  # not hers (collect refuses it too)
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            moment = _newest_ctime(fd, [MAX_ENTRIES])
        finally:
            os.close(fd)
        newest = moment if newest is None else max(newest, moment)
    return datetime.fromtimestamp(newest, tz=ZONE) if newest is not None else None


def is_late(course: Course, cohort: str, slug: str, student: str) -> bool | None:
    """True/False against the cohort's deadline; None without a deadline or a hand-in."""
    due, handed = deadline_for(course, cohort, slug), handed_in_at(course, slug, student)
    if due is None or handed is None:
        return None
    return handed > due
