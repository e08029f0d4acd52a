"""The student's assignments: what is released, fetched, handed in and given feedback, and the
actions on them. It drives nbgrader's own exchange classes (the ones JupyterLab's assignment
list uses, with Leerplein's private submit) and turns their results into Dutch sentences. A
failure never loses work: fetch keeps an existing copy, submit copies, feedback adds a folder."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.course.course import COURSE_ID
from leerplein.student.form import FormError, read_form

log = logging.getLogger(__name__)
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass
class Assignment:
    id: str
    titel: str
    status: str  # "nieuw" (released, not fetched yet) or "opgehaald"
    notebook: Path | None = None
    submissions: list[str] = field(default_factory=list)  # timestamps, oldest first
    feedback_ready: bool = False  # released by the teacher, not fetched yet
    feedback: Path | None = None  # the newest fetched feedback file
    deadline: str = ""  # her cohort's deadline, in Dutch ("14 december 2026, 17:00"); late work is still taken
    new_version: bool = False  # the teacher released a corrected version after she fetched (versions.py)
    herkansing: str = ""  # her herkansing in Dutch (open until…, handed in, closed); "" without one

    @property
    def handed_in(self) -> bool:
        return bool(self.submissions)


@dataclass
class Outcome:
    ok: bool
    message: str


def check_id(assignment_id: str) -> str:
    if not SAFE_ID.match(assignment_id or ""):
        raise FormError("Deze opdracht bestaat niet. Ga terug naar Mijn opdrachten.")
    return assignment_id


class StudentAssignments:
    """One per single-user server; `home` is the folder nbgrader fetches into. nbgrader's
    AssignmentList changes the process's working directory while it works, so its calls run on
    the server's own thread (as nbgrader's own handlers do), never two at once."""

    def __init__(self, home: Path, parent=None):
        from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

        self.home = Path(home)
        self.nbgrader = AssignmentList(parent=parent)
        self.nbgrader.root_dir = str(self.home)

    def for_my_cohort(self) -> Callable[[str], bool]:
        """Only what is released to her cohort (the spawner sets LEERPLEIN_COHORT from the roster).
        A convenience, not the boundary: collect refuses work for what her cohort was not given."""
        from leerplein.course.prepare.releases import in_record, read_releases

        cohort = os.environ.get("LEERPLEIN_COHORT")
        if cohort is None:  # not on a hub: one cohort
            return lambda aid: True
        record = read_releases(Path(self.nbgrader.load_config().Exchange.root))
        return lambda aid: in_record(record, aid, cohort)

    def my_deadlines(self) -> dict[str, str]:
        from datetime import datetime

        from leerplein.course.intake.deadlines import dutch_time
        from leerplein.course.prepare.releases import read_deadlines

        cohort = os.environ.get("LEERPLEIN_COHORT")
        if not cohort:
            return {}
        out = {}
        for slug, when in read_deadlines(Path(self.nbgrader.load_config().Exchange.root)).get(cohort, {}).items():
            try:
                out[slug] = dutch_time(datetime.fromisoformat(when))
            except (TypeError, ValueError):
                continue
        return out

    def overview(self) -> list[Assignment]:
        mine = self.for_my_cohort()
        released = self.nbgrader.list_released_assignments(course_id=COURSE_ID)
        submitted = self.nbgrader.list_submitted_assignments(course_id=COURSE_ID)
        if not released["success"] or not submitted["success"]:
            log.error("listing assignments failed: %s", released.get("value") or submitted.get("value"))
            raise FormError("De lijst met opdrachten kan nu niet worden geladen. Probeer het over een paar "
                            "minuten opnieuw. Lukt het dan nog niet? Meld het bij je docent.")
        found: dict[str, Assignment] = {}
        for item in released["value"]:
            aid = item["assignment_id"]
            if not mine(aid):
                continue
            current = found.get(aid)
            if current and current.status == "opgehaald":
                continue
            status = "opgehaald" if item["status"] == "fetched" else "nieuw"
            notebook = None
            if status == "opgehaald" and item.get("notebooks"):
                notebook = self.home / item["notebooks"][0]["path"]
            found[aid] = Assignment(aid, self.title(aid, notebook), status, notebook)
        for item in submitted["value"]:
            aid = item["assignment_id"]
            entry = found.setdefault(aid, Assignment(aid, self.title(aid, None), "opgehaald"))
            for sub in item["submissions"]:
                entry.submissions.append(sub["timestamp"])
                entry.feedback_ready = entry.feedback_ready or (sub.get("has_exchange_feedback")
                                                                and not sub.get("has_local_feedback"))
                if sub.get("feedback_updated"):
                    entry.feedback_ready = True
        from leerplein.student.versions import has_new_version

        due = self.my_deadlines()
        for entry in found.values():
            entry.feedback = self.newest_feedback(entry.id)
            entry.deadline = due.get(entry.id, "")
            entry.new_version = entry.notebook is not None and has_new_version(entry.notebook, entry.id)
            entry.herkansing = self.herkansing_line(entry.id) if entry.submissions else ""
        return sorted(found.values(), key=lambda a: a.id)

    def my_hand_ins(self, assignment_id: str) -> list[tuple[str, str]]:
        """(timestamp, submission secret) of each hand-in in her own cache for this assignment
        (nbgrader's submit keeps one folder per hand-in, as nbgrader's list reads them), newest first."""
        from nbgrader.exchange.default.exchange import Exchange

        from leerplein.course.safe_paths import UnsafePath, read_regular

        config = self.nbgrader.load_config()
        cache = Path(config.Exchange.cache if "cache" in config.Exchange else Exchange(config=config).cache)
        me = config.CourseDirectory.student_id if "student_id" in config.CourseDirectory else "*"
        found = []
        for folder in sorted((cache / COURSE_ID).glob(f"{me}+{check_id(assignment_id)}+*"), reverse=True):
            try:
                secret = read_regular(folder / "submission_secret.txt", 1024).decode("ascii").strip()
            except (OSError, UnsafePath, UnicodeDecodeError):
                secret = ""
            found.append((folder.name.split("+", 2)[-1], secret))
        return found

    def herkansing_line(self, assignment_id: str) -> str:
        """'Herkansing open tot …' and what to do, once her teacher opened one for her."""
        from datetime import datetime

        from dateutil import parser
        from dateutil.tz import UTC

        from leerplein.course.grading.resubmission_notice import notice_line, read_notice

        try:
            hand_ins = self.my_hand_ins(assignment_id)
            notice = read_notice(Path(self.nbgrader.load_config().Exchange.root), [s for _, s in hand_ins if s],
                                 assignment_id)
        except OSError:
            return ""
        handed = []
        for stamp, _ in hand_ins:
            try:
                moment = parser.parse(stamp)
            except (ValueError, OverflowError):
                continue
            handed.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        return notice_line(notice, handed, datetime.now(UTC), self.newest_feedback(assignment_id) is not None)

    def title(self, assignment_id: str, notebook: Path | None) -> str:
        if notebook is not None:
            try:
                return read_form(notebook).titel
            except FormError:
                pass
        try:
            from leerplein.course.prepare.assign import load_exercise
            from leerplein.paths import find_root

            return load_exercise(find_root(), assignment_id).data["titel"]
        except Exception:  # noqa: BLE001 - a title is nice to have; the id will do
            return assignment_id

    def notebook(self, assignment_id: str) -> Path:
        folder = self.home / check_id(assignment_id)
        path = folder / f"{assignment_id}.ipynb"
        if not path.is_file() or path.is_symlink():
            raise FormError("Je hebt deze opdracht nog niet opgehaald. Ga naar Mijn opdrachten en kies "
                            "'Ophalen'.")
        return path

    def newest_feedback(self, assignment_id: str) -> Path | None:
        folder = self.home / check_id(assignment_id) / "feedback"
        if not folder.is_dir() or folder.is_symlink():
            return None
        files = sorted(p for p in folder.glob("*/*.html") if p.is_file() and not p.is_symlink())
        return files[-1] if files else None

    def _run(self, action: str, assignment_id: str, done: str, failed: str) -> Outcome:
        result = getattr(self.nbgrader, action)(COURSE_ID, check_id(assignment_id))
        if result["success"]:
            return Outcome(True, done)
        log.error("%s %s failed: %s", action, assignment_id, result.get("value"))
        return Outcome(False, failed)

    def fetch(self, assignment_id: str) -> Outcome:
        if (self.home / check_id(assignment_id)).exists():
            return Outcome(True, "Je had deze opdracht al opgehaald. Je antwoorden staan er nog.")
        if not self.for_my_cohort()(assignment_id):
            return Outcome(False, "Deze opdracht is nog niet vrijgegeven voor jouw groep.")
        return self._run("fetch_assignment", assignment_id, "De opdracht is opgehaald. Je kunt beginnen.",
                         "Ophalen is niet gelukt. Probeer het opnieuw. Lukt het niet? Meld het bij je docent.")

    def submit(self, assignment_id: str) -> Outcome:
        self.notebook(assignment_id)
        return self._run("submit_assignment", assignment_id,
                         "Je opdracht is ingeleverd. Je docent kan hem nu lezen. Wil je nog iets veranderen? "
                         "Lever dan gerust opnieuw in: je docent kijkt naar de laatste versie.",
                         "Inleveren is niet gelukt. Je antwoorden zijn wel bewaard. Probeer het opnieuw, of "
                         "meld het bij je docent.")

    def overview_with_feedback(self) -> list[Assignment]:
        """The overview after fetching every feedback the teacher has released: the student
        never has to ask for it (Mijn voortgang and the badge depend on it)."""
        listed = self.overview()
        ready = [a for a in listed if a.feedback_ready]
        for a in ready:
            self.fetch_feedback(a.id)
        return self.overview() if ready else listed

    def fetch_feedback(self, assignment_id: str) -> Outcome:
        return self._run("fetch_feedback", assignment_id, "Je feedback is opgehaald.",
                         "De feedback kon niet worden opgehaald. Probeer het later opnieuw.")


def nbgrader_validate(notebook: Path) -> dict:
    """nbgrader's Validator on one notebook, as a dict. It changes the working directory while it
    runs, which would disturb the other requests of the student's server: call it through
    validate(), which runs it in a process of its own."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader
    from nbgrader.validator import Validator

    app = NbGrader()
    app.config_file_paths.append([str(notebook.parent), *jupyter_config_path()])
    app.load_config_file()
    return Validator(config=app.config).validate(str(notebook))


def validate(notebook: Path) -> list[str]:
    """Check the notebook the way `nbgrader validate` does (it runs the kennischecks' visible
    tests). Returns Dutch problems; an empty list means all is well."""
    import subprocess
    import sys

    problems = read_form(notebook).missing()
    done = subprocess.run([sys.executable, "-m", "leerplein.student.assignments", str(notebook)],
                          capture_output=True, text=True, timeout=180, cwd=notebook.parent)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        log.error("validating %s failed: %s", notebook, done.stderr[-2000:])
        return problems + ["Controleren lukte nu niet. Je antwoorden zijn wel bewaard. Probeer het opnieuw."]
    if result.get("type_changed") or result.get("changed"):
        problems.append("Een deel van de opdracht dat vast hoort te staan, is veranderd (bijvoorbeeld in "
                        "JupyterLab). Vraag je docent om hulp voordat je inlevert.")
    for failed in result.get("failed", []):
        number = re.search(r"kies\(antwoord_(\d+)", failed.get("source", ""))
        name = f"Kennischeck {number.group(1)}" if number else "Een vraag"
        if not any(p.startswith(f"{name}: ") for p in problems):
            problems.append(f"{name}: dit antwoord klopt niet met de keuzes. Kies opnieuw.")
    return problems


if __name__ == "__main__":
    import sys

    print(json.dumps(nbgrader_validate(Path(sys.argv[1])), default=str))
