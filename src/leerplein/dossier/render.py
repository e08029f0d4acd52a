"""The accreditation file as one printable Dutch HTML page, in two profiles:
Registerplein (net hours as points, the evaluation system, reflection evidence) and SKJ (the
final test, required for e-learning and blended courses of 18 hours or more)."""

from __future__ import annotations

import html
import time
from collections import defaultdict
from pathlib import Path

from leerplein.dossier import facts

PROFILES = {"registerplein": "Registerplein", "skj": "SKJ (Stichting Kwaliteitsregister Jeugd)"}
e = html.escape

CSS = """
@page { size: A4; margin: 18mm 16mm 20mm; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }
main { max-width: 48rem; margin: 0 auto; }
h1 { font-size: 22pt; margin: 0 0 .3rem; }
h2 { font-size: 14pt; border-bottom: 2px solid #1a5fb4; padding-bottom: .15rem; margin-top: 1.6rem; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 1rem 0 .3rem; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: 9.5pt; }
th, td { border: 1px solid #999; padding: .2rem .35rem; text-align: left; vertical-align: top; }
thead th { background: #e8eef8; }
tfoot th, tfoot td { font-weight: 700; background: #f3f3f3; }
td.getal, th.getal { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
tfoot { display: table-row-group; }  /* a total once, under its rows, not repeated on every page */
.voorblad { min-height: 230mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }
.kenmerken th { width: 32%; background: #f3f6fb; }
.let-op { border-left: 4px solid #c64600; padding: .3rem .7rem; background: #fff6ef; }
.klein { font-size: 9pt; color: #444; }
.sessie { break-inside: avoid; }
nav ol { columns: 2; }
"""


def _hours(minutes: float) -> str:
    return f"{round(minutes / 60, 1):g}".replace(".", ",")


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _md(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(text)


def _goal(text: str) -> str:
    return text.rstrip(";.").strip()


class Dossier:
    def __init__(self, root: Path, profile: str, peiling_db: Path | None = None, institute=None):
        from leerplein.book.studielast import course_loads, load_norms
        from leerplein.course.results.progress import load_rules
        from leerplein.credentials.institute import load_institute

        if profile not in PROFILES:
            raise ValueError(f"onbekend profiel {profile!r}: kies {' of '.join(PROFILES)}")
        self.root, self.profile, self.peiling_db = root, profile, peiling_db
        self.institute = institute or load_institute(root)
        self.rules = load_rules(root)
        self.badge = self.rules.badge
        self.loads = course_loads(root)
        self.norms = load_norms(root)
        self.modules = facts.module_goals(root)
        self.sessions = {s.id: s for s in facts.sessions(root)}
        self.counted_sessions = [self.sessions[i] for i in facts.referenced_sessions(root) if i in self.sessions]

    # numbers ---------------------------------------------------------------------------------
    @property
    def total_minutes(self) -> float:
        return sum(load.minutes for load in self.loads)

    @property
    def contact_minutes(self) -> int:
        return sum(s.minutes for s in self.counted_sessions)

    @property
    def net_contact_minutes(self) -> int:
        return sum(s.net_minutes for s in self.counted_sessions)

    @property
    def net_minutes(self) -> float:
        """Study load without breaks and welcome words (Registerplein: 1 point per net hour)."""
        return self.total_minutes - (self.contact_minutes - self.net_contact_minutes)

    @property
    def points(self) -> int:
        return int(self.net_minutes // 60)

    # sections --------------------------------------------------------------------------------
    def cover(self) -> str:
        i = self.institute
        return (f"<section class='voorblad'><p>Accreditatiedossier voor {e(PROFILES[self.profile])}</p>"
                f"<h1>{e(self.badge.get('naam', 'Leerplein'))}</h1>"
                f"<p>Aanbieder: {e(i.naam)} ({e(i.url)})<br>Contact: {e(str(i.contact.get('naam', '')))}, "
                f"{e(str(i.contact.get('email', '')))}</p>"
                f"<p>Studiebelasting {self.badge.get('studielast_uren', '')} uur ({_num(self.badge.get('ec', 0))} EC). "
                f"Gemaakt op {time.strftime('%d-%m-%Y')} uit de bronbestanden van de cursus.</p>"
                + ("".join(f"<p class='let-op'>Let op: {e(p)}. Vul instituut.yml in voor je dit dossier indient.</p>"
                           for p in i.placeholders()))
                + "</section>")

    def summary(self) -> str:
        final = self.rules.minimum.get("06-eindopdracht")
        level = self.institute.niveau or str(self.badge.get("niveau", "Niet NLQF-ingeschaald"))
        rows = [("Titel", self.badge.get("naam", "")), ("Aanbieder", self.institute.naam),
                ("Doelgroep", "Professionals in het sociaal domein (wijkteams, bibliotheken, gemeenten, schuldhulp, zorg), "
                              "LLO-studenten en vrijwilligers; zie 2."),
                ("Vorm", str(self.badge.get("deelname", ""))),
                ("Studiebelasting", f"{self.badge.get('studielast_uren', '')} uur ({_num(self.badge.get('ec', 0))} EC, "
                                    f"{_num(self.norms.hours_per_ec)} uur per EC); de som van de activiteiten in 4 is "
                                    f"{_hours(self.total_minutes)} uur"),
                ("Bijeenkomsten", f"{len(self.counted_sessions)} bijeenkomsten, {_hours(self.contact_minutes)} uur, "
                                  f"waarvan netto {_hours(self.net_contact_minutes)} uur (zonder pauzes en welkom)"),
                ("Niveau", level),
                ("Toetsing", str(self.badge.get("beoordeling", ""))),
                ("Eindtoets", "De eindopdracht (praktijkportfolio), beoordeeld met een beoordelingsschema"
                              + (f"; cesuur {round(final * 100)} procent van de punten" if final else "")),
                ("Bewijs van deelname", "Een digitaal certificaat (Open Badge 3.0, soort 'Course') voor wie slaagt. "
                                        "Het is geen microcredential: daarvoor is minstens 3 EC en een niveau nodig.")]
        if self.profile == "registerplein":
            rows.append(("Voorstel punten", f"{self.points} punten: 1 punt per netto uur ({_hours(self.net_minutes)} "
                                                 "netto uur; pauzes en welkom tellen niet mee)"))
        else:
            rows.append(("Eindtoets verplicht?", "Ja: de cursus is blended en duurt langer dan 18 uur. De eindtoets "
                                                  "is de eindopdracht; zie 6."))
        body = "".join(f"<tr><th scope='row'>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
        return f"<h2 id='kenmerken'>1. Kenmerken in het kort</h2><table class='kenmerken'><tbody>{body}</tbody></table>"

    def checklist(self) -> str:
        """Where each thing the accreditation body asks for is in this file."""
        asked = [("Beschrijving van de scholing en de doelgroep", "2"), ("Leerdoelen en niveau", "3"),
                 ("Programma, studiebelasting en duur", "4 en 7"), ("Toetsing, cesuur en kwaliteitszorg", "5"),
                 ("Eindtoets", "6"), ("Evaluatie door deelnemers", "8"), ("Trainers en contactpersoon", "9"),
                 ("Literatuur", "11")]
        if self.profile == "registerplein":
            asked.insert(3, ("Netto uren (1 punt per netto uur)", "1 en 7"))
            asked.insert(-1, ("Reflectie (intervisie) voor herregistratie", "10"))
        else:
            asked[4] = ("Eindtoets (verplicht bij e-learning, blended en 18 uur of meer)", "6")
        rows = "".join(f"<tr><td>{e(what)}</td><td>{e(where)}</td></tr>" for what, where in asked)
        return ("<table class='wegwijzer'><caption>Wegwijzer: waar staat wat</caption><thead><tr>"
                "<th scope='col'>Gevraagd</th><th scope='col'>Hoofdstuk</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def description(self) -> str:
        intro = self.root / "book" / "intro.md"
        return ("<h2 id='beschrijving'>2. Beschrijving en doelgroep</h2>"
                f"{_md(facts.page_intro(intro))}"
                f"<h3>Voor wie</h3>{_md(facts.bullets(facts.page_section(intro, 'Voor wie?')))}"
                f"<h3>Wat de deelnemer leert</h3>{_md(facts.page_section(intro, 'Wat leer je?'))}")

    def goals(self) -> str:
        from leerplein.credentials.issue import course_outcomes

        level = self.institute.niveau or str(self.badge.get("niveau", "Niet NLQF-ingeschaald"))
        parts = ["<h2 id='leerdoelen'>3. Leerdoelen en niveau</h2>",
                 "<h3>Leerdoelen van de cursus</h3><p>Na de cursus kan de deelnemer:</p><ol>",
                 *(f"<li>{e(g)}</li>" for g in course_outcomes(self.root)), "</ol>",
                 f"<p><strong>Niveau:</strong> {e(level)}.</p>"]
        for module in self.modules:
            parts.append(f"<h3>{e(module.title)}</h3><ol>" + "".join(f"<li>{e(_goal(g.text))}</li>" for g in module.goals)
                         + "</ol>")
        return "".join(parts)

    def study_load(self) -> str:
        from leerplein.book.studielast import KINDS, render_table

        per_kind: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for load in self.loads:
            for a in load.activities:
                per_kind[a.kind][load.module] += a.minutes
        titles = {m.slug: m.title.split(":")[0] for m in self.modules}
        head = "".join(f"<th scope='col' class='getal'>{e(titles.get(l.module, l.module))}</th>" for l in self.loads)
        rows = "".join(
            f"<tr><th scope='row'>{e(KINDS[kind])}</th>"
            + "".join(f"<td class='getal'>{_hours(per_kind[kind].get(l.module, 0))}</td>" for l in self.loads)
            + f"<td class='getal'>{_hours(sum(per_kind[kind].values()))}</td></tr>" for kind in KINDS if kind in per_kind)
        total = ("<tr><th scope='row'>Totaal</th>" + "".join(f"<td class='getal'>{_hours(l.minutes)}</td>" for l in self.loads)
                 + f"<td class='getal'>{_hours(self.total_minutes)}</td></tr>")
        overview = ("<table class='studielast-overzicht'><caption>Studiebelasting per activiteit, in uren</caption>"
                    f"<thead><tr><th scope='col'>Activiteit</th>{head}<th scope='col' class='getal'>Totaal</th></tr></thead>"
                    f"<tbody>{rows}</tbody><tfoot>{total}</tfoot></table>")
        details = "".join(f"<h3>{e(next((m.title for m in self.modules if m.slug == l.module), l.module))}</h3>{render_table(l)}"
                          for l in self.loads)
        return ("<h2 id='studielast'>4. Opbouw en studiebelasting</h2>"
                f"<p>De uren zijn berekend, niet geschat waar dat kan: leestijd uit het aantal woorden "
                f"({_num(self.norms.pages_per_hour)} bladzijden per uur), bijeenkomsten uit de sessieplannen, en de rest "
                f"in minuten per activiteit. {_num(self.norms.hours_per_ec)} uur is 1 EC.</p>{overview}{details}")

    def assessment(self) -> str:
        from leerplein.book.toetsmatrijs import toetsmatrijs_html
        from leerplein.course.results.progress import pass_rules_html

        matrix = facts.assessment_matrix(self.root)
        titles = {slug: facts.assignment_title(self.root, slug) for slug in dict.fromkeys(r.assignment for r in matrix)}
        rows = []
        for slug, title in titles.items():
            mine = [r for r in matrix if r.assignment == slug]
            for n, row in enumerate(mine):
                how = [f"{c} (beoordelingsschema, max. {_num(p)})" for c, p in row.criteria]
                how += [f"kennischeck {c} ({_num(p)})" for c, p in row.checks]
                first = (f"<th scope='rowgroup' rowspan='{len(mine)}'>{e(title)}</th>" if n == 0 else "")
                rows.append(f"<tr>{first}<td>{row.goal.number}. {e(_goal(row.goal.text))}</td>"
                            f"<td>{e('; '.join(how)) or '<em>niet getoetst</em>'}</td><td class='getal'>{_num(row.points)}</td></tr>")
        total = sum(r.points for r in matrix)
        table = ("<table class='toetsmatrijs'><caption>Toetsmatrijs: welk leerdoel met welk onderdeel wordt getoetst, "
                 "en met hoeveel punten</caption><thead><tr><th scope='col'>Opdracht</th><th scope='col'>Leerdoel</th>"
                 "<th scope='col'>Getoetst met</th><th scope='col' class='getal'>Punten</th></tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody><tfoot><tr><th scope='row' colspan='3'>Alle opdrachten samen</th>"
                 f"<td class='getal'>{_num(total)}</td></tr></tfoot></table>")
        return ("<h2 id='toetsing'>5. Toetsing en kwaliteitszorg</h2>"
                f"<p><strong>Vorm:</strong> {e(str(self.badge.get('beoordeling', '')))}. Elke reflectie wordt beoordeeld met "
                "een beoordelingsschema: criteria met vier niveaus (nog niet, bijna, voldoende, goed), elk criterium gekoppeld "
                "aan een leerdoel van de module; voldoende betekent dat het leerdoel bereikt is. Kennischecks zijn "
                "meerkeuzevragen met korte casussen die automatisch worden nagekeken. Vaardigheden (het gesprek over "
                "geld, open vragen stellen zonder advies) observeert de docent in de bijeenkomsten met een "
                "observatieformulier. De kernleerdoelen moeten elk voldoende zijn: punten elders compenseren die niet. "
                "`leerplein check` keurt de cursus af als een leerdoel door niets wordt getoetst, of een vaardigheid "
                "alleen met meerkeuzevragen.</p>".replace("`", "")
                + table + "<h3>Toetsmatrijs per leerdoel van de cursus</h3>" + toetsmatrijs_html(self.root)
                + "<h3>Cesuur</h3>" + pass_rules_html(self.root)
                + f"<h3>Kwaliteitszorg</h3><p>{e(self.institute.kwaliteitszorg)}</p>")

    def final_test(self) -> str:
        page = self.root / "book" / "eindopdracht.md"
        return ("<h2 id='eindtoets'>6. De eindtoets: de eindopdracht</h2>"
                + ("<p>SKJ vraagt een eindtoets bij e-learning en blended leren, en bij elke scholing van 18 uur of meer. "
                   "Deze cursus sluit af met de eindopdracht hieronder; zonder voldoende voor de eindopdracht is de "
                   "cursus niet gehaald.</p>" if self.profile == "skj" else "")
                + _md(facts.page_section(page, "Overzicht"))
                + "<h3>Wat de deelnemer inlevert</h3>" + _md(facts.page_section(page, "Wat lever je in?"))
                + "<h3>Beoordeling</h3>" + _md(facts.page_section(page, "Zo wordt het beoordeeld")))

    def session_plans(self) -> str:
        parts = ["<h2 id='sessies'>7. Sessieplannen</h2>",
                 f"<p>De cursus telt {len(self.counted_sessions)} bijeenkomsten van elk twee uur. Netto tijd is de tijd "
                 "zonder pauze en welkom.</p>"]
        overview = "".join(f"<tr><td>{e(s.reeks)}</td><td>{e(s.titel)}</td><td class='getal'>{s.minutes}</td>"
                           f"<td class='getal'>{s.net_minutes}</td></tr>" for s in self.counted_sessions)
        parts.append("<table><caption>Bijeenkomsten in de studiebelasting (minuten)</caption><thead><tr>"
                     "<th scope='col'>Reeks</th><th scope='col'>Bijeenkomst</th><th scope='col' class='getal'>Totaal</th>"
                     f"<th scope='col' class='getal'>Netto</th></tr></thead><tbody>{overview}</tbody><tfoot><tr>"
                     f"<th scope='row' colspan='2'>Samen</th><td class='getal'>{self.contact_minutes}</td>"
                     f"<td class='getal'>{self.net_contact_minutes}</td></tr></tfoot></table>")
        for s in self.counted_sessions:
            rows = "".join(f"<tr><td>{e(str(p['naam']))}</td><td class='getal'>{int(p['minuten'])}</td>"
                           f"<td>{e(str(p.get('werkvorm', '')))}</td></tr>" for p in s.parts)
            parts.append(f"<div class='sessie'><h3>{e(s.titel)}</h3><p><strong>Doel:</strong> {e(s.doel)}</p>"
                         "<table><thead><tr><th scope='col'>Onderdeel</th><th scope='col' class='getal'>Min.</th>"
                         f"<th scope='col'>Werkvorm</th></tr></thead><tbody>{rows}</tbody></table></div>")
        return "".join(parts)

    def evaluation(self) -> str:
        from leerplein.sessies.plans import load_evaluation

        evaluation = load_evaluation(self.root) or {"peiling": []}
        head = ("<h2 id='evaluatie'>8. Evaluatie</h2><p>Het evaluatiesysteem: na de cursus beantwoorden deelnemers "
                "anoniem de evaluatie in Peiling (in hun eigen tempo, ook na de laatste bijeenkomst). Peiling bewaart "
                "geen namen. De begeleiders bespreken de uitkomst en passen de cursus aan; de vraag over de tijd toetst "
                "de studiebelasting.</p>")
        if self.peiling_db is None:
            questions = "".join(f"<li>{e(q['tekst'])}</li>" for q in evaluation["peiling"])
            return head + (f"<p>De vragen:</p><ol>{questions}</ol><p class='let-op'>Nog geen uitkomsten in dit dossier: "
                           "maak het opnieuw met <code>--peiling-db</code> (de database van Peiling) om de totalen op "
                           "te nemen.</p>")
        polls, questions = facts.evaluation_totals(self.root, self.peiling_db)
        rows = []
        for q in questions:
            if q.kind == "schaal":
                detail = f"gemiddeld {_num(q.mean)}; " if q.mean is not None else ""
                detail += ", ".join(f"{label}: {n}" for label, n in q.counts)
            elif q.kind == "keuze":
                detail = ", ".join(f"{label}: {n}" for label, n in q.counts)
            else:
                detail = "open antwoorden: alleen het aantal staat in dit dossier"
            rows.append(f"<tr><td>{e(q.text)}</td><td class='getal'>{q.answers}</td><td>{e(detail)}</td></tr>")
        return head + (f"<p>Uitkomsten uit {polls} evaluatie{'s' if polls != 1 else ''} (alleen totalen).</p>"
                       "<table class='evaluatie'><thead><tr><th scope='col'>Vraag</th><th scope='col' class='getal'>"
                       f"Antwoorden</th><th scope='col'>Totalen</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def people(self) -> str:
        i = self.institute
        trainers = "".join(f"<tr><td>{e(str(t.get('naam', '')))}</td><td>{e(str(t.get('achtergrond', '')))}</td></tr>"
                           for t in i.trainers)
        contact = i.contact
        return ("<h2 id='mensen'>9. Trainers en contact</h2>"
                f"<table><thead><tr><th scope='col'>Trainer</th><th scope='col'>Achtergrond</th></tr></thead>"
                f"<tbody>{trainers or '<tr><td colspan=2>Nog geen trainers in instituut.yml</td></tr>'}</tbody></table>"
                f"<p>Contact: {e(str(contact.get('naam', '')))}, {e(str(contact.get('email', '')))}"
                + (f", {e(str(contact['telefoon']))}" if contact.get("telefoon") else "") + f". {e(i.naam)}, {e(i.url)}.</p>")

    def reflection(self) -> str:
        action = [s for s in self.counted_sessions if "actieleren" in s.id]
        if self.profile != "registerplein" or not action:
            return ""
        return ("<h2 id='reflectie'>10. Actieleren als reflectie (intervisie)</h2>"
                f"<p>De {len(action)} bijeenkomsten actieleren zijn intervisie in een vaste set: deelnemers brengen een "
                f"vraagstuk uit hun werk in en helpen elkaar met vragen. Samen {_hours(sum(s.net_minutes for s in action))} "
                "netto uur. Voor de herregistratie kan een deelnemer deze bijeenkomsten als reflectie opgeven; het instituut "
                "geeft daarvoor een deelnamebewijs uit de presentielijst (<code>leerplein deelnamebewijs</code>).</p>")

    def literature(self) -> str:
        items = "".join(f"<li>{e(text)}" + (f" {e(url)}" if url else "") + "</li>"
                        for text, url in facts.literature(self.root))
        return f"<h2 id='literatuur'>11. Literatuur</h2><ul class='klein'>{items}</ul>"

    def html(self) -> str:
        body = "".join([self.cover(), self.summary(), self.checklist(), self.description(), self.goals(), self.study_load(),
                        self.assessment(), self.final_test(), self.session_plans(), self.evaluation(), self.people(),
                        self.reflection(), self.literature()])
        title = f"Accreditatiedossier {PROFILES[self.profile]}: {self.badge.get('naam', 'Leerplein')}"
        return (f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>{e(title)}</title>"
                f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
                f"<style>{CSS}</style></head><body><main>{body}</main></body></html>")
