"""The audit trail an examencommissie asks for: who graded, changed a grade, released feedback,
issued a badge, recorded attendance or released an assignment, and when. Append-only JSON lines
in the course folder (root only); every line is one complete record."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from leerplein.course.course import Course

ACTIONS = {
    "vrijgegeven": "opdracht vrijgegeven",
    "opgehaald": "inleveringen opgehaald",
    "nagekeken": "automatisch nagekeken",
    "beoordeeld": "reflectie beoordeeld",
    "feedback": "feedback vrijgegeven",
    "aanwezig": "aanwezigheid vastgelegd",
    "afwezig": "aanwezigheid weggehaald",
    "deadline": "deadline gezet",
    "badge": "badge uitgegeven",
    "export": "cijfers geëxporteerd",
    "vergeten": "gegevens van een student gewist",
    "herkansing": "herkansing geopend",
    "tweede-gevraagd": "tweede beoordelaar gevraagd",
    "tweede-beoordeling": "tweede beoordeling gegeven",
    "eindcijfer-afgesproken": "eindbeoordeling afgesproken",
    "startwachtwoord": "nieuw startwachtwoord gegeven",  # never the password itself
}


def audit_file(course: Course):
    return course.state / "audit.jsonl"


def record(course: Course, who: str, action: str, assignment: str = "", students=(), detail: str = "",
           cohort: str = "") -> None:
    """One line per event; a single write of a whole line, so a crash never leaves half a record.
    `cohort`: the event concerns that cohort only (a deadline, a release)."""
    if action not in ACTIONS:
        raise ValueError(action)
    entry = {"wanneer": datetime.now(timezone.utc).isoformat(timespec="seconds"), "wie": who,
             "actie": action, "opdracht": assignment, "studenten": sorted(students), "detail": detail}
    if cohort:
        entry["groep"] = cohort
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    course.state.mkdir(parents=True, exist_ok=True)
    fd = os.open(audit_file(course), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def events(course: Course, students: set[str] | None = None, cohorts=None) -> list[dict]:
    """Newest first; with `students`, only events about them (or about no student in particular);
    with `cohorts`, no event that names another cohort."""
    try:
        lines = audit_file(course).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if cohorts is not None and event.get("groep") and event["groep"] not in cohorts:
            continue
        if students is None or not event.get("studenten") or set(event["studenten"]) & students:
            if students is not None:
                event = {**event, "studenten": [s for s in event.get("studenten", []) if s in students]}
            out.append(event)
    return out[::-1]
