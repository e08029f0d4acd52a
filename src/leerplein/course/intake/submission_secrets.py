"""Which secret names a student's released feedback, decided on the course side at collect.

nbgrader's submit writes a random secret (128 hex digits) into the submission and into the
student's own cache; her fetch finds her feedback at feedback/<sha of secret + notebook>.html.
The copy in the submission is hers to delete or change, so it is checked once, at collect, and
the outcome is recorded in the course folder (.leerplein/secrets/). A secret that is missing,
malformed, or the same as another student's is replaced by one the course makes: her work is
still graded, but her feedback is not released (nobody could fetch it, and it can never land
where another student looks), and she and the teacher are told why."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from pathlib import Path

from leerplein.course.course import Course, read_json, write_json
from leerplein.course.safe_paths import UnsafePath, inside, read_regular

SECRET_FILE = "submission_secret.txt"
FORM = re.compile(r"[0-9a-f]{128}")
NO_SECRET = ("Je inlevering had geen geldige {file} (het bestand ontbrak of was veranderd). Je werk is "
             "opgehaald en wordt nagekeken, maar je feedback kan niet vanzelf bij je komen. Lever opnieuw in via "
             "Mijn opdrachten, of vraag je docent om je feedback.").format(file=SECRET_FILE)


def secret_path(course: Course, assignment: str, student: str) -> Path:
    return inside(course.state, "secrets", assignment, f"{student}.json")


def _read_secret(folder: Path) -> str | None:
    try:
        text = read_regular(folder / SECRET_FILE, max_bytes=1024).decode("ascii")
    except (OSError, UnsafePath, UnicodeDecodeError):
        return None
    return text if FORM.fullmatch(text) else None


def settle_secrets(course: Course, assignment: str, folders: dict[str, Path]) -> dict[str, list[str]]:
    """For each staged submission folder (student -> folder): keep her secret if it is well
    formed and unique, else make one; write the outcome into the folder (so submitted/ holds the
    course's copy) and into the course's record. Returns Dutch messages per student."""
    found = {student: _read_secret(folder) for student, folder in folders.items()}
    others = {}
    base = course.state / "secrets" / assignment
    for path in base.glob("*.json") if base.is_dir() else []:
        if path.stem not in folders:
            others[path.stem] = (read_json(path, {}) or {}).get("secret")
    counts = Counter([s for s in found.values() if s] + [s for s in others.values() if s])
    messages: dict[str, list[str]] = {}
    for student, folder in folders.items():
        secret = found[student]
        own = secret is not None and counts[secret] == 1
        if not own:
            secret = secrets.token_hex(64)
            messages[student] = [NO_SECRET]
        (folder / SECRET_FILE).unlink(missing_ok=True)
        (folder / SECRET_FILE).write_text(secret, encoding="ascii")
        try:
            write_json(secret_path(course, assignment, student), {"secret": secret, "eigen": own})
        except UnsafePath:  # a name no student can have: graded, never released
            messages[student] = [NO_SECRET]
    return messages


def release_secret(course: Course, assignment: str, student: str) -> str | None:
    """The secret to release her feedback under, or None when she could not fetch it (made by
    the course, or her submission never went through collect)."""
    try:
        record = read_json(secret_path(course, assignment, student), {}) or {}
    except UnsafePath:
        return None
    secret = record.get("secret")
    return secret if record.get("eigen") and isinstance(secret, str) and FORM.fullmatch(secret) else None
