"""Observation forms (grading/observaties.yml): a skill the docent sees in a session, scored with
a small four-level rubric and stored per student as evidence
(course/.leerplein/observatie/<form>/<student>.json, written atomically)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from leerplein.course.prepare.assign import Criterion, Level
from leerplein.course.course import Course, read_json, write_json


class ObservationError(ValueError):
    pass


@dataclass(frozen=True)
class Form:
    id: str
    titel: str
    opdracht: str  # the module (exercise slug) whose leerdoel this form assesses
    leerdoel: int
    sessie: str
    wanneer: str
    criteria: tuple[Criterion, ...]

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria)


def load_forms(root: Path) -> dict[str, Form]:
    path = root / "grading" / "observaties.yml"
    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
    forms = {}
    for fid, body in data.items():
        try:
            leerdoel = int(body["leerdoel"])
            criteria = tuple(Criterion(c["id"], c["titel"], leerdoel,
                                       tuple(Level(lv["naam"], float(lv["punten"]), lv["beschrijving"])
                                             for lv in c["niveaus"]))
                             for c in body["criteria"])
            forms[fid] = Form(fid, body["titel"], body["opdracht"], leerdoel, str(body.get("sessie", "")),
                              str(body.get("wanneer", "")), criteria)
        except (KeyError, TypeError, ValueError) as err:
            raise ObservationError(f"{path}: form {fid}: missing or wrong field {err}") from err
    return forms


def observation_path(course: Course, form_id: str, student: str) -> Path:
    return course.state / "observatie" / form_id / f"{student}.json"


def load_observation(course: Course, form_id: str, student: str) -> dict | None:
    return read_json(observation_path(course, form_id, student), None) or None


def save_observation(course: Course, form: Form, student: str, chosen: dict[str, str], docent: str,
                     note: str = "") -> float:
    """Store the chosen level per criterion; nothing is stored unless every criterion has a level."""
    total = 0.0
    for c in form.criteria:
        points = {lv.naam: lv.punten for lv in c.niveaus}
        if chosen.get(c.id) not in points:
            raise ObservationError(f"Kies een niveau voor '{c.titel}'; er is niets opgeslagen.")
        total += points[chosen[c.id]]
    record = {"levels": {c.id: chosen[c.id] for c in form.criteria}, "points": total, "docent": docent,
              "notitie": note.strip()[:2000], "datum": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_json(observation_path(course, form.id, student), record)
    return total
