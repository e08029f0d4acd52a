"""A corrected assignment during the course (`leerplein hub update`, or a release again in the
teacher's workspace): what happens to a student's draft.

Her draft is never replaced behind her back. The student view compares her fetched notebook
with the version in the exchange; when the teacher's part (questions, texts, the order of cells)
differs, she sees a notice and chooses "Nieuwe versie gebruiken". Then her answers move into the
new version by the question's nbgrader id (`grade_id`); the old notebook is kept whole in
`~/Leerplein/vorige-versies/`, and questions that no longer exist are named to her. What she
handed in is not touched (it is in the exchange, the teacher's copy)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from leerplein.course.course import COURSE_ID
from leerplein.student.form import FormError

KEPT = Path("Leerplein") / "vorige-versies"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def fingerprint(nb) -> str:
    """The teacher's part of a notebook: cell types, question ids and every text that is not an answer."""
    parts = []
    for cell in nb.get("cells", []):
        meta = _nbgrader(cell)
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        parts.append([cell.get("cell_type"), meta.get("grade_id", ""), "" if meta.get("solution") else source])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def released_notebook(assignment_id: str) -> Path | None:
    """The version students fetch now (the exchange's outbound copy, readable by students)."""
    root = os.environ.get("LEERPLEIN_EXCHANGE")
    if not root:
        return None
    path = Path(root) / COURSE_ID / "outbound" / assignment_id / f"{assignment_id}.ipynb"
    return path if path.is_file() else None


def _read(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def has_new_version(draft: Path, assignment_id: str) -> bool:
    released = released_notebook(assignment_id)
    if released is None or draft.is_symlink():
        return False
    mine, theirs = _read(draft), _read(released)
    return mine is not None and theirs is not None and fingerprint(mine) != fingerprint(theirs)


@dataclass
class Switched:
    kept_as: Path
    carried: int
    lost: list[str] = field(default_factory=list)  # her answers (shortened) to questions that are gone

    def messages(self) -> list[str]:
        out = [f"Je werkt nu in de nieuwe versie van deze opdracht. {self.carried} antwoord(en) zijn meegenomen. "
               f"Je vorige versie staat bewaard in je map {self.kept_as.parent.relative_to(self.kept_as.parents[2])}."]
        if self.lost:
            out.append("Niet alles kon mee: deze antwoorden horen bij vragen die niet meer in de nieuwe versie "
                       "staan. Ze staan nog in je vorige versie: " + "; ".join(f"'{a}'" for a in self.lost))
        return out


def switch_to_new_version(home: Path, draft: Path, assignment_id: str) -> Switched:
    """Keep the old notebook, then write the new version with her answers carried over by question id."""
    from leerplein.course.course import write_atomic

    released = released_notebook(assignment_id)
    if released is None or draft.is_symlink() or not draft.is_file():
        raise FormError("Er is geen nieuwe versie van deze opdracht. Ga terug naar Mijn opdrachten.")
    old = nbformat.read(str(draft), as_version=4)
    new = nbformat.read(str(released), as_version=4)
    answers = {}
    for cell in old.cells:
        meta = _nbgrader(cell)
        if meta.get("solution") and meta.get("grade_id"):
            answers[meta["grade_id"]] = cell
    carried, used = 0, set()
    for cell in new.cells:
        meta = _nbgrader(cell)
        if meta.get("solution") and meta.get("grade_id") in answers and cell.cell_type == answers[meta["grade_id"]].cell_type:
            cell.source = answers[meta["grade_id"]].source
            used.add(meta["grade_id"])
            carried += 1
    lost = [_short(cell.source) for gid, cell in answers.items() if gid not in used and cell.source.strip()]
    folder = home / KEPT
    if folder.is_symlink() or (home / "Leerplein").is_symlink():
        raise FormError("De map Leerplein is vervangen door een snelkoppeling. Haal die weg en probeer het opnieuw.")
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    kept = folder / f"{assignment_id}-{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
    shutil.copyfile(draft, kept, follow_symlinks=False)
    write_atomic(draft, nbformat.writes(new))
    return Switched(kept, carried, lost)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
