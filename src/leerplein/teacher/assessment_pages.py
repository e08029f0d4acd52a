"""Assessment quality in the workspace (issue 26): herkansing (open one more attempt), the blind
second assessor with the comparison and the agreed grade. Thin handlers over course/grading/;
every student named in a URL or form must be in the teacher's own cohorts (403 otherwise)."""

from __future__ import annotations

from urllib.parse import quote

import tornado.web

from leerplein.teacher.handlers import WorkspaceHandler
from leerplein.teacher.pages import esc, message, xsrf


def _result(a) -> str:
    if a.status == "open":
        return "nog niet ingeleverd"
    if a.status == "ingeleverd":
        return "nog niet nagekeken"
    got = f"{a.score:g} van {a.max:g}".replace(".", ",")
    return f"{got}, {'gehaald' if a.passed else 'nog niet gehaald'}"


def quality_home(base: str, titles: dict[str, str]) -> str:
    rows = "".join(f"<tr><th scope='row'>{esc(t)}</th><td><a href='{base}herkansing/{quote(s)}'>Herkansing</a></td>"
                   f"<td><a href='{base}tweede/{quote(s)}'>Tweede beoordeling</a></td></tr>" for s, t in titles.items())
    return ("<p>Hier open je een herkansing voor werk dat nog niet voldoende is, en beoordeel je als tweede "
            "beoordelaar zonder het eerste oordeel te zien.</p><div class='wrap'><table><thead><tr>"
            "<th scope='col'>Opdracht</th><th scope='col'>Herkansing</th><th scope='col'>Tweede beoordelaar</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>")


def resubmission_page(base: str, slug: str, rows: list, names: dict[str, str], token: str, flash: str = "",
                      error: str = "") -> str:
    """rows: (student, AssignmentProgress, herkansing record or None)."""
    from leerplein.course.intake.deadlines import dutch_time
    from datetime import datetime

    body = []
    for student, a, record in rows:
        if record:
            state = f"herkansing geopend, inleveren tot {dutch_time(datetime.fromisoformat(record['deadline']))}"
            if record.get("ingeleverd"):
                state = "herkansing ingeleverd" + (" (te laat)" if record.get("te_laat") else "")
            action = esc(a.herkansing or state)
        elif a.status == "nagekeken" and not a.passed:
            state = "kan herkansen"
            action = (f"<form method='post' action='{base}herkansing/{quote(slug)}'>{xsrf(token)}"
                      f"<input type='hidden' name='student' value='{esc(student)}'>"
                      f"<label for='d-{esc(student)}'>Inleveren tot</label>"
                      f"<input type='datetime-local' id='d-{esc(student)}' name='deadline' required>"
                      f"<button type='submit'>Herkansing openen</button></form>")
        else:
            state, action = "geen herkansing nodig" if a.passed else "eerst beoordelen", "–"
        body.append(f"<tr><th scope='row'>{esc(names.get(student, student))}</th><td>{esc(_result(a))}"
                    f"{' (poging 2)' if a.attempt == 2 else ''}</td><td>{esc(state)}</td><td>{action}</td></tr>")
    return (message(flash) + message(error, error=True)
            + "<p>Wie een opdracht niet heeft gehaald, krijgt één herkansing met een eigen deadline. De eerste versie "
              "en de eerste feedback blijven bewaard. Voor de voortgang telt de laatste beoordeelde poging. Een derde "
              "poging is niet mogelijk.</p><div class='wrap'><table><thead><tr><th scope='col'>Student</th>"
              "<th scope='col'>Resultaat</th><th scope='col'>Herkansing</th><th scope='col'>Actie</th></tr></thead>"
              f"<tbody>{''.join(body)}</tbody></table></div>")


class QualityHome(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self):
        from leerplein.course.prepare.assign import exercise_slugs, load_exercise

        titles = {s: load_exercise(self.course.root, s).data["titel"] for s in exercise_slugs(self.course.root)}
        self.show("Toetskwaliteit", quality_home(self.base, titles))


class Resubmissions(WorkspaceHandler):
    def render_page(self, slug: str, flash: str = "", error: str = "") -> None:
        from leerplein.course.grading.resubmission import load_record
        from leerplein.course.prepare.assign import load_exercise
        from leerplein.course.results.progress import load_rules, student_progress

        rules = load_rules(self.course.root)
        rows = []
        for student in self.students():
            a = next(x for x in student_progress(self.course, student, rules).assignments if x.slug == slug)
            rows.append((student, a, load_record(self.course, slug, student)))
        title = f"Herkansing: {load_exercise(self.course.root, slug).data['titel']}"
        self.show(title, resubmission_page(self.base, slug, rows, self.names(), self.xsrf_token.decode(), flash, error))

    @tornado.web.authenticated
    def get(self, slug: str):
        self.render_page(self.slug(slug))

    @tornado.web.authenticated
    def post(self, slug: str):
        from leerplein.course.grading.resubmission import ResubmissionError, open_resubmission
        from leerplein.course.intake.deadlines import dutch_time
        from datetime import datetime

        slug = self.slug(slug)
        student = self.get_argument("student", "")
        if not self.scope.allows(student):  # another cohort's student (or nobody): not hers
            raise tornado.web.HTTPError(403)
        try:
            record = open_resubmission(self.course, slug, student, self.get_argument("deadline", ""),
                                       self.current_user["name"])
        except ResubmissionError as err:
            self.render_page(slug, error=str(err))
            return
        until = dutch_time(datetime.fromisoformat(record["deadline"]))
        self.render_page(slug, flash=f"Herkansing geopend voor {self.names().get(student, student)}, inleveren tot "
                                     f"{until}. Laat het de student weten.")
