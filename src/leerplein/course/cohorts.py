"""Cohorts: the roster's `course` column. All cohorts share one nbgrader course (one gradebook,
the same single-source exercises); what differs per cohort (releases, deadlines, who is seen) is
decided here, root-side, from who is who.

Who is who comes from the hub's root-only `people.json` (`LEERPLEIN_PEOPLE_FILE`, set for the
grading service and its jobs), else from the copy `course init --roster` and `hub roster` keep in
the course's own state folder. Without either (a local course without a roster) everyone is in
the one default cohort."""

from __future__ import annotations

import json
import os
from pathlib import Path

from leerplein.course.course import Course, read_json, write_atomic

DEFAULT = "leerplein"  # the roster's default course
PEOPLE_COPY = "people.json"


class CohortError(ValueError):
    """A cohort name that is not on the roster; the message is Dutch and lists the valid ones."""


def people_copy(course: Course) -> Path:
    return course.state / PEOPLE_COPY


def people_from_roster(persons) -> dict:
    """The same map as the hub's people.json ("cursus": the first cohort, "cursussen": all)."""
    return {p.username: {"rol": p.role, "cursus": p.courses[0], "cursussen": list(p.courses), "naam": p.name,
                         **({"studentnummer": p.student_number} if p.student_number else {})}
            for p in persons}


def write_people_copy(course: Course, people: dict) -> None:
    write_people_file(people_copy(course), people)


def write_people_file(path: Path, people: dict) -> None:
    """Who is who, root-only (0600) and written whole (temp name, rename); a link in its place
    is removed, never followed. Both the hub's people.json and the course's copy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    write_atomic(path, json.dumps(people, ensure_ascii=False), mode=0o600)


def load_people(course: Course | None = None) -> dict:
    """username -> {"rol", "cursus", "cursussen", "naam"}, read fresh every time."""
    configured = os.environ.get("LEERPLEIN_PEOPLE_FILE")
    if configured:
        found = _read_people_file(Path(configured))
        return found if found is not None else {}
    if course is not None:
        copy = read_json(people_copy(course), None)
        if copy is not None:
            return copy
    return json.loads(os.environ.get("LEERPLEIN_PEOPLE", "{}"))


PEOPLE_UNREADABLE = ("De deelnemerslijst kan niet worden gelezen. Daarom weet Leerplein niet in welke groepen je "
                     "lesgeeft, en zie je hier geen studenten. Vraag de beheerder van Leerplein om de "
                     "deelnemerslijst opnieuw in te lezen.")


def _read_people_file(path: Path) -> dict | None:
    """The map in the file; None when it is missing, unreadable or not a map of people."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and all(isinstance(p, dict) for p in found.values()) else None


def people_file_problem() -> str | None:
    """A Dutch message when the configured who-is-who file (LEERPLEIN_PEOPLE_FILE) cannot be used;
    pages then say so instead of showing a teacher no students as if she had none."""
    configured = os.environ.get("LEERPLEIN_PEOPLE_FILE")
    if configured and _read_people_file(Path(configured)) is None:
        return PEOPLE_UNREADABLE
    return None


def cohorts_of(person: dict) -> list[str]:
    found = person.get("cursussen") or [person.get("cursus") or DEFAULT]
    return [str(c) for c in found]


def cohort_of(people: dict, student: str) -> str | None:
    """Her cohort; None for a name the roster does not know (when there is a roster)."""
    if not people:
        return DEFAULT
    person = people.get(student)
    if not person or person.get("rol") != "student":
        return None
    return cohorts_of(person)[0]


def all_cohorts(people: dict) -> list[str]:
    found = {c for p in people.values() for c in cohorts_of(p)}
    return sorted(found) or [DEFAULT]


def students_of(people: dict, cohorts) -> list[str]:
    wanted = set(cohorts)
    return sorted(n for n, p in people.items() if p.get("rol") == "student" and cohorts_of(p)[0] in wanted)


def check_cohorts(people: dict, chosen) -> list[str]:
    """The chosen cohorts, checked against the roster (Dutch message listing the valid ones)."""
    known = all_cohorts(people)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise CohortError(f"Groep {', '.join(unknown)} staat niet in de deelnemerslijst. Bekende groepen: "
                          f"{', '.join(known)}.")
    return list(dict.fromkeys(chosen))


def cohort_filter(course: Course, cohort: str | None):
    """For the CLI's --cohort: None (everyone) or the set of that cohort's students."""
    if not cohort:
        return None
    people = load_people(course)
    check_cohorts(people, [cohort])
    if not people:
        return None
    return set(students_of(people, [cohort]))
