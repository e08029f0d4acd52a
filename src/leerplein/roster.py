"""The roster: one CSV (username,name,role[,email][,course][,studentnummer]) read by both the course
(`leerplein course init --roster`) and the hub (`leerplein hub start --roster`)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

ROLES = {"student": "student", "teacher": "teacher", "docent": "teacher", "admin": "admin"}
USERNAME = re.compile(r"[a-z_][a-z0-9_-]*", re.I)  # also a valid system user name
# an institute's student number (Brightspace's OrgDefinedId, Canvas's SIS ID): letters, digits, -
STUDENT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,29}")


class RosterError(ValueError):
    pass


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    role: str  # student, teacher or admin
    email: str | None = None
    course: str = "leerplein"
    student_number: str | None = None

    @property
    def courses(self) -> tuple[str, ...]:
        """A teacher may teach several cohorts: "groep-a;groep-b" in the course column."""
        return tuple(c.strip() for c in self.course.split(";") if c.strip()) or ("leerplein",)


def read_roster(path: Path) -> list[Person]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "username" not in rows[0]:
        raise RosterError(f"{path}: the roster needs a header with at least a 'username' column")
    people, numbers = [], {}
    for number, row in enumerate(rows, start=2):
        username = (row.get("username") or "").strip()
        role = (row.get("role") or "student").strip().lower()
        if not USERNAME.fullmatch(username) or not username.isascii():
            raise RosterError(f"{path}:{number}: '{username}' is not a valid username (letters, digits, - and _)")
        if role not in ROLES:
            raise RosterError(f"{path}:{number}: unknown role '{role}' (use student, teacher or admin)")
        student_number = (row.get("studentnummer") or "").strip() or None
        if student_number is not None:
            if not STUDENT_NUMBER.fullmatch(student_number):
                raise RosterError(f"{path}:{number}: studentnummer '{student_number}' is not valid (letters, digits "
                                  f"and -, at most 30)")
            if student_number in numbers:
                raise RosterError(f"{path}:{number}: studentnummer '{student_number}' is also on line "
                                  f"{numbers[student_number]}")
            numbers[student_number] = number
        person = Person(username, (row.get("name") or "").strip(), ROLES[role], (row.get("email") or None),
                        (row.get("course") or "leerplein").strip() or "leerplein", student_number)
        if person.role == "student" and len(person.courses) > 1:
            raise RosterError(f"{path}:{number}: a student is in one cohort, not '{person.course}' "
                              "(only teachers may have several, separated by ';')")
        people.append(person)
    return people
