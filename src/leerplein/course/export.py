"""Grades to a CSV that an LMS gradebook imports, optionally pseudonymised.

Column conventions (one row per student, one column per assignment, points):
- brightspace: `OrgDefinedId,<assignment> Points Grade,...,End-of-Line Indicator` (value `#`).
- canvas: `Student,SIS Login ID,<assignment>,...` (Canvas matches rows on SIS Login ID).
- moodle: `Username,<assignment>,...` (map `Username` to the user field during import).

The last grade column, `Leerplein geslaagd`, is 1 when a student meets the pass rules of
grading/slaagregels.yml (every counted assignment at its cesuur, the course minimum, attendance)
and 0 otherwise, as `leerplein course report` shows it.
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


def pseudonym(course: Course, student: str) -> str:
    key_file = course.state / "pseudonym.key"
    if not key_file.exists():
        write_atomic(key_file, secrets.token_hex(32))
    digest = hmac.new(key_file.read_text().encode(), student.encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:12]}"


def grade_table(course: Course) -> tuple[list[str], list[dict]]:
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        assignments = sorted(a.name for a in gb.assignments)
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row = {"id": student.id, "name": " ".join(filter(None, [student.first_name, student.last_name]))}
            for a in assignments:
                try:
                    row[a] = gb.find_submission(a, student.id).score
                except Exception:  # noqa: BLE001 - no submission: empty cell, not zero
                    row[a] = ""
            rows.append(row)
    return assignments, rows


def export_csv(course: Course, fmt: str, target, pseudonymise: bool = False) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from leerplein.course.progress import everyone

    assignments, rows = grade_table(course)
    passed = {p.student: p.passed for p in everyone(course)}
    for row in rows:
        row[RESULT] = 1 if passed.get(row["id"]) else 0
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\n")  # names from an LMS roster: no formulas
    if fmt == "brightspace":
        writer.writerow(["OrgDefinedId", *[f"{a} Points Grade" for a in [*assignments, RESULT]],
                         "End-of-Line Indicator"])
    elif fmt == "canvas":
        writer.writerow(["Student", "SIS Login ID", *assignments, RESULT])
    else:
        writer.writerow(["Username", *assignments, RESULT])
    for row in rows:
        ident = pseudonym(course, row["id"]) if pseudonymise else row["id"]
        scores = [f"{row[a]:g}" if isinstance(row[a], (int, float)) else "" for a in [*assignments, RESULT]]
        if fmt == "brightspace":
            writer.writerow([ident, *scores, "#"])
        elif fmt == "canvas":
            writer.writerow(["" if pseudonymise else row["name"], ident, *scores])
        else:
            writer.writerow([ident, *scores])
    write_atomic(target, buffer.getvalue())
    return len(rows)
