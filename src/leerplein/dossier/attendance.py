"""A participant's certificate of attendance for the action-learning meetings (intervisie),
from the attendance records `leerplein course aanwezig` keeps. Registerplein accepts
intervisie as "reflectie" for re-registration."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from pathlib import Path

from leerplein.dossier.facts import SessionFacts, sessions

e = html.escape
ATTENDANCE = "aanwezigheid.json"  # in the course state: student -> session ids (`course aanwezig` writes it)


class AttendanceError(ValueError):
    pass


def aliases(session: SessionFacts) -> set[str]:
    """The names a teacher may have typed for a session: its plan id, without the number, or
    'actieleren-3' / 'ontmoeting-2' (the series and the number within it)."""
    names = {session.id, re.sub(r"^\d+-", "", session.id)}
    for word in ("actieleren", "ontmoeting", "workshop"):
        if word in session.id:
            names.add(f"{word}-{session.nummer}")
    return names


def action_learning(root: Path) -> list[SessionFacts]:
    return [s for s in sessions(root) if "actieleren" in s.id]


@dataclass
class Certificate:
    student: str
    name: str
    attended: list[SessionFacts]
    unknown: list[str]

    @property
    def net_minutes(self) -> int:
        return sum(s.net_minutes for s in self.attended)


def certificate(course, student: str) -> Certificate:
    from nbgrader.api import Gradebook, MissingEntry

    from leerplein.course.course import read_json

    with Gradebook(course.gradebook_url) as gb:
        try:
            person = gb.find_student(student)
        except MissingEntry as err:
            raise AttendanceError(f"{student} staat niet in de cursus.") from err
        name = " ".join(filter(None, [person.first_name, person.last_name])) or student
    recorded = read_json(course.state / ATTENDANCE, {}).get(student, [])
    meetings = action_learning(course.root)
    attended, unknown = [], []
    for entry in recorded:
        match = next((s for s in meetings if entry in aliases(s)), None)
        if match and match not in attended:
            attended.append(match)
        elif not match and not any(entry in aliases(s) for s in sessions(course.root)):
            unknown.append(entry)
    if not attended:
        raise AttendanceError(f"{student} heeft volgens de presentielijst geen bijeenkomst actieleren bijgewoond.")
    attended.sort(key=lambda s: s.id)
    return Certificate(student, name, attended, unknown)


def certificate_html(cert: Certificate, institute, course_name: str) -> str:
    rows = "".join(f"<tr><td>{e(s.titel)}</td><td class='getal'>{s.net_minutes}</td></tr>" for s in cert.attended)
    trainers = ", ".join(str(t.get("naam", "")) for t in institute.trainers) or "de begeleiders"
    hours = f"{round(cert.net_minutes / 60, 1):g}".replace(".", ",")
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Deelnamebewijs actieleren: {e(cert.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>@page {{ size: A4; margin: 25mm 20mm; }} body {{ font-family: "DejaVu Sans", sans-serif; font-size: 11pt; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #999; padding: .3rem .5rem; text-align: left; }}
.getal {{ text-align: right; }} h1 {{ font-size: 20pt; }}</style></head><body><main>
<h1>Deelnamebewijs: reflectie in een actieleerset (intervisie)</h1>
<p><strong>{e(cert.name)}</strong> heeft deelgenomen aan {len(cert.attended)} bijeenkomst{'en' if len(cert.attended) != 1 else ''}
actieleren in de cursus <em>{e(course_name)}</em> van {e(institute.naam)}. In een actieleerset brengt elke deelnemer een vraagstuk
uit het eigen werk in; de andere leden helpen met vragen, niet met adviezen. Dat is intervisie.</p>
<table><thead><tr><th scope="col">Bijeenkomst</th><th scope="col" class="getal">Netto minuten</th></tr></thead>
<tbody>{rows}</tbody><tfoot><tr><th scope="row">Samen</th><td class="getal">{cert.net_minutes} ({hours} uur)</td></tr></tfoot></table>
<p>Netto tijd is zonder pauze en welkom. Dit bewijs komt uit de presentielijst van het instituut.</p>
<p>Afgegeven op {time.strftime('%d-%m-%Y')} door {e(institute.naam)}. Begeleiding: {e(trainers)}.<br>
Contact: {e(str(institute.contact.get('naam', '')))}, {e(str(institute.contact.get('email', '')))}</p>
</main></body></html>"""
