"""What Leerplein's web surfaces share: strict headers on every response (the student view,
Peiling, the leerkring and the grading service all use `strict_headers`), the settings every
service handler reads, and who is who (roles and courses from the roster) for their owner and
course checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tornado import web

# No Leerplein page may be framed, not even by its own origin: a page that frames another can read
# and fill it in whenever the two share an origin (issue 22, hole 1). Nothing of Leerplein frames.
# How long a service trusts the hub's answer about a token (JupyterHub's default: 5 minutes). A
# token deleted at a password change (accounts/sessions.py) stops working in every service within
# it; one hub API call per token per 10 s is nothing next to a page view.
TOKEN_CACHE_SECONDS = 10

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
STRICT_HEADERS = {"X-Frame-Options": "DENY",  # for browsers without CSP frame-ancestors
                  "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": "no-referrer",
                  "Cache-Control": "no-store"}


def strict_headers(handler: web.RequestHandler, csp: str | None = CSP) -> None:
    """Set the headers every Leerplein response carries (`csp=None`: the handler's framework
    sets the same CSP itself, as Jupyter Server does from `content_security_policy`)."""
    if csp:
        handler.set_header("Content-Security-Policy", csp)
    for name, value in STRICT_HEADERS.items():
        handler.set_header(name, value)


class StrictHeaders:
    """Mixin for any tornado handler of a Leerplein service."""

    def set_default_headers(self):
        super().set_default_headers()
        strict_headers(self)


class ServiceHandler(StrictHeaders, web.RequestHandler):
    @property
    def store(self):
        return self.settings["store"]

    @property
    def prefix(self) -> str:
        return self.settings["prefix"]


def private_sqlite(path):
    """A service's SQLite database: created 0600, WAL, foreign keys, deleted rows overwritten."""
    import os
    import sqlite3

    old = os.umask(0o077)
    try:
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    finally:
        os.umask(old)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON"):
        db.execute(f"PRAGMA {pragma}")
    return db


# Who is who, for every service's owner and course checks ---------------------------------------
@dataclass(frozen=True)
class Facilitator:
    name: str
    course: str  # her first cohort: the default when she does not choose
    admin: bool = False
    courses: tuple[str, ...] = ()  # every cohort she may make sets and polls for (an admin: all)

    @property
    def choices(self) -> tuple[str, ...]:
        return self.courses or (self.course,)

    def chosen(self, asked: str) -> str:
        """The cohort she asked for a new set or poll, if it is hers (her first when she asked
        none); ValueError with a Dutch message for another."""
        if not asked:
            return self.choices[0]
        if asked not in self.choices:
            raise ValueError(f"Je geeft geen les aan groep '{asked}'. Kies een van je eigen groepen: "
                             f"{', '.join(self.choices)}.")
        return asked

    def teaches(self, course: str) -> bool:
        return self.admin or course in self.choices


class People:
    """The roster as the services see it (`leerplein hub start` writes it as mensen.json into each
    service's folder): username -> {"rol": "student"|"teacher"|"admin", "cursus": name}. None: no
    people file (Peiling on Kubernetes without one), so the facilitators named in the settings
    share one course and any hub user counts as a member."""

    def __init__(self, people: dict[str, dict] | None, facilitators: set[str] = frozenset(), path: Path | None = None):
        self._people, self.facilitators, self.path = people, set(facilitators), path
        self._stamp = self._mtime()

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime if self.path else None
        except OSError:
            return None

    @property
    def people(self) -> dict[str, dict] | None:
        """Read again when `leerplein hub roster` rewrote the file: roster changes count at once."""
        stamp = self._mtime()
        if stamp is not None and stamp != self._stamp:
            try:
                self._people = json.loads(self.path.read_text(encoding="utf-8"))
                self._stamp = stamp
            except (OSError, ValueError):
                pass  # half-written is impossible (atomic rename); unreadable: keep the last good copy
        return self._people

    @classmethod
    def load(cls, path: Path | None, facilitators: set[str] = frozenset()) -> "People":
        if path is None or not path.is_file():
            return cls(None, facilitators)
        return cls(json.loads(path.read_text(encoding="utf-8")), facilitators, path)

    def facilitator(self, user: str | None) -> Facilitator | None:
        if not user:
            return None
        if self.people is None:
            return Facilitator(user, "") if user in self.facilitators else None
        person = self.people.get(user) or {}
        if person.get("rol") not in ("teacher", "admin"):
            return None
        return Facilitator(user, str(person.get("cursus", "")), admin=person.get("rol") == "admin",
                           courses=tuple(self.courses(user)))

    def courses(self, user: str) -> list[str]:
        """Her cohorts: a teacher may have several (the roster's `course` column, "cursussen");
        an admin has every cohort on the roster; a student has one."""
        from leerplein.course.cohorts import all_cohorts, cohorts_of

        person = (self.people or {}).get(user)
        if not person:
            return []
        if person.get("rol") == "admin":
            mine = cohorts_of(person)
            return mine + [c for c in all_cohorts(self.people) if c not in mine]
        return cohorts_of(person)

    def member(self, user: str | None, course: str) -> bool:
        """May `user` answer and follow a course-only poll of `course`?"""
        if not user:
            return False
        if self.people is None:
            return True
        person = self.people.get(user)
        return bool(person) and (person.get("rol") == "admin" or course in self.courses(user))

    def course(self, user: str) -> str:
        return str(((self.people or {}).get(user) or {}).get("cursus", ""))

    def is_teacher(self, user: str) -> bool:
        return ((self.people or {}).get(user) or {}).get("rol") in ("teacher", "admin")
