"""The Actieleerlogboek (module 5): one practice problem followed through six meetings, after
Revans (L = P + Q) with Marquardt's R for reflection. Plain data, checked the same way whether
it comes from the browser, a file a participant imports, or the student view."""

from __future__ import annotations

WEEKS = 6
MAX_FIELD_CHARS = 4000
WEEK_FIELDS = {
    "vragen": "Vragen (Q): welke vragen stelden jij en de anderen?",
    "acties": "Acties: wat ga je doen, of wat heb je gedaan?",
    "waarnemingen": "Wat zag je gebeuren?",
}
TOP_FIELDS = {
    "vraagstuk": "Mijn vraagstuk uit de praktijk",
    "kennis": "Wat ik al weet (P)",
    "reflectie": "Reflectie (R): wat heb ik geleerd, en wat neem ik mee?",
}


class LogbookError(ValueError):
    """The text is Dutch and tells the participant what to do."""


def empty() -> dict:
    return {"versie": 1, **{k: "" for k in TOP_FIELDS},
            "weken": [{k: "" for k in WEEK_FIELDS} for _ in range(WEEKS)]}


def _text(value, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LogbookError(f"{where}: hier hoort tekst te staan. Is dit wel een actieleerlogboek?")
    value = value.replace("\r\n", "\n").replace("\x00", "")
    if len(value) > MAX_FIELD_CHARS:
        raise LogbookError(f"{where}: de tekst is te lang ({len(value)} tekens; het maximum is "
                           f"{MAX_FIELD_CHARS}). Maak hem korter.")
    return value


def normalise(data) -> dict:
    """A clean logbook from untrusted input (unknown keys dropped), or LogbookError."""
    if not isinstance(data, dict):
        raise LogbookError("Dit bestand is geen actieleerlogboek. Kies het bestand dat je eerder hebt bewaard.")
    out = empty()
    for key, label in TOP_FIELDS.items():
        out[key] = _text(data.get(key), label)
    weeks = data.get("weken") or []
    if not isinstance(weeks, list) or len(weeks) > WEEKS:
        raise LogbookError(f"Een actieleerlogboek heeft {WEEKS} weken. Is dit wel een actieleerlogboek?")
    for i, week in enumerate(weeks):
        if not isinstance(week, dict):
            raise LogbookError(f"Week {i + 1} is beschadigd. Is dit wel een actieleerlogboek?")
        for key, label in WEEK_FIELDS.items():
            out["weken"][i][key] = _text(week.get(key), f"Week {i + 1}, {label.split(':')[0].lower()}")
    return out


def is_empty(data: dict) -> bool:
    return not any(data.get(k, "").strip() for k in TOP_FIELDS) and not any(
        v.strip() for week in data.get("weken", []) for v in week.values())


def to_markdown(data: dict) -> str:
    """The logbook as text for the final assignment."""
    data = normalise(data)
    parts = ["Uit mijn actieleerlogboek", ""]
    for key, label in TOP_FIELDS.items():
        if key != "reflectie" and data[key].strip():
            parts += [f"{label}:", data[key].strip(), ""]
    for i, week in enumerate(data["weken"], 1):
        filled = [(WEEK_FIELDS[k].split(":")[0], v.strip()) for k, v in week.items() if v.strip()]
        if filled:
            parts.append(f"Week {i}")
            parts += [f"- {label}: {text}" for label, text in filled]
            parts.append("")
    if data["reflectie"].strip():
        parts += [f"{TOP_FIELDS['reflectie']}:", data["reflectie"].strip()]
    return "\n".join(parts).strip()


def home_file(home=None):
    from pathlib import Path

    return Path(home or Path.home()) / "Leerplein" / "actieleerlogboek.json"


def load(home=None) -> dict:
    import json

    path = home_file(home)
    if path.is_symlink() or not path.is_file():
        return empty()
    try:
        return normalise(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, LogbookError):
        return empty()


def save(data, home=None):
    """Check, then write atomically in the participant's own Leerplein folder (0700)."""
    import json

    from leerplein.course.course import write_atomic

    clean = normalise(data)
    path = home_file(home)
    if path.parent.is_symlink():
        raise LogbookError("De map Leerplein is vervangen door een snelkoppeling. Haal die weg en probeer het opnieuw.")
    path.parent.mkdir(mode=0o700, exist_ok=True)
    write_atomic(path, json.dumps(clean, ensure_ascii=False, indent=1))
    return path
