"""Peiling's questions and answers, as plain data and pure functions: what a question may be,
what an answer to it may be (with the Dutch message when it may not), and the results."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

KINDS = {"keuze": "meerkeuze", "schaal": "schaal", "woorden": "woordwolk", "open": "open antwoord"}
MAX_QUESTION_CHARS = 300
MAX_OPTIONS = 8
MAX_WORDS = 3
MAX_WORD_CHARS = 30
MAX_OPEN_CHARS = 280
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes: 0/O, 1/I/L, 2/Z, 5/S, 8/B


class PeilingError(ValueError):
    """Bad input; the text is Dutch and tells the person what to do."""


@dataclass(frozen=True)
class Question:
    soort: str
    tekst: str
    opties: tuple[str, ...] = ()
    min: int = 1
    max: int = 5
    labels: tuple[str, str] = ("", "")

    def as_dict(self) -> dict:
        return {**asdict(self), "opties": list(self.opties), "labels": list(self.labels)}


def clean_text(text: str, limit: int) -> str:
    """Plain text: Unicode normalised, control characters out, whitespace folded. Markup stays
    literal text (it is escaped wherever it is shown)."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n" else " " for ch in text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    if len(text) > limit:
        raise PeilingError(f"Je antwoord is te lang ({len(text)} tekens). Het mag {limit} tekens zijn. "
                           "Maak het korter en stuur het opnieuw.")
    return text


def parse_question(data: dict) -> Question:
    if not isinstance(data, dict):
        raise PeilingError("Een vraag moet een soort en een tekst hebben.")
    soort = str(data.get("soort", "")).strip()
    if soort not in KINDS:
        raise PeilingError(f"Onbekende soort vraag '{soort[:20]}'. Kies uit: {', '.join(KINDS)}.")
    tekst = str(data.get("tekst", "")).strip()
    if not tekst or len(tekst) > MAX_QUESTION_CHARS:
        raise PeilingError(f"Een vraag heeft een tekst van 1 tot {MAX_QUESTION_CHARS} tekens.")
    if soort == "keuze":
        opties = tuple(str(o).strip() for o in data.get("opties") or [] if str(o).strip())
        if not 2 <= len(opties) <= MAX_OPTIONS or len(set(opties)) != len(opties):
            raise PeilingError(f"Een meerkeuzevraag heeft 2 tot {MAX_OPTIONS} verschillende keuzes.")
        if any(len(o) > 120 for o in opties):
            raise PeilingError("Een keuze mag hoogstens 120 tekens zijn.")
        return Question(soort, tekst, opties)
    if soort == "schaal":
        try:
            low, high = int(data.get("min", 1)), int(data.get("max", 5))
        except (TypeError, ValueError) as err:
            raise PeilingError("Een schaal loopt van een heel getal naar een heel getal, bijvoorbeeld 1 tot 5.") from err
        if not (0 <= low < high <= 10):
            raise PeilingError("Een schaal loopt van 0 of hoger tot hoogstens 10, bijvoorbeeld 1 tot 5.")
        labels = [str(x)[:40] for x in (data.get("labels") or ["", ""])][:2] + ["", ""]
        return Question(soort, tekst, (), low, high, (labels[0], labels[1]))
    return Question(soort, tekst)


def parse_answer(question: Question, raw: str) -> str:
    """The answer as stored, or PeilingError with what to do instead."""
    raw = "" if raw is None else str(raw)
    if question.soort == "keuze":
        if raw not in question.opties:
            raise PeilingError("Kies een van de antwoorden op het scherm.")
        return raw
    if question.soort == "schaal":
        try:
            value = int(raw)
        except ValueError as err:
            raise PeilingError(f"Kies een getal van {question.min} tot en met {question.max}.") from err
        if not question.min <= value <= question.max:
            raise PeilingError(f"Kies een getal van {question.min} tot en met {question.max}.")
        return str(value)
    if question.soort == "woorden":
        text = clean_text(raw, MAX_WORDS * (MAX_WORD_CHARS + 1))
        words = [w.strip(".,;:!?\"'()").lower() for w in text.split()]
        words = [w for w in words if w]
        if not words:
            raise PeilingError("Typ een of een paar woorden.")
        if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_CHARS for w in words):
            raise PeilingError(f"Typ hoogstens {MAX_WORDS} woorden van hoogstens {MAX_WORD_CHARS} letters.")
        return " ".join(words)
    text = clean_text(raw, MAX_OPEN_CHARS)
    if not text:
        raise PeilingError("Typ eerst je antwoord.")
    return text


@dataclass
class Results:
    soort: str
    aantal: int  # answers counted
    rijen: list[tuple[str, int]] = field(default_factory=list)  # label, count (choice, scale, words)
    gemiddelde: float | None = None
    teksten: list[str] = field(default_factory=list)  # approved open answers
    wachtend: int = 0  # open answers waiting for the facilitator

    def as_dict(self) -> dict:
        return asdict(self)


def results(question: Question, answers: list[tuple[str, bool]]) -> Results:
    """`answers`: (value, approved) per device, latest answer per device only."""
    values = [v for v, _ in answers]
    if question.soort == "keuze":
        counts = Counter(values)
        return Results("keuze", len(values), [(o, counts.get(o, 0)) for o in question.opties])
    if question.soort == "schaal":
        counts = Counter(int(v) for v in values)
        mean = round(sum(int(v) for v in values) / len(values), 1) if values else None
        return Results("schaal", len(values), [(str(n), counts.get(n, 0)) for n in range(question.min, question.max + 1)],
                       mean)
    if question.soort == "woorden":
        counts = Counter(w for v in values for w in v.split())
        return Results("woorden", len(values), sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:40])
    shown = [v for v, ok in answers if ok]
    return Results("open", len(values), teksten=shown, wachtend=sum(1 for _, ok in answers if not ok))
