"""Grades to a CSV that an LMS gradebook imports, optionally pseudonymised.

Column conventions (one row per student, one column per assignment, points):
- brightspace: `OrgDefinedId,<assignment> Points Grade,...,End-of-Line Indicator` (value `#`).
- canvas: `Student,SIS Login ID,<assignment>,...` (Canvas matches rows on SIS Login ID).
- moodle: `Username,<assignment>,...` (map `Username` to the user field during import).

Student numbers (the roster's `studentnummer`): Brightspace's `OrgDefinedId` is the student number
where the roster gives one (the username otherwise); Canvas gets a `SIS User ID` column and Moodle a
`Studentnummer` column (map it to `idnumber`) when any student has one. A pseudonymised export
never carries a name, username or student number.

The last grade column, `Leerplein geslaagd`, is 1 when a student meets the pass rules of
grading/slaagregels.yml (every counted assignment at its cesuur, the course minimum, attendance),
empty while a counted assignment of hers waits for grading, and 0 otherwise, as `leerplein course
report` shows it. A submission whose reflections are not all graded yet has an empty cell, never a
0: an LMS would read 0 as a grade. With a herkansing, the points are those of the last graded
attempt; the text column `Leerplein herkansing` names each assignment where the herkansing
(attempt 2) counts ("02-schaarste-en-bandbreedte:herkansing"), empty elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets

from leerplein import spreadsheet
from leerplein.course.course import Course, write_atomic

FORMATS = ("brightspace", "canvas", "moodle")
RESULT = "Leerplein geslaagd"
ATTEMPTS = "Leerplein herkansing"  # text: the assignments where the herkansing (attempt 2) counts


def pseudonym(course: Course, student: str) -> str:
    key_file = course.state / "pseudonym.key"
    if not key_file.exists():
        write_atomic(key_file, secrets.token_hex(32))
    digest = hmac.new(key_file.read_text().encode(), student.encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:12]}"


def grade_table(course: Course) -> tuple[list[str], list[dict]]:
    """Points per student and assignment; "" where nothing is handed in or grading is not done."""
    from nbgrader.api import Gradebook, MissingEntry

    from leerplein.course.prepare.assign import exercise_slugs, load_exercise
    from leerplein.course.grading.resubmission import counted as counted_attempt
    from leerplein.course.results.progress import is_graded

    with Gradebook(course.gradebook_url) as gb:
        assignments = sorted(a.name for a in gb.assignments)
        known = set(exercise_slugs(course.root))
        exercises = {a: load_exercise(course.root, a) for a in assignments if a in known}
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row = {"id": student.id, "name": " ".join(filter(None, [student.first_name, student.last_name])),
                   ATTEMPTS: "", "number": student.lms_user_id or ""}
            for a in assignments:
                try:
                    score = gb.find_submission(a, student.id).score
                except MissingEntry:  # no submission: empty cell, not zero
                    row[a] = ""
                    continue
                if a not in exercises:
                    row[a] = score
                    continue
                graded = is_graded(course, a, student.id, exercises[a])
                last = counted_attempt(course, a, student.id, "nagekeken" if graded else "ingeleverd", score or 0)
                row[a] = last.score if last.status == "nagekeken" else ""  # the last graded attempt
                if last.attempt == 2:
                    row[ATTEMPTS] = " ".join(filter(None, [row.get(ATTEMPTS, ""), f"{a}:herkansing"]))
            rows.append(row)
    return assignments, rows


def pass_result(progress) -> int | str:
    """1 passed, 0 not (yet) passed, "" while a counted assignment waits for grading."""
    if progress.passed:
        return 1
    return "" if any(a.status == "ingeleverd" for a in progress.counted) else 0


def export_csv(course: Course, fmt: str, target, pseudonymise: bool = False, only: set[str] | None = None) -> int:
    text = export_text(course, fmt, pseudonymise, only)
    write_atomic(target, text)
    return text.count("\n") - 1


def export_text(course: Course, fmt: str, pseudonymise: bool = False, only: set[str] | None = None) -> str:
    """The CSV as text; `only` keeps just these students (a teacher's own cohort)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from leerplein.course.results.progress import everyone

    assignments, rows = grade_table(course)
    if only is not None:
        rows = [row for row in rows if row["id"] in only]
    results = {p.student: pass_result(p) for p in everyone(course)}
    for row in rows:
        row[RESULT] = results.get(row["id"], "")
    numbers = not pseudonymise and any(row["number"] for row in rows)
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\n")  # names from an LMS roster: no formulas
    if fmt == "brightspace":
        writer.writerow(["OrgDefinedId", *[f"{a} Points Grade" for a in [*assignments, RESULT]], ATTEMPTS,
                         "End-of-Line Indicator"])
    elif fmt == "canvas":
        writer.writerow(["Student", *(["SIS User ID"] if numbers else []), "SIS Login ID", *assignments, RESULT,
                         ATTEMPTS])
    else:
        writer.writerow(["Username", *assignments, RESULT, ATTEMPTS, *(["Studentnummer"] if numbers else [])])
    for row in rows:
        ident = pseudonym(course, row["id"]) if pseudonymise else row["id"]
        scores = [f"{row[a]:g}" if isinstance(row[a], (int, float)) else "" for a in [*assignments, RESULT]]
        scores.append(row.get(ATTEMPTS, ""))
        if fmt == "brightspace":
            writer.writerow([ident if pseudonymise else (row["number"] or ident), *scores, "#"])
        elif fmt == "canvas":
            writer.writerow(["" if pseudonymise else row["name"], *([row["number"]] if numbers else []), ident,
                             *scores])
        else:
            writer.writerow([ident, *scores, *([row["number"]] if numbers else [])])
    return buffer.getvalue()
