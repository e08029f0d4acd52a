"""Assessment quality in the workspace (issue 26): herkansing (open one more attempt), the blind
second assessor with the comparison and the agreed grade, calibration on the model answers (each
teacher sees only her own results). Thin handlers over course/grading/; every student named in a
URL or form must be in the teacher's own cohorts (403 otherwise); a student reaches none of it."""

from __future__ import annotations

from urllib.parse import quote

import tornado.web

from leerplein.teacher.handlers import WorkspaceHandler
from leerplein.teacher.pages import HIDDEN, esc, message, result_line, xsrf


def quality_home(base: str, titles: dict[str, str]) -> str:
    rows = "".join(f"<tr><th scope='row'>{esc(t)}</th><td><a href='{base}herkansing/{quote(s)}'>Herkansing</a></td>"
                   f"<td><a href='{base}tweede/{quote(s)}'>Tweede beoordeling</a></td>"
                   f"<td><a href='{base}gelijkenis/{quote(s)}'>Gelijke stukken</a></td></tr>" for s, t in titles.items())
    return ("<p>Hier open je een herkansing voor werk dat nog niet voldoende is, en beoordeel je als tweede "
            "beoordelaar zonder het eerste oordeel te zien.</p>"
            f"<p><a href='{base}kalibratie'>Kalibratie: beoordeel voorbeeldantwoorden</a></p>"
            "<div class='wrap'><table><thead><tr>"
            "<th scope='col'>Opdracht</th><th scope='col'>Herkansing</th><th scope='col'>Tweede beoordelaar</th>"
            "<th scope='col'>Gelijkenis tussen reflecties</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></div>")


def resubmission_page(base: str, slug: str, rows: list, names: dict[str, str], token: str, flash: str = "",
                      error: str = "", hidden: set | frozenset = frozenset()) -> str:
    """rows: (student, AssignmentProgress, herkansing record or None). `hidden`: (slug, student)
    whose first grade she may not see (blind second assessor): neither its result nor whether a
    herkansing is possible or open (either says it did not pass)."""
    from leerplein.course.intake.deadlines import dutch_time
    from datetime import datetime

    body = []
    for student, a, record in rows:
        if (slug, student) in hidden:
            body.append(f"<tr><th scope='row'>{esc(names.get(student, student))}</th><td>{esc(HIDDEN)}</td>"
                        f"<td>{esc(HIDDEN)}</td><td>–</td></tr>")
            continue
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
        body.append(f"<tr><th scope='row'>{esc(names.get(student, student))}</th><td>{esc(result_line(a))}"
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
        self.show(title, resubmission_page(self.base, slug, rows, self.names(), self.xsrf_token.decode(), flash, error,
                                           self.blind_work()))

    @tornado.web.authenticated
    def get(self, slug: str):
        self.render_page(self.slug(slug))

    @tornado.web.authenticated
    def post(self, slug: str):
        from leerplein.course.grading.resubmission import ResubmissionError
        from leerplein.course.grading.resubmission_opening import open_resubmission
        from leerplein.course.intake.deadlines import dutch_time
        from datetime import datetime

        slug = self.slug(slug)
        student = self.get_argument("student", "")
        if not self.scope.allows(student):  # another cohort's student (or nobody): not hers
            raise tornado.web.HTTPError(403)
        if (slug, student) in self.blind_work():  # its answer ("already passed") would tell her the first grade
            self.render_page(slug, error="Je bent tweede beoordelaar van dit werk. Sla eerst je tweede beoordeling op; "
                                         "daarna kun je hier een herkansing openen.")
            return
        try:
            record = open_resubmission(self.course, slug, student, self.get_argument("deadline", ""),
                                       self.current_user["name"])
        except ResubmissionError as err:
            self.render_page(slug, error=str(err))
            return
        until = dutch_time(datetime.fromisoformat(record["deadline"]))
        self.render_page(slug, flash=f"Herkansing geopend voor {self.names().get(student, student)}, inleveren tot "
                                     f"{until}. Laat het de student weten.")


# --- the blind second assessor ---------------------------------------------------------------

def first_assessors(course, slug: str, student: str) -> set[str]:
    """Who graded her reflections (the audit trail of the grading page)."""
    from leerplein.course.audit import events

    return {e["wie"] for e in events(course, {student}) if e["actie"] == "beoordeeld" and e["opdracht"] == slug}


def second_list(base: str, slug: str, rows: list, names: dict[str, str], token: str = "", flash: str = "",
                error: str = "") -> str:
    """rows: (student, state in Dutch, colleagues she may ask: [(user, name)])."""
    body = []
    for s, state, colleagues in rows:
        ask = "–"
        if colleagues:
            options = "".join(f"<option value='{esc(u)}'>{esc(n)}</option>" for u, n in colleagues)
            ask = (f"<form method='post' action='{base}tweede/{quote(slug)}'>{xsrf(token)}"
                   f"<input type='hidden' name='student' value='{esc(s)}'>"
                   f"<label for='v-{esc(s)}'>Vraag als tweede beoordelaar</label>"
                   f"<select id='v-{esc(s)}' name='docent'>{options}</select>"
                   "<button type='submit'>Vragen</button></form>")
        body.append(f"<tr><th scope='row'><a href='{base}tweede/{quote(slug)}/{quote(s)}'>{esc(names.get(s, s))}</a>"
                    f"</th><td>{esc(state)}</td><td>{ask}</td></tr>")
    return (message(flash) + message(error, error=True)
            + "<p>Als tweede beoordelaar zie je het werk en het beoordelingsschema, maar niet het oordeel van de eerste "
              "beoordelaar. Dat geldt ook op de beoordelingspagina, vanaf het moment dat je gevraagd bent. Pas als je "
              "alles hebt beoordeeld, zie je beide oordelen naast elkaar en leg je samen het eindoordeel vast.</p>"
            + (f"<div class='wrap'><table><thead><tr><th scope='col'>Student</th><th scope='col'>Stand</th>"
               f"<th scope='col'>Tweede beoordelaar vragen</th></tr></thead><tbody>{''.join(body)}</tbody></table></div>"
               if rows else "<p>Nog geen beoordeeld werk.</p>"))


def colleagues(people: dict, cohort: str, not_these: set[str]) -> list[tuple[str, str]]:
    """Teachers of this cohort who may be second assessor (not who graded it first)."""
    from leerplein.course.cohorts import cohorts_of

    return sorted((u, p.get("naam") or u) for u, p in people.items()
                  if p.get("rol") == "teacher" and cohort in cohorts_of(p) and u not in not_these)


def _radios(qid: str, criterion, chosen: str = "") -> str:
    options = "".join(f"<label><input type='radio' name='{esc(qid)}:{esc(criterion.id)}' value='{esc(lv.naam)}'"
                      f"{' checked' if lv.naam == chosen else ''} required> <strong>{esc(lv.naam)}</strong> "
                      f"({lv.punten:g} p.): {esc(lv.beschrijving)}</label>" for lv in criterion.niveaus)
    return f"<fieldset><legend>{esc(criterion.titel)}</legend>{options}</fieldset>"


def blind_form(base: str, slug: str, student: str, exercise, given: dict[str, str], token: str, error: str = "") -> str:
    """The second assessor's form: her answers and the rubric, nothing of the first grade."""
    parts = [message(error, error=True), f"<form method='post' action='{base}tweede/{quote(slug)}/{quote(student)}'>",
             xsrf(token), "<input type='hidden' name='actie' value='tweede'>"]
    for q in exercise.reflections:
        qid = q["id"]
        parts.append(f"<h2>{esc(qid)}</h2><p>{esc(q['vraag'])}</p><div class='step' data-question='{esc(qid)}'>"
                     f"<p style='white-space:pre-wrap'>{esc(given.get(qid, '').strip() or '(geen antwoord)')}</p></div>"
                     + "".join(_radios(qid, c) for c in exercise.rubric[qid]))
    parts.append("<button type='submit'>Tweede beoordeling opslaan</button></form>")
    return "".join(parts)


def comparison(base: str, slug: str, student: str, exercise, first: dict, second: dict, token: str,
               flash: str = "", error: str = "") -> str:
    """Both assessments side by side, and the form for the agreed grade."""
    rows, groups = [], []
    for q in exercise.reflections:
        qid = q["id"]
        a = (first.get(qid) or {}).get("levels") or {}
        b = (second.get(qid) or {}).get("levels") or {}
        agreed = ((second.get(qid) or {}).get("afgesproken") or {}).get("levels") or {}
        for c in exercise.rubric[qid]:
            same = a.get(c.id) == b.get(c.id)
            rows.append(f"<tr><td>{esc(qid)}</td><td>{esc(c.titel)}</td><td>{esc(a.get(c.id, '–'))}</td>"
                        f"<td>{esc(b.get(c.id, '–'))}</td><td>{'gelijk' if same else 'verschilt'}</td>"
                        f"<td>{esc(agreed.get(c.id, '–'))}</td></tr>")
            groups.append(_radios(qid, c, agreed.get(c.id) or (a.get(c.id) if same else "")))
    second_name = next((v.get("beoordelaar") for v in second.values() if isinstance(v, dict) and v.get("beoordelaar")),
                       "")
    return (message(flash) + message(error, error=True)
            + f"<p>Tweede beoordelaar: {esc(second_name)}.</p><div class='wrap'><table><thead><tr>"
              "<th scope='col'>Vraag</th><th scope='col'>Criterium</th><th scope='col'>Eerste beoordelaar</th>"
              "<th scope='col'>Tweede beoordelaar</th><th scope='col'>Vergelijking</th><th scope='col'>Afgesproken</th>"
              f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            + "<h2>Eindoordeel vastleggen</h2><p>Bespreek de verschillen en kies samen per criterium het niveau dat "
              "geldt. Dat wordt het cijfer; beide oordelen blijven bewaard.</p>"
            + f"<form method='post' action='{base}tweede/{quote(slug)}/{quote(student)}'>{xsrf(token)}"
              "<input type='hidden' name='actie' value='afspraak'>" + "".join(groups)
            + "<button type='submit'>Eindoordeel vastleggen</button></form>")


class SecondList(WorkspaceHandler):
    def render_page(self, slug: str, flash: str = "", error: str = "") -> None:
        from leerplein.course.grading.autograde import submissions
        from leerplein.course.grading.second_assessor import asked, second_path
        from leerplein.course.prepare.assign import load_exercise
        from leerplein.course.results.progress import is_graded
        from leerplein.course.course import read_json
        from leerplein.teacher.scope import load_people

        exercise = load_exercise(self.course.root, slug)
        people = load_people()
        rows = []
        for student in self.scope.only(submissions(self.course, slug)):
            if not is_graded(self.course, slug, student, exercise):
                continue
            record = read_json(second_path(self.course, slug, student), {}) or {}
            done = all(q["id"] in record and "levels" in record[q["id"]] for q in exercise.reflections)
            agreed = done and all("afgesproken" in record[q["id"]] for q in exercise.reflections)
            state = ("eindoordeel vastgelegd" if agreed else "tweede beoordeling gegeven" if done
                     else "wacht op een tweede beoordeling")
            who = asked(self.course, slug, student)
            if who and not done:
                state += " (gevraagd: " + ", ".join((people.get(u) or {}).get("naam") or u for u in sorted(who)) + ")"
            free = [] if done or who else colleagues(people, self.cohort, first_assessors(self.course, slug, student))
            rows.append((student, state, free))
        self.show(f"Tweede beoordelaar: {exercise.data['titel']}",
                  second_list(self.base, slug, rows, self.names(), self.xsrf_token.decode(), flash, error))

    @tornado.web.authenticated
    def get(self, slug: str):
        self.render_page(self.slug(slug))

    @tornado.web.authenticated
    def post(self, slug: str):
        """She asks a colleague of this cohort (or herself) to assess this work blind."""
        from leerplein.course import audit
        from leerplein.course.grading.second_assessor import ask_second, second_done
        from leerplein.teacher.scope import load_people

        slug = self.slug(slug)
        student, teacher = self.get_argument("student", ""), self.get_argument("docent", "")
        if not self.scope.allows(student):
            raise tornado.web.HTTPError(403)
        people = load_people()
        allowed = dict(colleagues(people, self.cohort, first_assessors(self.course, slug, student)))
        if teacher not in allowed or second_done(self.course, slug, student):
            self.render_page(slug, error="Deze docent kan hier geen tweede beoordelaar zijn: kies een docent van "
                                         "deze groep die het werk niet zelf als eerste heeft beoordeeld.")
            return
        ask_second(self.course, slug, student, teacher, self.current_user["name"])
        audit.record(self.course, self.current_user["name"], "tweede-gevraagd", slug, [student],
                     f"tweede beoordelaar: {teacher}")
        self.render_page(slug, flash=f"{allowed[teacher]} is gevraagd als tweede beoordelaar van "
                                     f"{self.names().get(student, student)}. Laat het haar of hem weten.")


class SecondGrade(WorkspaceHandler):
    def known(self, slug: str, student: str):
        from leerplein.course.grading.rubric_grades import UnknownItem, check_known
        from leerplein.course.prepare.assign import load_exercise
        from leerplein.course.results.progress import is_graded

        slug = self.slug(slug)
        if not self.scope.allows(student):  # another cohort's student: not hers to see
            raise tornado.web.HTTPError(403)
        try:
            check_known(self.course, slug, student)
        except UnknownItem as err:
            raise tornado.web.HTTPError(404) from err
        exercise = load_exercise(self.course.root, slug)
        if not is_graded(self.course, slug, student, exercise):
            raise tornado.web.HTTPError(404)  # nothing to assess a second time yet
        return slug, exercise

    def render_page(self, slug: str, student: str, exercise, flash: str = "", error: str = "") -> None:
        from leerplein.course.course import read_json
        from leerplein.course.grading.rubric_grades import answers, load_levels
        from leerplein.course.grading.second_assessor import second_path

        title = f"Tweede beoordeling: {exercise.data['titel']}, {self.names().get(student, student)}"
        record = read_json(second_path(self.course, slug, student), {}) or {}
        done = all(q["id"] in record and "levels" in record[q["id"]] for q in exercise.reflections)
        if not done:
            if self.current_user["name"] in first_assessors(self.course, slug, student):
                self.show(title, "<p>Je hebt dit werk zelf als eerste beoordeeld. Vraag een collega om de tweede "
                                 "beoordeling te doen.</p>")
                return
            from leerplein.course.grading.second_assessor import ask_second

            ask_second(self.course, slug, student, self.current_user["name"], self.current_user["name"])
            given = answers(self.course, slug, student)  # from now on, blind on the grading page too
            self.show(title, message(flash) + blind_form(self.base, slug, student, exercise, given,
                                                         self.xsrf_token.decode(), error))
            return
        first = {q: (v.get("eerste") or {}) for q, v in record.items() if isinstance(v, dict) and v.get("eerste")}
        first = {**load_levels(self.course, slug, student), **first}  # before any agreed grade replaced it
        self.show(title, comparison(self.base, slug, student, exercise, first, record, self.xsrf_token.decode(),
                                    flash, error))

    @tornado.web.authenticated
    def get(self, slug: str, student: str):
        slug, exercise = self.known(slug, student)
        self.render_page(slug, student, exercise)

    @tornado.web.authenticated
    def post(self, slug: str, student: str):
        from leerplein.course import audit
        from leerplein.course.course import read_json
        from leerplein.course.grading.rubric_grades import GradingError, load_levels
        from leerplein.course.grading.second_assessor import agree_final, save_second_grade, second_path

        slug, exercise = self.known(slug, student)
        me = self.current_user["name"]
        chosen = {q["id"]: {c.id: self.get_argument(f"{q['id']}:{c.id}", "") for c in exercise.rubric[q["id"]]}
                  for q in exercise.reflections}
        record = read_json(second_path(self.course, slug, student), {}) or {}
        done = all(q["id"] in record and "levels" in record[q["id"]] for q in exercise.reflections)
        action = self.get_argument("actie", "")
        if action == "tweede":
            if done or me in first_assessors(self.course, slug, student):
                raise tornado.web.HTTPError(403)  # a second grade is given once, and not by the first assessor
            missing = [q for q, levels in chosen.items() if not all(levels.values())]
            if missing:
                self.render_page(slug, student, exercise, error="Kies bij elk criterium een niveau; er is niets "
                                                                 "opgeslagen.")
                return
            try:
                for qid, levels in chosen.items():
                    save_second_grade(self.course, slug, student, qid, levels, me)
            except GradingError as err:
                self.render_page(slug, student, exercise, error=str(err))
                return
            audit.record(self.course, me, "tweede-beoordeling", slug, [student], "blind, zonder het eerste oordeel")
            self.render_page(slug, student, exercise, flash="Tweede beoordeling opgeslagen. Hieronder zie je beide "
                                                            "oordelen naast elkaar.")
        elif action == "afspraak":
            if not done:
                raise tornado.web.HTTPError(403)  # no agreed grade before the blind second grade
            if any(not all(levels.values()) for levels in chosen.values()):
                self.render_page(slug, student, exercise, error="Kies bij elk criterium het afgesproken niveau; er is "
                                                                 "niets opgeslagen.")
                return
            firsts = ", ".join(sorted(first_assessors(self.course, slug, student))) or "onbekend"
            second = next((v.get("beoordelaar") for v in record.values() if isinstance(v, dict)), "")
            stored = load_levels(self.course, slug, student)
            try:
                for qid, levels in chosen.items():
                    agree_final(self.course, slug, student, qid, levels, (stored.get(qid) or {}).get("comment", ""))
            except GradingError as err:
                self.render_page(slug, student, exercise, error=str(err))
                return
            audit.record(self.course, me, "eindcijfer-afgesproken", slug, [student],
                         f"eerste beoordelaar: {firsts}; tweede beoordelaar: {second}")
            self.render_page(slug, student, exercise, flash="Eindoordeel vastgelegd; het staat in het logboek met "
                                                            "beide beoordelaars.")
        else:
            raise tornado.web.HTTPError(400)


# --- calibration on the model answers ---------------------------------------------------------

def calibration_list(base: str, all_items: list, results: dict, summary, titles: dict[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{esc(titles.get(i.slug, i.slug))}</td><td>{esc(i.question)}</td>"
        f"<td><a href='{base}kalibratie/{i.id}'>Voorbeeld {n}</a></td>"
        f"<td>{'beoordeeld' if i.id in results else 'nog niet'}</td></tr>" for n, i in enumerate(all_items, 1))
    if summary.graded:
        lean = ("je beoordeelt gemiddeld milder dan bedoeld" if summary.mean_steps > 0.25 else
                "je beoordeelt gemiddeld strenger dan bedoeld" if summary.mean_steps < -0.25 else
                "gemiddeld wijk je nauwelijks af")
        mean = f"{summary.mean_steps:+.1f}".replace(".", ",")
        score = (f"<p class='msg'>Jouw kalibratie: bij {summary.same} van de {summary.graded} criteria koos je het "
                 f"bedoelde niveau; {lean} (gemiddeld {mean} niveau).</p>")
    else:
        score = ""
    return (score + "<p>Beoordeel voorbeeldantwoorden met het beoordelingsschema, zonder te weten voor welk niveau ze "
                    "geschreven zijn. Daarna zie je waar je afwijkt. Alleen jij ziet je eigen uitkomsten; studenten "
                    "zien de voorbeeldantwoorden nooit.</p><div class='wrap'><table><thead><tr>"
                    "<th scope='col'>Opdracht</th><th scope='col'>Vraag</th><th scope='col'>Voorbeeld</th>"
                    f"<th scope='col'>Stand</th></tr></thead><tbody>{rows}</tbody></table></div>")


def calibration_item(base: str, item, token: str, differences=None, error: str = "") -> str:
    parts = [message(error, error=True), f"<p>{esc(item.vraag)}</p>",
             f"<div class='step'><p style='white-space:pre-wrap'>{esc(item.text)}</p></div>"]
    if differences is None:
        parts.append(f"<form method='post' action='{base}kalibratie/{item.id}'>{xsrf(token)}"
                     + "".join(_radios("k", c) for c in item.criteria)
                     + "<button type='submit'>Mijn oordeel opslaan</button></form>")
    else:
        rows = "".join(f"<tr><td>{esc(d.criterion)}</td><td>{esc(d.chosen)}</td><td>{esc(d.intended)}</td><td>"
                       + ("gelijk" if d.steps == 0 else f"{abs(d.steps)} niveau {'milder' if d.steps > 0 else 'strenger'}")
                       + "</td></tr>" for d in differences)
        parts.append("<h2>Jouw oordeel en het bedoelde niveau</h2><div class='wrap'><table><thead><tr>"
                     "<th scope='col'>Criterium</th><th scope='col'>Jouw niveau</th><th scope='col'>Bedoeld niveau</th>"
                     f"<th scope='col'>Verschil</th></tr></thead><tbody>{rows}</tbody></table></div>"
                     f"<p><a href='{base}kalibratie'>Terug naar de voorbeelden</a></p>")
    return "".join(parts)


class Calibration(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self, item_id: str = ""):
        from leerplein.course.grading.calibration import (CalibrationError, compare, find_item, items, load_results,
                                                          summary)
        from leerplein.course.prepare.assign import load_exercise

        me = self.current_user["name"]
        results = load_results(self.course, me)
        if not item_id:
            all_items = items(self.course.root)
            titles = {s: load_exercise(self.course.root, s).data["titel"] for s in {i.slug for i in all_items}}
            self.show("Kalibratie", calibration_list(self.base, all_items, results, summary(self.course, me), titles))
            return
        try:
            item = find_item(self.course.root, item_id)
        except CalibrationError as err:
            raise tornado.web.HTTPError(404) from err
        done = compare(item, results[item.id]["levels"]) if item.id in results else None
        self.show("Kalibratie: voorbeeldantwoord", calibration_item(self.base, item, self.xsrf_token.decode(), done))

    @tornado.web.authenticated
    def post(self, item_id: str = ""):
        from leerplein.course.grading.calibration import CalibrationError, compare, find_item, save_calibration

        try:
            item = find_item(self.course.root, item_id)
        except CalibrationError as err:
            raise tornado.web.HTTPError(404) from err
        chosen = {c.id: self.get_argument(f"k:{c.id}", "") for c in item.criteria}
        try:
            saved = save_calibration(self.course, self.current_user["name"], item.id, chosen)
        except CalibrationError as err:
            self.show("Kalibratie: voorbeeldantwoord", calibration_item(self.base, item, self.xsrf_token.decode(),
                                                                        error=str(err)))
            return
        self.show("Kalibratie: voorbeeldantwoord",
                  calibration_item(self.base, item, self.xsrf_token.decode(), compare(item, saved["levels"])))


# --- similarity between reflections of her cohort ---------------------------------------------

def similarity_page(slug_title: str, flags: list, names: dict[str, str]) -> str:
    from leerplein.course.results.similarity import MIN_WORDS

    intro = (f"<p>Hier staan stukken van {MIN_WORDS} woorden of langer die woord voor woord in de reflecties van twee "
             "studenten uit je groep staan (per vraag; woorden uit de vraag zelf tellen niet mee). Dit is geen "
             "oordeel en geen straf: lees beide stukken en ga zo nodig met de studenten in gesprek.</p>")
    if not flags:
        return intro + "<p class='msg'>Geen lange gelijke stukken gevonden.</p>"
    blocks = "".join(
        f"<section class='step'><h2>{esc(names.get(f.first, f.first))} en {esc(names.get(f.second, f.second))}"
        f" ({esc(f.question)}, {f.words} woorden)</h2>"
        f"<h3>{esc(names.get(f.first, f.first))}</h3><blockquote>{esc(f.first_passage)}</blockquote>"
        f"<h3>{esc(names.get(f.second, f.second))}</h3><blockquote>{esc(f.second_passage)}</blockquote></section>"
        for f in flags)
    return intro + blocks


class Similarity(WorkspaceHandler):
    @tornado.web.authenticated
    def get(self, slug: str):
        from leerplein.course.prepare.assign import load_exercise
        from leerplein.course.results.similarity import similar_reflections

        slug = self.slug(slug)
        title = load_exercise(self.course.root, slug).data["titel"]
        flags = similar_reflections(self.course, slug, self.students())  # her own cohort only
        self.show(f"Gelijke stukken: {title}", similarity_page(title, flags, self.names()))
