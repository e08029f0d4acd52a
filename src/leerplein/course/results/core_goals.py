"""Kernleerdoelen (grading/slaagregels.yml): leerdoelen that must each reach "voldoende" on every
rubric criterion and observation form that assesses them. Points elsewhere do not make up for
them (non-compensatory). Kennischecks are not evidence here: a skill is not shown by a choice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leerplein.course.prepare.assign import Criterion, load_exercise
from leerplein.course.prepare.assign import PASS_LEVEL
from leerplein.course.grading.observations import load_forms, load_observation
from leerplein.course.prepare.rubrics import goals_page, leerdoelen

OPEN, MET, NOT_MET = "open", "gehaald", "niet gehaald"


@dataclass(frozen=True)
class Evidence:
    kind: str  # "rubric" or "observatie"
    source: str  # exercise slug or form id
    question: str  # reflection id ("" for a form)
    criterion: Criterion


@dataclass(frozen=True)
class CoreGoal:
    opdracht: str
    leerdoel: int
    naam: str
    evidence: tuple[Evidence, ...]


@dataclass
class CoreResult:
    goal: CoreGoal
    status: str
    short: list[str]  # titles of the evidence below voldoende


def reaches_pass(criterion: Criterion, level_name: str) -> bool:
    points = {lv.naam: lv.punten for lv in criterion.niveaus}
    return level_name in points and points[level_name] >= points.get(PASS_LEVEL, max(points.values()))


def evidence_for(root: Path, slug: str, number: int) -> tuple[Evidence, ...]:
    exercise = load_exercise(root, slug)
    found = [Evidence("rubric", slug, qid, c) for qid, criteria in exercise.rubric.items()
             for c in criteria if c.leerdoel == number]
    found += [Evidence("observatie", form.id, "", c) for form in load_forms(root).values()
              if form.opdracht == slug and form.leerdoel == number for c in form.criteria]
    return tuple(found)


def core_goals(root: Path, entries: list[dict]) -> list[CoreGoal]:
    goals = []
    for entry in entries:
        slug, number = str(entry["opdracht"]), int(entry["leerdoel"])
        texts = leerdoelen(goals_page(root, slug))
        naam = texts[number - 1].rstrip(";.") if 0 < number <= len(texts) else f"leerdoel {number}"
        goals.append(CoreGoal(slug, number, naam, evidence_for(root, slug, number)))
    return goals


def chosen_level(course, item: Evidence, student: str, cache: dict) -> str | None:
    from leerplein.course.grading.rubric_grades import load_levels

    key = (item.kind, item.source)
    if key not in cache:
        cache[key] = (load_levels(course, item.source, student) if item.kind == "rubric"
                      else {"": load_observation(course, item.source, student) or {}})
    record = cache[key].get(item.question) or {}
    return (record.get("levels") or {}).get(item.criterion.id)


def core_results(course, student: str, goals: list[CoreGoal]) -> list[CoreResult]:
    out, cache = [], {}
    for goal in goals:
        short, waiting = [], False
        for item in goal.evidence:
            level = chosen_level(course, item, student, cache)
            if level is None:
                waiting = True
            elif not reaches_pass(item.criterion, level):
                short.append(item.criterion.titel)
        status = NOT_MET if short else OPEN if waiting or not goal.evidence else MET
        out.append(CoreResult(goal, status, short))
    return out
