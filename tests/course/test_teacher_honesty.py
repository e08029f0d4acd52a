"""Nothing a teacher enters is lost and nothing ungraded counts as 0 (issue 23), with real
nbgrader: attendance names are checked and can be undone, feedback goes out only for fully graded
work, the export and the report leave ungraded work out instead of writing 0, and a corrected
assignment can be released again without touching what was handed in."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.results.attendance import AttendanceError, attendance, record_attendance, remove_attendance, sessions
from leerplein.course.grading.autograde import autograde
from leerplein.course.course import Course
from leerplein.course.prepare.init import init_course
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.intake.collect import collect
from leerplein.course.results.progress import student_progress
from leerplein.course.grading.rubric_grades import save_rubric_grade

A = "01-armoede-zien"
RULES = """opdrachten:
  01-armoede-zien: {telt_mee: true, minimum: 0.55}
cursus:
  minimum_totaal: 0.6
aanwezigheid:
  minimum: 1
"""
GOOD = {"reflectie-1": {"signalen": "goed", "schaamte": "goed"}, "reflectie-2": {"niveaus": "goed", "gesprek": "goed", "ontmoetingen": "goed"}}


def cli(root: Path, *args):
    return subprocess.run([sys.executable, "-m", "leerplein.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "LEERPLEIN_ROOT": str(root)}, timeout=300)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """'klaar' is fully graded, 'half' has only reflectie-1 graded, 'weg' handed in nothing."""
    base = tmp_path_factory.mktemp("teacher")
    root = base / "repo"
    (root / "grading").mkdir(parents=True)
    for name in ("exercises", "modules", "book", "sessies"):
        (root / name).symlink_to(ROOT / name)
    (root / "grading" / "rubrics").symlink_to(ROOT / "grading" / "rubrics")
    (root / "grading" / "slaagregels.yml").write_text(RULES)
    (root / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    course = Course(root, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\nklaar,Karin,student\nhalf,Hans,student\nweg,Wendy,student\n")
    init_course(course, roster)
    released = cli(root, "course", "release", A, "--course-dir", str(course.directory), "--exchange", str(course.exchange))
    assert released.returncode == 0 and f"{A}: released" in released.stdout, released.stdout + released.stderr
    homes = base / "homes"
    for student in ("klaar", "half"):
        folder = fetch_as(course, A, student, homes / student)
        path = folder / f"{A}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith("antwoord_"):
                n = int(cell.source.split("_")[1].split()[0])
                cell.source = f'antwoord_{n} = "{ {1: "C", 2: "B", 3: "A"}[n] }"'
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = "Een echte reflectie over signalen, schaamte en drie niveaus."
        nbformat.write(nb, str(path))
        submit_as(course, A, student, homes / student)
    collect(course, A)
    autograde(course, A)
    for question, chosen in GOOD.items():
        save_rubric_grade(course, A, "klaar", question, chosen)
    save_rubric_grade(course, A, "half", "reflectie-1", GOOD["reflectie-1"])
    return {"course": course, "root": root, "base": base,
            "dirs": ["--course-dir", str(course.directory), "--exchange", str(course.exchange)]}


def test_sessions_come_from_the_session_plans():
    ids = [s.id for s in sessions(ROOT)]
    assert ids[:2] == ["ontmoeting-1", "ontmoeting-2"] and "actieleren-6" in ids and len(ids) == len(set(ids))


def test_a_typo_in_a_session_or_student_is_refused_with_the_valid_names_and_nothing_counts(cohort):
    course = cohort["course"]
    with pytest.raises(AttendanceError) as typo:
        record_attendance(course, "ontmoetng-2", ["klaar"])
    assert "Bedoelt u ontmoeting-2?" in str(typo.value) and "actieleren-1" in str(typo.value)
    with pytest.raises(AttendanceError) as stranger:
        record_attendance(course, "ontmoeting-2", ["klaar", "kees"])
    assert "kees" in str(stranger.value) and "half, klaar, weg" in str(stranger.value)
    assert attendance(course) == {}  # not even klaar was recorded
    refused = cli(cohort["root"], "course", "aanwezig", "ontmoetng-2", "klaar", *cohort["dirs"])
    assert refused.returncode == 2 and "Bedoelt u ontmoeting-2?" in refused.stdout, refused.stdout + refused.stderr
    assert not student_progress(course, "klaar").passed


def test_attendance_counts_and_can_be_undone(cohort):
    course = cohort["course"]
    done = cli(cohort["root"], "course", "aanwezig", "ontmoeting-2", "klaar", "half", *cohort["dirs"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert student_progress(course, "klaar").attended == 1 and student_progress(course, "klaar").passed
    listing = cli(cohort["root"], "course", "aanwezig", "--lijst", *cohort["dirs"])
    assert "ontmoeting-2" in listing.stdout and "half, klaar" in listing.stdout, listing.stdout
    undone = cli(cohort["root"], "course", "aanwezig", "ontmoeting-2", "half", "--weg", *cohort["dirs"])
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert student_progress(course, "half").attended == 0 and student_progress(course, "klaar").attended == 1
    remove_attendance(course, "ontmoeting-2", ["klaar"])
    record_attendance(course, "ontmoeting-2", ["klaar"])  # back, for the tests below


def test_feedback_goes_only_to_fully_graded_work_and_names_what_waits(cohort):
    from leerplein.course.results.feedback import feedback_path

    out = cli(cohort["root"], "course", "feedback", A, *cohort["dirs"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Feedback written for 1 students." in out.stdout and "half" in out.stdout.split("Not yet")[1]
    assert feedback_path(cohort["course"], A, "klaar").exists()
    assert not feedback_path(cohort["course"], A, "half").exists()


def test_export_and_report_never_show_ungraded_work_as_zero(cohort, tmp_path):
    target = tmp_path / "cijfers.csv"
    out = cli(cohort["root"], "course", "export", "--lms", "moodle", "-o", str(target), *cohort["dirs"])
    assert out.returncode == 0, out.stdout + out.stderr
    rows = {r["Username"]: r for r in csv.DictReader(target.open())}
    assert rows["klaar"][A] == "18" and rows["klaar"]["Leerplein geslaagd"] == "1"
    assert rows["half"][A] == "" and rows["half"]["Leerplein geslaagd"] == ""  # waiting for grading: no 0
    assert rows["weg"][A] == "" and rows["weg"]["Leerplein geslaagd"] == "0"
    report = tmp_path / "voortgang.html"
    assert cli(cohort["root"], "course", "report", "-o", str(report), *cohort["dirs"]).returncode == 0
    text = report.read_text()
    assert "Nog niet nagekeken" in text and "18,0 van 18" in text  # the average is over graded work only
    assert "(nog niet nagekeken: 1)" in text


def test_a_corrected_assignment_is_released_again_and_handed_in_work_stays(cohort):
    course = cohort["course"]
    inbound = sorted(p.name for p in (course.exchange / "leerplein" / "inbound").iterdir())
    again = cli(cohort["root"], "course", "release", A, *cohort["dirs"])
    assert again.returncode == 0 and "released again" in again.stdout, again.stdout + again.stderr
    assert "Traceback" not in again.stdout + again.stderr and "--force" not in again.stdout + again.stderr
    assert sorted(p.name for p in (course.exchange / "leerplein" / "inbound").iterdir()) == inbound
    assert (course.exchange / "leerplein" / "outbound" / A / f"{A}.ipynb").is_file()
    assert student_progress(course, "klaar").counted[0].status == "nagekeken"


def test_late_work_is_marked_by_when_it_really_changed_not_by_the_students_own_timestamp(cohort):
    from datetime import datetime, timedelta

    from leerplein.course.intake.deadlines import DeadlineError, ZONE, handed_in_at, is_late, set_deadline

    course = cohort["course"]
    inbound = course.exchange / "leerplein" / "inbound"
    mine = next(p for p in inbound.iterdir() if p.name.startswith(f"klaar+{A}+"))
    (mine / "timestamp.txt").write_text("2020-01-01 00:00:00.000000 UTC")  # her server writes this: forged
    handed = handed_in_at(course, A, "klaar")
    assert handed is not None and handed > datetime.now(ZONE) - timedelta(minutes=30)
    assert handed_in_at(course, A, "weg") is None
    assert is_late(course, "groep-a", A, "klaar") is None  # no deadline: nothing to mark
    set_deadline(course, "groep-a", A, (datetime.now(ZONE) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert is_late(course, "groep-a", A, "klaar") is True
    set_deadline(course, "groep-a", A, (datetime.now(ZONE) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert is_late(course, "groep-a", A, "klaar") is False
    with pytest.raises(DeadlineError, match="Vul een datum en tijd in"):
        set_deadline(course, "groep-a", A, "morgen")


def test_the_audit_trail_names_who_did_what(cohort):
    from leerplein.course.audit import events

    course = cohort["course"]
    cli(cohort["root"], "course", "aanwezig", "ontmoeting-3", "half", *cohort["dirs"])
    cli(cohort["root"], "course", "release", A, *cohort["dirs"])
    about_half = events(course, {"half"})
    assert about_half[1]["actie"] == "aanwezig" and about_half[1]["studenten"] == ["half"]
    assert about_half[0]["actie"] == "vrijgegeven" and about_half[0]["wie"].endswith("(opdrachtregel)")
    assert all(e["studenten"] in ([], ["half"]) for e in about_half)  # others' names are not shown
    assert not [e for e in events(course, {"weg"}) if e["actie"] == "aanwezig"]
