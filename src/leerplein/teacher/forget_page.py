"""`forget` as a page, for the admin only (AVG, decided for issue 23).

Why not for a teacher: forgetting is irreversible and reaches beyond her cohort and her
need-to-know (the hub account, its tokens and log lines, the leerkring, the badge record, other
cohorts' shared records). A teacher asks the admin; the admin checks the request and confirms
here. The page calls the same plain function as `leerplein course forget` and shows its result
(`ForgetResult`) in Dutch. Two steps: choose, then confirm by typing the user name. The system
account and home folder stay (the command line's --remove-account); the page says so."""

from __future__ import annotations

import os
import re
from pathlib import Path

import tornado.ioloop
import tornado.web

from leerplein.teacher.handlers import WorkspaceHandler
from leerplein.teacher.pages import esc, message, xsrf

# ForgetResult's lines (for admins on the command line) as Dutch sentences for the page
DUTCH = [
    (r"gradebook: submission (.+)", r"cijferlijst: inlevering \1"),
    (r"gradebook: student record", "cijferlijst: haar gegevens als student"),
    (r"(submitted|autograded|feedback)/[^/]+/", r"cursusmap: map \1 met haar werk"),
    (r"\.leerplein/aanwezigheid\.json: attendance", "aanwezigheid bij de bijeenkomsten"),
    (r"\.leerplein/(\w+)/(.+)", r"Leerplein-gegevens (\1): \2"),
    (r"exchange: feedback/.+", "inleverplek: vrijgegeven feedback"),
    (r"exchange: (.+)", r"inleverplek: \1"),
    (r"badge: record removed.*", "badge: ingetrokken en uit de lijst van uitgegeven badges gehaald"),
    (r"badge: a revoked badge.*", "badge: het nummer van de ingetrokken badge blijft op de openbare statuslijst "
                                  "staan (zonder naam); zo ziet een werkgever dat een kopie niet meer geldt"),
    (r"leerkring: (\d+) post\(s\) by .+", r"leerkring: \1 bericht(en) van haar"),
    (r"leerkring: (\d+) question\(s\) on .+", r"leerkring: \1 vraag (vragen) over haar vraagstukken"),
    (r"leerkring: membership of (\d+) set\(s\)", r"leerkring: lidmaatschap van \1 groep(en)"),
    (r"hub: user record, servers and tokens of .+", "hub: haar account op de hub, met servers en sleutels"),
    (r"hub: her line in (.+)", r"hub: haar regel in \1 (eerste wachtwoorden)"),
    (r"hub user record: .*", "hub: haar account kon nu niet worden verwijderd; probeer het opnieuw"),
    (r"temporary files: stopped looking.*", "tijdelijke bestanden: niet alles doorzocht (te veel bestanden); "
                                           "vraag de beheerder om verder te kijken"),
    (r"temporary files: (.+)", r"tijdelijk bestand: \1"),
    (r"hub log: (\d+) line\(s\) naming .+ in (.+)", r"logboek van de hub: \1 regel(s) met haar naam in \2"),
    (r"processes: .+", "haar lopende programma's gestopt"),
    (r"system account .+ and home folder: kept.*", "systeemaccount en thuismap: bewaard (haar eigen bestanden). "
                                                   "Ook die verwijderen kan de beheerder op de opdrachtregel "
                                                   "(course forget --remove-account)"),
    (r"system account .+", "systeemaccount en thuismap verwijderd"),
    (r"roster: .+", "deelnemerslijst: zij staat er nog in. Haal haar regel weg, anders maakt de volgende start "
                    "van de hub haar account opnieuw"),
    (r"hub: not touched.*", "hub: niet aangeraakt (geen hub gevonden)"),
    (r"backups?: .*", "reservekopieën van vóór nu bevatten haar gegevens nog: maak een nieuwe reservekopie en "
                      "verwijder de oude"),
]


def dutch(item: str) -> str:
    for pattern, replacement in DUTCH:
        if re.fullmatch(pattern, item, flags=re.S):
            return re.sub(pattern, replacement, item, flags=re.S)
    return "overig: " + item


def hub_state() -> Path | None:
    """On the hub the people file lives in the hub's state folder."""
    people = os.environ.get("LEERPLEIN_PEOPLE_FILE")
    return Path(people).parent if people else None


class Forget(WorkspaceHandler):
    def prepare(self):
        super().prepare()
        if self.current_user and not self.full_scope.admin:
            raise tornado.web.HTTPError(403)

    def known_students(self) -> dict[str, str]:
        """Every student in the gradebook or on the roster (someone who left is only in the gradebook)."""
        from nbgrader.api import Gradebook

        from leerplein.course.cohorts import load_people

        found = {n: p.get("naam") or n for n, p in load_people(self.course).items() if p.get("rol") == "student"}
        with Gradebook(self.course.gradebook_url) as gb:
            for s in gb.students:
                found.setdefault(s.id, " ".join(filter(None, [s.first_name, s.last_name])) or s.id)
        return dict(sorted(found.items()))

    def choose(self, error: str = "", flash: str = "") -> None:
        options = "".join(f"<option value='{esc(s)}'>{esc(name)} ({esc(s)})</option>"
                          for s, name in self.known_students().items())
        body = (message(flash) + message(error, error=True)
                + "<p>Wis alle gegevens van één student, bijvoorbeeld als zij daarom vraagt (AVG). Dit kan niet "
                  "ongedaan worden gemaakt. Alleen de beheerder kan dit; een docent vraagt het aan de beheerder.</p>"
                + f"<form method='post' action='{self.base}vergeten'>{xsrf(self.xsrf_token.decode())}"
                  "<input type='hidden' name='stap' value='kiezen'>"
                  f"<label for='student'>Student</label><select id='student' name='student'>{options}</select> "
                  "<button type='submit'>Verder</button></form>")
        self.show("Gegevens van een student wissen", body)

    @tornado.web.authenticated
    def get(self):
        self.choose()

    @tornado.web.authenticated
    async def post(self):
        from leerplein.course.privacy.forget import forget_student

        student = self.get_argument("student", "")
        names = self.known_students()
        if student not in names:
            self.choose(error="Deze student staat niet in de cijferlijst of de deelnemerslijst.")
            return
        if self.get_argument("stap", "") != "wissen":
            self.confirm(student, names[student])
            return
        if self.get_argument("bevestiging", "").strip() != student:
            self.confirm(student, names[student], error=f"Typ precies '{student}' om te bevestigen. Er is niets gewist.")
            return
        # the hub may take a while to stop her server: the service keeps answering everyone else meanwhile
        result = await tornado.ioloop.IOLoop.current().run_in_executor(None, forget_student, self.course, student,
                                                                       hub_state())
        from leerplein.course import audit

        audit.record(self.course, self.current_user["name"], "vergeten", "", [], "gegevens van één student gewist")
        removed = "".join(f"<li>{esc(dutch(item))}</li>" for item in result.removed)
        left = "".join(f"<li>{esc(dutch(item))}</li>" for item in result.left)
        body = (message(f"De gegevens van {names[student]} zijn gewist." if result.removed
                        else f"Er was niets meer te wissen van {names[student]}.")
                + (f"<h2>Gewist</h2><ul>{removed}</ul>" if removed else "")
                + (f"<h2>Wat er nog is, en waarom</h2><ul>{left}</ul>" if left else "")
                + f"<p><a href='{self.base}vergeten'>Terug</a></p>")
        self.show("Gegevens gewist", body)

    def confirm(self, student: str, name: str, error: str = "") -> None:
        body = (message(error, error=True)
                + f"<p>U staat op het punt alle gegevens van <strong>{esc(name)}</strong> ({esc(student)}) te wissen: "
                  "haar inleveringen, cijfers, rubricbeoordelingen, feedback, aanwezigheid, leerkringberichten, haar "
                  "badge en haar account op de hub. Dit kan niet ongedaan worden gemaakt.</p>"
                + f"<form method='post' action='{self.base}vergeten'>{xsrf(self.xsrf_token.decode())}"
                  f"<input type='hidden' name='stap' value='wissen'><input type='hidden' name='student' "
                  f"value='{esc(student)}'><label for='bevestiging'>Typ ter bevestiging de gebruikersnaam: "
                  f"<strong>{esc(student)}</strong></label><input type='text' id='bevestiging' name='bevestiging' "
                  "autocomplete='off'> <button type='submit'>Definitief wissen</button></form>"
                  f"<p><a href='{self.base}vergeten'>Annuleren</a></p>")
        self.show("Weet u het zeker?", body)
