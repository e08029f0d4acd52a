"""Feedback for students, built from a whitelist: the questions, the student's own answers,
points, chosen rubric levels with their descriptors and the grader's comment. Test cells,
their (hidden) code and tracebacks are never copied, so nothing of a hidden test can reach a
student. No external assets: one self-contained HTML file per notebook."""

from __future__ import annotations

import html
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.course.prepare.assign import load_exercise
from leerplein.course.course import COURSE_ID, TEXT_STUB, Course, read_json, write_atomic, write_json
from leerplein.course.grading.rubric_grades import answers, load_levels
from leerplein.course.safe_paths import UnsafePath, inside, read_regular
from leerplein.course.intake.submission_secrets import release_secret

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
                parts.append(next_steps(exercise.rubric[qid], chosen["levels"]))
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


def next_level(criterion, name: str):
    """The level just above `name` in this criterion's rubric (by points); None at the top or for
    a name the rubric does not know."""
    order = sorted(criterion.niveaus, key=lambda lv: lv.punten)
    here = next((i for i, lv in enumerate(order) if lv.naam == name), None)
    return order[here + 1] if here is not None and here + 1 < len(order) else None


def next_steps(criteria, chosen: dict[str, str]) -> str:
    """What the next level asks, from the rubric file, for each graded criterion below the top:
    so she knows what to improve. Nothing for a criterion without a level."""
    items = []
    for c in criteria:
        if not chosen.get(c.id):
            continue
        up = next_level(c, chosen[c.id])
        if up is not None:
            items.append(f"<li><strong>{html.escape(c.titel)}</strong> (nu: {html.escape(chosen[c.id])}). Voor "
                         f"'{html.escape(up.naam)}' vraagt de rubric: {html.escape(up.beschrijving)}</li>")
    return (f"<h3>Wat de volgende stap vraagt</h3><ul class='volgende-stap'>{''.join(items)}</ul>"
            if items else "")


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
    return inside(course.directory, "feedback", student, assignment, f"{assignment}.html")


def generate_feedback(course: Course, assignment: str, students: list[str]) -> list[Path]:
    written = []
    for student in students:
        path = feedback_path(course, assignment, student)
        write_atomic(path, render(course, assignment, student))
        os.chmod(path, 0o644)  # released copies keep this mode; the student must be able to read it
        # what nbgrader's own release_feedback (formgrader) reads: the course's record of the secret
        # (a random one where there is none, so that nothing can be released where someone looks)
        secret = release_secret(course, assignment, student) or secrets.token_hex(64)
        write_atomic(path.parent / "submission_secret.txt", secret)
        write_atomic(path.parent / "timestamp.txt", _timestamp(course, assignment, student) or "onbekend")
        written.append(path)
    return written


def _timestamp(course: Course, assignment: str, student: str) -> str | None:
    try:
        raw = read_regular(inside(course.directory, "autograded", student, assignment, "timestamp.txt"), 200)
    except (OSError, UnsafePath):
        return None
    return raw.decode("ascii", errors="replace").strip() or None


@dataclass
class Release:
    released: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # student -> Dutch reason

    def __getitem__(self, key: str):
        """For callers written against nbgrader's result dict: one skipped student is no failure."""
        return {"success": True, "error": None, "released": self.released, "skipped": self.skipped}[key]


NOT_RELEASED = ("De feedback is niet vrijgegeven: deze inlevering heeft geen geldige geheime code (submission_secret.txt "
                "ontbrak, was veranderd of is met de hand in submitted/ gezet), dus de student kan haar niet ophalen. "
                "Geef de student het bestand {file} zelf, of laat haar opnieuw inleveren.")


def release_messages_path(course: Course, assignment: str, student: str) -> Path:
    return inside(course.state, "released", assignment, f"{student}.json")


def release_messages(course: Course, assignment: str) -> dict[str, list[str]]:
    folder = course.state / "released" / assignment
    return {p.stem: read_json(p, []) for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def release_feedback(course: Course, assignment: str, only: set[str] | None = None) -> Release:
    """Put each student's feedback in the exchange, under the name her own fetch looks for:
    the hash of the secret recorded at collect. A student without a usable secret is skipped
    and reported; one student never stops the others. On a hub (run as root) each file is
    readable by its student's private group only, so knowing a name is not enough. `only`: just
    these students (one cohort)."""
    from nbgrader.utils import notebook_hash

    result = Release()
    outbound = course.exchange / COURSE_ID / "feedback"
    base = course.directory / "feedback"
    for student in sorted(p.name for p in base.iterdir()) if base.is_dir() else []:
        if only is not None and student not in only:
            continue
        try:
            html_file = feedback_path(course, assignment, student)
            if not html_file.is_file():
                continue
            secret = release_secret(course, assignment, student)
            if secret is None:
                result.skipped[student] = NOT_RELEASED.format(file=html_file)
            else:
                name = f"{notebook_hash(secret=secret, notebook_id=assignment)}.html"
                publish_file(read_regular(html_file), outbound, name, student)
                result.released.append(student)
            write_json(release_messages_path(course, assignment, student), [result.skipped[student]]
                       if student in result.skipped else [])
        except (OSError, UnsafePath) as err:
            result.skipped[student] = f"De feedback kon niet worden vrijgegeven ({type(err).__name__})."
    from leerplein.lti.passback import after_release

    after_release(course, assignment, result.released)  # grades to the LMS, when it logs people in (LTI)
    return result


def publish_file(data: bytes, folder: Path, name: str, student: str) -> None:
    """Write `name` atomically (temp name, rename) into the exchange's feedback folder (root's, not
    listable): as root readable by her private group only, else by anyone who knows the name. Used
    for released feedback and for her herkansing notice (resubmission_notice.py). Owner and mode are
    set on the open file, and the rename replaces whatever had that name (a link is never followed)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            group = private_group(student) if os.geteuid() == 0 else None
            if group is None:
                os.fchmod(out.fileno(), 0o644)
            else:
                os.fchown(out.fileno(), 0, group)
                os.fchmod(out.fileno(), 0o640)
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def private_group(student: str) -> int | None:
    """The gid of the student's own group (Debian's useradd makes one per user), or None when
    the group is shared with anyone else."""
    import grp
    import pwd

    try:
        gid = pwd.getpwnam(student).pw_gid
        group = grp.getgrgid(gid)
    except KeyError:
        return None
    if group.gr_name != student or set(group.gr_mem) - {student}:
        return None
    if any(p.pw_gid == gid and p.pw_name != student for p in pwd.getpwall()):
        return None
    return gid
