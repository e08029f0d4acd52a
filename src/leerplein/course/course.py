"""The course directory: where nbgrader keeps source, release, submitted, autograded and
feedback folders and the gradebook. It lives outside git (default: <repo>/course, ignored)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# nbgrader runs `alembic` from PATH when it opens a gradebook: make the environment's own
# scripts findable even when the virtualenv is not activated.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

COURSE_ID = "leerplein"
TEXT_STUB = "Typ hier je antwoord. (Dubbelklik om te typen, Shift+Enter om te bewaren.)"
CODE_STUB = "# Typ hier je antwoord.\nraise NotImplementedError(\"Hier staat nog geen antwoord.\")"
STATE_DIR = ".leerplein"  # our own records inside the course dir (status, rubric levels)
# nbgrader's release and submit, changed so that students cannot reach each other's work
RELEASE_CLASS = "leerplein.course.intake.nbgrader_exchange.GuardedReleaseAssignment"
SUBMIT_CLASS = "leerplein.course.intake.nbgrader_exchange.PrivateSubmit"
# every exchange step: the exchange root is not writable for students (see nbgrader_exchange.py)
EXCHANGE_CLASSES = {"release_assignment": RELEASE_CLASS, "submit": SUBMIT_CLASS,
                    **{step: f"leerplein.course.intake.nbgrader_exchange.Guarded{cls}" for step, cls in (
                        ("fetch_assignment", "FetchAssignment"), ("fetch_feedback", "FetchFeedback"),
                        ("list", "List"), ("collect", "Collect"), ("release_feedback", "ReleaseFeedback"))}}


def exchange_factory_config() -> str:
    """The ExchangeFactory lines of an nbgrader_config.py."""
    return "".join(f"c.ExchangeFactory.{step} = {cls!r}\n" for step, cls in EXCHANGE_CLASSES.items())


class CourseError(RuntimeError):
    pass


@dataclass(frozen=True)
class Course:
    root: Path  # the repository (exercises/, grading/)
    directory: Path  # the nbgrader course directory
    exchange: Path

    @property
    def config_file(self) -> Path:
        return self.directory / "nbgrader_config.py"

    @property
    def gradebook_url(self) -> str:
        return f"sqlite:///{self.directory / 'gradebook.db'}"

    @property
    def state(self) -> Path:
        return self.directory / STATE_DIR

    def require(self) -> "Course":
        if not self.config_file.is_file():
            raise CourseError(f"No course at {self.directory}. Run `leerplein course init` first "
                              f"(or pass --course-dir).")
        return self

    def nbgrader_config(self):
        from traitlets.config import Config

        cfg = Config()
        cfg.CourseDirectory.root = str(self.directory)
        cfg.CourseDirectory.course_id = COURSE_ID
        cfg.CourseDirectory.db_url = self.gradebook_url
        cfg.Exchange.root = str(self.exchange)
        cfg.Exchange.course_id = COURSE_ID
        for step, cls in EXCHANGE_CLASSES.items():
            setattr(cfg.ExchangeFactory, step, cls)
        cfg.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
        cfg.ClearHiddenTests.enforce_metadata = True
        cfg.ClearSolutions.text_stub = TEXT_STUB
        cfg.ClearSolutions.code_stub = {"python": CODE_STUB}
        cfg.Execute.timeout = 30
        cfg.LimitOutput.max_lines = 200
        cfg.LimitOutput.max_traceback = 20
        cfg.Autograde.autograde_preprocessors = [
            "leerplein.course.grading.execute.SandboxedExecute",
            "nbgrader.preprocessors.IgnorePattern",
            "nbconvert.preprocessors.ClearMetadataPreprocessor",
            "nbgrader.preprocessors.LimitOutput",
            "nbgrader.preprocessors.SaveAutoGrades",
            "nbgrader.preprocessors.AssignLatePenalties",
            "nbgrader.preprocessors.CheckCellMetadata",
        ]
        return cfg

    def api(self):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        from leerplein.course import nbgrader_fixes

        nbgrader_fixes.apply()  # no SQLAlchemy warnings in the teacher's output (their cause, fixed)

        cfg = self.nbgrader_config()
        return NbGraderAPI(CourseDirectory(config=cfg), config=cfg)


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write a file so that readers see the old or the new version, never half of one. The file
    is 0600 (mkstemp's), or `mode`, set before the rename: it never shows with other permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


def read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


CONFIG_TEMPLATE = '''# nbgrader configuration for the Leerplein course, written by `leerplein course init`.
# JupyterLab's nbgrader extensions (assignment list, formgrader) read this file.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db!r}
c.Exchange.root = {exchange!r}
c.Exchange.course_id = {course_id!r}
{factory}c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
c.ClearSolutions.text_stub = {text_stub!r}
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
'''
