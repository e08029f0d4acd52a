"""Web layer of the student view. Every page is server-rendered HTML (works without
JavaScript, by keyboard, with a screen reader); forms carry Jupyter's XSRF token; a strict
content security policy allows only this server's own scripts."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import re
from pathlib import Path

import bleach
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jupyter_server.base.handlers import AuthenticatedFileHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from leerplein.service_base import CSP, strict_headers
from leerplein.student import pages
from leerplein.student.assignments import StudentAssignments, validate
from leerplein.student.form import FormError, read_form, save_answers
from leerplein.student.nav import hub_url

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
TEMPLATES = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
FEEDBACK_TAGS = ["h1", "h2", "h3", "p", "strong", "em", "div", "span", "table", "thead", "tbody", "tr", "th", "td",
                 "ul", "ol", "li", "br"]


def book_html_dir() -> Path:
    configured = os.environ.get("LEERPLEIN_BOOK_HTML")
    if configured:
        return Path(configured)
    from leerplein.paths import find_root

    return find_root() / "book" / "_build" / "html"


class StudentHandler(JupyterHandler):
    @property
    def content_security_policy(self) -> str:
        return CSP

    def set_default_headers(self) -> None:
        super().set_default_headers()  # Jupyter Server sets the CSP above
        strict_headers(self, csp=None)
        if local():
            # `leerplein start`: Jupyter's own login cookie lets a GET for a style or script through
            # only with a same-site Referer (on the hub the hub's login does not need it)
            self.set_header("Referrer-Policy", "same-origin")

    @property
    def base(self) -> str:
        return url_path_join(self.base_url, "leerplein") + "/"

    @property
    def assignments(self) -> StudentAssignments:
        return self.settings["leerplein_assignments"]

    @property
    def home(self) -> Path:
        return Path(self.settings["leerplein_home"])

    def show(self, template: str, status: int = 200, **context) -> None:
        self.set_status(status)
        hub_prefix = os.environ.get("JUPYTERHUB_BASE_URL", "")
        context.update(base=self.base, xsrf=self.xsrf_token.decode() if isinstance(self.xsrf_token, bytes)
                       else self.xsrf_token, static=self.base + "static/", boek=self.base + "boek/",
                       logout=url_path_join(hub_url(), "logout") if hub_prefix else "",
                       wachtwoord=url_path_join(hub_url(), "wachtwoord") if hub_prefix else "",
                       user=os.environ.get("JUPYTERHUB_USER", ""),
                       docent=os.environ.get("LEERPLEIN_ROLE") == "docent",
                       lab=url_path_join(self.base_url, "lab"),
                       peiling=service_url("peiling"), leerkring=service_url("leerkring"),
                       lokaal=local())
        self.finish(TEMPLATES.get_template(template).render(**context))

    def write_error(self, status_code: int, **kwargs) -> None:
        text = {403: "Dit mag je niet openen.", 404: "Deze pagina bestaat niet."}.get(
            status_code, "Er ging iets mis. Probeer het opnieuw. Blijft het misgaan? Meld het bij je docent.")
        self.show("fout.html", status=status_code, melding=text)

    async def in_thread(self, func, *args):
        """For slow work that does not touch the working directory (saving, checking)."""
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)


class HomeHandler(StudentHandler):
    @web.authenticated
    async def get(self):
        from leerplein.student.progress import card_score, dutch_timestamp

        try:
            listed, problem = ([], "") if local() else (self.assignments.overview_with_feedback(), "")
        except FormError as err:
            listed, problem = [], str(err)
        for a in listed:
            a.punten = card_score(a.feedback)
            a.ingeleverd_op = dutch_timestamp(a.submissions[-1]) if a.submissions else ""
        try:
            mods = pages.modules(book_html_dir())
        except OSError:
            mods = []
        self.show("home.html", opdrachten=listed, probleem=problem, modules=mods,
                  melding=self.get_query_argument("melding", "")[:200])


class NewVersionHandler(StudentHandler):
    """She takes the corrected version of an assignment: her answers go along (versions.py)."""

    @web.authenticated
    async def post(self, aid):
        from leerplein.student.versions import switch_to_new_version

        try:
            draft = self.assignments.notebook(aid)
            switched = await self.in_thread(switch_to_new_version, self.home, draft, aid)
            form = read_form(draft)
        except FormError as err:
            return self.show("fout.html", status=400, melding=str(err))
        AssignmentHandler.show(self, "opdracht.html", aid=aid, form=form, meldingen=switched.messages(),
                               problemen=[], ingeleverd=False, nieuwe_versie=False)


class FetchHandler(StudentHandler):
    @web.authenticated
    async def post(self, aid):
        try:
            outcome = self.assignments.fetch(aid)
        except FormError as err:
            return self.show("fout.html", status=400, melding=str(err))
        if outcome.ok:
            return self.redirect(f"{self.base}opdracht/{aid}")
        self.show("fout.html", status=500, melding=outcome.message)


class AssignmentHandler(StudentHandler):
    @web.authenticated
    async def get(self, aid):
        try:
            form = read_form(self.assignments.notebook(aid))
        except FormError as err:
            waiting = self.released_not_fetched(aid)
            if waiting is not None:  # a link to an assignment she has not fetched yet: offer to fetch it
                return self.show("ophalen.html", aid=aid, titel=waiting.titel)
            return self.show("fout.html", status=404, melding=str(err))
        self.show("opdracht.html", aid=aid, form=form, meldingen=[], problemen=[], ingeleverd=False)

    def released_not_fetched(self, aid):
        if local():
            return None
        try:
            return next((a for a in self.assignments.overview() if a.id == aid and a.status == "nieuw"), None)
        except FormError:
            return None

    def show(self, template, status=200, **context):
        from leerplein.interactives import logbook
        from leerplein.student.versions import has_new_version

        context.setdefault("logboek", not logbook.is_empty(logbook.load(self.home)))
        if "aid" in context and template == "opdracht.html":
            try:
                context.setdefault("nieuwe_versie", has_new_version(self.assignments.notebook(context["aid"]),
                                                                    context["aid"]))
            except FormError:
                context.setdefault("nieuwe_versie", False)
        if "aid" in context and template == "opdracht.html" and not local():
            try:
                context.setdefault("herkansing", self.assignments.herkansing_line(context["aid"]))
            except FormError:
                context.setdefault("herkansing", "")
        context.setdefault("bevestigen", False)
        context.setdefault("let_op", [])
        StudentHandler.show(self, template, status, **context)

    @web.authenticated
    async def post(self, aid):
        action = self.get_body_argument("actie", "opslaan")
        try:
            path = self.assignments.notebook(aid)
            form = read_form(path)
            answers = {q.id: self.get_body_argument(f"antwoord-{q.id}", "") for q in form.questions}
            form = await self.in_thread(save_answers, path, answers)
        except FormError as err:
            if action == "concept":
                self.set_status(400)
                return self.finish({"melding": str(err)})
            try:
                form = read_form(self.assignments.notebook(aid))
            except FormError:
                return self.show("fout.html", status=400, melding=str(err))
            return self.show("opdracht.html", status=400, aid=aid, form=form, meldingen=[], problemen=[str(err)],
                             ingeleverd=False)
        if action == "concept":  # the page's autosave: same save, a short answer instead of a page
            return self.finish({"melding": f"Concept bewaard om {now_dutch():%H:%M}."})
        messages, problems, confirm, notes = ["Je antwoorden zijn bewaard."], [], False, []
        if action.startswith("logboek:"):
            form, note = await self.in_thread(insert_logbook, path, self.home, action.split(":", 1)[1])
            (messages if note.startswith("Je logboek") else problems).append(note)
        elif action == "controleren":
            problems = await self.in_thread(validate, path)
            if not problems:
                messages.append("Alles is ingevuld. Je kunt de opdracht inleveren.")
        elif action == "inleveren" and form.missing():
            problems, confirm = form.missing(), True  # ask once before handing in incomplete work
        elif action in ("inleveren", "toch-inleveren"):
            notes = form.missing()
            outcome = self.assignments.submit(aid)
            (messages if outcome.ok else problems).append(outcome.message)
            if not outcome.ok:
                notes = []
        self.show("opdracht.html", aid=aid, form=form, meldingen=messages, problemen=problems,
                  bevestigen=confirm, let_op=notes,
                  ingeleverd=action in ("inleveren", "toch-inleveren") and not problems)


def local() -> bool:
    """`leerplein start` on her own computer: no hub, so no assignments to hand in or progress."""
    return os.environ.get("LEERPLEIN_LOKAAL") == "1" and not os.environ.get("JUPYTERHUB_BASE_URL")


def now_dutch():
    from datetime import datetime

    from leerplein.course.intake.deadlines import ZONE

    return datetime.now(ZONE)


def insert_logbook(path: Path, home: Path, question_id: str):
    """Add the participant's Actieleerlogboek under her answer to one reflection."""
    from leerplein.interactives import logbook

    data = logbook.load(home)
    form = read_form(path)
    if logbook.is_empty(data):
        return form, "Je actieleerlogboek is nog leeg. Vul het in bij Modules, module 5."
    target = next((q for q in form.questions if q.id == question_id and q.vorm == "tekst"), None)
    if target is None:
        return form, "Kies een reflectievraag om je logboek bij te zetten."
    text = logbook.to_markdown(data)
    if text in target.antwoord:
        return form, "Je logboek staat al bij deze vraag."
    combined = (target.antwoord.strip() + "\n\n" + text).strip()
    try:
        form = save_answers(path, {question_id: combined})
    except FormError as err:
        return read_form(path), str(err)
    return form, f"Je logboek staat nu onder je antwoord bij {target.titel}. Pas de tekst gerust aan."


class FeedbackHandler(StudentHandler):
    @web.authenticated
    async def get(self, aid):
        try:
            path = self.assignments.newest_feedback(aid)
        except FormError as err:
            return self.show("fout.html", status=404, melding=str(err))
        if path is None:  # released but not fetched yet: fetch it for her
            outcome = self.assignments.fetch_feedback(aid)
            path = self.assignments.newest_feedback(aid) if outcome.ok else None
        if path is None:
            return self.show("feedback.html", aid=aid, inhoud="", melding="")
        text = path.read_text(encoding="utf-8", errors="replace")
        main = re.search(r"<main>(.*)</main>", text, re.S)
        body = bleach.clean(main.group(1) if main else html.escape(text), tags=FEEDBACK_TAGS,
                            attributes={"*": ["class"], "th": ["scope"]}, strip=True)
        self.show("feedback.html", aid=aid, inhoud=body, melding="")

    @web.authenticated
    async def post(self, aid):
        try:
            outcome = self.assignments.fetch_feedback(aid)
        except FormError as err:
            return self.show("fout.html", status=404, melding=str(err))
        if not outcome.ok:
            return self.show("fout.html", status=500, melding=outcome.message)
        self.redirect(f"{self.base}feedback/{aid}")


class PageHandler(StudentHandler):
    @web.authenticated
    async def get(self, module, page):
        try:
            found = pages.load_page(book_html_dir(), module, page, self.base)
            notes = pages.read_notes(self.home, module, page)
        except FormError as err:
            return self.show("fout.html", status=404, melding=str(err))
        self.show("pagina.html", pagina=found, notities=notes, melding="", probleem="")

    def show(self, template, status=200, **context):
        if "pagina" in context:
            context["buren"] = pages.neighbours(book_html_dir(), context["pagina"].module, context["pagina"].name)
        super().show(template, status, **context)

    @web.authenticated
    async def post(self, module, page):
        text = self.get_body_argument("notities", "")
        try:
            found = pages.load_page(book_html_dir(), module, page, self.base)
        except FormError as err:
            return self.show("fout.html", status=404, melding=str(err))
        quiet = self.get_body_argument("stil", "") == "1"  # the page's own save: no new page
        try:
            pages.save_notes(self.home, module, page, text)
        except FormError as err:
            if quiet:
                self.set_status(400)
                return self.finish({"melding": str(err)})
            return self.show("pagina.html", status=400, pagina=found, notities=text, melding="", probleem=str(err))
        if quiet:
            return self.finish({"melding": f"Je aantekeningen zijn bewaard om {now_dutch():%H:%M}."})
        self.show("pagina.html", pagina=found, notities=text, melding="Je aantekeningen zijn bewaard.", probleem="")


class BookPageHandler(StudentHandler):
    """The zelfscan (intake) and the eindopdracht with its cesuur: book pages outside the modules."""

    page = ""

    @web.authenticated
    async def get(self):
        try:
            found = pages.load_book_page(book_html_dir(), self.page, self.base)
        except FormError as err:
            return self.show("fout.html", status=404, melding=str(err))
        self.show("boekpagina.html", pagina=found)


class ZelfscanHandler(BookPageHandler):
    page = "leerpaden"

    def show(self, template, status=200, **context):
        from leerplein.interactives import zelfscan_keuzes

        context.setdefault("keuzes", self.base + "zelfscan/keuzes")
        context.setdefault("bewaard", zelfscan_keuzes.load(self.home))
        super().show(template, status, **context)


class ZelfscanChoicesHandler(StudentHandler):
    """Saves the zelfscan's role and answers in her own folder (JSON; XSRF as every POST). The
    zelfscan page itself carries what is kept."""

    @web.authenticated
    async def post(self):
        from leerplein.interactives import zelfscan_keuzes

        self.set_header("Content-Type", "application/json")
        if len(self.request.body) > 5_000:
            self.set_status(413)
            return self.finish({"melding": "Dit zijn te veel keuzes om te bewaren."})
        try:
            zelfscan_keuzes.save(json.loads(self.request.body or b"{}"), self.home)
        except (ValueError, zelfscan_keuzes.ZelfscanError) as err:
            self.set_status(400)
            message = str(err) if isinstance(err, zelfscan_keuzes.ZelfscanError) else "Dit zijn geen keuzes van de zelfscan."
            return self.finish({"melding": message})
        self.finish({"melding": "Je keuzes zijn bewaard in je eigen map op Leerplein."})


class EindopdrachtHandler(BookPageHandler):
    page = "eindopdracht"


class LogbookHandler(StudentHandler):
    """The Actieleerlogboek of the book's interactive, kept in the participant's own home."""

    @web.authenticated
    async def get(self):
        from leerplein.interactives import logbook

        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(logbook.load(self.home), ensure_ascii=False))

    @web.authenticated
    async def post(self):
        from leerplein.interactives import logbook

        self.set_header("Content-Type", "application/json")
        if len(self.request.body) > 200_000:
            self.set_status(413)
            return self.finish({"melding": "Je logboek is te groot om te bewaren. Maak een paar teksten korter."})
        try:
            logbook.save(json.loads(self.request.body or b"{}"), self.home)
        except (ValueError, logbook.LogbookError) as err:
            self.set_status(400)
            message = str(err) if isinstance(err, logbook.LogbookError) else "Dit is geen actieleerlogboek."
            return self.finish({"melding": message})
        self.finish({"melding": "Bewaard in je eigen map op Leerplein."})


class ProgressHandler(StudentHandler):
    @web.authenticated
    async def get(self):
        from leerplein.paths import find_root
        from leerplein.student.progress import my_progress

        try:
            data = my_progress(self.assignments, find_root())
        except FormError as err:
            return self.show("fout.html", status=503, melding=str(err))
        self.show("voortgang.html", **data)


class BadgeHandler(StudentHandler):
    @web.authenticated
    async def get(self):
        from leerplein.course.results.progress import load_rules
        from leerplein.paths import find_root
        from leerplein.student.progress import badge_png

        try:
            self.assignments.overview_with_feedback()
        except FormError:
            pass  # the feedback already fetched still counts
        data = badge_png(self.assignments, list(load_rules(find_root()).minimum)[::-1])
        if data is None:
            return self.show("fout.html", status=404, melding="Je hebt nog geen badge. Zie Mijn voortgang.")
        self.set_header("Content-Type", "image/png")
        self.set_header("Content-Disposition", 'attachment; filename="leerplein-badge.png"')
        self.finish(data)


class StudentFileHandler(StudentHandler, AuthenticatedFileHandler):
    """The student view's own styles and scripts: with its headers, and Dutch error pages."""


class BookFileHandler(StudentFileHandler):
    """The built book's images, styles and interactives' scripts (no code, no templates): not its
    sources (`_sources/`, MyST with the teachers' notes) nor build files; errors as a Dutch page."""

    def parse_url_path(self, url_path: str) -> str:
        if not book_file_allowed(url_path):
            raise web.HTTPError(404)
        return super().parse_url_path(url_path)


def book_file_allowed(url_path: str) -> bool:
    parts = url_path.replace("\\", "/").split("/")
    return ("\x00" not in url_path and parts[0] != "_sources"
            and not any(part.startswith(".") for part in parts))


def service_url(name: str) -> str:
    """A hub service's address; the hub sends the browser on to the service's own origin."""
    return url_path_join(hub_url(), "services", name) + "/" if os.environ.get("JUPYTERHUB_BASE_URL") else ""


def setup_handlers(serverapp) -> None:
    web_app = serverapp.web_app
    home = Path(serverapp.root_dir).expanduser()
    web_app.settings["leerplein_home"] = str(home)
    web_app.settings["leerplein_assignments"] = StudentAssignments(home, parent=serverapp)
    base = url_path_join(web_app.settings["base_url"], "leerplein")
    aid, name = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,99})", r"([0-9a-z][0-9a-z-]{0,79})"
    web_app.add_handlers(".*$", [
        (base + r"/?", HomeHandler),
        (base + rf"/opdracht/{aid}", AssignmentHandler),
        (base + rf"/opdracht/{aid}/ophalen", FetchHandler),
        (base + rf"/opdracht/{aid}/nieuwe-versie", NewVersionHandler),
        (base + rf"/feedback/{aid}", FeedbackHandler),
        (base + rf"/pagina/{name}/{name}", PageHandler),
        (base + r"/logboek", LogbookHandler),
        (base + r"/zelfscan", ZelfscanHandler),
        (base + r"/zelfscan/keuzes", ZelfscanChoicesHandler),
        (base + r"/eindopdracht", EindopdrachtHandler),
        (base + r"/voortgang", ProgressHandler),
        (base + r"/badge\.png", BadgeHandler),
        (base + r"/static/(.*)", StudentFileHandler, {"path": str(HERE / "static")}),
        (base + r"/boek/(.*)", BookFileHandler, {"path": str(book_html_dir())}),
    ])
    serverapp.log.info("Leerplein student view at %s", base)
