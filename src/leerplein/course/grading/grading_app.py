"""`leerplein course grade`: a small web page for rubric grading, on 127.0.0.1 with a token.

Graders see each reflection answer with its rubric beside it, pick a level per criterion and
write a comment; saving stores the points in nbgrader's gradebook (rubric_grades.py)."""

from __future__ import annotations

import html
import secrets
from urllib.parse import quote

import tornado.web

from leerplein.course.prepare.assign import load_exercise
from leerplein.course.grading.autograde import submissions
from leerplein.course.course import TEXT_STUB, Course
from leerplein.course.results.feedback import points as feedback_points
from leerplein.course.grading.rubric_grades import UnknownItem, answers, check_known, load_levels, save_page
from leerplein.service_base import ServiceHandler

STYLE = """body{font-family:system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;color:#1d2125}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem;border-top:2px solid #c7ccd1;padding:1rem 0}
.answer{white-space:pre-wrap;background:#f6f8fa;border-left:4px solid #1a5fb4;padding:.75rem}
fieldset{border:1px solid #c7ccd1;border-radius:6px;margin:.5rem 0}legend{font-weight:600}
label{display:block;margin:.3rem 0}textarea{width:100%;min-height:4rem}
button{background:#1a5fb4;color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;font-size:1rem}
.msg{background:#e6f4ea;padding:.5rem}.err{background:#fde7e9;padding:.5rem}
table{border-collapse:collapse}td,th{border:1px solid #c7ccd1;padding:.3rem .6rem;text-align:left}"""


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>")


ERRORS = {400: "Dit formulier klopt niet. Laad de pagina opnieuw en probeer het nog eens.",
          403: "Je hebt geen toegang tot deze pagina.",
          404: "Deze opdracht of student bestaat niet (of heeft nog niets ingeleverd)."}


class Base(ServiceHandler):
    def initialize(self, course: Course, token: str | None):
        self.course, self.token = course, token

    def prepare(self):
        if self.token is None:  # the hub service authenticates through JupyterHub instead
            return
        given = self.get_argument("token", None) or self.get_cookie("leerplein_token")
        if not given or not secrets.compare_digest(given, self.token):
            raise tornado.web.HTTPError(403)
        self.set_cookie("leerplein_token", self.token, httponly=True, samesite="Strict")

    def visible(self, student: str) -> bool:
        """Need-to-know: the hub service shows a teacher only her own cohorts' students."""
        return True

    def grader(self) -> str:
        return "docent (beoordeelpagina op deze computer)"

    def cohort(self, student: str) -> str:
        """Her cohort (the roster's `course` column), for grouping the overview."""
        from leerplein.course.cohorts import cohort_of, load_people

        return cohort_of(load_people(self.course), student) or ""

    def names(self) -> dict[str, str]:
        from nbgrader.api import Gradebook

        with Gradebook(self.course.gradebook_url) as gb:
            return {s.id: " ".join(filter(None, [s.first_name, s.last_name])) or s.id for s in gb.students}

    def write_error(self, status_code: int, **kwargs):
        text = ERRORS.get(status_code, "Er ging iets mis. Probeer het later opnieuw.")
        self.finish(page("Beoordelen met rubrics", f"<p class='err' role='alert'>{html.escape(text)}</p>"
                         f"<p><a href='{self.prefix}'>Terug naar het overzicht</a></p>"))


class Overview(Base):
    def get(self):
        from leerplein.course.prepare.assign import exercise_slugs

        rows, names = {}, self.names()
        for assignment in exercise_slugs(self.course.root):
            exercise = load_exercise(self.course.root, assignment)
            for student in submissions(self.course, assignment):
                if not self.visible(student):
                    continue
                done = load_levels(self.course, assignment, student)
                state = f"{len(done)} van {len(exercise.rubric)} vragen beoordeeld"
                link = f"{self.prefix}grade/{quote(assignment, safe='')}/{quote(student, safe='')}"
                rows.setdefault(self.cohort(student), []).append(
                    f"<tr><td>{html.escape(exercise.data['titel'])}</td><td><a href='{html.escape(link)}'>"
                    f"{html.escape(names.get(student, student))}</a></td><td>{state}</td></tr>")
        self.write(page("Beoordelen met rubrics", overview_body(rows)))


def overview_body(rows: dict[str, list[str]]) -> str:
    """One table; one per cohort (with its name above it) when the submissions come from more than one."""
    if not rows:
        return "<p>Nog geen inleveringen.</p>"

    def table(lines: list[str], label: str = "") -> str:
        return (f"<table{label}><thead><tr><th scope=col>Opdracht</th><th scope=col>Student</th>"
                "<th scope=col>Stand</th></tr></thead><tbody>" + "".join(lines) + "</tbody></table>")

    if len(rows) == 1:
        return table(next(iter(rows.values())))
    return "".join(f"<section aria-labelledby='groep-{i}'><h2 id='groep-{i}'>Groep {html.escape(cohort or '?')}</h2>"
                   f"{table(lines)}</section>" for i, (cohort, lines) in enumerate(sorted(rows.items())))


class Grade(Base):
    """One form for every reflection of one submission: saving never loses what was chosen or
    typed for another question."""

    def known(self, assignment: str, student: str):
        if not self.visible(student):  # another cohort's student: as if she did not exist
            raise tornado.web.HTTPError(404)
        try:
            check_known(self.course, assignment, student)
        except UnknownItem as err:
            raise tornado.web.HTTPError(404) from err
        return load_exercise(self.course.root, assignment)

    def blind(self, assignment: str, student: str) -> bool:
        """She is this submission's second assessor and has not saved her blind assessment: the page
        shows her nothing of the first grade and takes no grade from her (it would make her a first
        assessor). Standalone (token) there is no teacher name and no second assessor."""
        from leerplein.course.grading.second_assessor import blind_for

        user = self.current_user
        if not blind_for(self.course, assignment, student, user.get("name") if isinstance(user, dict) else None):
            return False
        link = f"{self.prefix}werkplek/tweede/{quote(assignment, safe='')}/{quote(student, safe='')}"
        self.write(page("Beoordelen met rubrics", (
            "<p class='err' role='alert'>Je bent tweede beoordelaar van dit werk. Daarom zie je hier het oordeel van de "
            "eerste beoordelaar niet, tot je je eigen oordeel hebt opgeslagen. Zo blijft de tweede beoordeling "
            "eerlijk.</p>"
            f"<p><a href='{html.escape(link)}'>Naar je tweede beoordeling</a></p>"
            f"<p><a href='{self.prefix}'>Terug naar het overzicht</a></p>")))
        return True

    def get(self, assignment: str, student: str):
        exercise = self.known(assignment, student)
        if self.blind(assignment, student):
            return
        saved = load_levels(self.course, assignment, student)
        values = {q["id"]: (saved.get(q["id"], {}).get("levels", {}), saved.get(q["id"], {}).get("comment", ""))
                  for q in exercise.reflections}
        self.show(exercise, assignment, student, values)

    def post(self, assignment: str, student: str):
        exercise = self.known(assignment, student)
        if self.blind(assignment, student):
            return
        single = self.get_argument("question", None)  # a form that posts one question (older pages, scripts)
        if single is not None and single not in exercise.rubric:
            raise tornado.web.HTTPError(400)
        values = {}
        for q in exercise.reflections:
            qid = q["id"]
            chosen = {c.id: self.get_argument(f"{qid}:{c.id}", "") for c in exercise.rubric[qid]}
            comment = self.get_argument(f"comment:{qid}", None)
            if comment is None and qid == single:
                comment = self.get_argument("comment", "")
            values[qid] = (chosen, comment)  # None: not on the form that was posted
        saved, errors = save_page(self.course, assignment, student, values)
        if saved:
            from leerplein.course import audit

            audit.record(self.course, self.grader(), "beoordeeld", assignment, [student],
                         "; ".join(f"{qid}: {feedback_points(pts)}" for qid, pts in saved.items()))
        if not saved and not errors:
            errors = ["Er is geen niveau gekozen; er is niets opgeslagen."]
        message = " ".join(f"Opgeslagen: {qid} krijgt {feedback_points(pts)}." for qid, pts in saved.items())
        stored = load_levels(self.course, assignment, student)
        shown = {qid: (chosen, stored.get(qid, {}).get("comment", "") if comment is None else comment)
                 for qid, (chosen, comment) in values.items()}
        self.show(exercise, assignment, student, shown, message, " ".join(errors))

    def show(self, exercise, assignment: str, student: str, values: dict, message: str = "", error: str = ""):
        given = answers(self.course, assignment, student)
        parts = [f"<p class='msg' role='status'>{html.escape(message)}</p>" if message else "",
                 f"<p class='err' role='alert'>{html.escape(error)}</p>" if error else "",
                 "<form method='post'>"]
        for q in exercise.reflections:
            qid = q["id"]
            chosen, comment = values.get(qid, ({}, ""))
            criteria_html = []
            for c in exercise.rubric[qid]:
                options = "".join(
                    f"<label><input type='radio' name='{html.escape(qid)}:{html.escape(c.id)}' "
                    f"value='{html.escape(lv.naam)}'{' checked' if chosen.get(c.id) == lv.naam else ''}> "
                    f"<strong>{html.escape(lv.naam)}</strong> ({lv.punten:g} p.): {html.escape(lv.beschrijving)}</label>"
                    for lv in c.niveaus)
                criteria_html.append(f"<fieldset><legend>{html.escape(c.titel)} (leerdoel {c.leerdoel})</legend>"
                                     f"{options}</fieldset>")
            answer = given.get(qid, "").strip()
            answer = "(geen antwoord)" if not answer or answer == TEXT_STUB else answer
            parts.append(
                f"<section class='pair' aria-label='{html.escape(qid)}'>"
                f"<div><h2>{html.escape(qid)}</h2><p>{html.escape(q['vraag'])}</p>"
                f"<div class='answer' data-question='{html.escape(qid)}'>{html.escape(answer)}</div></div>"
                f"<div><h3>Rubric</h3>{''.join(criteria_html)}"
                f"<label for='c-{html.escape(qid)}'>Opmerking voor de student</label>"
                f"<textarea id='c-{html.escape(qid)}' name='comment:{html.escape(qid)}'>{html.escape(comment)}"
                "</textarea></div></section>")
        parts.append(f"<input type='hidden' name='_xsrf' value='{html.escape(self.xsrf_token.decode())}'>"
                     "<button type='submit'>Opslaan</button></form>"
                     f"{self.next_link(assignment, student)}"
                     f"<p><a href='{self.prefix}'>Terug naar het overzicht</a></p>")
        name = self.names().get(student, student)
        self.write(page(f"{exercise.data['titel']}: {name}", "".join(parts)))

    def next_link(self, assignment: str, student: str) -> str:
        """The next student of this assignment whose reflections are not all graded yet."""
        exercise = load_exercise(self.course.root, assignment)
        others = [s for s in submissions(self.course, assignment) if s != student and self.visible(s)]
        waiting = [s for s in others if len(load_levels(self.course, assignment, s)) < len(exercise.rubric)]
        if not waiting:
            return "<p>Alle inleveringen van deze opdracht zijn beoordeeld.</p>"
        later = [s for s in waiting if s > student] or waiting
        link = f"{self.prefix}grade/{quote(assignment, safe='')}/{quote(later[0], safe='')}"
        return f"<p><a href='{html.escape(link)}'>Volgende student</a> ({len(waiting)} nog te beoordelen)</p>"


def make_app(course: Course, token: str | None = None, prefix: str = "/", overview=Overview, grade=Grade,
             hub_auth: bool = False) -> tuple[tornado.web.Application, str | None]:
    """The grading app. Standalone it asks for a token (returned); as a hub service
    (`hub_auth=True`, with HubOAuthenticated handlers) JupyterHub decides who may enter."""
    token = None if hub_auth else token or secrets.token_urlsafe(16)
    args = {"course": course, "token": token}
    app = tornado.web.Application([(prefix, overview, args), (prefix + r"grade/([^/]+)/([^/]+)", grade, args)],
                                  xsrf_cookies=True, cookie_secret=secrets.token_hex(16), prefix=prefix)
    return app, token


def serve(course: Course, port: int = 8890, token: str | None = None) -> None:
    import tornado.ioloop

    app, token = make_app(course, token)
    app.listen(port, address="127.0.0.1")
    print(f"Rubric grading: http://127.0.0.1:{port}/?token={token}\nPress Ctrl-C to stop.", flush=True)
    try:
        tornado.ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        print("Stopped.")
