"""The facts an accreditation file needs, each read from its single source: the book's pages,
the modules' leerdoelen and study load, the rubrics and kennischecks, the pass rules, the
session plans, the course evaluation in Peiling's database, the institute's settings and the
bibliography. Plain data; `render` turns it into HTML."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import yaml

NOT_NET = re.compile(r"^\s*(pauze|welkom|inloop|koffie)", re.I)  # breaks and welcome words: no points
MYST_ROLE = re.compile(r"\{(?:cite(?::[a-z]+)?|doc|ref|term)\}`([^`]*)`")


@dataclass
class Goal:
    number: int
    text: str


@dataclass
class ModuleGoals:
    slug: str
    title: str
    goals: list[Goal]


@dataclass
class MatrixRow:
    """One leerdoel and how it is assessed: rubric criteria and kennischecks, with points."""
    assignment: str
    goal: Goal
    criteria: list[tuple[str, float]]  # (criterion title, max points)
    checks: list[tuple[str, float]]  # (kennischeck id, points)

    @property
    def points(self) -> float:
        return sum(p for _, p in self.criteria) + sum(p for _, p in self.checks)


@dataclass
class SessionFacts:
    id: str
    reeks: str
    nummer: int  # within its series
    titel: str
    doel: str
    minutes: int
    net_minutes: int
    parts: list[dict]


@dataclass
class EvaluationQuestion:
    text: str
    kind: str
    answers: int
    counts: list[tuple[str, int]] = field(default_factory=list)
    mean: float | None = None


def page_section(path: Path, heading: str) -> str:
    """The Markdown under `## heading` of a book page, MyST roles reduced to their text."""
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    body = match.group(1) if match else ""
    body = re.sub(r"^```\{code-cell\}.*?^```\s*$", "", body, flags=re.M | re.S)
    return MYST_ROLE.sub(lambda m: m.group(1).split("<")[0].strip(), body).strip()


def page_intro(path: Path) -> str:
    """The paragraphs between a page's title and its first section."""
    text = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    match = re.search(r"^# .*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return MYST_ROLE.sub(lambda m: m.group(1), match.group(1)).strip() if match else ""


def bullets(markdown: str) -> str:
    return "\n".join(line for line in markdown.splitlines() if line.lstrip().startswith(("- ", "* ")))


def module_goals(root: Path) -> list[ModuleGoals]:
    from leerplein.book.rules import module_dirs, page_title
    from leerplein.course.prepare.rubrics import leerdoelen

    return [ModuleGoals(d.name, page_title(root, f"modules/{d.name}/index"),
                        [Goal(i, g) for i, g in enumerate(leerdoelen(d / "index.md"), 1)])
            for d in module_dirs(root)]


def assignment_title(root: Path, slug: str) -> str:
    from leerplein.course.prepare.assign import load_exercise

    return str(load_exercise(root, slug).data.get("titel", slug))


def assessment_matrix(root: Path) -> list[MatrixRow]:
    """The toetsmatrijs: per assignment, per leerdoel of its goals page, what assesses it."""
    from leerplein.course.prepare.assign import exercise_slugs, load_exercise
    from leerplein.course.prepare.rubrics import goals_page, leerdoelen

    rows = []
    for slug in exercise_slugs(root):
        exercise = load_exercise(root, slug)
        goals = leerdoelen(goals_page(root, slug))
        for number, goal in enumerate(goals, 1):
            criteria = [(c.titel, float(c.max_points)) for cs in exercise.rubric.values() for c in cs if c.leerdoel == number]
            checks = [(q["id"], float(exercise.points(q["id"]))) for q in exercise.checks if int(q.get("leerdoel", 0)) == number]
            rows.append(MatrixRow(slug, Goal(number, goal), criteria, checks))
    return rows


def referenced_sessions(root: Path) -> list[str]:
    """Session plans the study load counts (alternatives such as the workshops are not counted)."""
    found = []
    for path in sorted((root / "modules").glob("*/studielast.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [str(a["sessie"]) for a in data.get("activiteiten") or [] if a.get("soort") == "bijeenkomst"]
    return list(dict.fromkeys(found))


def sessions(root: Path) -> list[SessionFacts]:
    from leerplein.sessies.plans import load_plans

    out = []
    for plan in load_plans(root):
        net = sum(int(p["minuten"]) for p in plan.onderdelen if not NOT_NET.match(str(p["naam"])))
        out.append(SessionFacts(plan.id, plan.reeks, plan.nummer, plan.titel, plan.doel, plan.minutes, net, plan.onderdelen))
    return out


def evaluation_totals(root: Path, database: Path) -> tuple[int, list[EvaluationQuestion]]:
    """Totals of every course evaluation in a Peiling database (read-only; no open answer texts,
    no device ids). Returns (number of evaluation polls, questions with summed totals)."""
    from leerplein.peiling.model import parse_question, results
    from leerplein.sessies.plans import load_evaluation

    evaluation = load_evaluation(root)
    if evaluation is None:
        return 0, []
    questions = [parse_question(q) for q in evaluation["peiling"]]
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        codes = [r[0] for r in db.execute("SELECT code FROM sessies WHERE plan='evaluatie'")]
        out = []
        for index, question in enumerate(questions):
            rows = [] if not codes else db.execute(
                f"SELECT waarde FROM antwoorden WHERE vraag=? AND status>=0 AND code IN ({','.join('?' * len(codes))})",
                (index, *codes)).fetchall()
            summary = results(question, [(v, False) for (v,) in rows])
            counts = summary.rijen if question.soort in ("keuze", "schaal") else []
            out.append(EvaluationQuestion(question.tekst, question.soort, summary.aantal, list(counts),
                                          summary.gemiddelde))
    finally:
        db.close()
    return len(codes), out


def literature(root: Path) -> list[tuple[str, str]]:
    """The bibliography as plain reference lines, sorted by author."""
    from pybtex.database import parse_file

    bib = parse_file(str(root / "book" / "references.bib"), bib_format="bibtex")
    lines = []
    for entry in bib.entries.values():
        people = entry.persons.get("author", [])
        authors = ", ".join(" ".join(p.prelast_names + p.last_names) + ("" if not p.first_names else ", " + " ".join(
            n[0] + "." for n in p.first_names + p.middle_names)) for p in people)
        f = entry.fields
        where = f.get("journal") or f.get("publisher") or f.get("howpublished") or ""
        text = f"{authors} ({f.get('year', 'z.j.')}). {f.get('title', '').strip('{}')}." + (f" {where}." if where else "")
        lines.append((text.replace("{", "").replace("}", "").replace("--", "–"), f.get("url", "")))
    return sorted(lines, key=lambda t: t[0].lower().lstrip("'"))
