"""HTML of the workspace pages: Dutch, server-rendered, usable by keyboard and on a tablet.
Everything that comes from a student or a file is escaped here."""

from __future__ import annotations

import html
from urllib.parse import quote

from leerplein.teacher.cycle import AssignmentState

STYLE = """body{font-family:system-ui,sans-serif;margin:0;color:#1d2125;line-height:1.45}
header{background:#1a5fb4;color:#fff;padding:.6rem 1rem}header a{color:#fff;margin-right:1rem}
nav a{display:inline-block;padding:.3rem 0}main{max-width:64rem;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #c7ccd1;padding:.35rem .6rem;text-align:left;vertical-align:top}
.wrap{overflow-x:auto}button{background:#1a5fb4;color:#fff;border:0;border-radius:4px;padding:.55rem 1rem;font-size:1rem;margin:.2rem 0}
button.secondary{background:#fff;color:#1a5fb4;border:2px solid #1a5fb4}.msg{background:#e6f4ea;padding:.6rem}
.err{background:#fde7e9;padding:.6rem}.step{border:1px solid #c7ccd1;border-radius:6px;padding:.4rem 1rem;margin:.8rem 0}
label{display:block;margin:.3rem 0}.groep{background:#eef3fb;padding:.4rem .6rem}.groep label{display:inline}select,input[type=text]{font-size:1rem;padding:.3rem}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #f5c211;outline-offset:2px}"""


def esc(value) -> str:
    return html.escape(str(value))


def cohort_bar(base: str, cohort: str, cohorts, token: str) -> str:
    """Which cohort every page is about, and (with more than one) a form to switch."""
    if not cohort:
        return ""
    if len(cohorts) < 2 or not token:
        return f"<p class='groep'>Groep: <strong>{esc(cohort)}</strong></p>"
    options = "".join(f"<option value='{esc(c)}'{' selected' if c == cohort else ''}>{esc(c)}</option>"
                      for c in cohorts)
    return (f"<form method='post' action='{base}groep' class='groep'>{xsrf(token)}"
            f"<label for='groep-keuze'>Groep: <strong>{esc(cohort)}</strong>. Andere groep:</label> "
            f"<select id='groep-keuze' name='groep'>{options}</select> "
            "<button type='submit' class='secondary'>Wisselen</button></form>")


def layout(base: str, title: str, body: str, refresh: bool = False, cohort: str = "", cohorts=(), token: str = "",
           admin: bool = False) -> str:
    meta = '<meta http-equiv="refresh" content="2">' if refresh else ""
    nav = (f"<nav aria-label='Werkplek'><a href='{base}'>Werkplek</a><a href='{base}aanwezigheid'>Aanwezigheid</a>"
           f"<a href='{base}voortgang'>Voortgang</a><a href='{base}observatie'>Observaties</a>"
           f"<a href='{base}toetskwaliteit'>Toetskwaliteit</a>"
           f"<a href='{base}rapport'>Rapport</a><a href='{base}cijfers'>Cijfers</a><a href='{base}badges'>Badges</a>"
           f"<a href='{base}logboek'>Logboek</a><a href='{base}wachtwoorden'>Wachtwoorden</a>"
           + (f"<a href='{base}deelnemers'>Deelnemers</a><a href='{base}vergeten'>Gegevens wissen</a>" if admin else "")
           + "<a href='/services/peiling/'>Peiling</a>"
           "<a href='/services/leerkring/'>Leerkring</a><a href='/hub/wachtwoord'>Mijn wachtwoord</a>"
           "<a href='/hub/logout'>Uitloggen</a></nav>")
    return (f"<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>{meta}"
            f"<title>{esc(title)} · Leerplein</title><style>{STYLE}</style></head><body>"
            f"<header>{nav}</header><main>{cohort_bar(base, cohort, cohorts, token)}<h1>{esc(title)}</h1>{body}"
            "</main></body></html>")


def message(text: str, error: bool = False) -> str:
    if not text:
        return ""
    return f"<p class='{'err' if error else 'msg'}' role='{'alert' if error else 'status'}'>{esc(text)}</p>"


def xsrf(token: str) -> str:
    return f"<input type='hidden' name='_xsrf' value='{esc(token)}'>"


def home(base: str, user: str, cohorts: tuple[str, ...], n_students: int, states: list[AssignmentState],
         others=()) -> str:
    rows = "".join(
        f"<tr><th scope='row'><a href='{base}opdracht/{quote(s.slug)}'>{esc(s.titel)}</a></th>"
        f"<td>{'ja' if s.released else 'nee'}</td><td>{s.handed_in} van {n_students}</td><td>{s.autograded}</td>"
        f"<td>{len(s.to_grade) or '–'}</td><td>{s.feedback}</td></tr>" for s in states)
    groups = ", ".join(cohorts) or "nog geen"
    count = "1 student" if n_students == 1 else f"{n_students} studenten"
    more = [c for c in others if c not in cohorts]
    also = f" Je hebt ook: {esc(', '.join(more))} (kies hierboven)." if more else ""
    return (f"<p>Welkom, {esc(user)}. Je groep: {esc(groups)} ({count}).{also}</p>"
            "<h2>Opdrachten</h2><div class='wrap'><table><thead><tr><th scope='col'>Opdracht</th>"
            "<th scope='col'>Vrijgegeven</th><th scope='col'>Ingeleverd</th><th scope='col'>Automatisch nagekeken</th>"
            "<th scope='col'>Nog beoordelen</th><th scope='col'>Feedback klaar</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
            f"<p><a href='{base}'>Ververs</a> · <a href='../'>Reflecties beoordelen met de rubric</a></p>")


STEP_TEXT = {
    "vrijgeven": ("Vrijgeven", "Studenten kunnen de opdracht ophalen in hun eigen omgeving."),
    "ophalen": ("Inleveringen ophalen", "Haalt wat studenten hebben ingeleverd naar de cursusmap."),
    "nakijken": ("Automatisch nakijken", "Kijkt de kennischecks na. Reflecties beoordeelt u daarna zelf."),
    "feedback": ("Feedback vrijgeven", "Alleen voor werk waarvan alle reflecties beoordeeld zijn."),
}


def named(line: str, names: dict[str, str]) -> str:
    """A step's detail line "username: message" with her name instead of her username."""
    user, sep, rest = line.partition(": ")
    return f"{names[user]}: {rest}" if sep and user in names else line


def job_block(job: dict | None, names: dict[str, str] | None = None) -> tuple[str, bool]:
    """What the last step did, or how far it is; True when the page should refresh itself."""
    if not job:
        return "", False
    name = STEP_TEXT.get(job.get("step", ""), ("Stap", ""))[0]
    if job.get("status") == "bezig":
        total, done = int(job.get("total") or 0), int(job.get("done") or 0)
        bar = (f"<progress value='{done}' max='{total}'>{done} van {total}</progress> {done} van {total} klaar"
               if total else "")
        return f"<div class='msg' role='status'><p>Bezig: {esc(name)}…</p>{bar}</div>", True
    result = job.get("result") or {}
    details = "".join(f"<li>{esc(named(d, names or {}))}</li>" for d in result.get("details", []))
    body = f"<p><strong>{esc(name)}:</strong> {esc(result.get('summary', ''))}</p>"
    if details:
        body += f"<ul>{details}</ul>"
    return f"<div class='{'msg' if result.get('ok') else 'err'}' role='status'>{body}</div>", False


def deadline_forms(base: str, slug: str, due: dict, token: str) -> str:
    from leerplein.course.intake.deadlines import ZONE, dutch_time

    out = []
    for cohort, moment in due.items():
        value = moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M") if moment else ""
        shown = dutch_time(moment) if moment else "nog geen"
        out.append(f"<form method='post' action='{base}opdracht/{quote(slug)}' class='step'>{xsrf(token)}"
                   f"<input type='hidden' name='groep' value='{esc(cohort)}'>"
                   f"<label for='d-{esc(cohort)}'>Deadline voor {esc(cohort)} (nu: {esc(shown)}). Te laat ingeleverd "
                   f"werk wordt gemarkeerd, niet geweigerd.</label>"
                   f"<input type='datetime-local' id='d-{esc(cohort)}' name='deadline' value='{esc(value)}'> "
                   f"<button type='submit'>Deadline opslaan</button></form>")
    return "".join(out)


def handed_in_table(handed: list, names: dict[str, str]) -> str:
    from leerplein.course.intake.deadlines import dutch_time

    rows = "".join(
        f"<tr><th scope='row'>{esc(names.get(s, s))}</th><td>{esc(dutch_time(m)) if m else 'nog niet'}</td>"
        f"<td>{'<strong>te laat</strong>' if late else ('op tijd' if m else '–')}</td></tr>" for s, m, late in handed)
    return ("<h2>Inleveringen</h2><div class='wrap'><table><thead><tr><th scope='col'>Student</th>"
            "<th scope='col'>Laatst ingeleverd</th><th scope='col'>Deadline</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


def audit_log(events: list[dict], names: dict[str, str], titles: dict[str, str] | None = None) -> str:
    from datetime import datetime

    from leerplein.course.audit import ACTIONS
    from leerplein.course.intake.deadlines import dutch_time

    if not events:
        return "<p>Nog niets vastgelegd.</p>"
    rows = "".join(
        f"<tr><td>{esc(dutch_time(datetime.fromisoformat(e['wanneer'])))}</td><td>{esc(e['wie'])}</td>"
        f"<td>{esc(ACTIONS.get(e['actie'], e['actie']))}</td><td>{esc((titles or {}).get(e.get('opdracht', ''), e.get('opdracht', '')))}</td>"
        f"<td>{esc(', '.join(names.get(s, s) for s in e.get('studenten', [])))}</td><td>{esc(e.get('detail', ''))}</td></tr>"
        for e in events)
    return ("<p>Wie wat deed en wanneer, het nieuwste eerst. Alleen over studenten van je eigen groep.</p>"
            "<div class='wrap'><table><thead><tr><th scope='col'>Wanneer</th><th scope='col'>Wie</th>"
            "<th scope='col'>Wat</th><th scope='col'>Opdracht</th><th scope='col'>Studenten</th>"
            f"<th scope='col'>Toelichting</th></tr></thead><tbody>{rows}</tbody></table></div>")


def release_text(state: AssignmentState) -> str:
    if not state.released:
        return "nee"
    entry = state.release or {}
    if not entry.get("vrijgegeven"):
        return "ja"
    from datetime import datetime

    from leerplein.course.intake.deadlines import dutch_time

    return (f"ja, op {esc(dutch_time(datetime.fromisoformat(entry['vrijgegeven'])))} "
            f"(versie {int(entry.get('versie', 1))})")


def assignment(base: str, state: AssignmentState, job: dict | None, names: dict[str, str], token: str,
               flash: str = "", due: dict | None = None, handed: list | None = None,
               error: str = "") -> tuple[str, bool]:
    block, busy = job_block(job, names)
    steps = []
    for step, (label, help_text) in STEP_TEXT.items():
        if step == "vrijgeven" and state.released:
            label, help_text = "Verbeterde versie opnieuw vrijgeven", ("Wat al is ingeleverd, blijft zoals het "
                                                                       "was.")
        disabled = " disabled" if busy else ""
        steps.append(f"<form method='post' action='{base}opdracht/{quote(state.slug)}/{step}' class='step'>"
                     f"{xsrf(token)}<p>{esc(help_text)}</p><button type='submit'{disabled}>{esc(label)}</button></form>")
    waiting = "".join(f"<li>{esc(names.get(s, s))}</li>" for s in state.to_grade)
    waiting_html = (f"<h2>Nog beoordelen ({len(state.to_grade)})</h2><ul>{waiting}</ul>"
                    f"<p><a href='../'>Naar het beoordelen</a></p>") if waiting else ""
    problems = "".join(f"<li>{esc(names.get(s, s))}: {esc(m)}</li>" for s, m in state.problems)
    problems_html = f"<h2>Meldingen</h2><ul>{problems}</ul>" if problems else ""
    facts = (f"<p>Vrijgegeven: {release_text(state)} · ingeleverd: {state.handed_in} · "
             f"automatisch nagekeken: {state.autograded} · volledig beoordeeld: {len(state.graded)} · "
             f"feedback klaar: {state.feedback}</p>")
    return (message(flash) + message(error, error=True) + block + facts + deadline_forms(base, state.slug, due or {}, token)
            + "".join(steps) + handed_in_table(handed or [], names) + waiting_html + problems_html, busy)


def attendance(base: str, sessions, students: list[str], names: dict[str, str], present: dict[str, list[str]],
               token: str, flash: str = "", error: str = "") -> str:
    options = "".join(f"<option value='{esc(s.id)}'>{esc(s.titel)}</option>" for s in sessions)
    boxes = "".join(f"<label><input type='checkbox' name='student' value='{esc(s)}'> {esc(names.get(s, s))}</label>"
                    for s in students)
    form = (f"<form method='post' action='{base}aanwezigheid'>{xsrf(token)}"
            f"<label for='sessie'>Bijeenkomst</label><select id='sessie' name='sessie'>{options}</select>"
            f"<fieldset><legend>Wie was er?</legend>{boxes or '<p>Geen studenten in je groep.</p>'}</fieldset>"
            "<button type='submit' name='actie' value='aanwezig'>Aanwezig opslaan</button> "
            "<button type='submit' name='actie' value='weg' class='secondary'>Weghalen (ongedaan maken)</button></form>")
    rows = "".join(
        f"<tr><th scope='row'>{esc(s.titel)}</th><td>"
        f"{esc(', '.join(names.get(p, p) for p in students if s.id in present.get(p, [])) or '–')}</td></tr>"
        for s in sessions)
    table = ("<h2>Wie was waar</h2><div class='wrap'><table><thead><tr><th scope='col'>Bijeenkomst</th>"
             f"<th scope='col'>Aanwezig</th></tr></thead><tbody>{rows}</tbody></table></div>")
    return message(flash) + message(error, error=True) + form + table


def result_line(a) -> str:
    """Where her work on one assignment stands, for the teacher (Dutch)."""
    if a.status == "open":
        return "nog niet ingeleverd"
    if a.status == "ingeleverd":
        return "nog niet nagekeken"
    got = f"{a.score:g} van {a.max:g}".replace(".", ",")
    return f"{got}, {'gehaald' if a.passed else 'nog niet gehaald'}"


HIDDEN = "verborgen: je bent tweede beoordelaar"


def progress(rows: list, names: dict[str, str], late: set | frozenset = frozenset(),
             hidden: set | frozenset = frozenset()) -> str:
    """`late`: (student, slug) handed in after the cohort's deadline: marked, never refused.
    `hidden`: (slug, student) whose first grade she may not see (blind second assessor): no points
    and no pass/fail for that work, nor for the course as a whole."""
    if not rows:
        return "<p>Geen studenten in je groep.</p>"
    titles = [a.titel.replace("Reflectie-opdracht: ", "").split(":")[0] for a in rows[0].counted]
    head = "".join(f"<th scope='col'>{esc(t)}</th>" for t in titles)
    blind = {student for _, student in hidden}
    body = "".join(
        f"<tr><th scope='row'>{esc(names.get(p.student, p.student))}</th>"
        + "".join(f"<td>{esc(HIDDEN if (a.slug, p.student) in hidden else result_line(a))}"
                  f"{' (te laat)' if (p.student, a.slug) in late else ''}</td>" for a in p.counted)
        + f"<td>{p.attended}</td><td>{HIDDEN if p.student in blind else 'ja' if p.passed else 'nee'}</td></tr>"
        for p in rows)
    return ("<div class='wrap'><table><thead><tr><th scope='col'>Student</th>" + head
            + "<th scope='col'>Bijeenkomsten</th><th scope='col'>Geslaagd</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def export_form(base: str, token: str) -> str:
    return (f"<form method='post' action='{base}cijfers'>{xsrf(token)}"
            "<label for='lms'>Voor welke leeromgeving?</label><select id='lms' name='lms'>"
            "<option value='brightspace'>Brightspace</option><option value='canvas'>Canvas</option>"
            "<option value='moodle'>Moodle</option></select>"
            "<label><input type='checkbox' name='pseudoniem' value='1'> Gepseudonimiseerd (zonder namen)</label>"
            "<button type='submit'>Cijfers downloaden (CSV)</button></form>"
            "<p>Werk dat nog niet helemaal beoordeeld is, staat er leeg in, niet als 0.</p>")


def badges(base: str, rows: list, names: dict[str, str], has_badge: set[str], token: str, flash: str = "",
           error: str = "", problems=()) -> str:
    body = "".join(
        f"<tr><th scope='row'>{esc(names.get(p.student, p.student))}</th><td>{'ja' if p.passed else 'nee'}</td>"
        f"<td>{'ja' if p.student in has_badge else 'nee'}</td>"
        f"<td>{esc('; '.join(p.open_items) or '–')}</td></tr>" for p in rows)
    listed = "".join(f"<li>{esc(p)}</li>" for p in problems)
    return (message(flash) + message(error, error=True) + (f"<ul class='err'>{listed}</ul>" if listed else "")
            + "<p>Wie aan alle slaagregels voldoet, krijgt de badge: een digitaal bewijs dat een werkgever kan "
              "controleren. Wie nog niet geslaagd is, krijgt niets.</p>"
            + f"<form method='post' action='{base}badges'>{xsrf(token)}"
              "<button type='submit'>Badges uitgeven aan wie geslaagd is</button></form>"
            + "<div class='wrap'><table><thead><tr><th scope='col'>Student</th><th scope='col'>Geslaagd</th>"
              "<th scope='col'>Badge</th><th scope='col'>Nog open</th></tr></thead>"
              f"<tbody>{body}</tbody></table></div>")
