"""The toetsmatrijs, generated from the single sources: every module leerdoel x course leerdoel x
item or criterion x weight x form. Rubrics (grading/rubrics), kennischecks (exercises), observation
forms (grading/observaties.yml), pass rules (grading/slaagregels.yml) and the module-to-course map
(grading/toetsmatrijs.yml). Plain rows for the book, a CSV for an accreditation file."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from leerplein.course.prepare.assign import exercise_slugs, load_exercise
from leerplein.course.prepare.rubrics import goals_page, leerdoelen

FINAL = "06-eindopdracht"
FORMS = {"reflectie": "schriftelijke reflectie (rubric)", "portfolio": "praktijkportfolio (rubric)",
         "kennischeck": "meerkeuzevraag", "observatie": "observatie in bijeenkomst (rubric)"}


@dataclass(frozen=True)
class Row:
    opdracht: str  # exercise slug (or the module of an observation form)
    module_leerdoel: int | None  # None for the eindopdracht: its leerdoelen are the course's
    module_leerdoel_tekst: str
    cursus_leerdoel: int | None
    cursus_leerdoel_tekst: str
    onderdeel: str  # "reflectie-1 / Signalen herkennen", "check-2", "observatie geldgesprek / Opening"
    vorm: str  # one of FORMS' keys
    punten: float  # max points (0 for an observation: it counts as a kernleerdoel, not in points)
    gewicht: float  # share of the assignment's points, 0..1
    kern: bool  # evidence for a kernleerdoel: voldoende required, no compensation

    @property
    def vorm_tekst(self) -> str:
        return FORMS[self.vorm]


def course_map(root: Path) -> dict[str, dict[int, int]]:
    path = root / "grading" / "toetsmatrijs.yml"
    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
    return {slug: {int(k): int(v) for k, v in (m or {}).items()} for slug, m in (data.get("cursusleerdoelen") or {}).items()}


def _text(goals: list[str], number: int | None) -> str:
    return goals[number - 1].rstrip(";.") if number and 0 < number <= len(goals) else ""


def toetsmatrijs(root: Path) -> list[Row]:
    from leerplein.course.grading.observations import load_forms
    from leerplein.course.results.progress import load_rules

    root = Path(root)
    rules = load_rules(root)
    core = {(str(e["opdracht"]), int(e["leerdoel"])) for e in rules.core}
    mapping = course_map(root)
    course_goals = leerdoelen(root / "book" / "eindopdracht.md")
    rows = []

    def add(slug, number, onderdeel, vorm, punten, total, goals):
        final = slug == FINAL
        course_no = number if final else mapping.get(slug, {}).get(number)
        rows.append(Row(slug, None if final else number, "" if final else _text(goals, number), course_no,
                        _text(course_goals, course_no), onderdeel, vorm, punten,
                        round(punten / total, 4) if total else 0.0,
                        (slug, number) in core and vorm != "kennischeck"))  # a choice is no evidence for a kernleerdoel

    for slug in exercise_slugs(root):
        exercise = load_exercise(root, slug)
        goals = leerdoelen(goals_page(root, slug))
        total = sum(exercise.points(q["id"]) for q in exercise.data["vragen"])
        for q in exercise.data["vragen"]:
            if q["soort"] == "kennischeck":
                add(slug, int(q.get("leerdoel", 0)) or None, q["id"], "kennischeck", exercise.points(q["id"]), total, goals)
                continue
            vorm = "portfolio" if slug == FINAL else "reflectie"
            for c in exercise.rubric[q["id"]]:
                add(slug, c.leerdoel, f"{q['id']} / {c.titel}", vorm, c.max_points, total, goals)
    for form in load_forms(root).values():
        goals = leerdoelen(goals_page(root, form.opdracht))
        for c in form.criteria:
            add(form.opdracht, form.leerdoel, f"observatie {form.id} / {c.titel}", "observatie", 0.0, 0.0, goals)
    return sorted(rows, key=lambda r: (r.opdracht, r.module_leerdoel or r.cursus_leerdoel or 0, r.onderdeel))


def _dutch(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def toetsmatrijs_html(root: Path) -> str:
    """A table for teachers (in the book); the caption says where the numbers come from."""
    head = ("Opdracht", "Leerdoel module", "Leerdoel cursus", "Onderdeel", "Vorm", "Punten", "Gewicht", "Kern")
    body = []
    for r in toetsmatrijs(root):
        module = f"{r.module_leerdoel}. {r.module_leerdoel_tekst}" if r.module_leerdoel else "–"
        course = f"{r.cursus_leerdoel}. {r.cursus_leerdoel_tekst}" if r.cursus_leerdoel else "–"
        points = _dutch(r.punten) if r.vorm != "observatie" else "–"
        weight = f"{_dutch(round(r.gewicht * 100, 1))}%" if r.vorm != "observatie" else "–"
        cells = (r.opdracht, module, course, r.onderdeel, r.vorm_tekst, points, weight, "ja" if r.kern else "")
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return ("<table class='toetsmatrijs'><caption>Toetsmatrijs: elk leerdoel, waar het getoetst wordt, hoe en "
            "hoe zwaar. Gemaakt uit de beoordelingsschema's, kennischecks, observatieformulieren en slaagregels."
            "</caption><thead><tr>" + "".join(f"<th scope='col'>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


def toetsmatrijs_csv(root: Path) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["opdracht", "module_leerdoel", "module_leerdoel_tekst", "cursus_leerdoel", "cursus_leerdoel_tekst",
                     "onderdeel", "vorm", "punten", "gewicht", "kernleerdoel"])
    for r in toetsmatrijs(root):
        writer.writerow([r.opdracht, r.module_leerdoel or "", r.module_leerdoel_tekst, r.cursus_leerdoel or "",
                         r.cursus_leerdoel_tekst, r.onderdeel, r.vorm_tekst, f"{r.punten:g}", f"{r.gewicht:g}",
                         "ja" if r.kern else ""])
    return buffer.getvalue()


def show_toetsmatrijs() -> None:
    from IPython.display import HTML, display

    from leerplein.paths import find_root

    display(HTML(toetsmatrijs_html(find_root())))
