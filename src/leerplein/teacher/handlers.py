"""Tornado handlers of the workspace: thin, over scope.py, cycle.py, jobs.py and pages.py.
Every page needs a hub login with the teacher role (JupyterHub's OAuth) and shows only the
teacher's own cohorts; every form carries the XSRF token."""

from __future__ import annotations

import tornado.web
from jupyterhub.services.auth import HubOAuthenticated

from leerplein.course.course import Course
from leerplein.service_base import ServiceHandler
from leerplein.teacher import jobs, pages
from leerplein.teacher.scope import Scope, load_people, scope_for


class WorkspaceHandler(HubOAuthenticated, ServiceHandler):
    def initialize(self, course: Course, base: str):
        self.course, self.base = course, base

    @property
    def scope(self) -> Scope:
        return scope_for(self.current_user["name"], load_people())

    def prepare(self):
        super().prepare()
        if self.current_user and not self.scope.cohorts:
            raise tornado.web.HTTPError(403)

    def names(self) -> dict[str, str]:
        from nbgrader.api import Gradebook

        with Gradebook(self.course.gradebook_url) as gb:
            return {s.id: " ".join(filter(None, [s.first_name, s.last_name])) or s.id for s in gb.students
                    if self.scope.allows(s.id)}

    def students(self) -> list[str]:
        return sorted(self.names())

    def slug(self, slug: str) -> str:
        from leerplein.course.assign import exercise_slugs

        if slug not in exercise_slugs(self.course.root):
            raise tornado.web.HTTPError(404)
        return slug

    def show(self, title: str, body: str, refresh: bool = False) -> None:
        self.write(pages.layout(self.base, title, body, refresh))

    def write_error(self, status_code: int, **kwargs) -> None:
        text = {403: "Deze pagina is alleen voor docenten van deze groep.", 404: "Deze pagina bestaat niet."}
        self.write(pages.layout(self.base, "Niet gevonden" if status_code == 404 else "Geen toegang",
                                f"<p>{text.get(status_code, 'Er ging iets mis. Probeer het opnieuw.')}</p>"))


class Home(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.teacher.cycle import overview

        students = self.students()
        me = load_people().get(self.current_user["name"], {})
        body = pages.home(self.base, me.get("naam") or self.current_user["name"], self.scope.cohorts, len(students),
                          overview(self.course, students))
        self.show("Werkplek voor docenten", body)


class Assignment(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self, slug: str):
        from leerplein.teacher.cycle import assignment_state

        slug = self.slug(slug)
        # only a known key: a link must not put words of its own on her page
        busy = self.get_argument("bezig", "") == "1"
        self.render_page(slug, "Er loopt al een stap voor deze opdracht. Wacht tot die klaar is." if busy else "")

    def render_page(self, slug: str, flash: str = "", error: str = "") -> None:
        from leerplein.course.deadlines import deadline_for, handed_in_at
        from leerplein.teacher.cycle import assignment_state

        state = assignment_state(self.course, slug, self.students())
        people = load_people()
        handed = []
        for student in self.students():
            moment = handed_in_at(self.course, slug, student)
            due = deadline_for(self.course, people.get(student, {}).get("cursus", ""), slug)
            handed.append((student, moment, moment is not None and due is not None and moment > due))
        due = {c: deadline_for(self.course, c, slug) for c in self.scope.cohorts}
        body, busy = pages.assignment(self.base, state, jobs.current(self.course, slug), self.names(),
                                      self.xsrf_token.decode(), flash, due=due, handed=handed, error=error)
        self.show(state.titel, body, refresh=busy)

    @tornado.web.authenticated
    def post(self, slug: str):
        """The deadline of each of her cohorts."""
        from leerplein.course import audit
        from leerplein.course.deadlines import DeadlineError, dutch_time, set_deadline

        slug = self.slug(slug)
        cohort = self.get_argument("groep", "")
        if cohort not in self.scope.cohorts:
            raise tornado.web.HTTPError(403)
        try:
            moment = set_deadline(self.course, cohort, slug, self.get_argument("deadline", "").strip())
        except DeadlineError as err:
            self.render_page(slug, error=str(err))
            return
        text = f"{cohort}: {dutch_time(moment)}" if moment else f"{cohort}: geen deadline"
        audit.record(self.course, self.current_user["name"], "deadline", slug, [], text)
        self.render_page(slug, f"Deadline opgeslagen ({text}).")


class AssignmentStep(WorkspaceHandler):
    @tornado.web.authenticated
    def post(self, slug: str, step: str):
        slug = self.slug(slug)
        if step not in jobs.STEPS:
            raise tornado.web.HTTPError(404)
        started = jobs.start(self.course, step, slug, self.students(), self.current_user["name"])
        self.redirect(f"{self.base}opdracht/{slug}" + ("" if started else "?bezig=1"))


class Attendance(WorkspaceHandler):
    def render_page(self, flash: str = "", error: str = "") -> None:
        from leerplein.course.attendance import attendance, sessions

        body = pages.attendance(self.base, sessions(self.course.root), self.students(), self.names(),
                                attendance(self.course), self.xsrf_token.decode(), flash, error)
        self.show("Aanwezigheid", body)

    @tornado.web.authenticated
    def get(self):
        self.render_page()

    @tornado.web.authenticated
    def post(self):
        from leerplein.course import audit
        from leerplein.course.attendance import AttendanceError, record_attendance, remove_attendance

        chosen = self.get_arguments("student")
        outside = [s for s in chosen if not self.scope.allows(s)]
        if outside:  # another cohort's student: not hers to mark
            raise tornado.web.HTTPError(403)
        undo = self.get_argument("actie", "aanwezig") == "weg"
        try:
            found = (remove_attendance if undo else record_attendance)(self.course, self.get_argument("sessie", ""),
                                                                        chosen)
        except AttendanceError as err:
            self.render_page(error=str(err))
            return
        audit.record(self.course, self.current_user["name"], "afwezig" if undo else "aanwezig", "", chosen, found.id)
        names = self.names()
        who = ", ".join(names.get(s, s) for s in chosen)
        self.render_page(flash=f"{found.titel}: {who} {'weggehaald' if undo else 'aanwezig'}.")


class Progress(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.course.progress import load_rules, student_progress

        rules = load_rules(self.course.root)
        rows = [student_progress(self.course, s, rules) for s in self.students()]
        self.show("Voortgang", pages.progress(rows, self.names()))


class Report(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.course.progress import load_rules, student_progress
        from leerplein.course.report import collect, render

        data = collect(self.course, self.students())
        rules = load_rules(self.course.root)
        data["students"] = [student_progress(self.course, s, rules) for s in self.students()]
        self.write(render(data))


class Export(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        self.show("Cijfers voor de leeromgeving", pages.export_form(self.base, self.xsrf_token.decode()))

    @tornado.web.authenticated
    def post(self):
        from leerplein.course.export import FORMATS, export_text

        lms = self.get_argument("lms", "")
        if lms not in FORMATS:
            raise tornado.web.HTTPError(400)
        from leerplein.course import audit

        pseudonymous = bool(self.get_argument("pseudoniem", ""))
        text = export_text(self.course, lms, pseudonymous, set(self.students()))
        audit.record(self.course, self.current_user["name"], "export", "", self.students(),
                     f"{lms}{', gepseudonimiseerd' if pseudonymous else ''}")
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="cijfers-{lms}.csv"')
        self.write(text)


class Badges(WorkspaceHandler):
    def render_page(self, flash: str = "", error: str = "", problems=()) -> None:
        from leerplein.course.progress import load_rules, student_progress
        from leerplein.credentials.issue import registry_file
        from leerplein.course.course import read_json

        rules = load_rules(self.course.root)
        rows = [student_progress(self.course, s, rules) for s in self.students()]
        has = set(read_json(registry_file(self.course), {}).get("uitgegeven", {}))
        body = pages.badges(self.base, rows, self.names(), has, self.xsrf_token.decode(), flash, error, problems)
        self.show("Badges", body)

    @tornado.web.authenticated
    def get(self):
        self.render_page()

    @tornado.web.authenticated
    def post(self):
        from leerplein.credentials.award import award_badges
        from leerplein.credentials.institute import InstituteError

        try:
            result = award_badges(self.course, set(self.students()), who=self.current_user["name"])
        except InstituteError as err:
            self.render_page(error=f"Badges kunnen nog niet worden uitgegeven: {err} Vraag dit aan de beheerder.")
            return
        names = self.names()
        given = ", ".join(names.get(s, s) for s, _, _ in result.issued) or "niemand"
        self.render_page(f"Badge uitgegeven aan: {given}. Zij vinden hem bij hun feedback en in Mijn voortgang.",
                         problems=result.problems)


class Log(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.course.audit import events

        from leerplein.course.assign import exercise_slugs, load_exercise

        titles = {slug: load_exercise(self.course.root, slug).data["titel"] for slug in exercise_slugs(self.course.root)}
        self.show("Logboek", pages.audit_log(events(self.course, set(self.students())), self.names(), titles))


def routes(course: Course, base: str) -> list:
    args = {"course": course, "base": base}
    from leerplein.teacher.observations import Observations  # its own module; imported here to avoid a cycle
    from leerplein.accounts.people_page import People
    from leerplein.accounts.workspace import Passwords, ShownOnce
    return [(base, Home, args), (base + r"opdracht/([^/]+)", Assignment, args),
            (base + r"opdracht/([^/]+)/([a-z]+)", AssignmentStep, args), (base + "aanwezigheid", Attendance, args),
            (base + "voortgang", Progress, args), (base + "rapport", Report, args), (base + "cijfers", Export, args),
            (base + "logboek", Log, args), (base + "badges", Badges, args),
            (base + r"observatie/?([a-z0-9-]*)", Observations, args), (base + "wachtwoorden", Passwords, args),
            (base + r"wachtwoorden/brief/([A-Za-z0-9_-]+)", ShownOnce, args), (base + "deelnemers", People, args)]
