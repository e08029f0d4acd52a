"""Wachtwoorden in the teacher workspace: a teacher gives a student of her own cohort a new
start password (an admin: anyone on the roster). The POST sets it and sends her browser on
(303) to a one-time address; the first GET of that address shows the password as a printable
letter and forgets it, so a reload, the back button or a copied link shows it never again. Until
that one GET it is held only in this process's memory (for at most LETTER_SECONDS), for the
teacher who made it. Runs in the grading service (root); the people and the scope are read from
the root-only people file on every request."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import tornado.ioloop
import tornado.web

from leerplein.accounts import store
from leerplein.accounts.letters import Letter, letter_body
from leerplein.accounts.start import issue, may_reset
from leerplein.teacher.handlers import WorkspaceHandler
from leerplein.teacher.pages import esc, message, xsrf
from leerplein.teacher.scope import load_people

PRINT = ("@media print{header,nav,.geen-print{display:none!important}main{margin:0}}"
         ".brief{border:1px solid #c7ccd1;border-radius:6px;padding:0 1rem;margin:1rem 0}"
         ".brief dd{font-family:monospace;font-size:1.2rem;overflow-wrap:anywhere;margin:0}"
         ".brief dt{font-weight:600;margin-top:.4rem}td form{margin:0}")


LETTER_SECONDS = 300
_waiting: dict[str, tuple[str, float, Letter]] = {}  # one-time key -> (teacher, made at, letter)


def hold(actor: str, letter: Letter) -> str:
    now = time.monotonic()
    for key in [k for k, (_, made, _) in _waiting.items() if now - made > LETTER_SECONDS]:
        del _waiting[key]
    key = secrets.token_urlsafe(24)
    _waiting[key] = (actor, now, letter)
    return key


def take(actor: str, key: str) -> Letter | None:
    """The letter, once, for the teacher who made it; None ever after."""
    found = _waiting.get(key)
    if found is None or found[0] != actor or time.monotonic() - found[1] > LETTER_SECONDS:
        return None
    del _waiting[key]
    return found[2]


def state_dir() -> Path:
    return Path(os.environ["LEERPLEIN_STATE_DIR"])


def listing(base: str, people: dict, names: list[str], token: str, error: str = "") -> str:
    rows = "".join(
        f"<tr><th scope='row'>{esc(people[n].get('naam') or n)}<br><small>{esc(n)}</small></th>"
        f"<td>{'wacht op eerste inlog' if store.must_change(state_dir(), n) else 'eigen wachtwoord'}</td>"
        f"<td><form method='post' action='{base}wachtwoorden'>{xsrf(token)}"
        f"<input type='hidden' name='gebruiker' value='{esc(n)}'>"
        f"<button type='submit' aria-label='Nieuw startwachtwoord voor {esc(people[n].get('naam') or n)}'>"
        f"Nieuw startwachtwoord</button></form></td></tr>" for n in names)
    return (f"<style>{PRINT}</style>{message(error, error=True)}"
            "<p>Is iemand haar wachtwoord kwijt, of heeft zij nog geen brief? Geef dan een nieuw startwachtwoord. "
            "Het oude wachtwoord werkt daarna niet meer. Je ziet het nieuwe wachtwoord één keer, op een brief "
            "die je kunt afdrukken. Bij de eerste keer inloggen kiest zij zelf een nieuw wachtwoord.</p>"
            "<div class='wrap'><table><thead><tr><th scope='col'>Naam</th>"
            "<th scope='col'>Wachtwoord</th><th scope='col'>Actie</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


def shown_once(base: str, letter: Letter) -> str:
    return (f"<style>{PRINT}</style>"
            f"<p class='msg geen-print' role='status'>Nieuw startwachtwoord gezet voor {esc(letter.name or letter.username)}. "
            "Druk deze brief nu af of geef de gegevens door (Ctrl+P of Cmd+P). Je ziet dit wachtwoord hierna niet "
            f"meer.</p><article class='brief'>{letter_body(letter)}</article>"
            f"<p class='geen-print'><a href='{base}wachtwoorden'>Terug naar de lijst</a></p>")


class Passwords(WorkspaceHandler):
    def visible(self, people: dict) -> list[str]:
        me = people.get(self.current_user["name"], {})
        if me.get("rol") == "admin":
            return sorted(n for n in people if n != self.current_user["name"])
        return sorted(self.scope.students)

    @tornado.web.authenticated
    def get(self):
        people = load_people()
        admin = people.get(self.current_user["name"], {}).get("rol") == "admin"
        extra = f"<p><a href='{self.base}deelnemers'>Deelnemers toevoegen of verwijderen</a></p>" if admin else ""
        self.show("Wachtwoorden", listing(self.base, people, self.visible(people), self.xsrf_token.decode()) + extra)

    @tornado.web.authenticated
    async def post(self):
        people = load_people()
        actor, target = self.current_user["name"], self.get_body_argument("gebruiker", "")
        if not may_reset(actor, target, people):
            raise tornado.web.HTTPError(403)
        address = store.public_url(state_dir())
        issued, problems = await tornado.ioloop.IOLoop.current().run_in_executor(
            None, lambda: issue(state_dir(), people, [target], address, actor, self.course, letters=False))
        if not issued:
            self.set_status(400)
            self.show("Wachtwoorden", listing(self.base, people, self.visible(people), self.xsrf_token.decode(),
                                             "Dat lukte niet: " + " ".join(problems)))
            return
        key = hold(actor, Letter(target, people[target].get("naam", ""), issued[0].password, address))
        self.redirect(f"{self.base}wachtwoorden/brief/{key}", status=303)


class ShownOnce(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self, key: str):
        letter = take(self.current_user["name"], key)
        if letter is None:
            self.set_status(410)
            self.show("Brief al getoond", "<p>Deze brief is al een keer getoond en staat nergens meer. Is hij "
                      f"kwijt? Geef dan opnieuw een <a href='{self.base}wachtwoorden'>nieuw startwachtwoord</a>.</p>")
            return
        self.show("Nieuw startwachtwoord", shown_once(self.base, letter))
