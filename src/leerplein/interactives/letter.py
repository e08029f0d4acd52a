"""Leesbaarheidscheck: how readable is a (municipal) letter, and where does it get hard?

The scores come from `leerplein.readability` (textstat with Dutch settings, pyphen
syllables). This module adds what a writer needs to improve the text: which sentences are
long, which words are long or officialese, and a rough language level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from leerplein.readability import Readability, _dutch, measure

LONG_SENTENCE_WORDS = 20  # a heuristic, not a sourced norm (content brief 8.4)
LONG_WORD_SYLLABLES = 4

LEVELS = [  # (lowest Flesch-Douma score, rough language level): an indication only
    (80, "ongeveer A2"),
    (65, "ongeveer B1"),
    (50, "ongeveer B2"),
    (30, "ongeveer C1"),
    (float("-inf"), "ongeveer C2"),
]

_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@lru_cache(maxsize=1)
def letter_data() -> dict:
    return yaml.safe_load(resources.files("leerplein.interactives").joinpath("data/brief.yml").read_text("utf-8"))


@dataclass(frozen=True)
class Analysis:
    scores: Readability
    level: str
    long_sentences: list[str]
    long_words: list[str]
    jargon: dict[str, str]  # word -> plainer alternative

    def describe(self) -> str:
        s = self.scores
        if s.words == 0:
            return "Er is nog geen tekst om te meten. Plak of typ een tekst."
        per_sentence = f"{s.words_per_sentence:.1f}".replace(".", ",")  # Dutch decimal comma
        return (f"Flesch-Douma {s.flesch_douma:.0f} ({s.douma_label}), LIX {s.lix:.0f} ({s.lix_label}), "
                f"{self.level}. {s.sentences} zinnen, gemiddeld {per_sentence} woorden per zin. "
                f"{len(self.long_sentences)} lange zinnen, {len(self.long_words)} lange woorden, "
                f"{len(self.jargon)} ambtelijke woorden.")


def level_for(score: float) -> str:
    return next(label for bound, label in LEVELS if score >= bound)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def syllables(word: str) -> int:
    return _dutch().syllable_count(word)


def analyse(text: str) -> Analysis:
    scores = measure(text)
    jargon_list = letter_data()["ambtelijk"]
    long_sentences = [s for s in sentences(text) if len(_WORD.findall(s)) > LONG_SENTENCE_WORDS]
    seen, long_words, jargon = set(), [], {}
    for word in _WORD.findall(text):
        key = word.lower()
        if key in seen:
            continue
        seen.add(key)
        if key in jargon_list:
            jargon[key] = jargon_list[key]
        elif syllables(key) >= LONG_WORD_SYLLABLES:
            long_words.append(word)
    return Analysis(scores, level_for(scores.flesch_douma) if scores.words else "", long_sentences, long_words, jargon)
