"""Curriculum rules for assessment quality: rubrics with the four levels where "voldoende" means
the leerdoel is met, summative items that are not copies of formative ones and not guessable
by length, and skill leerdoelen assessed by more than multiple choice."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from leerplein.book.check import Finding, rule
from leerplein.course.prepare.assign import LEVELS, PASS_LEVEL, ExerciseError, exercise_slugs, load_exercise


# A "voldoende" that only asks to mention or attach something does not show the leerdoel is met.
MENTION = re.compile(r"\b(noemt|vermeldt|somt\w* op|staat erbij|staan erbij|komt (?:voor|aan bod)|wordt genoemd)\b", re.I)
# Descriptors describe the work, not the person: no gendered pronouns.
GENDERED = re.compile(r"\b(hij|hem|zij|haar|zijn eigen|haar eigen)\b", re.I)
SKILL_VERBS = ("voeren", "stellen", "toepassen", "beoordelen")


def rubric_findings(path: Path, rubric: dict) -> Iterator[Finding]:
    """Findings for one loaded rubric ({question: [Criterion]})."""
    for qid, criteria in rubric.items():
        for c in criteria:
            where = f"{qid}/{c.id}"
            names = [lv.naam for lv in c.niveaus]
            if tuple(names) != LEVELS:
                yield Finding(path, 1, "rubric-levels",
                              f"{where}: levels must be {', '.join(LEVELS)} in this order (found {', '.join(names)})")
                continue
            points = [lv.punten for lv in c.niveaus]
            if points[0] != 0 or any(a >= b for a, b in zip(points, points[1:])):
                yield Finding(path, 1, "rubric-levels", f"{where}: points must start at 0 and rise with every level")
            for lv in c.niveaus:
                if not lv.beschrijving.strip():
                    yield Finding(path, 1, "rubric-levels", f"{where}/{lv.naam}: the level has no description")
                if GENDERED.search(lv.beschrijving):
                    yield Finding(path, 1, "rubric-levels",
                                  f"{where}/{lv.naam}: describe the work without 'hij' or 'zij' ({lv.beschrijving[:40]}…)")
            passing = c.niveaus[LEVELS.index(PASS_LEVEL)].beschrijving
            if MENTION.search(passing):
                yield Finding(path, 1, "rubric-levels",
                              f"{where}: '{PASS_LEVEL}' only asks to mention something ('{MENTION.search(passing).group(0)}'); "
                              f"describe what shows the leerdoel is met")


@rule("rubric-levels")
def check_rubric_levels(root: Path) -> Iterator[Finding]:
    for slug in exercise_slugs(root):
        try:
            exercise = load_exercise(root, slug)
        except ExerciseError:
            continue  # reported by `assessment`
        yield from rubric_findings(root / "grading" / "rubrics" / f"{slug}.yml", exercise.rubric)


def is_skill(leerdoel: str) -> bool:
    return any(re.search(rf"\b{verb}\b", leerdoel, re.I) for verb in SKILL_VERBS)


@rule("skill-assessed")
def check_skill_assessed(root: Path) -> Iterator[Finding]:
    """A leerdoel whose verb is a skill is assessed by at least one criterion that is not multiple
    choice (a rubric or an observation form); every module leerdoel has its course leerdoel."""
    from leerplein.book.toetsmatrijs import FINAL, course_map, toetsmatrijs
    from leerplein.course.prepare.rubrics import goals_page, leerdoelen

    try:
        rows = toetsmatrijs(root)
    except Exception as err:  # noqa: BLE001 - a broken source is reported by its own rule
        yield Finding(root / "grading" / "toetsmatrijs.yml", 1, "skill-assessed", f"cannot build the toetsmatrijs: {err}")
        return
    mapping = course_map(root)
    for slug in exercise_slugs(root):
        page = goals_page(root, slug)
        if not page.is_file():
            continue
        for number, goal in enumerate(leerdoelen(page), start=1):
            if slug != FINAL and number not in mapping.get(slug, {}):
                yield Finding(root / "grading" / "toetsmatrijs.yml", 1, "skill-assessed",
                              f"{slug}: leerdoel {number} has no course leerdoel in cursusleerdoelen")
            forms = {r.vorm for r in rows if r.opdracht == slug
                     and (r.cursus_leerdoel if slug == FINAL else r.module_leerdoel) == number}
            if is_skill(goal) and not forms - {"kennischeck"}:
                yield Finding(page, 1, "skill-assessed",
                              f"leerdoel {number} ('{goal[:50]}…') is a skill but only assessed by multiple choice; "
                              f"add a rubric criterion or an observation form")


@rule("core-goals")
def check_core_goals(root: Path) -> Iterator[Finding]:
    """Every kernleerdoel in the pass rules has evidence that is not multiple choice."""
    from leerplein.course.results.core_goals import core_goals
    from leerplein.course.results.progress import RulesError, load_rules

    path = root / "grading" / "slaagregels.yml"
    try:
        rules = load_rules(root)
        goals = core_goals(root, list(rules.core))
    except (RulesError, ExerciseError, ValueError, KeyError) as err:
        yield Finding(path, 1, "core-goals", str(err))
        return
    for goal in goals:
        if not goal.evidence:
            yield Finding(path, 1, "core-goals",
                          f"kernleerdoel {goal.opdracht}/{goal.leerdoel} has no rubric criterion or observation form")


SIMILAR = 0.6  # difflib ratio of two normalised question texts from which a summative item is a copy


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", str(text).lower()).split())


def formative_items(root: Path) -> list[tuple[str, str, list[str]]]:
    """(where, question, options) of everything students practise with, answers in sight: the
    book's kennischecks and the live polls of the sessions."""
    import yaml

    found = []
    quiz = root / "src" / "leerplein" / "interactives" / "data" / "kennischecks.yml"
    if quiz.is_file():
        for qid, q in (yaml.safe_load(quiz.read_text(encoding="utf-8")) or {}).items():
            found.append((f"kennischeck {qid}", q.get("vraag", ""), [str(o) for o in q.get("opties", [])]))
    for plan in sorted((root / "sessies").glob("*.yml")):
        data = yaml.safe_load(plan.read_text(encoding="utf-8")) or {}
        for n, q in enumerate(data.get("peiling") or [], start=1):
            if q.get("soort") == "keuze":
                found.append((f"peiling {plan.stem} vraag {n}", q.get("tekst", ""), [str(o) for o in q.get("opties", [])]))
    return found


def repeats(question: str, options: list[str], formative: tuple[str, str, list[str]]) -> bool:
    from difflib import SequenceMatcher

    _, text, their_options = formative
    same_question = SequenceMatcher(None, _normal(question), _normal(text)).ratio() >= SIMILAR
    same_options = len({_normal(o) for o in options} & {_normal(o) for o in their_options}) >= 2
    return same_question or same_options


@rule("summative-items")
def check_summative_items(root: Path) -> Iterator[Finding]:
    """Summative multiple-choice items are not copies of formative ones, and the right option is
    not the longest in most items (a test-wise student would pick it without knowing)."""
    formative = formative_items(root)
    longest, shortest, total = 0, 0, 0
    for slug in exercise_slugs(root):
        try:
            exercise = load_exercise(root, slug)
        except ExerciseError:
            continue
        for q in exercise.checks:
            options = {str(k): str(v) for k, v in q["opties"].items()}
            for item in formative:
                if repeats(q["vraag"], list(options.values()), item):
                    yield Finding(exercise.source, 1, "summative-items",
                                  f"{q['id']} repeats the formative {item[0]} ('{item[1][:50]}'); test understanding "
                                  f"with a new case")
            total += 1
            right = len(options[str(q["antwoord"])])
            others = [len(v) for k, v in options.items() if k != str(q["antwoord"])]
            longest += all(right > n for n in others)
            shortest += all(right < n for n in others)
    if total and longest * 2 > total:
        yield Finding(root / "exercises", 1, "summative-items",
                      f"the right option is the longest in {longest} of {total} items; make the distractors as long "
                      f"and as plausible")
    if total and shortest * 2 > total:
        yield Finding(root / "exercises", 1, "summative-items",
                      f"the right option is the shortest in {shortest} of {total} items; vary the lengths")


ASKED = re.compile(r"\((\d+) tot (\d+) woorden\)")


@rule("model-answer-length")
def check_model_answer_length(root: Path) -> Iterator[Finding]:
    """A warning for every model answer shorter than the question asks: a 40-word 'goed' next to a
    question asking 150 to 300 words calibrates nobody."""
    from leerplein.course.prepare.rubrics import model_answers

    for slug in exercise_slugs(root):
        try:
            exercise = load_exercise(root, slug)
        except ExerciseError:
            continue
        answers = model_answers(root, slug)
        path = root / "grading" / "modelantwoorden" / f"{slug}.yml"
        for q in exercise.reflections:
            asked = ASKED.search(q["vraag"])
            if not asked:
                continue
            low = int(asked.group(1))
            for level, text in (answers.get(q["id"]) or {}).items():
                if level != "nog niet" and len(str(text).split()) < low:
                    yield Finding(path, 1, "model-answer-length",
                                  f"{q['id']}/{level}: {len(str(text).split())} words where the question asks "
                                  f"{low} to {asked.group(2)}", severity="warning")
