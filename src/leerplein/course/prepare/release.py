"""Release an assignment to the students of some cohorts, and release a corrected version again.

All cohorts share nbgrader's one outbound copy; which cohorts may fetch and hand it in is the
release record's (releases.py). A re-release replaces only what students fetch (the exchange's outbound copy). What was already
handed in (inbound, submitted/) is not touched; a student who fetched the old version keeps her
own notebook and answers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from leerplein.course.course import COURSE_ID, Course


@dataclass
class Released:
    slug: str
    ok: bool
    again: bool  # a corrected version replaced an earlier release
    message: str  # Dutch, for the teacher
    cohorts: tuple[str, ...] = ()


def is_released(course: Course, slug: str) -> bool:
    return os.path.isdir(course.exchange / COURSE_ID / "outbound" / slug)


def release(course: Course, slug: str, cohorts: list[str] | None = None) -> Released:
    """Release `slug` to `cohorts` (default: every cohort on the roster)."""
    from leerplein.course.cohorts import all_cohorts, check_cohorts, load_people
    from leerplein.course.prepare.assign import write_source
    from leerplein.course.prepare.releases import cohorts_released, record_release

    people = load_people(course)
    cohorts = check_cohorts(people, cohorts) if cohorts else all_cohorts(people)
    legacy = is_released(course, slug) and slug not in _record(course)  # released to all before the record
    again = legacy or bool(set(cohorts) & set(cohorts_released(course.exchange, slug)))
    write_source(course.root, course.directory, slug)
    api = course.api()
    generated = api.generate_assignment(slug, force=True)
    if not generated["success"]:
        return Released(slug, False, again, "De opdracht kon niet worden gemaakt uit exercises/: "
                        + _last_line(generated))
    api.config.ExchangeReleaseAssignment.force = is_released(course, slug)  # replace only the outbound copy
    released = api.release_assignment(slug)
    if not released["success"]:
        return Released(slug, False, again, "Vrijgeven is niet gelukt: " + _last_line(released))
    record_release(course, slug, all_cohorts(people) if legacy else cohorts)
    groups = ", ".join(cohorts)
    if again:
        return Released(slug, True, True, f"De verbeterde versie is vrijgegeven voor {groups}. Wat al was "
                                          "ingeleverd, blijft zoals het was; wie de opdracht al had opgehaald, houdt "
                                          "haar eigen antwoorden.", tuple(cohorts))
    return Released(slug, True, False, f"Vrijgegeven voor {groups}: studenten kunnen de opdracht nu ophalen.",
                    tuple(cohorts))


def _record(course: Course) -> dict:
    from leerplein.course.prepare.releases import read_releases

    return read_releases(course.exchange)


def _last_line(result: dict) -> str:
    text = (result.get("error") or result.get("log") or "").strip().splitlines()
    return text[-1][-300:] if text else "onbekende fout"
