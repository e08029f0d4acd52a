"""Feedback for students, built from a whitelist: the questions, the student's own answers,
points, chosen rubric levels with their descriptors and the grader's comment. Test cells,
their (hidden) code and tracebacks are never copied, so nothing of a hidden test can reach a
student. No external assets: one self-contained HTML file per notebook."""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path


from leerplein.course.assign import load_exercise
from leerplein.course.course import TEXT_STUB, Course, write_atomic
from leerplein.course.rubric_grades import answers, load_levels

CSS = """body{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#1d2125}
.answer{white-space:pre-wrap;background:#f6f8fa;border-left:4px solid #1a5fb4;padding:.75rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #c7ccd1;padding:.3rem .6rem;text-align:left;vertical-align:top}
.ok{color:#1e6b30;font-weight:600}.no{color:#8a1c1c;font-weight:600}"""


def number(value: float) -> str:
    """Dutch notation: 2,5 and 3 (not 2.5 and 3.0)."""
    return f"{value:g}".replace(".", ",")


def points(value: float | None) -> str:
    """'1 punt', '0 punten', '2,5 punten'."""
    value = value or 0
    return f"{number(value)} {'punt' if value == 1 else 'punten'}"


def score(got: float | None, out_of: float | None) -> str:
    """'1 van 1 punt', '3 van 5 punten': the noun follows the maximum."""
    return f"{number(got or 0)} van {points(out_of)}"


def _grades(course: Course, assignment: str, student: str) -> dict[str, dict]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(course.gradebook_url) as gb:
        sub = gb.find_submission_notebook(assignment, assignment, student)
        for grade in sub.grades:
            out[grade.name] = {"score": grade.score, "max": grade.max_score}
        total = (sub.score, sub.max_score)
    return {"_total": {"score": total[0], "max": total[1]}, **out}


def render(course: Course, assignment: str, student: str) -> str:
    exercise = load_exercise(course.root, assignment)
    grades = _grades(course, assignment, student)
    given = answers(course, assignment, student)
    levels = load_levels(course, assignment, student)
    total = grades["_total"]
    parts = [f"<h1>Feedback: {html.escape(exercise.data['titel'])}</h1>",
             f"<p>Totaal: <strong>{score(total['score'], total['max'])}</strong>.</p>"]
    check_no = 0
    for q in exercise.data["vragen"]:
        qid, g = q["id"], grades.get(q["id"], {"score": 0, "max": exercise.points(q["id"])})
        if q["soort"] == "reflectie":
            chosen = levels.get(qid, {})
            parts.append(f"<h2>{html.escape(qid.replace('-', ' ').capitalize())}</h2>"
                         f"<p>{html.escape(q['vraag'])}</p><h3>Jouw antwoord</h3>"
                         f"<div class='answer'>{html.escape(_answer_text(given.get(qid, '')))}</div>")
            if chosen:
                rows = []
                for c in exercise.rubric[qid]:
                    name = chosen["levels"].get(c.id, "")
                    level = next((lv for lv in c.niveaus if lv.naam == name), None)
                    rows.append(f"<tr><td>{html.escape(c.titel)}</td><td>{html.escape(name)}</td>"
                                f"<td>{score(level.punten if level else 0, c.max_points)}</td>"
                                f"<td>{html.escape(level.beschrijving if level else '')}</td></tr>")
                parts.append("<table><thead><tr><th scope=col>Criterium</th><th scope=col>Niveau</th>"
                             "<th scope=col>Punten</th><th scope=col>Wat dat betekent</th></tr></thead>"
                             f"<tbody>{''.join(rows)}</tbody></table>")
                if chosen.get("comment"):
                    parts.append(f"<p><strong>Opmerking van je docent:</strong> {html.escape(chosen['comment'])}</p>")
            else:
                parts.append("<p>Deze vraag is nog niet beoordeeld.</p>")
            parts.append(f"<p>Punten: {score(g['score'], g['max'])}.</p>")
        else:
            check_no += 1
            right = (g["score"] or 0) >= (g["max"] or 0) > 0
            letter = given.get(qid, "").strip().strip("\"'").upper()
            chosen = (f"{letter}: {q['opties'][letter]}" if letter in q["opties"] else letter) or "(niet ingevuld)"
            good = q["antwoord"]
            parts.append(f"<h2>Kennischeck {check_no}</h2><p>{html.escape(q['vraag'])}</p>"
                         f"<p>Jouw antwoord: {html.escape(chosen)}. "
                         f"<span class='{'ok' if right else 'no'}'>{'Goed' if right else 'Niet goed'}</span> "
                         f"({score(g['score'], g['max'])}).</p>"
                         + ("" if right else f"<p>Het goede antwoord is {html.escape(good)}: "
                                             f"{html.escape(q['opties'][good])}.</p>")
                         + f"<p><strong>Waarom:</strong> {html.escape(q['uitleg'])}</p>")
    # for the student's "Mijn voortgang" (the gradebook stays on the teacher's side)
    score_block = json.dumps({"opdracht": assignment, "score": total["score"] or 0, "max": total["max"] or 0,
                              "nagekeken": all(levels.get(q["id"], {}).get("levels") for q in exercise.reflections)})
    badge = _badge_block(course, student)
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Feedback {html.escape(assignment)}'
            f"</title><style>{CSS}</style></head><body><main>{''.join(parts)}{badge}</main>"
            f'<script type="application/json" id="leerplein-score">{score_block}</script></body></html>')


def _badge_block(course: Course, student: str) -> str:
    """The learner's baked badge, carried in her feedback (nbgrader releases only HTML)."""
    import base64

    path = course.state / "badges" / f"{student}.png"
    if not path.is_file():
        return ""
    from leerplein.credentials.institute import InstituteError, load_institute

    data = base64.b64encode(path.read_bytes()).decode()
    try:
        check = (f"<p>Een werkgever kan je badge controleren op {html.escape(load_institute(course.root).verify_url)}"
                 "</p>")
    except InstituteError:
        check = ""
    return ("<h2>Je badge</h2><p>Gefeliciteerd: je hebt de cursus gehaald.</p>"
            f'<p><a id="leerplein-badge" download="leerplein-badge.png" href="data:image/png;base64,{data}">'
            f"Download je badge</a></p>{check}")


def _answer_text(text: str) -> str:
    text = text.strip()
    return "(geen antwoord)" if not text or text == TEXT_STUB else text


def feedback_path(course: Course, assignment: str, student: str) -> Path:
    return course.directory / "feedback" / student / assignment / f"{assignment}.html"


def generate_feedback(course: Course, assignment: str, students: list[str]) -> list[Path]:
    written = []
    for student in students:
        path = feedback_path(course, assignment, student)
        write_atomic(path, render(course, assignment, student))
        os.chmod(path, 0o644)  # released copies keep this mode; the student must be able to read it
        graded = course.directory / "autograded" / student / assignment
        for name in ("timestamp.txt", "submission_secret.txt"):  # what nbgrader's release_feedback needs
            if (graded / name).is_file():
                shutil.copy2(graded / name, path.parent / name)
        written.append(path)
    return written


def release_feedback(course: Course, assignment: str) -> dict:
    """Put the feedback in nbgrader's exchange, where students fetch it from JupyterLab."""
    return course.api().release_feedback(assignment)
