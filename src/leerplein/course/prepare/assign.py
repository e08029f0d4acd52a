"""From the single source (exercises/NN-slug/opdracht.yml + grading/rubrics/NN-slug.yml) to
nbgrader's source notebook. Reflection points follow from the rubric, so nothing is written
twice by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# The four rubric levels; "voldoende" means the leerdoel is met.
LEVELS = ("nog niet", "bijna", "voldoende", "goed")
PASS_LEVEL = "voldoende"

ANSWER_PLACEHOLDER = "Typ hier je antwoord."


class ExerciseError(ValueError):
    pass


@dataclass(frozen=True)
class Level:
    naam: str
    punten: float
    beschrijving: str


@dataclass(frozen=True)
class Criterion:
    id: str
    titel: str
    leerdoel: int
    niveaus: tuple[Level, ...]

    @property
    def max_points(self) -> float:
        return max(level.punten for level in self.niveaus)


def load_rubric(path: Path) -> dict[str, list[Criterion]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rubric = {}
    for question, body in data.items():
        try:
            rubric[question] = [Criterion(c["id"], c["titel"], int(c["leerdoel"]),
                                          tuple(Level(lv["naam"], float(lv["punten"]), lv["beschrijving"])
                                                for lv in c["niveaus"]))
                                for c in body["criteria"]]
        except (KeyError, TypeError) as err:
            raise ExerciseError(f"{path}: question {question}: missing field {err}") from err
    return rubric


@dataclass
class Exercise:
    slug: str
    source: Path
    data: dict
    rubric: dict[str, list[Criterion]]

    @property
    def reflections(self) -> list[dict]:
        return [q for q in self.data["vragen"] if q["soort"] == "reflectie"]

    @property
    def checks(self) -> list[dict]:
        return [q for q in self.data["vragen"] if q["soort"] == "kennischeck"]

    def points(self, question_id: str) -> float:
        for q in self.data["vragen"]:
            if q["id"] == question_id:
                if q["soort"] == "reflectie":
                    return sum(c.max_points for c in self.rubric[question_id])
                return float(q.get("punten", 1))
        raise KeyError(question_id)


def load_exercise(root: Path, slug: str) -> Exercise:
    source = root / "exercises" / slug / "opdracht.yml"
    if not source.is_file():
        raise ExerciseError(f"{source} does not exist")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    rubric_path = root / "grading" / "rubrics" / f"{slug}.yml"
    rubric = load_rubric(rubric_path) if rubric_path.is_file() else {}
    exercise = Exercise(slug, source, data, rubric)
    for q in exercise.reflections:
        if q["id"] not in rubric:
            raise ExerciseError(f"{source}: reflection {q['id']} has no rubric in {rubric_path}")
    for q in exercise.checks:
        if q["antwoord"] not in q["opties"]:
            raise ExerciseError(f"{source}: {q['id']}: answer {q['antwoord']} is not one of the options")
        if not str(q.get("uitleg", "")).strip():
            raise ExerciseError(f"{source}: {q['id']}: add `uitleg:`, one sentence on why {q['antwoord']} is right "
                                f"(students read it in their feedback)")
    return exercise


def exercise_slugs(root: Path) -> list[str]:
    folder = root / "exercises"
    return sorted(p.parent.name for p in folder.glob("*/opdracht.yml")) if folder.is_dir() else []


def title(question_id: str) -> str:
    return question_id.replace("-", " ").capitalize()


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None, task=False) -> dict:
    meta = {"grade_id": grade_id, "schema_version": 3, "solution": solution, "grade": grade, "locked": locked,
            "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def build_notebook(exercise: Exercise) -> nbformat.NotebookNode:
    """nbgrader source notebook: locked question text, a manually graded answer cell per
    reflection, and for each kennischeck an answer cell plus an autograded test cell."""
    d = exercise.data
    cells = [new_markdown_cell(f"# {d['titel']}\n\n{d['intro'].strip()}",
                               metadata=_meta("intro", locked=True))]
    check_no = 0
    for q in d["vragen"]:
        qid = q["id"]
        if q["soort"] == "reflectie":
            cells.append(new_markdown_cell(f"## {title(qid)}\n\n{q['vraag'].strip()}",
                                           metadata=_meta(f"{qid}-vraag", locked=True)))
            meta = _meta(qid, solution=True, grade=True, points=exercise.points(qid))
            meta["leerplein"] = {"vorm": "tekst", "titel": title(qid), "vraag": q["vraag"].strip()}
            cells.append(new_markdown_cell(ANSWER_PLACEHOLDER, metadata=meta))
        else:
            check_no += 1
            letters = "".join(q["opties"])
            options = "\n".join(f"- **{k}**: {v}" for k, v in q["opties"].items())
            cells.append(new_markdown_cell(
                f"## Kennischeck {check_no}\n\n{q['vraag']}\n\n{options}\n\n"
                f"Typ in het grijze vak hieronder de letter van je antwoord tussen de aanhalingstekens, "
                f"bijvoorbeeld `antwoord_{check_no} = \"{letters[0]}\"`. Druk dan op Shift+Enter.",
                metadata=_meta(f"{qid}-vraag", locked=True)))
            # The student view (leerplein.student) shows this cell as a choice between the options
            # and writes the letter here, so the notebook stays what nbgrader grades.
            cells.append(new_code_cell(f'antwoord_{check_no} = ""', metadata={
                "leerplein": {"vorm": "keuze", "vraag_id": qid, "titel": f"Kennischeck {check_no}",
                              "vraag": q["vraag"], "opties": {str(k): str(v) for k, v in q["opties"].items()}}}))
            cells.append(new_code_cell(
                "from leerplein.course.answers import kies\n"
                f'kies(antwoord_{check_no}, "{letters}")\n'
                "### BEGIN HIDDEN TESTS\n"
                f'kies(antwoord_{check_no}, "{letters}", goed="{q["antwoord"]}")\n'
                "### END HIDDEN TESTS",
                metadata={**_meta(f"{qid}", grade=True, locked=True, points=exercise.points(qid)),
                          "jupyter": {"source_hidden": True}}))
    nb = new_notebook(cells=cells)
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                        "language_info": {"name": "python"}})
    return nb


def write_source(root: Path, course_dir: Path, slug: str) -> Path:
    """Write (or refresh) source/<slug>/<slug>.ipynb from the single source."""
    nb = build_notebook(load_exercise(root, slug))
    target = course_dir / "source" / slug / f"{slug}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


def notebook_answers(nb) -> dict[str, str]:
    """What a student wrote, by grade_id: reflection cells as they are, and for a kennischeck
    the letter it was graded on (`literal_checks`: the plain assignment above its test cell),
    quoted as typed (`"B"`); the text after `=` when that is not a plain literal."""
    import json

    from leerplein.course.grading.literal_checks import NotALiteral, answer_literal, check_of

    found, cells, code_above = {}, nb.cells, []
    for i, cell in enumerate(cells):
        meta = cell.metadata.get("nbgrader", {})
        check = check_of(cell.source) if meta.get("grade_id") and cell.cell_type == "code" else None
        if meta.get("solution"):
            found[meta["grade_id"]] = cell.source
        elif check:
            try:
                value = answer_literal(code_above, check.variable)
                found[meta["grade_id"]] = "" if value is None else json.dumps(value, ensure_ascii=False) \
                    if isinstance(value, str) else str(value)
            except NotALiteral:
                prev = cells[i - 1].source if i > 0 and cells[i - 1].cell_type == "code" else ""
                found[meta["grade_id"]] = prev.split("=", 1)[-1].strip() if "=" in prev else ""
        elif meta.get("grade") and cell.cell_type == "code" and i > 0:
            prev = cells[i - 1].source if cells[i - 1].cell_type == "code" else ""
            found[meta["grade_id"]] = prev.split("=", 1)[-1].strip() if "=" in prev else ""
        if cell.cell_type == "code" and not check:
            code_above.append(cell.source)
    return found
