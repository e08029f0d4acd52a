"""Observaties: the docent scores a skill seen in a session (grading/observaties.yml) on a phone,
per student of her own cohort. The result is evidence for the kernleerdoelen of the pass rules."""

from __future__ import annotations

import tornado.web

from leerplein.course.prepare.assign import PASS_LEVEL
from leerplein.course.results.core_goals import reaches_pass
from leerplein.course.grading.observations import Form, ObservationError, load_forms, load_observation, save_observation
from leerplein.teacher.handlers import WorkspaceHandler
from leerplein.teacher.pages import esc, message, xsrf

PHONE = """fieldset{border:1px solid #c7ccd1;border-radius:6px;margin:.8rem 0;padding:.4rem .8rem}
legend{font-weight:600}fieldset label{padding:.45rem 0;border-bottom:1px solid #eef0f2}
fieldset label:last-child{border-bottom:0}textarea{width:100%;font-size:1rem}select{width:100%}
input[type=radio]{width:1.3rem;height:1.3rem;vertical-align:middle;margin-right:.4rem}"""


def result_text(form: Form, record: dict | None) -> str:
    if not record:
        return "nog niet geobserveerd"
    levels = record.get("levels") or {}
    ok = all(reaches_pass(c, levels.get(c.id, "")) for c in form.criteria)
    return ("voldoende" if ok else "nog niet voldoende") + f" ({record.get('datum', '')[:10]})"


def form_page(base: str, form: Form, students: list[str], names: dict[str, str], records: dict, token: str,
              chosen_student: str = "", flash: str = "", error: str = "") -> str:
    options = "".join(f"<option value='{esc(s)}'{' selected' if s == chosen_student else ''}>{esc(names.get(s, s))}"
                      "</option>" for s in students)
    groups = "".join(
        f"<fieldset><legend>{esc(c.titel)}</legend>"
        + "".join(f"<label><input type='radio' name='{esc(c.id)}' value='{esc(lv.naam)}' required>"
                  f"<strong>{esc(lv.naam)}</strong>: {esc(lv.beschrijving)}</label>" for lv in c.niveaus)
        + "</fieldset>" for c in form.criteria)
    rows = "".join(f"<tr><th scope='row'>{esc(names.get(s, s))}</th><td>{esc(result_text(form, records.get(s)))}</td></tr>"
                   for s in students)
    return (f"<style>{PHONE}</style>{message(flash)}{message(error, error=True)}"
            f"<p>{esc(form.wanneer)} Voor de cursus telt: elk punt minstens '{PASS_LEVEL}'.</p>"
            f"<form method='post' action='{base}observatie/{esc(form.id)}'>{xsrf(token)}"
            f"<label for='student'>Student</label><select id='student' name='student' required>{options}</select>"
            f"{groups}<label for='notitie'>Wat zag je? (kort; alleen docenten lezen dit)</label>"
            "<textarea id='notitie' name='notitie' rows='3' maxlength='2000'></textarea>"
            "<button type='submit'>Observatie opslaan</button></form>"
            "<h2>Wie is geobserveerd</h2><div class='wrap'><table><thead><tr><th scope='col'>Student</th>"
            f"<th scope='col'>Resultaat</th></tr></thead><tbody>{rows}</tbody></table></div>")


class Observations(WorkspaceHandler):
    def form(self, form_id: str) -> Form:
        forms = load_forms(self.course.root)
        if form_id not in forms:
            raise tornado.web.HTTPError(404)
        return forms[form_id]

    def render_form(self, form: Form, student: str = "", flash: str = "", error: str = "") -> None:
        students = self.students()
        records = {s: load_observation(self.course, form.id, s) for s in students}
        self.show(form.titel, form_page(self.base, form, students, self.names(), records, self.xsrf_token.decode(),
                                        student, flash, error))

    @tornado.web.authenticated
    def get(self, form_id: str = ""):
        if form_id:
            self.render_form(self.form(form_id))
            return
        links = "".join(f"<li><a href='{self.base}observatie/{esc(f.id)}'>{esc(f.titel)}</a></li>"
                        for f in load_forms(self.course.root).values())
        self.show("Observaties", "<p>Kies het formulier voor de oefening die je nu bekijkt.</p>"
                                 f"<ul>{links}</ul>")

    @tornado.web.authenticated
    def post(self, form_id: str = ""):
        form = self.form(form_id)
        student = self.get_argument("student", "")
        if not self.scope.allows(student):  # another cohort's student (or none): not hers to score
            raise tornado.web.HTTPError(403)
        chosen = {c.id: self.get_argument(c.id, "") for c in form.criteria}
        try:
            save_observation(self.course, form, student, chosen, self.current_user["name"],
                             self.get_argument("notitie", ""))
        except ObservationError as err:
            self.render_form(form, student, error=str(err))
            return
        name = self.names().get(student, student)
        result = result_text(form, load_observation(self.course, form.id, student)).split(" (")[0]
        self.render_form(form, student, flash=f"Opgeslagen: {name}, {result}.")
