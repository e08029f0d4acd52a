"""Progress and pass rules (grading/slaagregels.yml): per student, per assignment, whether it
is handed in, graded and passed, and whether the course is passed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from leerplein.course.prepare.assign import exercise_slugs, load_exercise
from leerplein.course.results.attendance import attended as count_attended
from leerplein.course.course import Course
from leerplein.course.grading.resubmission import counted as counted_attempt


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Rules:
    minimum: dict[str, float]  # counted assignment -> share of its points needed
    course_minimum: float
    attendance_minimum: int
    badge: dict
    core: tuple[dict, ...] = ()  # kernleerdoelen: {opdracht, leerdoel}, each must reach voldoende

    @property
    def counted(self) -> list[str]:
        return list(self.minimum)


def load_rules(root: Path) -> Rules:
    path = root / "grading" / "slaagregels.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    known = set(exercise_slugs(root))
    minimum = {}
    for slug, rule in (data.get("opdrachten") or {}).items():
        if slug not in known:
            raise RulesError(f"{path}: {slug} is not an assignment in exercises/")
        share = float(rule.get("minimum", 0.55))
        if not 0 <= share <= 1:
            raise RulesError(f"{path}: {slug}: minimum is a share between 0 and 1, not {share}")
        if rule.get("telt_mee", True):
            minimum[slug] = share
    core = tuple(data.get("kernleerdoelen") or ())
    for entry in core:
        if not isinstance(entry, dict) or entry.get("opdracht") not in known or not str(entry.get("leerdoel", "")).isdigit():
            raise RulesError(f"{path}: kernleerdoelen: {entry!r} needs `opdracht:` (an assignment) and `leerdoel:` (a number)")
    course = data.get("cursus") or {}
    return Rules(minimum, float(course.get("minimum_totaal", 0)), int((data.get("aanwezigheid") or {}).get("minimum", 0)),
                 dict(data.get("badge") or {}), core)


@dataclass
class AssignmentProgress:
    slug: str
    titel: str
    status: str  # "open", "ingeleverd" (not fully graded yet) or "nagekeken"
    score: float
    max: float
    needed: float
    counts: bool
    attempt: int = 1  # the attempt that counts: 2 once a herkansing is graded
    herkansing: str = ""  # Dutch note on her herkansing ("" without one)

    @property
    def passed(self) -> bool:
        return self.status == "nagekeken" and self.score >= self.needed


@dataclass
class StudentProgress:
    student: str
    assignments: list[AssignmentProgress]
    attended: int
    rules: Rules
    open_items: list[str] = field(default_factory=list)
    core: list = field(default_factory=list)  # core_goals.CoreResult per kernleerdoel

    @property
    def counted(self) -> list[AssignmentProgress]:
        return [a for a in self.assignments if a.counts]

    @property
    def total(self) -> tuple[float, float]:
        return sum(a.score for a in self.counted), sum(a.max for a in self.counted)

    @property
    def passed(self) -> bool:
        got, out_of = self.total
        return (bool(self.counted) and all(a.passed for a in self.counted)
                and got >= self.rules.course_minimum * out_of and self.attended >= self.rules.attendance_minimum
                and all(c.status == "gehaald" for c in self.core))


def is_graded(course: Course, slug: str, student: str, exercise) -> bool:
    """Every reflection of the submission has its rubric levels (autograded parts grade themselves)."""
    from leerplein.course.grading.rubric_grades import load_levels

    levels = load_levels(course, slug, student)
    return all(levels.get(q["id"], {}).get("levels") for q in exercise.reflections)


def student_progress(course: Course, student: str, rules: Rules | None = None) -> StudentProgress:
    from nbgrader.api import Gradebook, MissingEntry

    rules = rules or load_rules(course.root)
    out = []
    with Gradebook(course.gradebook_url) as gb:
        for slug in exercise_slugs(course.root):
            exercise = load_exercise(course.root, slug)
            maximum = sum(exercise.points(q["id"]) for q in exercise.data["vragen"])
            try:
                sub = gb.find_submission(slug, student)
                score, status = float(sub.score or 0), "nagekeken" if is_graded(course, slug, student, exercise) else "ingeleverd"
            except MissingEntry:
                score, status = 0.0, "open"
            last = counted_attempt(course, slug, student, status, score)
            out.append(AssignmentProgress(slug, exercise.data["titel"], last.status, last.score, maximum,
                                          round(rules.minimum.get(slug, 0) * maximum, 2), slug in rules.minimum,
                                          last.attempt, last.note))
    from leerplein.course.results.core_goals import core_goals, core_results

    attended = count_attended(course, student)
    progress = StudentProgress(student, out, attended, rules,
                               core=core_results(course, student, core_goals(course.root, list(rules.core))))
    for a in progress.counted:
        if a.status == "open":
            progress.open_items.append(f"{a.titel}: nog inleveren")
        elif a.status == "ingeleverd":
            progress.open_items.append(f"{a.titel}: wacht op nakijken")
        elif not a.passed:
            progress.open_items.append(f"{a.titel}: {_dutch(a.score)} van {_dutch(a.max)} punten, "
                                       f"nodig {_dutch(a.needed)}" + (f" ({a.herkansing})" if a.herkansing else ""))
    for c in progress.core:
        if c.status == "niet gehaald":
            progress.open_items.append(f"Kernleerdoel '{c.goal.naam}': nog niet voldoende ({', '.join(c.short)})")
        elif c.status == "open":
            progress.open_items.append(f"Kernleerdoel '{c.goal.naam}': nog niet (helemaal) beoordeeld")
    if attended < rules.attendance_minimum:
        progress.open_items.append(f"Bijeenkomsten: {attended} van {rules.attendance_minimum} bijgewoond")
    return progress


def everyone(course: Course, only: set[str] | None = None) -> list[StudentProgress]:
    """`only`: just these students (one cohort)."""
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        students = sorted(s.id for s in gb.students if only is None or s.id in only)
    rules = load_rules(course.root)
    return [student_progress(course, s, rules) for s in students]


def _dutch(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def pass_rules_html(root: Path) -> str:
    """The cesuur of every assignment and of the course, for the book (numbers from the rules)."""
    import html

    rules = load_rules(root)
    rows, total = [], 0.0
    for slug in exercise_slugs(root):
        exercise = load_exercise(root, slug)
        maximum = sum(exercise.points(q["id"]) for q in exercise.data["vragen"])
        if slug in rules.minimum:
            total += maximum
            needed = _dutch(round(rules.minimum[slug] * maximum, 2))
            rows.append(f"<tr><th scope='row'>{html.escape(exercise.data['titel'])}</th><td>{_dutch(maximum)}</td>"
                        f"<td>{needed} ({round(rules.minimum[slug] * 100)} procent)</td></tr>")
    course_needed = _dutch(round(rules.course_minimum * total, 2))
    return ("<table class='cesuur'><caption>Cesuur: zoveel punten heb je minstens nodig</caption><thead><tr>"
            "<th scope='col'>Opdracht</th><th scope='col'>Punten</th><th scope='col'>Nodig</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody><tfoot><tr><th scope='row'>Alle opdrachten samen</th><td>{_dutch(total)}</td>"
            f"<td>{course_needed} ({round(rules.course_minimum * 100)} procent)</td></tr></tfoot></table>"
            f"<p>Je bent geslaagd als je elke opdracht hebt gehaald, samen minstens {course_needed} punten hebt, "
            f"bij minstens {rules.attendance_minimum} van de {session_count(root)} bijeenkomsten was"
            f"{' en elk kernleerdoel hieronder minstens voldoende is' if rules.core else ''}.</p>"
            + core_goals_html(root, rules))


def session_count(root: Path) -> int:
    """The group sessions the course has: the session plans its modules count (as `leerplein
    check` counts them for the guide), so this page and the guide cannot disagree."""
    from leerplein.book.count_rules import counted_sessions

    return sum(counted_sessions(root).values())


def core_goals_html(root: Path, rules: Rules) -> str:
    """The kernleerdoelen and where each is assessed: extra points elsewhere do not make up for them."""
    import html

    from leerplein.course.results.core_goals import core_goals
    from leerplein.course.grading.observations import load_forms

    if not rules.core:
        return ""
    forms = load_forms(root)
    items = []
    for goal in core_goals(root, list(rules.core)):
        where = []
        for e in goal.evidence:
            label = (f"observatie: {forms[e.source].titel}" if e.kind == "observatie"
                     else f"{load_exercise(root, e.source).data['titel']}, {e.criterion.titel}")
            if label not in where:
                where.append(label)
        items.append(f"<li>{html.escape(goal.naam)} <span class='waar'>({html.escape('; '.join(where))})</span></li>")
    return ("<p>Kernleerdoelen: op elk beoordelingspunt hieronder heb je minstens 'voldoende' nodig. "
            "Meer punten bij iets anders maken een 'nog niet' of 'bijna' hier niet goed.</p>"
            f"<ul class='kernleerdoelen'>{''.join(items)}</ul>")


def show_pass_rules() -> None:
    from IPython.display import HTML, display

    from leerplein.paths import find_root

    display(HTML(pass_rules_html(find_root())))


def feedback_ready(course: Course, slug: str, students: list[str]) -> tuple[list[str], list[str]]:
    """Split autograded students into (fully graded: feedback may go out, still to grade)."""
    exercise = load_exercise(course.root, slug)
    ready = [s for s in students if is_graded(course, slug, s, exercise)]
    return ready, [s for s in students if s not in ready]
