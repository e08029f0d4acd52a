"""Need-to-know: which students a teacher may see. A teacher sees the students of the cohorts
(the roster's `course` column) she teaches; an admin sees everyone."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    user: str
    cohorts: tuple[str, ...]
    students: frozenset[str]

    def allows(self, student: str) -> bool:
        return student in self.students

    def only(self, students) -> list[str]:
        return sorted(s for s in students if s in self.students)


def load_people() -> dict:
    """username -> {"rol", "cursus", "naam"}: the root-only file `hub start` and `hub roster` write,
    read on every request so a roster change counts at once."""
    path = os.environ.get("LEERPLEIN_PEOPLE_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
    return json.loads(os.environ.get("LEERPLEIN_PEOPLE", "{}"))


def scope_for(user: str, people: dict) -> Scope:
    me = people.get(user, {})
    if me.get("rol") == "admin":
        cohorts = sorted({p.get("cursus", "") for p in people.values()})
    elif me.get("rol") == "teacher":
        cohorts = [me.get("cursus", "")]
    else:
        cohorts = []
    students = frozenset(name for name, p in people.items() if p.get("rol") == "student" and p.get("cursus") in cohorts)
    return Scope(user, tuple(cohorts), students)
