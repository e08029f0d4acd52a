"""Deelnemers in the workspace, for an admin only: add someone to the running hub or remove
someone, over the same functions as `leerplein hub roster` (roster_sync.sync_people). A new
person gets a start password at once, shown once (as a reset is). Runs in the grading service
(root)."""

from __future__ import annotations

import tornado.ioloop
import tornado.web

from leerplein.accounts import store
from leerplein.accounts.letters import Letter
from leerplein.accounts.start import issue
from leerplein.accounts.workspace import hold, state_dir
from leerplein.roster import ROLES, STUDENT_NUMBER, USERNAME
from leerplein.teacher.handlers import WorkspaceHandler
from leerplein.teacher.pages import esc, message, xsrf
from leerplein.teacher.scope import load_people


def new_person(people: dict, username: str, name: str, role: str, cohort: str, number: str) -> str | None:
    """Why this person cannot be added (Dutch), or None."""
    if not USERNAME.fullmatch(username) or not username.isascii() or len(username) > 32:
        return "De gebruikersnaam mag alleen letters, cijfers, - en _ bevatten en begint met een letter."
    if username in people:
        return f"Er is al iemand met gebruikersnaam {username}."
    if role not in ROLES:
        return "Kies een rol."
    if not cohort.strip() or len(cohort) > 60:
        return "Vul een groep in."
    if number and not STUDENT_NUMBER.fullmatch(number):
        return "Het studentnummer mag alleen letters, cijfers en - bevatten (hoogstens 30)."
    if number and any(p.get("studentnummer") == number for p in people.values()):
        return f"Studentnummer {number} hoort al bij iemand anders."
    return None


ROLE_NAMES = {"student": "student", "teacher": "docent", "admin": "beheerder"}


def remove_form(base: str, token: str, username: str, name: str) -> str:
    return (f"<form method='post' action='{base}deelnemers'>{xsrf(token)}"
            "<input type='hidden' name='actie' value='verwijderen'>"
            f"<input type='hidden' name='gebruiker' value='{esc(username)}'>"
            f"<button type='submit' class='secondary' aria-label='Verwijder {esc(name)}'>Verwijderen</button></form>")


def page(base: str, people: dict, me: str, token: str, flash: str = "", error: str = "") -> str:
    rows = "".join(
        f"<tr><th scope='row'>{esc(p.get('naam') or n)}<br><small>{esc(n)}</small></th>"
        f"<td>{esc(ROLE_NAMES.get(p.get('rol', ''), p.get('rol', '')))}</td><td>{esc(p.get('cursus', ''))}</td>"
        f"<td>{'' if n == me else remove_form(base, token, n, p.get('naam') or n)}</td></tr>"
        for n, p in sorted(people.items()))
    return (f"{message(flash)}{message(error, error=True)}"
            f"<h2>Iemand toevoegen</h2><form method='post' action='{base}deelnemers'>{xsrf(token)}"
            "<input type='hidden' name='actie' value='toevoegen'>"
            "<label>Gebruikersnaam <input type='text' name='gebruiker' required></label>"
            "<label>Naam <input type='text' name='naam'></label>"
            "<label>Rol <select name='rol'><option value='student'>student</option>"
            "<option value='teacher'>docent</option></select></label>"
            "<label>Groep <input type='text' name='groep' required></label>"
            "<label>Studentnummer (mag leeg) <input type='text' name='studentnummer'></label>"
            "<button type='submit'>Toevoegen</button></form>"
            "<p>Wie je verwijdert, kan niet meer inloggen; haar server stopt. Haar werk blijft bewaard.</p>"
            "<h2>Wie er nu in zit</h2><div class='wrap'><table><thead><tr><th scope='col'>Naam</th>"
            "<th scope='col'>Rol</th><th scope='col'>Groep</th><th scope='col'>Actie</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


class People(WorkspaceHandler):
    def prepare(self):
        super().prepare()
        if self.current_user and load_people().get(self.current_user["name"], {}).get("rol") != "admin":
            raise tornado.web.HTTPError(403)

    def render_page(self, flash: str = "", error: str = "", status: int = 200) -> None:
        self.set_status(status)
        self.show("Deelnemers", page(self.base, load_people(), self.current_user["name"], self.xsrf_token.decode(),
                                     flash, error))

    @tornado.web.authenticated
    def get(self):
        self.render_page()

    @tornado.web.authenticated
    async def post(self):
        from leerplein.hub.roster_sync import sync_people

        people, me = load_people(), self.current_user["name"]
        username = self.get_body_argument("gebruiker", "").strip()
        run = tornado.ioloop.IOLoop.current().run_in_executor
        if self.get_body_argument("actie", "") == "verwijderen":
            if username not in people or username == me:
                raise tornado.web.HTTPError(403)
            rest = {n: p for n, p in people.items() if n != username}
            await run(None, sync_people, state_dir(), rest, self.course)
            self.render_page(f"{people[username].get('naam') or username} is verwijderd.")
            return
        name, role = self.get_body_argument("naam", "").strip(), self.get_body_argument("rol", "")
        cohort, number = self.get_body_argument("groep", "").strip(), self.get_body_argument("studentnummer", "").strip()
        problem = new_person(people, username, name, role, cohort, number)
        if problem:
            self.render_page(error=problem, status=400)
            return
        person = {"rol": ROLES[role], "cursus": cohort, "naam": name, **({"studentnummer": number} if number else {})}
        await run(None, sync_people, state_dir(), {**people, username: person}, self.course)
        address = store.public_url(state_dir())
        issued, problems = await run(None, lambda: issue(state_dir(), {**people, username: person}, [username], address,
                                                          me, self.course, letters=False))
        if not issued:
            self.render_page(error="Toegevoegd, maar het startwachtwoord lukte niet: " + " ".join(problems), status=500)
            return
        key = hold(me, Letter(username, name, issued[0].password, address))
        self.redirect(f"{self.base}wachtwoorden/brief/{key}", status=303)
