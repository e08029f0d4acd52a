"""Kennischecks: short multiple-choice questions with feedback per answer, usable on any page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Question:
    id: str
    vraag: str
    opties: tuple[str, ...]
    goed: int
    uitleg: tuple[str, ...]  # feedback per option


@lru_cache(maxsize=1)
def all_questions() -> dict[str, Question]:
    data = yaml.safe_load(resources.files("leerplein.interactives").joinpath("data/kennischecks.yml").read_text("utf-8"))
    out = {}
    for qid, q in data.items():
        question = Question(qid, q["vraag"], tuple(q["opties"]), q["goed"], tuple(q["uitleg"]))
        if len(question.uitleg) != len(question.opties) or not 0 <= question.goed < len(question.opties):
            raise ValueError(f"kennischecks.yml: question {qid} needs one explanation per option and a valid 'goed'")
        out[qid] = question
    return out


def questions_for(prefix: str) -> list[Question]:
    """All questions whose id starts with a prefix, e.g. "m2" for module 2."""
    found = [q for qid, q in all_questions().items() if qid.startswith(prefix)]
    if not found:
        raise ValueError(f"Geen kennischecks gevonden voor {prefix!r}")
    return found


@dataclass(frozen=True)
class Feedback:
    correct: bool
    text: str


def check(question: Question, choice: int | None) -> Feedback:
    if choice is None or not 0 <= choice < len(question.opties):
        return Feedback(False, "Kies eerst een antwoord.")
    prefix = "Goed! " if choice == question.goed else "Nog niet. "
    return Feedback(choice == question.goed, prefix + question.uitleg[choice])
