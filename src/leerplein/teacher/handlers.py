"""Tornado handlers of the workspace: thin, over scope.py, cycle.py, jobs.py and pages.py.
Every page needs a hub login with the teacher role (JupyterHub's OAuth) and shows only the
teacher's own cohorts; every form carries the XSRF token."""

from __future__ import annotations

from urllib.parse import quote

import tornado.web
from jupyterhub.services.auth import HubOAuthenticated

from leerplein.course.cohorts import people_file_problem
from leerplein.course.course import Course
from leerplein.service_base import ServiceHandler
from leerplein.teacher import jobs, pages
from leerplein.teacher.scope import Scope, load_people, scope_for


class WorkspaceHandler(HubOAuthenticated, ServiceHandler):
    def initialize(self, course: Course, base: str):
        self.course, self.base = course, base

    COHORT_COOKIE = "leerplein-groep"

    @property
    def full_scope(self) -> Scope:
        """All her cohorts."""
        return scope_for(self.current_user["name"], load_people())

    @property
    def cohort(self) -> str:
        """The cohort she works in now: her choice (a signed cookie), else her first."""
        full = self.full_scope
        chosen = (self.get_secure_cookie(self.COHORT_COOKIE, max_age_days=30) or b"").decode("utf-8", "replace")
        return chosen if chosen in full.cohorts else (full.cohorts[0] if full.cohorts else "")

    @property
    def scope(self) -> Scope:
        """Need-to-know on every page: the students of the cohort she works in."""
        full = self.full_scope
        return full.narrowed(self.cohort) if full.cohorts else full

    def prepare(self):
        super().prepare()
        problem = people_file_problem()
        if self.current_user and problem:  # fails closed, and says why (not "not your cohort")
            self.set_status(503)
            self.finish(pages.layout(self.base, "Deelnemerslijst ontbreekt", pages.message(problem, error=True)))
            return
        if self.current_user and not self.full_scope.cohorts:
            raise tornado.web.HTTPError(403)

    def names(self) -> dict[str, str]:
        from nbgrader.api import Gradebook

        with Gradebook(self.course.gradebook_url) as gb:
            return {s.id: " ".join(filter(None, [s.first_name, s.last_name])) or s.id for s in gb.students
                    if self.scope.allows(s.id)}

    def students(self) -> list[str]:
        return sorted(self.names())

    def blind_work(self) -> set[tuple[str, str]]:
        """(slug, student) of her cohort whose first grade she may not see yet (blind second assessor)."""
        from leerplein.course.grading.second_assessor import blind_work

        return blind_work(self.course, self.current_user["name"], set(self.students()))

    def refused_while_blind(self, title: str) -> bool:
        """Pages that show points or pass/fail of the whole cohort (report, export, badges) wait until
        she has saved the blind second assessments she was asked for; True: refused (page shown)."""
        blind = self.blind_work()
        if not blind:
            return False
        names = self.names()
        links = "".join(f"<li><a href='{self.base}tweede/{quote(slug)}/{quote(student)}'>"
                        f"{pages.esc(names.get(student, student))} ({pages.esc(slug)})</a></li>"
                        for slug, student in sorted(blind))
        self.set_status(403)
        self.show(title, pages.message("Je bent tweede beoordelaar van werk in deze groep. Deze pagina laat punten "
                                       "of geslaagd/niet geslaagd zien, dus ook het oordeel van de eerste "
                                       "beoordelaar. Je ziet haar weer als je je tweede beoordeling hebt opgeslagen:",
                                       error=True) + f"<ul>{links}</ul>")
        return True

    def slug(self, slug: str) -> str:
        from leerplein.course.prepare.assign import exercise_slugs

        if slug not in exercise_slugs(self.course.root):
            raise tornado.web.HTTPError(404)
        return slug

    def show(self, title: str, body: str, refresh: bool = False) -> None:
        full = self.full_scope
        self.write(pages.layout(self.base, title, body, refresh, cohort=self.cohort, cohorts=full.cohorts,
                                token=self.xsrf_token.decode(), admin=full.admin))

    def write_error(self, status_code: int, **kwargs) -> None:
        text = {403: "Deze pagina is alleen voor docenten van deze groep.", 404: "Deze pagina bestaat niet."}
        self.write(pages.layout(self.base, "Niet gevonden" if status_code == 404 else "Geen toegang",
                                f"<p>{text.get(status_code, 'Er ging iets mis. Probeer het opnieuw.')}</p>"))


class Cohort(WorkspaceHandler):
    """She picks the cohort she works in; only one of her own."""

    @tornado.web.authenticated
    def post(self):
        chosen = self.get_argument("groep", "")
        if chosen not in self.full_scope.cohorts:
            raise tornado.web.HTTPError(403)
        self.set_secure_cookie(self.COHORT_COOKIE, chosen, expires_days=30, httponly=True, samesite="Strict",
                               path=self.base)
        self.redirect(self.base)


class Home(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.teacher.cycle import overview

        students = self.students()
        me = load_people().get(self.current_user["name"], {})
        body = pages.home(self.base, me.get("naam") or self.current_user["name"], self.scope.cohorts, len(students),
                          overview(self.course, students, self.cohort), others=self.full_scope.cohorts)
        self.show("Werkplek voor docenten", body)


class Assignment(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self, slug: str):

        slug = self.slug(slug)
        # only a known key: a link must not put words of its own on her page
        busy = self.get_argument("bezig", "") == "1"
        self.render_page(slug, "Er loopt al een stap voor deze opdracht. Wacht tot die klaar is." if busy else "")

    def render_page(self, slug: str, flash: str = "", error: str = "") -> None:
        from leerplein.course.intake.deadlines import deadline_for, handed_in_at
        from leerplein.teacher.cycle import assignment_state

        # the job first: when it says "klaar", all it wrote is on disk before the state is read
        # (read the other way round, a finishing job could show its result beside the old state)
        job = jobs.current(self.course, slug, self.cohort)
        state = assignment_state(self.course, slug, self.students(), self.cohort)
        people = load_people()
        handed = []
        for student in self.students():
            moment = handed_in_at(self.course, slug, student)
            due = deadline_for(self.course, people.get(student, {}).get("cursus", ""), slug)
            handed.append((student, moment, moment is not None and due is not None and moment > due))
        due = {c: deadline_for(self.course, c, slug) for c in self.scope.cohorts}
        body, busy = pages.assignment(self.base, state, job, self.names(),
                                      self.xsrf_token.decode(), flash, due=due, handed=handed, error=error)
        self.show(state.titel, body, refresh=busy)

    @tornado.web.authenticated
    def post(self, slug: str):
        """The deadline of each of her cohorts."""
        from leerplein.course import audit
        from leerplein.course.intake.deadlines import DeadlineError, dutch_time, set_deadline

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
        audit.record(self.course, self.current_user["name"], "deadline", slug, [], text, cohort=cohort)
        self.render_page(slug, f"Deadline opgeslagen ({text}).")


class AssignmentStep(WorkspaceHandler):
    @tornado.web.authenticated
    def post(self, slug: str, step: str):
        slug = self.slug(slug)
        if step not in jobs.STEPS:
            raise tornado.web.HTTPError(404)
        started = jobs.start(self.course, step, slug, self.students(), self.current_user["name"], self.cohort)
        self.redirect(f"{self.base}opdracht/{slug}" + ("" if started else "?bezig=1"))


class Attendance(WorkspaceHandler):
    def render_page(self, flash: str = "", error: str = "") -> None:
        from leerplein.course.results.attendance import attendance, sessions

        body = pages.attendance(self.base, sessions(self.course.root), self.students(), self.names(),
                                attendance(self.course), self.xsrf_token.decode(), flash, error)
        self.show("Aanwezigheid", body)

    @tornado.web.authenticated
    def get(self):
        self.render_page()

    @tornado.web.authenticated
    def post(self):
        from leerplein.course import audit
        from leerplein.course.results.attendance import AttendanceError, record_attendance, remove_attendance

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
        from leerplein.course.results.progress import load_rules, student_progress

        rules = load_rules(self.course.root)
        from leerplein.course.intake.deadlines import is_late

        rows = [student_progress(self.course, s, rules) for s in self.students()]
        late = {(p.student, a.slug) for p in rows for a in p.counted
                if a.status != "open" and is_late(self.course, self.cohort, a.slug, p.student)}
        self.show("Voortgang", pages.progress(rows, self.names(), late, self.blind_work()))


class Report(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.course.results.progress import load_rules, student_progress
        from leerplein.course.results.report import collect, render

        if self.refused_while_blind("Rapport"):
            return
        data = collect(self.course, self.students())
        rules = load_rules(self.course.root)
        data["students"] = [student_progress(self.course, s, rules) for s in self.students()]
        data["groep"] = self.cohort
        self.write(render(data))


class Export(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        self.show("Cijfers voor de leeromgeving", pages.export_form(self.base, self.xsrf_token.decode()))

    @tornado.web.authenticated
    def post(self):
        from leerplein.course.results.export import FORMATS, export_text

        lms = self.get_argument("lms", "")
        if lms not in FORMATS:
            raise tornado.web.HTTPError(400)
        if self.refused_while_blind("Cijfers voor de leeromgeving"):
            return
        from leerplein.course import audit

        pseudonymous = bool(self.get_argument("pseudoniem", ""))
        text = export_text(self.course, lms, pseudonymous, set(self.students()))
        audit.record(self.course, self.current_user["name"], "export", "", self.students(),
                     f"{lms}{', gepseudonimiseerd' if pseudonymous else ''}", cohort=self.cohort)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        safe = "".join(c for c in self.cohort if c.isalnum() or c in "-_") or "groep"
        self.set_header("Content-Disposition", f'attachment; filename="cijfers-{safe}-{lms}.csv"')
        self.write(text)


class Badges(WorkspaceHandler):
    def render_page(self, flash: str = "", error: str = "", problems=()) -> None:
        from leerplein.course.results.progress import load_rules, student_progress
        from leerplein.credentials.issue import registry_file
        from leerplein.course.course import read_json

        if self.refused_while_blind("Badges"):
            return
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

        if self.refused_while_blind("Badges"):  # who got one would say who passed
            return
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

        from leerplein.course.prepare.assign import exercise_slugs, load_exercise

        titles = {slug: load_exercise(self.course.root, slug).data["titel"] for slug in exercise_slugs(self.course.root)}
        found = blind_details(self.course, events(self.course, set(self.students()), self.scope.cohorts),
                              self.current_user["name"])
        self.show("Logboek", pages.audit_log(found, self.names(), titles))


def blind_details(course, found: list[dict], teacher: str) -> list[dict]:
    """A grading entry names the points per question; a blind second assessor of that work does
    not see them until her own assessment is saved (second_assessor.blind_for). Entries that say
    the work did not pass (a herkansing) or that the course was passed (a badge) leave out the
    students whose work she is blind for, and go when nobody is left."""
    from leerplein.course.grading.second_assessor import blind_work

    blind = blind_work(course, teacher, {s for e in found for s in e.get("studenten", [])})
    if not blind:
        return found
    hidden = {student for _, student in blind}
    out = []
    for e in found:
        students = e.get("studenten", [])
        if e.get("actie") == "beoordeeld" and any((e.get("opdracht", ""), s) in blind for s in students):
            e = {**e, "detail": "verborgen: je bent tweede beoordelaar van dit werk"}
        elif e.get("actie") == "herkansing" and any((e.get("opdracht", ""), s) in blind for s in students):
            e = {**e, "studenten": [s for s in students if (e.get("opdracht", ""), s) not in blind]}
        elif e.get("actie") == "badge" and hidden & set(students):
            e = {**e, "studenten": [s for s in students if s not in hidden]}
        if students and not e.get("studenten"):
            continue
        out.append(e)
    return out
