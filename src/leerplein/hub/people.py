"""Who is who on the hub: `people.json` in the state folder (root only, 0600), username ->
{rol, cursus, cursussen, naam[, studentnummer]}. `hub start` writes it from the roster, a roster
change on a running hub rewrites it (roster_sync.py); the grading service reads it on every request."""

from __future__ import annotations

import json
import os
from pathlib import Path

from leerplein.course.course import read_json, write_atomic

PEOPLE_FILE = "people.json"


def people_path(state: Path) -> Path:
    return state / PEOPLE_FILE


def write_people(state: Path, people: dict) -> None:
    path = people_path(state)
    if path.is_symlink():
        path.unlink()
    old = os.umask(0o077)
    try:
        write_atomic(path, json.dumps(people, ensure_ascii=False))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)


def read_people(state: Path) -> dict:
    return read_json(people_path(state), {})
