"""`leerplein course autograde`: check each submission and let nbgrader autograde it, in
parallel (one worker process per core), with student code executed in the sandbox.

One broken submission never stops the others: problems become a per-student status with a
clear message. Originals are kept before any repair. Re-running is safe: nbgrader's gradebook
holds one submission per student and assignment, and every status file is written atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import nbformat

from leerplein.course.course import Course, read_json, write_json
from leerplein.course.grading.execute import LIMITS_ENV, NOTEBOOK_TIMEOUT, RESULT_REFUSED, UNSAFE_ENV
from leerplein.course.grading.sandbox import SandboxLimits, SandboxUnavailable, sandbox_status

LIMIT_NAMES = {"Tijdslimiet": "tijdslimiet", "Geheugenlimiet": "geheugenlimiet", NOTEBOOK_TIMEOUT: "tijdslimiet"}
# Each grading worker's own address-space limit: it reads only capped files, so this is far
# above what it needs, but it stops the worker, not the machine, if anything slips through.
GRADER_MEMORY_MB = 3072


@dataclass
class Outcome:
    student: str
    status: str  # "nagekeken" or "fout"
    messages: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0


def status_path(course: Course, assignment: str, student: str) -> Path:
    return course.state / "status" / assignment / f"{student}.json"


def submissions(course: Course, assignment: str) -> list[str]:
    base = course.directory / "submitted"
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []


def expected_notebooks(course: Course, assignment: str) -> list[str]:
    return sorted(p.name for p in (course.directory / "source" / assignment).glob("*.ipynb"))


def keep_original(course: Course, assignment: str, student: str, path: Path) -> None:
    backup = course.state / "originals" / assignment / student / path.name
    if not backup.exists():
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, backup)


def repairs_path(course: Course, assignment: str, student: str) -> Path:
    return course.state / "repairs" / assignment / f"{student}.json"


def remember_repairs(course: Course, assignment: str, student: str, messages: list[str]) -> list[str]:
    """Repairs happen once (the file is fixed in place), but the teacher should keep seeing them
    on every later run: they are stored and merged into each run's messages."""
    path = repairs_path(course, assignment, student)
    known = read_json(path, []) or []
    merged = list(dict.fromkeys([*known, *messages]))
    if merged != known:
        write_json(path, merged)
    return merged


def precheck(course: Course, assignment: str, student: str) -> tuple[bool, list[str]]:
    """Repair what can be repaired (keeping the original), report what cannot.
    Returns (can be graded, messages)."""
    folder = course.directory / "submitted" / student / assignment
    messages, repairs, ok = [], [], True
    messages += drop_links(folder)
    expected = expected_notebooks(course, assignment)
    own = {"timestamp.txt", "submission_secret.txt"}  # nbgrader's own bookkeeping
    extra = sorted(p.name for p in folder.iterdir()
                   if p.name not in expected and p.name not in own and not p.name.startswith("."))
    if extra:
        messages.append(f"Extra bestanden in de inlevering zijn genegeerd: {', '.join(extra)}.")
    for name in expected:
        path = folder / name
        if path.is_symlink() or not path.is_file():  # collect never stages links; older folders may have them
            messages.append(f"Het notebook {name} ontbreekt in de inlevering; het krijgt 0 punten.")
            ok = False
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            keep_original(course, assignment, student, path)
            text = raw.decode("cp1252", errors="replace")
            path.write_text(text, encoding="utf-8")
            repairs.append(f"{name} was niet als UTF-8 opgeslagen; het is omgezet (het origineel is bewaard).")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            messages.append(f"{name} is beschadigd (geen geldige notebook-JSON: {err.msg}, regel {err.lineno}) en is "
                            "niet nagekeken. Vraag de student het notebook opnieuw in te leveren.")
            ok = False
            continue
        if data.get("nbformat", 0) < 4:
            keep_original(course, assignment, student, path)
            nb = nbformat.reads(text, as_version=4)
            nbformat.write(nb, str(path))
            repairs.append(f"{name} had een oud notebookformaat (v{data.get('nbformat')}); het is omgezet naar v4.")
        try:
            nb = nbformat.read(str(path), as_version=4)
            messages += compare_with_release(course, assignment, name, nb)
            if drop_duplicate_grade_ids(nb):
                keep_original(course, assignment, student, path)
                nbformat.write(nb, str(path))
                repairs.append(f"{name}: een nagekeken cel stond er meer dan één keer in; alleen de eerste telt "
                               "(het origineel is bewaard).")
        except Exception as err:  # noqa: BLE001 - an unreadable notebook is reported, not fatal to the cohort
            messages.append(f"{name} kon niet worden gelezen ({type(err).__name__}) en is niet nagekeken.")
            ok = False
    from leerplein.course.intake.messages import intake_path

    collected = read_json(intake_path(course, assignment, student), []) or []
    return ok, collected + remember_repairs(course, assignment, student, repairs) + messages


def drop_links(folder: Path) -> list[str]:
    """`collect` never stages links or special files; a folder collected by an older version or
    by hand may hold them. They are removed (never followed: nbgrader's copy would follow them)."""
    messages = []
    for root, dirs, files in os.walk(folder):  # does not descend into linked folders
        for name in dirs + files:
            path = Path(root) / name
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                path.unlink()
                messages.append(f"'{path.relative_to(folder)}' was een link of een speciaal bestand en is verwijderd.")
    return messages


def drop_duplicate_grade_ids(nb) -> bool:
    """Later copies of a graded cell lose their nbgrader metadata (their text stays), so only
    the first one is graded; nbgrader would otherwise refuse the whole notebook."""
    seen, changed = set(), False
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in seen:
            del cell.metadata["nbgrader"]
            changed = True
        elif gid:
            seen.add(gid)
    return changed


def released_notebook(path: Path):
    """The released notebook, read once per worker for a whole cohort (a new release is a new file)."""
    st = path.stat()
    return _read_release(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _read_release(path: str, mtime_ns: int, size: int):
    return nbformat.read(path, as_version=4)


def compare_with_release(course: Course, assignment: str, name: str, submitted) -> list[str]:
    """Graded cells that were deleted, duplicated or (when locked) edited. nbgrader repairs
    these (it restores locked cells and re-adds missing ones); the teacher should know."""
    release = released_notebook(course.directory / "release" / assignment / name)
    def grade_cells(nb):
        cells = {}
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                cells.setdefault(gid, []).append(cell)
        return cells
    released, handed_in = grade_cells(release), grade_cells(submitted)
    messages = []
    for gid, cells in released.items():
        meta = cells[0].metadata["nbgrader"]
        if gid not in handed_in:
            if meta.get("grade") or meta.get("solution"):
                messages.append(f"{name}: de cel '{gid}' was verwijderd; nbgrader zet hem terug en hij krijgt 0 punten.")
        elif len(handed_in[gid]) > 1:
            messages.append(f"{name}: de cel '{gid}' stond er {len(handed_in[gid])} keer in; alleen de eerste telt.")
        elif meta.get("locked") and handed_in[gid][0].source.strip() != cells[0].source.strip():
            messages.append(f"{name}: de vaste cel '{gid}' was aangepast; de originele cel is teruggezet.")
    return messages


def _grade_one(directory: str, exchange: str, root: str, assignment: str, student: str) -> dict:
    """Runs in a worker process: check and repair the submission, nbgrader's own autograde for one
    student (sandboxed Execute), what the sandbox stopped, and the score. The parent only writes
    the status, so a cohort of 1,000 is not held up by one process doing everyone's bookkeeping."""
    course = Course(Path(root), Path(directory), Path(exchange))
    started = time.perf_counter()
    ok, messages = precheck(course, assignment, student)
    status = "nagekeken" if ok else "fout"
    if ok:
        api = course.api()
        for attempt in range(3):
            result = api.autograde(assignment, student, force=True, create=True)
            if result["success"] or "database is locked" not in (result.get("log") or ""):
                break
            time.sleep(0.5 * (attempt + 1))
        if result["success"]:
            messages += inspect_graded(course, assignment, student)
        else:
            status = "fout"
            detail = ((result.get("error") or result.get("log") or "").strip().splitlines())[-3:]
            messages.append("nbgrader kon deze inlevering niet nakijken: " + " ".join(detail)[-400:])
    score, max_score = scores(course, assignment, student)
    return {"status": status, "messages": messages, "score": score, "max_score": max_score,
            "seconds": time.perf_counter() - started}


def limit_own_memory(megabytes: int = GRADER_MEMORY_MB) -> None:
    """Soft limit only: the sandboxed runner it starts sets its own, lower, hard limit."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = megabytes * 2**20 if hard == resource.RLIM_INFINITY else min(hard, megabytes * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _init_worker(limits: dict, unsafe: bool) -> None:
    limit_own_memory()
    os.environ[LIMITS_ENV] = json.dumps(limits)
    if unsafe:
        os.environ[UNSAFE_ENV] = "1"


def inspect_graded(course: Course, assignment: str, student: str) -> list[str]:
    """Messages about what the sandbox stopped, read from the graded notebooks."""
    messages = []
    folder = course.directory / "autograded" / student / assignment
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for index, cell in enumerate(nb.cells, start=1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") == RESULT_REFUSED:
                    messages.append(f"{path.name}: {output.get('evalue', '')}")
                elif output.get("output_type") == "error" and output.get("ename") in LIMIT_NAMES:
                    messages.append(f"{path.name}, cel {index}: gestopt door de {LIMIT_NAMES[output['ename']]}. "
                                    f"{output.get('evalue', '')}")
                elif output.get("output_type") == "error" and output.get("ename") == "Hint" \
                        and "niet als één letter" in str(output.get("evalue", "")):
                    messages.append(f"{path.name}, cel {index}: het antwoord is geen letter tussen aanhalingstekens "
                                    "(maar bijvoorbeeld code) en telt niet mee.")
                elif "Uitvoer ingekort" in str(output.get("text", "")):
                    messages.append(f"{path.name}, cel {index}: de uitvoer was te groot en is ingekort.")
    return list(dict.fromkeys(messages))


def scores(course: Course, assignment: str, student: str) -> tuple[float | None, float | None]:
    from nbgrader.api import Gradebook, MissingEntry

    from leerplein.course import nbgrader_fixes

    nbgrader_fixes.apply()

    with Gradebook(course.gradebook_url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None, None
        return sub.score, sub.max_score


def autograde(course: Course, assignment: str, students: list[str] | None = None, workers: int | None = None,
              limits: SandboxLimits = SandboxLimits(), unsafe: bool = False,
              progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    course.require()
    if not unsafe:
        problem = sandbox_status()
        if problem:
            raise SandboxUnavailable(problem)
    chosen = students or submissions(course, assignment)
    outcomes: dict[str, Outcome] = {}
    workers = max(1, min(workers or os.cpu_count() or 1, len(chosen) or 1))
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(asdict(limits), unsafe)) as pool:
        futures = {pool.submit(_grade_one, str(course.directory), str(course.exchange), str(course.root),
                               assignment, s): s for s in chosen}
        for future in as_completed(futures):
            student = futures[future]
            try:
                outcome = Outcome(student, **future.result())
            except Exception as err:  # noqa: BLE001 - a crashed worker must not stop the cohort
                score, max_score = scores(course, assignment, student)
                outcome = Outcome(student, "fout", [f"nbgrader kon deze inlevering niet nakijken: {err!r}"[:500]],
                                  score, max_score)
            outcomes[student] = outcome
            write_json(status_path(course, assignment, student), {**asdict(outcome), "assignment": assignment})
            if progress:
                progress(outcome)
    return [outcomes[s] for s in chosen]


def load_statuses(course: Course, assignment: str) -> dict[str, dict]:
    folder = course.state / "status" / assignment
    return {p.stem: read_json(p) for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}
