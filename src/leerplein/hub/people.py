"""Who is who on the hub: `people.json` in the state folder (root only, 0600), username ->
{rol, cursus, cursussen, naam[, studentnummer]}. `hub start` writes it from the roster, a roster
change on a running hub rewrites it (roster_sync.py); the grading service reads it on every request."""

from __future__ import annotations

from pathlib import Path

from leerplein.course.cohorts import write_people_file
from leerplein.course.course import read_json

PEOPLE_FILE = "people.json"


def people_path(state: Path) -> Path:
    return state / PEOPLE_FILE


def write_people(state: Path, people: dict) -> None:
    write_people_file(people_path(state), people)


def read_people(state: Path) -> dict:
    return read_json(people_path(state), {})
