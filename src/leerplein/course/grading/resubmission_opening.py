"""Opening a herkansing (resubmission.py says what one is): the teacher's action, checked
(graded, not passed, no earlier herkansing), with the first attempt copied aside before anything
new can be collected."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from leerplein.course.course import Course, write_json
from leerplein.course.grading.resubmission import (THIRD, ResubmissionError, archive_dir, load_record,
                                                    record_path)
from leerplein.course.safe_paths import inside


def _first_attempt_result(course: Course, slug: str, student: str) -> tuple[float, float, bool, bool]:
    """(score, needed, fully graded, passed) of her active, graded work."""
    from nbgrader.api import Gradebook, MissingEntry

    from leerplein.course.prepare.assign import load_exercise
    from leerplein.course.results.progress import is_graded, load_rules

    exercise = load_exercise(course.root, slug)
    maximum = sum(exercise.points(q["id"]) for q in exercise.data["vragen"])
    needed = round(load_rules(course.root).minimum.get(slug, 0) * maximum, 2)
    with Gradebook(course.gradebook_url) as gb:
        try:
            score = float(gb.find_submission(slug, student).score or 0)
        except MissingEntry:
            return 0.0, needed, False, False
    graded = is_graded(course, slug, student, exercise)
    return score, needed, graded, graded and score >= needed


def _copy_if_there(source: Path, target: Path) -> None:
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)  # a link is copied as a link, never followed
    elif source.is_file() and not source.is_symlink():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def archive_first_attempt(course: Course, slug: str, student: str, score: float, maximum: float) -> Path:
    """Copy the first attempt aside, all or nothing; an existing copy is never replaced."""
    from leerplein.course.grading.autograde import status_path
    from leerplein.course.grading.rubric_grades import load_levels, rubric_path

    target = archive_dir(course, slug, student)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".poging-", dir=target.parent))
    try:
        for stage in ("submitted", "autograded", "feedback"):
            _copy_if_there(inside(course.directory, stage, student, slug), tmp / stage)
        _copy_if_there(rubric_path(course, slug, student), tmp / "rubric.json")
        _copy_if_there(status_path(course, slug, student), tmp / "status.json")
        write_json(tmp / "resultaat.json", {"score": score, "max": maximum,
                                            "niveaus": load_levels(course, slug, student)})
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def parse_deadline(when: str) -> datetime:
    from leerplein.course.intake.deadlines import ZONE

    try:
        moment = datetime.fromisoformat(when.strip())
    except ValueError as err:
        raise ResubmissionError("Vul een deadline in: een datum en tijd, bijvoorbeeld 14-12-2026 17:00.") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    if moment <= datetime.now(ZONE):
        raise ResubmissionError("De deadline van de herkansing ligt in het verleden. Kies een moment in de toekomst.")
    return moment


def open_resubmission(course: Course, slug: str, student: str, deadline: str, by: str) -> dict:
    """Open her one herkansing of `slug`; Dutch ResubmissionError when that is not allowed."""
    from leerplein.course import audit
    from leerplein.course.grading.rubric_grades import UnknownItem, check_known
    from leerplein.course.intake.deadlines import ZONE, dutch_time

    try:
        check_known(course, slug, student)
    except UnknownItem as err:
        raise ResubmissionError(str(err)) from err
    if load_record(course, slug, student) or archive_dir(course, slug, student).exists():
        raise ResubmissionError(THIRD)
    moment = parse_deadline(deadline)
    score, needed, graded, passed = _first_attempt_result(course, slug, student)
    if not graded:
        raise ResubmissionError("Deze inlevering is nog niet helemaal beoordeeld. Beoordeel eerst alle reflecties; "
                                "pas daarna kun je een herkansing openen.")
    if passed:
        raise ResubmissionError("Deze student heeft de opdracht al gehaald. Een herkansing is alleen voor werk dat "
                                "nog niet voldoende is.")
    from leerplein.course.prepare.assign import load_exercise

    exercise = load_exercise(course.root, slug)
    maximum = sum(exercise.points(q["id"]) for q in exercise.data["vragen"])
    archive_first_attempt(course, slug, student, score, maximum)
    now = datetime.now(ZONE)
    record = {"poging": 2, "geopend_door": by, "geopend_op": now.isoformat(), "deadline": moment.isoformat(),
              "eerste": {"score": score, "max": maximum, "nodig": needed}, "ingeleverd": False}
    write_json(record_path(course, slug, student), record)
    audit.record(course, by, "herkansing", slug, [student], f"open tot {dutch_time(moment)}")
    from leerplein.course.grading.resubmission_notice import publish_notice

    try:  # her own line in the student view; the herkansing is open either way
        name = publish_notice(course, slug, student, record)
    except OSError:
        name = None
    if name:
        record["melding"] = name  # so that forgetting her finds it, whatever her secret becomes
        write_json(record_path(course, slug, student), record)
    return record
