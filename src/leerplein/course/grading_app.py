"""`leerplein course grade`: a small web page for rubric grading, on 127.0.0.1 with a token.

Graders see each reflection answer with its rubric beside it, pick a level per criterion and
write a comment; saving stores the points in nbgrader's gradebook (rubric_grades.py)."""

from __future__ import annotations

import html
import secrets
from urllib.parse import quote

import tornado.web

from leerplein.course.assign import load_exercise
from leerplein.course.autograde import submissions
from leerplein.course.course import TEXT_STUB, Course
from leerplein.course.rubric_grades import GradingError, answers, load_levels, save_rubric_grade
from leerplein.course.feedback import points as feedback_points
from leerplein.service_base import StrictHeaders

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


class Base(StrictHeaders, tornado.web.RequestHandler):
    def initialize(self, course: Course, token: str | None, prefix: str = "/"):
        self.course, self.token, self.prefix = course, token, prefix

    def prepare(self):
        if self.token is None:  # the hub service authenticates through JupyterHub instead
            return
        given = self.get_argument("token", None) or self.get_cookie("leerplein_token")
        if not given or not secrets.compare_digest(given, self.token):
            raise tornado.web.HTTPError(403)
        self.set_cookie("leerplein_token", self.token, httponly=True, samesite="Strict")


class Overview(Base):
    def get(self):
        from leerplein.course.assign import exercise_slugs

        rows = []
        for assignment in exercise_slugs(self.course.root):
            exercise = load_exercise(self.course.root, assignment)
            for student in submissions(self.course, assignment):
                done = load_levels(self.course, assignment, student)
                state = f"{len(done)} van {len(exercise.rubric)} vragen beoordeeld"
                link = f"{self.prefix}grade/{quote(assignment)}/{quote(student)}"
                rows.append(f"<tr><td>{html.escape(assignment)}</td><td><a href='{link}'>{html.escape(student)}</a>"
                            f"</td><td>{state}</td></tr>")
        body = ("<table><thead><tr><th scope=col>Opdracht</th><th scope=col>Student</th><th scope=col>Stand</th>"
                "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else "<p>Nog geen inleveringen.</p>"
        self.write(page("Beoordelen met rubrics", body))


class Grade(Base):
    def get(self, assignment: str, student: str, message: str = "", error: str = ""):
        exercise = load_exercise(self.course.root, assignment)
        given = answers(self.course, assignment, student)
        saved = load_levels(self.course, assignment, student)
        parts = [f"<p class='msg' role='status'>{html.escape(message)}</p>" if message else "",
                 f"<p class='err' role='alert'>{html.escape(error)}</p>" if error else ""]
        for q in exercise.reflections:
            qid = q["id"]
            previous = saved.get(qid, {})
            criteria_html = []
            for c in exercise.rubric[qid]:
                options = "".join(
                    f"<label><input type='radio' name='{qid}:{c.id}' value='{html.escape(lv.naam)}'"
                    f"{' checked' if previous.get('levels', {}).get(c.id) == lv.naam else ''} required> "
                    f"<strong>{html.escape(lv.naam)}</strong> ({lv.punten:g} p.): {html.escape(lv.beschrijving)}</label>"
                    for lv in c.niveaus)
                criteria_html.append(f"<fieldset><legend>{html.escape(c.titel)} (leerdoel {c.leerdoel})</legend>"
                                     f"{options}</fieldset>")
            answer = given.get(qid, "").strip()
            answer = "(geen antwoord)" if not answer or answer == TEXT_STUB else answer
            parts.append(
                f"<form method='post' class='pair' aria-label='{html.escape(qid)}'>"
                f"<div><h2>{html.escape(qid)}</h2><p>{html.escape(q['vraag'])}</p>"
                f"<div class='answer' data-question='{html.escape(qid)}'>{html.escape(answer)}</div></div>"
                f"<div><h3>Rubric</h3>{''.join(criteria_html)}"
                f"<label for='c-{qid}'>Opmerking voor de student</label>"
                f"<textarea id='c-{qid}' name='comment'>{html.escape(previous.get('comment', ''))}</textarea>"
                f"<input type='hidden' name='question' value='{html.escape(qid)}'>"
                f"<input type='hidden' name='_xsrf' value='{self.xsrf_token.decode()}'>"
                f"<button type='submit'>Opslaan: {html.escape(qid)}</button></div></form>")
        parts.append(f"<p><a href='{self.prefix}'>Terug naar het overzicht</a></p>")
        self.write(page(f"{assignment}: {student}", "".join(parts)))

    def post(self, assignment: str, student: str):
        question = self.get_argument("question")
        exercise = load_exercise(self.course.root, assignment)
        chosen = {c.id: self.get_argument(f"{question}:{c.id}", "") for c in exercise.rubric.get(question, [])}
        try:
            points = save_rubric_grade(self.course, assignment, student, question, chosen,
                                       self.get_argument("comment", ""))
        except GradingError as err:
            self.get(assignment, student, error=str(err))
            return
        self.get(assignment, student, message=f"Opgeslagen: {question} krijgt {feedback_points(points)}.")


def make_app(course: Course, token: str | None = None, prefix: str = "/", overview=Overview, grade=Grade,
             hub_auth: bool = False) -> tuple[tornado.web.Application, str | None]:
    """The grading app. Standalone it asks for a token (returned); as a hub service
    (`hub_auth=True`, with HubOAuthenticated handlers) JupyterHub decides who may enter."""
    token = None if hub_auth else token or secrets.token_urlsafe(16)
    args = {"course": course, "token": token, "prefix": prefix}
    app = tornado.web.Application([(prefix, overview, args), (prefix + r"grade/([^/]+)/([^/]+)", grade, args)],
                                  xsrf_cookies=True, cookie_secret=secrets.token_hex(16))
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
