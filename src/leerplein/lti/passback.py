"""Grades to the LMS when feedback is released: per assignment her points (only when it is fully
graded, `progress.is_graded`) and, once every counted assignment is graded, the pass result
(grading/slaagregels.yml) as 1 or 0. What is sent comes from the gradebook and the rubric
grades in the course folder, read as root: nothing a student writes decides it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from leerplein.lti import ags, outbox
from leerplein.lti.config import LtiConfig, load
from leerplein.lti.launch import context_services, lms_id
from leerplein.lti.token import ServiceUnavailable, access_token

log = logging.getLogger(__name__)
PASS_LABEL = "Leerplein: cursus gehaald"
ASSIGNMENT_PASS = ":gehaald"


def state_for(course) -> Path | None:
    """The hub's state folder of this course (the course folder is <state>/course on a hub)."""
    given = os.environ.get("LEERPLEIN_STATE_DIR")
    state = Path(given) if given else Path(course.directory).parent
    return state if (state / "lti" / "lti.yml").is_file() else None


def queue_student(state: Path, config: LtiConfig, course, username: str, cohort: str) -> list[str]:
    """Queue her graded scores for every LMS course of her cohort; returns the new keys."""
    from leerplein.course.results.progress import student_progress

    user_id = lms_id(state, username, config.issuer)
    if user_id is None:
        return []
    return queue_progress(state, config, student_progress(course, username), user_id, cohort)


def scores_of(progress) -> list[tuple[str, str, float, float]]:
    """(resource, label, given, maximum): per fully graded assignment its points and whether it
    is passed (1/0, the cesuur of slaagregels.yml); the course result once all that counts is graded."""
    out = []
    for a in progress.assignments:
        if a.status != "nagekeken":  # never a score for work that is not (fully) graded
            continue
        out.append((a.slug, f"Leerplein: {a.titel} (punten)", a.score, a.max))
        if a.counts:
            out.append((f"{a.slug}{ASSIGNMENT_PASS}", f"Leerplein: {a.titel} (gehaald)", 1.0 if a.passed else 0.0, 1.0))
    if progress.counted and all(a.status == "nagekeken" for a in progress.counted):
        out.append((ags.PASS_RESOURCE, PASS_LABEL, 1.0 if progress.passed else 0.0, 1.0))
    return out


def queue_progress(state: Path, config: LtiConfig, progress, user_id: str, cohort: str) -> list[str]:
    keys = []
    for context, cohort_name in config.contexts.items():
        if cohort_name == cohort:
            keys += [outbox.enqueue(state, context, progress.student, user_id, resource, label, given, maximum)
                     for resource, label, given, maximum in scores_of(progress)]
    return [k for k in keys if k]


def send(state: Path, config: LtiConfig | None = None, http=None) -> dict:
    """Send what waits in the outbox; what fails stays for the next try. Returns counts."""
    import requests

    http = http or requests.Session()
    config = config or load(state)
    result = {"verstuurd": 0, "mislukt": 0, "vervangen": 0}
    if config is None:
        return result
    services = context_services(state, config)
    with outbox.sender(state):
        token, lineitems, down = None, {}, set()
        for item in outbox.items(state, "wacht"):
            with outbox.connect(state) as db:
                if outbox.superseded(db, item):
                    outbox.skip(state, item.key)
                    result["vervangen"] += 1
                    continue
            url = services.get(item.context, {}).get("lineitems")
            if not url or item.context in down:
                outbox.mark(state, item.key, False, "geen AGS-adres bekend" if not url else "leeromgeving onbereikbaar")
                result["mislukt"] += 1
                continue
            try:
                token = token or access_token(state, config, ags.SCOPES, http)
                if (item.context, item.resource) not in lineitems:
                    lineitems[item.context, item.resource] = ags.lineitem(url, token, item.resource, item.label,
                                                                          item.maximum, http)
                ags.post_score(lineitems[item.context, item.resource], token, item.user_id, item.given, item.maximum,
                               http=http)
            except ServiceUnavailable as err:
                log.warning("LTI score %s not sent: %s", item.key, err)
                outbox.mark(state, item.key, False, str(err))
                down.add(item.context)
                result["mislukt"] += 1
                continue
            outbox.mark(state, item.key, True)
            result["verstuurd"] += 1
    return result


def after_release(course, assignment: str, students: list[str]) -> None:
    """Called when feedback is released; never lets a problem with the LMS stop the release."""
    try:
        state = state_for(course)
        config = load(state) if state else None
        if config is None:
            return
        from leerplein.hub.people import read_people

        people = read_people(state)
        for student in students:
            person = people.get(student) or {}
            if person.get("rol") == "student":
                queue_student(state, config, course, student, person.get("cursus", ""))
        send(state, config)
    except Exception:  # noqa: BLE001 - the outbox keeps what was queued; `leerplein lti send` retries
        log.exception("LTI passback after releasing %s", assignment)


def retry_in_background(course) -> None:
    """In the grading service: try the outbox again every LEERPLEIN_LTI_RETRY_SECONDS (300)."""
    state = state_for(course)
    if state is None:
        return
    import asyncio

    from tornado.ioloop import PeriodicCallback

    async def attempt():
        try:
            await asyncio.get_running_loop().run_in_executor(None, send, state)
        except Exception:  # noqa: BLE001 - try again next time
            log.exception("LTI outbox retry")

    seconds = float(os.environ.get("LEERPLEIN_LTI_RETRY_SECONDS", "300"))
    PeriodicCallback(attempt, seconds * 1000).start()
