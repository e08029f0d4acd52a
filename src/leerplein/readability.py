"""Dutch readability measures, shared by `leerplein check --readability` and the
Leesbaarheidscheck interactive.

The numbers come from `textstat` with Dutch settings (its `flesch_reading_ease` for
"nl" is Flesch-Douma: 206.835 - 0.93 x words/sentence - 77 x syllables/word; syllables
via `pyphen`'s Dutch hyphenation dictionary) and its LIX. Labels follow Douma's norm
table and Björnsson's LIX scale (see content brief, S28a and S29a).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from dataclasses import dataclass
from functools import lru_cache


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in for a module until one of its attributes is used (PEP 562 `__getattr__`)."""

    def __getattr__(self, attr: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


def _import_lazily(name: str) -> None:
    """textstat imports nltk (and through it scipy and scikit-learn: 1.2 s) for its English
    pronunciation dictionary only; Dutch never touches it. Load it on first use instead."""
    if name not in sys.modules and importlib.util.find_spec(name) is not None:
        sys.modules[name] = _ImportedOnFirstUse(name)


_import_lazily("nltk")
from textstat.textstat import textstatistics  # noqa: E402

DOUMA_SCALE = [  # (lower bound, label)
    (90, "zeer gemakkelijk"),
    (80, "gemakkelijk"),
    (70, "tamelijk gemakkelijk"),
    (60, "normaal"),
    (45, "tamelijk moeilijk"),
    (30, "moeilijk"),
    (float("-inf"), "zeer moeilijk"),
]

LIX_SCALE = [  # (upper bound, label)
    (25, "kinderboek"),
    (30, "eenvoudige tekst"),
    (40, "normale tekst"),
    (50, "zakelijke tekst"),
    (60, "vakliteratuur"),
    (float("inf"), "moeilijk"),
]

_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:[-'][A-Za-zÀ-ÿ]+)*")


@lru_cache(maxsize=1)
def _dutch() -> textstatistics:
    stats = textstatistics()
    stats.set_lang("nl")
    return stats


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    words_per_sentence: float
    syllables_per_word: float
    flesch_douma: float
    lix: float

    @property
    def douma_label(self) -> str:
        return next(label for bound, label in DOUMA_SCALE if self.flesch_douma >= bound)

    @property
    def lix_label(self) -> str:
        return next(label for bound, label in LIX_SCALE if self.lix < bound)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def measure(text: str) -> Readability:
    """Readability of a Dutch text. An empty text gives zeros, never an exception."""
    stats = _dutch()
    n_words = len(words(text))
    if n_words == 0:
        return Readability(0, 0, 0.0, 0.0, 0.0, 0.0)
    n_sentences = max(1, stats.sentence_count(text))
    syllables = stats.syllable_count(text)
    return Readability(
        words=n_words,
        sentences=n_sentences,
        words_per_sentence=n_words / n_sentences,
        syllables_per_word=syllables / n_words,
        flesch_douma=float(stats.flesch_reading_ease(text)),
        lix=float(stats.lix(text)),
    )
