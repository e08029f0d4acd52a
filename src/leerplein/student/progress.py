"""Mijn voortgang: the student's own view of the course, from what is in her own home (the
score each released feedback carries) and the pass rules. The gradebook stays with the teacher."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path

from leerplein.student.assignments import StudentAssignments

SCORE = re.compile(r'<script type="application/json" id="leerplein-score">(.*?)</script>', re.S)
BADGE = re.compile(r'id="leerplein-badge"[^>]*href="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@dataclass
class Row:
    titel: str
    status: str  # Dutch, for the table
    punten: str
    nodig: str
    voldoende: bool | None  # None: not graded yet


def read_score(feedback: Path | None) -> dict | None:
    if feedback is None:
        return None
    found = SCORE.search(feedback.read_text(encoding="utf-8", errors="replace"))
    try:
        data = json.loads(found.group(1)) if found else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def badge_png(assignments: StudentAssignments, ids: list[str]) -> bytes | None:
    for aid in ids:
        feedback = assignments.newest_feedback(aid)
        if feedback is None:
            continue
        found = BADGE.search(feedback.read_text(encoding="utf-8", errors="replace"))
        if found:
            data = base64.b64decode(found.group(1))
            if data.startswith(b"\x89PNG\r\n\x1a\n"):
                return data
    return None


def my_progress(assignments: StudentAssignments, root: Path) -> dict:
    from leerplein.course.results.progress import load_rules

    rules = load_rules(root)
    listed = {a.id: a for a in assignments.overview_with_feedback()}
    rows, open_items, got, out_of, all_passed = [], [], 0.0, 0.0, True
    for slug, share in rules.minimum.items():
        a = listed.get(slug)
        score = read_score(a.feedback) if a else None
        titel = a.titel if a else assignments.title(slug, None)
        if a is None:
            rows.append(Row(titel, "nog niet klaargezet", "–", "–", None))
            open_items.append(f"{titel}: je docent zet deze opdracht nog klaar")
            all_passed = False
            continue
        if score and score.get("nagekeken"):
            needed = round(share * float(score["max"]), 2)
            ok = float(score["score"]) >= needed
            got, out_of = got + float(score["score"]), out_of + float(score["max"])
            rows.append(Row(titel, "nagekeken", f"{score['score']:g} van {score['max']:g}".replace(".", ","), f"{needed:g}".replace(".", ","), ok))
            if not ok:
                open_items.append(f"{titel}: nog niet voldoende; lees je feedback en overleg met je docent")
                all_passed = False
            continue
        all_passed = False
        if a.handed_in:
            rows.append(Row(titel, "ingeleverd, wacht op nakijken" if not a.feedback_ready else "feedback klaar",
                            "–", "–", None))
            open_items.append(f"{titel}: {'je feedback staat klaar' if a.feedback_ready else 'wacht op nakijken'}")
        else:
            rows.append(Row(titel, "nog niet ingeleverd" if a.status == "opgehaald" else "nieuw", "–", "–", None))
            open_items.append(f"{titel}: nog inleveren")
    return {"rows": rows, "open": open_items, "punten": got, "max": out_of,
            "minimum_totaal": rules.course_minimum, "alles_voldoende": all_passed and bool(rows),
            "aanwezigheid": rules.attendance_minimum, "kern": bool(rules.core),
            "badge": badge_png(assignments, list(rules.minimum)[::-1]) is not None}


def card_score(feedback: Path | None) -> str:
    """'7 van 10 punten' once graded, for the assignment's card; '' before."""
    score = read_score(feedback)
    if not score or not score.get("nagekeken"):
        return ""
    try:
        got, out_of = float(score["score"]), float(score["max"])
    except (KeyError, TypeError, ValueError):
        return ""
    return f"{got:g} van {out_of:g} {'punt' if out_of == 1 else 'punten'}".replace(".", ",")


def dutch_timestamp(text: str) -> str:
    """nbgrader's timestamp ('2026-12-02 16:05:33.123456 UTC') as '2 december 2026, 17:05'."""
    from dateutil import parser
    from dateutil.tz import UTC

    from leerplein.course.intake.deadlines import dutch_time

    try:
        moment = parser.parse(text)
    except (ValueError, OverflowError):
        return text[:16]
    return dutch_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
