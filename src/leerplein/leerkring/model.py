"""The leerkring's rules as pure functions: what a post may be, and noticing advice."""

from __future__ import annotations

import re
import unicodedata

MAX_PROBLEM_CHARS = 2000
MAX_QUESTION_CHARS = 500
SET_SIZE = (4, 8)

# Sentence openings that give advice instead of asking (also advice dressed as a question).
ADVICE = [
    r"(je|jij|u) (moet|moeten|zou|zal|kan|kunt)\b",
    r"(misschien|dan) (moet|kun|kan|zou) (je|jij|u)\b",
    r"waarom (ga|doe|probeer|bel|vraag) (je|jij|u) niet\b",
    r"(ik zou|als ik jou was|als ik u was|mijn advies|mijn tip|een tip)\b",
    r"(probeer|doe|ga|bel|vraag|zorg|stop|begin|neem|maak|zeg|schrijf)\b(?! ik\b)",
    r"heb (je|jij|u) (al )?(eens )?(overwogen|geprobeerd|gedacht aan)\b",
    r"(kun|kan|zou) (je|jij|u) niet (gewoon )?",
]
ADVICE_RE = re.compile(r"^\s*(?:" + "|".join(ADVICE) + ")", re.IGNORECASE)
OPEN_QUESTIONS = [
    "Wat heb je zelf al geprobeerd?",
    "Wat maakt dit voor jou lastig?",
    "Wat zou er gebeuren als je niets verandert?",
    "Wie heeft hier nog meer mee te maken?",
    "Wat zou je willen dat er over zes weken anders is?",
]


class LeerkringError(ValueError):
    """Bad input or no access; the text is Dutch and says what to do."""


class NotFound(LeerkringError):
    """A post that does not exist, or is in a set the user cannot open (the same to her: 404)."""


def clean(text: str, limit: int, what: str) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").replace("\x00", "")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch == "\n" else " " for ch in text).strip()
    if not text:
        raise LeerkringError(f"Je {what} is nog leeg. Schrijf eerst iets.")
    if len(text) > limit:
        raise LeerkringError(f"Je {what} is te lang ({len(text)} tekens; het maximum is {limit}). "
                             "Maak hem korter; je tekst staat hieronder nog.")
    return text


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def advice_in(text: str) -> list[str]:
    """The sentences that sound like advice."""
    return [s for s in sentences(text) if ADVICE_RE.match(s)]


def rephrase(sentence: str) -> str:
    """A question that keeps the idea but leaves the choice with the problem owner."""
    core = re.sub(r"^\s*(je|jij|u) (moet|moeten|zou|zal|kan|kunt)( eens| misschien| gewoon)?\s+", "", sentence,
                  flags=re.IGNORECASE).rstrip(".!? ")
    if core != sentence.rstrip(".!? ") and core:
        return f"Wat zou er gebeuren als je {core}?"
    return "Wat heb je zelf al overwogen, en wat hield je tegen?"


def check_question(text: str) -> list[str]:
    """Hints for a question before it is posted (empty: fine as it is)."""
    hints = []
    for sentence in advice_in(text):
        hints.append(f"'{sentence[:80]}' klinkt als een advies. Als vraag bijvoorbeeld: '{rephrase(sentence)}'")
    if "?" not in text:
        hints.append("Er staat geen vraagteken in. Een leerkring stelt vragen; bijvoorbeeld: "
                     f"'{OPEN_QUESTIONS[0]}'")
    return hints
