"""The release record: which cohort may work on which assignment, since when, in which version.

nbgrader has one outbound copy per assignment for the whole exchange; releasing it for cohort A
must not release it for cohort B. So every release writes, root-side, a record next to it:

    exchange/leerplein/releases.json   0644, root's, in root's 0755 course folder
    {"01-armoede-zien": {"groep-a": {"vrijgegeven": "2026-12-02T14:00:00+01:00",
                                     "versie": 2, "inhoud": "3f2a9c41d0e8"}}}

Students read it (the student view lists only what is released to her cohort); nobody but root
can write it (written whole under a temporary name and renamed). The check that counts is at
collect: a submission for an assignment not released to the student's cohort is not collected.
An assignment that was released before this record existed (an exchange from an older version)
has no entry at all and stays released to everyone, so an upgrade in the middle of a course hides
nothing."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import datetime
from pathlib import Path

from leerplein.course.course import COURSE_ID, Course, write_atomic

RECORD = "releases.json"
DEADLINES = "deadlines.json"  # {cohort: {slug: ISO time}}: each cohort's deadlines, for the student view
ZONE_NAME = "Europe/Amsterdam"


def record_path(exchange: Path) -> Path:
    return Path(exchange) / COURSE_ID / RECORD


def read_releases(exchange: Path) -> dict:
    """The record as root wrote it; a file that is not root's regular file counts as empty."""
    return _read_root_json(record_path(exchange))


def read_deadlines(exchange: Path) -> dict:
    return _read_root_json(Path(exchange) / COURSE_ID / DEADLINES)


def publish_deadlines(course: Course, deadlines: dict) -> None:
    """The cohorts' deadlines where students can read them (root's, 0644)."""
    write_atomic(Path(course.exchange) / COURSE_ID / DEADLINES, json.dumps(deadlines, ensure_ascii=False,
                                                                           sort_keys=True), mode=0o644)


def _read_root_json(path: Path) -> dict:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return {}
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.stat(path.parent).st_uid or st.st_size > 2**20:
            return {}
        with os.fdopen(os.dup(fd), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    finally:
        os.close(fd)
    return data if isinstance(data, dict) else {}


def outbound_released(exchange: Path, slug: str) -> bool:
    return os.path.isdir(Path(exchange) / COURSE_ID / "outbound" / slug)


def in_record(record: dict, slug: str, cohort: str | None) -> bool:
    """Without an entry for `slug` (released before the record existed): for everyone."""
    return slug not in record or (cohort is not None and cohort in record[slug])


def released_to(exchange: Path, slug: str, cohort: str | None, record: dict | None = None) -> bool:
    """Is `slug` released to `cohort`: nbgrader's outbound copy exists and the record names her cohort."""
    if not outbound_released(exchange, slug):
        return False
    return in_record(read_releases(exchange) if record is None else record, slug, cohort)


def cohorts_released(exchange: Path, slug: str) -> dict[str, dict]:
    return dict(read_releases(exchange).get(slug, {})) if outbound_released(exchange, slug) else {}


def content_hash(course: Course, slug: str) -> str:
    """What students fetch, as 12 hex digits: the released files' names and bytes."""
    folder = course.directory / "release" / slug
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def record_release(course: Course, slug: str, cohorts: list[str], when: datetime | None = None) -> dict:
    """Add `cohorts` to the record of `slug` (a release again counts up the version)."""
    from zoneinfo import ZoneInfo

    when = when or datetime.now(ZoneInfo(ZONE_NAME))
    record = read_releases(course.exchange)
    entry = record.setdefault(slug, {})
    version = content_hash(course, slug)
    for cohort in cohorts:
        before = entry.get(cohort, {})
        entry[cohort] = {"vrijgegeven": when.isoformat(timespec="seconds"), "versie": int(before.get("versie", 0)) + 1,
                         "inhoud": version}
    # 0644 before the rename: a student's view never finds the record unreadable
    write_atomic(record_path(course.exchange), json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True),
                 mode=0o644)
    return entry
