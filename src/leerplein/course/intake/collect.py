"""`leerplein course collect` without ever following a path a student controls.

Students own their submission folders in the exchange's inbound/, so anything in them can be a
trap for the (root) grader: a symbolic link to another student's notebook or to /etc/shadow, a
hard link, a fifo that blocks a reader, a device, a tree of a million files. Each submission is
copied here into a staging folder inside the course directory (mode 0700), walking with file
descriptors: every entry is opened with O_NOFOLLOW relative to its already-opened parent, and
checked on the opened file itself, so swapping an entry between check and copy gains nothing.
Only regular files with one link, owned by the student, within the size budget, are copied;
everything else is skipped and reported in Dutch. nbgrader's own collect then runs over the
staged copy, never over the exchange.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.course.course import COURSE_ID, Course, write_json
from leerplein.course.grading import resubmission
from leerplein.course.intake.messages import intake_path
from leerplein.course.intake.submission_secrets import settle_secrets
from leerplein.identity import expected_uid, uid_name

OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


@dataclass(frozen=True)
class IntakeLimits:
    max_files: int = 200
    max_bytes: int = 50 * 2**20
    max_depth: int = 8


class TooLarge(Exception):
    pass


@dataclass
class _Budget:
    limits: IntakeLimits
    files: int = 0
    bytes: int = 0


@dataclass
class IntakeResult:
    staged: list[str] = field(default_factory=list)  # students whose submission was staged
    folders: dict[str, str] = field(default_factory=dict)  # student -> the staged entry's name
    rejected: list[str] = field(default_factory=list)  # lines for the teacher
    messages: dict[str, list[str]] = field(default_factory=dict)  # per student, Dutch
    not_released: list[str] = field(default_factory=list)  # handed in, but not released to her cohort


def _entry_stat(name: str, dir_fd: int) -> os.stat_result:
    return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)


def _copy_file(name: str, parent_fd: int, dest: Path, before: os.stat_result, budget: _Budget) -> None:
    fd = os.open(name, OPEN_FILE, dir_fd=parent_fd)
    try:
        st = os.fstat(fd)
        if (st.st_ino, st.st_dev) != (before.st_ino, before.st_dev) or not stat.S_ISREG(st.st_mode) \
                or st.st_nlink != 1:
            raise ValueError("changed while being read")
        room = budget.limits.max_bytes - budget.bytes
        with open(dest, "wb") as out:
            while True:
                chunk = os.read(fd, min(1 << 20, room + 1))
                if not chunk:
                    break
                room -= len(chunk)
                if room < 0:
                    raise TooLarge
                out.write(chunk)
        budget.bytes = budget.limits.max_bytes - room
    finally:
        os.close(fd)
    os.chmod(dest, 0o644)


def _copy_tree(dir_fd: int, dest: Path, owner: int, budget: _Budget, problems: list[str], rel: str,
               depth: int) -> None:
    dest.mkdir(mode=0o755)
    for name in sorted(os.listdir(dir_fd)):
        path = f"{rel}{name}"
        st = _entry_stat(name, dir_fd)
        if stat.S_ISLNK(st.st_mode):
            problems.append(f"'{path}' is een snelkoppeling (link) naar een ander bestand; die is niet opgehaald.")
        elif st.st_uid != owner:
            problems.append(f"'{path}' is van een andere gebruiker ({uid_name(st.st_uid)}); het is niet opgehaald.")
        elif stat.S_ISDIR(st.st_mode):
            if depth >= budget.limits.max_depth:
                raise TooLarge
            sub = os.open(name, OPEN_DIR, dir_fd=dir_fd)
            try:
                if os.fstat(sub).st_ino != st.st_ino:
                    problems.append(f"'{path}' veranderde tijdens het ophalen; het is niet opgehaald.")
                    continue
                _copy_tree(sub, dest / name, owner, budget, problems, f"{path}/", depth + 1)
            finally:
                os.close(sub)
        elif stat.S_ISREG(st.st_mode):
            if st.st_nlink != 1:
                problems.append(f"'{path}' is een harde link naar een ander bestand; het is niet opgehaald.")
                continue
            budget.files += 1
            if budget.files > budget.limits.max_files or st.st_size > budget.limits.max_bytes - budget.bytes:
                raise TooLarge
            try:
                _copy_file(name, dir_fd, dest / name, st, budget)
            except (ValueError, OSError):
                (dest / name).unlink(missing_ok=True)
                problems.append(f"'{path}' veranderde tijdens het ophalen of kon niet gelezen worden; "
                                "het is niet opgehaald.")
        else:
            problems.append(f"'{path}' is geen gewoon bestand (maar een apparaat, pipe of socket); "
                            "het is niet opgehaald.")


def _parse(name: str, assignment: str):
    from nbgrader.utils import parse_utc

    parts = name.rsplit("+", 3)
    if len(parts) != 4 or parts[1] != assignment:
        return None
    try:
        return parts[0], parse_utc(parts[2])
    except Exception:  # noqa: BLE001 - any unparsable timestamp: not a submission nbgrader made
        return parts[0], None


def stage_submissions(course: Course, assignment: str, staging: Path,
                      limits: IntakeLimits = IntakeLimits()) -> IntakeResult:
    """Copy each student's latest genuine submission of `assignment` from the exchange into
    staging/<course>/inbound/, safely. Impersonations are moved to the exchange's quarantine."""
    result = IntakeResult()
    messages: dict[str, list[str]] = defaultdict(list)
    inbound = course.exchange / COURSE_ID / "inbound"
    target = staging / COURSE_ID / "inbound"
    target.mkdir(parents=True)
    trusted = os.geteuid()
    allowed = _released_for(course, assignment)
    in_fd = os.open(inbound, OPEN_DIR)
    try:
        candidates: dict[str, list] = defaultdict(list)
        for name in os.listdir(in_fd):
            parsed = _parse(name, assignment)
            if parsed is None:
                continue
            student, when = parsed
            st = _entry_stat(name, in_fd)
            claimed = expected_uid(student)
            if st.st_uid not in (claimed, trusted):
                _quarantine_entry(course, in_fd, name)
                owner = uid_name(st.st_uid)
                result.rejected.append(f"{name}: claims to be from {student} but was submitted by {owner}")
                if expected_uid(owner) == st.st_uid:
                    messages[owner].append(f"Een inlevering onder de naam van {student} is geweigerd: je kunt "
                                           "alleen je eigen werk inleveren.")
                continue
            if when is None:
                messages[student].append(f"De inlevering '{name}' heeft geen geldige tijd in de naam en is "
                                         "overgeslagen. Lever opnieuw in via Opdrachten.")
                continue
            if not stat.S_ISDIR(st.st_mode):
                messages[student].append("Je inlevering is geen gewone map (maar een link of een bestand) en is "
                                         "niet opgehaald. Lever opnieuw in via Opdrachten.")
                continue
            candidates[student].append((when, name, st))
        for student, entries in sorted(candidates.items()):
            refusal = allowed(student)
            if refusal:  # left where it is: collected once the assignment is released to her cohort
                messages[student].append(refusal)
                result.not_released.append(student)
                continue
            when, name, st = max(entries, key=lambda e: e[0])
            problems: list[str] = []
            try:
                fd = os.open(name, OPEN_DIR, dir_fd=in_fd)
            except OSError:
                messages[student].append("Je inlevering kon niet worden geopend en is niet opgehaald. Lever opnieuw in.")
                continue
            try:
                if os.fstat(fd).st_ino != st.st_ino:
                    messages[student].append("Je inlevering veranderde tijdens het ophalen en is niet opgehaald. "
                                             "Lever opnieuw in via Opdrachten.")
                    continue
                _copy_tree(fd, target / name, st.st_uid, _Budget(limits), problems, "", 0)
            except (TooLarge, RecursionError):
                shutil.rmtree(target / name, ignore_errors=True)
                messages[student].append(
                    f"Je inlevering is te groot (meer dan {limits.max_files} bestanden, {limits.max_bytes // 2**20} MB "
                    f"of {limits.max_depth} mappen diep) en is niet opgehaald. Lever alleen het notebook in.")
                continue
            finally:
                os.close(fd)
            messages[student] += problems
            result.staged.append(student)
            result.folders[student] = name
    finally:
        os.close(in_fd)
    result.messages = dict(messages)
    return result


def _released_for(course: Course, assignment: str):
    """student -> None when the assignment is released to her cohort, else a Dutch reason. Decided
    from root's release record and roster, never from anything the student wrote."""
    from leerplein.course.cohorts import cohort_of, load_people
    from leerplein.course.prepare.releases import read_releases, released_to

    people, record = load_people(course), read_releases(course.exchange)

    def reason(student: str) -> str | None:
        cohort = cohort_of(people, student)
        if released_to(course.exchange, assignment, cohort, record):
            return None
        if cohort is None:
            return ("Deze inlevering is niet opgehaald: deze naam staat niet als student in de deelnemerslijst. "
                    "Het werk blijft bewaard op de inleverplek; vraag de beheerder.")
        return (f"Deze inlevering is niet opgehaald: de opdracht is niet vrijgegeven voor groep {cohort}. Het werk "
                "blijft bewaard op de inleverplek en wordt opgehaald zodra de opdracht voor deze groep is "
                "vrijgegeven.")

    return reason


def _quarantine_entry(course: Course, in_fd: int, name: str) -> None:
    """Move an entry aside without reading it: a rename into a folder only the teacher can enter."""
    from leerplein.course.intake.guard import QUARANTINE

    quarantine = course.exchange / COURSE_ID / QUARANTINE
    os.rename(name, str(quarantine / f"inbound.{name}"), src_dir_fd=in_fd)


def collect(course: Course, assignment: str, limits: IntakeLimits = IntakeLimits()) -> IntakeResult:
    """Stage, then run nbgrader's collect over the staged copy; remember the messages."""
    course.state.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="intake-", dir=course.state))
    try:
        result = stage_submissions(course, assignment, staging, limits)
        inbound = staging / COURSE_ID / "inbound"
        _hold_back_third_attempts(course, assignment, result, inbound)
        notes = settle_secrets(course, assignment, {s: inbound / result.folders[s] for s in result.staged})
        for student, lines in notes.items():
            result.messages.setdefault(student, []).extend(lines)
        for student in set(result.staged) | set(result.messages):
            write_json(intake_path(course, assignment, student), result.messages.get(student, []))
        if result.staged:
            _nbgrader_collect(course, assignment, staging)
            resubmission.after_collect(course, assignment, result.staged)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _hold_back_third_attempts(course: Course, assignment: str, result: IntakeResult, inbound: Path) -> None:
    """A hand-in after a graded herkansing is not collected: there is no third attempt."""
    for student, line in resubmission.hold_back(course, assignment, result.staged).items():
        shutil.rmtree(inbound / result.folders.pop(student), ignore_errors=True)
        result.staged.remove(student)
        result.messages.setdefault(student, []).append(line)


def _nbgrader_collect(course: Course, assignment: str, staging: Path) -> None:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    cfg = course.nbgrader_config()
    cfg.Exchange.root = str(staging)
    cfg.ExchangeCollect.check_owner = False  # checked above, against the real exchange
    api = NbGraderAPI(CourseDirectory(config=cfg), config=cfg)
    outcome = api.collect(assignment, update=True)
    if not outcome["success"]:
        raise RuntimeError(outcome.get("error") or outcome.get("log") or "nbgrader collect failed")
