"""An nbgrader assignment notebook as a form: reflections are text fields, kennischecks a
choice between options. The notebook stays exactly what nbgrader grades: a reflection is
written into its answer cell, a choice as `antwoord_N = "B"` in the code cell above the
kennischeck's test. Every other cell is left alone, and a save replaces the file in one step."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from leerplein.course.prepare.assign import ANSWER_PLACEHOLDER
from leerplein.course.course import TEXT_STUB, write_atomic

MAX_REFLECTION_CHARS = 20_000  # about 3,000 words: ten times the longest question asks for
ANSWER_LINE = re.compile(r"^\s*(antwoord_\d+)\s*=")
WORDS_ASKED = re.compile(r"(\d+)\s*(?:tot|-|–)\s*(\d+)\s*woorden")
UNANSWERED = {"", ANSWER_PLACEHOLDER, TEXT_STUB}


class FormError(ValueError):
    """Something a student can fix or should report; the text is Dutch and says what to do."""


@dataclass
class Question:
    id: str
    vorm: str  # "tekst" (reflection) or "keuze" (kennischeck)
    titel: str
    vraag: str
    cell: int
    antwoord: str = ""
    opties: dict[str, str] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.antwoord.strip() not in UNANSWERED

    @property
    def woorden(self) -> tuple[int, int] | None:
        """The length the question asks for ("150 tot 300 woorden"), for the word counter."""
        found = WORDS_ASKED.search(self.vraag)
        return (int(found.group(1)), int(found.group(2))) if found else None

    @property
    def kop(self) -> str:
        """The heading: a numbered part ("Portfolio 2") gets the name its question starts with."""
        number = re.fullmatch(r"Portfolio (\d+)", self.titel)
        first = re.match(r"([^.?!]{3,60})\.\s", self.vraag)
        return f"Deel {number.group(1)}: {first.group(1)}" if number and first else self.titel

    @property
    def logboek_hier(self) -> bool:
        """Where the logbook may be added: in the portfolio only under its first part (about the
        action-learning set), in other assignments under every reflection."""
        return not self.id.startswith("portfolio-") or self.id == "portfolio-1"

    @property
    def aantal_woorden(self) -> int:
        return len(self.antwoord.split()) if self.answered else 0


@dataclass
class Form:
    path: Path
    titel: str
    intro: str
    questions: list[Question]

    def missing(self) -> list[str]:
        """Dutch sentences for the questions that have no answer yet."""
        out = []
        for q in self.questions:
            if not q.answered:
                out.append(f"{q.kop}: kies nog een antwoord." if q.vorm == "keuze"
                           else f"{q.kop}: je hebt hier nog niets geschreven.")
        return out


def _choice_in(source: str) -> str:
    line = source.strip().splitlines()[0] if source.strip() else ""
    if not ANSWER_LINE.match(line):
        return ""
    try:
        value = ast.literal_eval(line.split("=", 1)[1].strip())
    except (ValueError, SyntaxError):
        return ""
    return str(value).strip().upper() if isinstance(value, str) else ""


def read_form(path: Path) -> Form:
    try:
        nb = nbformat.read(str(path), as_version=4)
    except (OSError, ValueError) as err:
        raise FormError("Deze opdracht kan niet worden geopend: het bestand is beschadigd of weg. "
                        "Haal de opdracht opnieuw op, of vraag je docent om hulp.") from err
    questions, titel, intro = [], path.stem, ""
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("leerplein", {})
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id == "intro" and cell.cell_type == "markdown":
            head, _, body = cell.source.partition("\n")
            titel, intro = head.lstrip("# ").strip(), body.strip()
        elif meta.get("vorm") == "tekst" and cell.cell_type == "markdown":
            text = cell.source.strip()
            questions.append(Question(grade_id, "tekst", str(meta.get("titel", grade_id)), str(meta.get("vraag", "")), i,
                                      "" if text in UNANSWERED else cell.source))
        elif meta.get("vorm") == "keuze" and cell.cell_type == "code":
            opties = {str(k): str(v) for k, v in dict(meta.get("opties", {})).items()}
            questions.append(Question(str(meta.get("vraag_id", "")), "keuze", str(meta.get("titel", "")),
                                      str(meta.get("vraag", "")), i, _choice_in(cell.source), opties))
    if not questions:
        raise FormError("Deze opdracht heeft geen vragen die hier als formulier kunnen worden getoond. "
                        "Vraag je docent om de opdracht opnieuw klaar te zetten.")
    return Form(path, titel, intro, questions)


def save_answers(path: Path, answers: dict[str, str]) -> Form:
    """Write the given answers (question id -> text or letter) into the notebook. Checks all
    of them first: one wrong value changes nothing at all."""
    form = read_form(path)
    by_id = {q.id: q for q in form.questions}
    unknown = [k for k in answers if k not in by_id]
    if unknown:
        raise FormError("Het formulier past niet bij deze opdracht (misschien is die intussen opnieuw "
                        "opgehaald). Laad de pagina opnieuw; je antwoorden zijn niet bewaard.")
    for qid, value in answers.items():
        q = by_id[qid]
        if q.vorm == "keuze":
            value = value.strip().upper()
            if value and value not in q.opties:
                raise FormError(f"{q.titel}: '{value[:20]}' is geen van de keuzes. Kies {', '.join(q.opties)}.")
        elif len(value) > MAX_REFLECTION_CHARS:
            raise FormError(f"{q.titel}: je tekst is te lang ({len(value):,} tekens; het maximum is "
                            f"{MAX_REFLECTION_CHARS:,}). Maak hem korter en bewaar opnieuw.".replace(",", "."))
    nb = nbformat.read(str(path), as_version=4)
    for qid, value in answers.items():
        q, cell = by_id[qid], nb.cells[by_id[qid].cell]
        if q.vorm == "keuze":
            match = ANSWER_LINE.match(cell.source.strip().splitlines()[0] if cell.source.strip() else "")
            name = match.group(1) if match else f"antwoord_{q.titel.rsplit(' ', 1)[-1]}"
            cell.source = f"{name} = {value.strip().upper()!r}".replace("'", '"')
            q.antwoord = value.strip().upper()
        else:
            text = value.replace("\r\n", "\n").strip()
            cell.source = text if text else ANSWER_PLACEHOLDER
            q.antwoord = text
    write_atomic(path, nbformat.writes(nb) + "\n")
    return form
