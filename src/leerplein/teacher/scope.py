"""Need-to-know: which students a teacher may see. A teacher sees the students of the cohorts
(the roster's `course` column; a teacher may have several) she teaches; an admin sees everyone.
In the workspace she works in one of them at a time (`narrowed`), and every page says which."""

from __future__ import annotations

from dataclasses import dataclass, replace

from leerplein.course.cohorts import all_cohorts, cohorts_of, load_people as _load_people


@dataclass(frozen=True)
class Scope:
    user: str
    cohorts: tuple[str, ...]
    students: frozenset[str]
    admin: bool = False
    people: tuple = ()  # (name, cohort) of every student in scope

    def allows(self, student: str) -> bool:
        return student in self.students

    def only(self, students) -> list[str]:
        return sorted(s for s in students if s in self.students)

    def narrowed(self, cohort: str) -> "Scope":
        """The same teacher, working in one of her cohorts."""
        if cohort not in self.cohorts:
            raise PermissionError(cohort)
        mine = tuple((n, c) for n, c in self.people if c == cohort)
        return replace(self, cohorts=(cohort,), students=frozenset(n for n, _ in mine), people=mine)


def load_people() -> dict:
    """username -> {"rol", "cursus", "cursussen", "naam"}: the root-only file `hub start` and
    `hub roster` write, read on every request so a roster change counts at once."""
    return _load_people()


def scope_for(user: str, people: dict) -> Scope:
    me = people.get(user, {})
    admin = me.get("rol") == "admin"
    if admin:
        cohorts = all_cohorts(people)
    elif me.get("rol") == "teacher":
        cohorts = cohorts_of(me)
    else:
        cohorts = []
    members = tuple((name, cohorts_of(p)[0]) for name, p in sorted(people.items())
                    if p.get("rol") == "student" and cohorts_of(p)[0] in cohorts)
    return Scope(user, tuple(cohorts), frozenset(n for n, _ in members), admin, members)
