"""The zelfscan's choices (role and answers), kept in the participant's own Leerplein folder on
the hub so that they come back on any device; in the book they stay in the browser only."""

from __future__ import annotations

import json
from pathlib import Path

MAX_ANSWERS = 40


class ZelfscanError(ValueError):
    """Dutch text: what is wrong with what was sent."""


def home_file(home: Path) -> Path:
    return Path(home) / "Leerplein" / "zelfscan.json"


def normalise(data) -> dict:
    if not isinstance(data, dict):
        raise ZelfscanError("Dit zijn geen keuzes van de zelfscan.")
    rol = data.get("rol", "")
    answers = data.get("antwoorden", {})
    if not isinstance(rol, str) or len(rol) > 40 or not isinstance(answers, dict) or len(answers) > MAX_ANSWERS:
        raise ZelfscanError("Dit zijn geen keuzes van de zelfscan.")
    clean = {}
    for key, value in answers.items():
        if not isinstance(key, str) or len(key) > 40 or isinstance(value, bool) or value not in range(1, 11):
            raise ZelfscanError("Dit zijn geen keuzes van de zelfscan.")
        clean[key] = value
    return {"rol": rol, "antwoorden": clean}


def load(home: Path) -> dict:
    path = home_file(home)
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        return normalise(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError):
        return {}


def save(data, home: Path) -> Path:
    from leerplein.course.course import write_atomic

    clean = normalise(data)
    path = home_file(home)
    if path.parent.is_symlink():
        raise ZelfscanError("De map Leerplein is vervangen door een snelkoppeling. Haal die weg en probeer het opnieuw.")
    path.parent.mkdir(mode=0o700, exist_ok=True)
    write_atomic(path, json.dumps(clean, ensure_ascii=False))
    return path
