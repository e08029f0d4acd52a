"""Release an assignment to the students, and release a corrected version again.

A re-release replaces only what students fetch (the exchange's outbound copy). What was already
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


def is_released(course: Course, slug: str) -> bool:
    return os.path.isdir(course.exchange / COURSE_ID / "outbound" / slug)


def release(course: Course, slug: str) -> Released:
    from leerplein.course.prepare.assign import write_source

    again = is_released(course, slug)
    write_source(course.root, course.directory, slug)
    api = course.api()
    generated = api.generate_assignment(slug, force=True)
    if not generated["success"]:
        return Released(slug, False, again, "De opdracht kon niet worden gemaakt uit exercises/: "
                        + _last_line(generated))
    api.config.ExchangeReleaseAssignment.force = again  # replace the outbound copy, nothing else
    released = api.release_assignment(slug)
    if not released["success"]:
        return Released(slug, False, again, "Vrijgeven is niet gelukt: " + _last_line(released))
    if again:
        return Released(slug, True, True, "De verbeterde versie is vrijgegeven. Wat al was ingeleverd, blijft "
                                          "zoals het was; wie de opdracht al had opgehaald, houdt haar eigen antwoorden.")
    return Released(slug, True, False, "Vrijgegeven: studenten kunnen de opdracht nu ophalen.")


def _last_line(result: dict) -> str:
    text = (result.get("error") or result.get("log") or "").strip().splitlines()
    return text[-1][-300:] if text else "onbekende fout"
