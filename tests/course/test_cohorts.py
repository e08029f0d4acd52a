"""Cohorts in one nbgrader course (issue 23), with real nbgrader and a real exchange: a release is
for some cohorts only (a root-written record students can read), collect refuses work for an
assignment not released to the student's cohort and keeps it, a re-release counts up the version
and keeps what was handed in, and every CLI listing takes --cohort. Probes that must fail sit next
to the ones that must pass."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from leerplein.course.cohorts import CohortError, check_cohorts, cohort_of, load_people
from leerplein.course.course import COURSE_ID, Course
from leerplein.course.intake.collect import collect
from leerplein.course.intake.messages import intake_messages
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.prepare.init import init_course
from leerplein.course.prepare.release import release
from leerplein.course.prepare.releases import read_releases, record_path, released_to
from leerplein.roster import RosterError, read_roster

A = "01-armoede-zien"
B = "02-schaarste"


def cli(root: Path, *args):
    return subprocess.run([sys.executable, "-m", "leerplein.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "LEERPLEIN_ROOT": str(root)}, timeout=300)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    base = tmp_path_factory.mktemp("cohorts")
    root = base / "repo"
    root.mkdir()
    for name in ("exercises", "modules", "book", "sessies", "grading"):
        (root / name).symlink_to(ROOT / name)
    (root / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    course = Course(root, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\ntcjuf,Juf Twee,teacher,groep-a;groep-b\n"
                      "tcanna,Anna A,student,groep-a\ntcbert,Bert B,student,groep-b\n")
    init_course(course, roster)
    return {"course": course, "root": root, "base": base,
            "dirs": ["--course-dir", str(course.directory), "--exchange", str(course.exchange)]}


def hand_in(course: Course, student: str, home: Path, slug: str = A) -> None:
    """As nbgrader's own fetch and submit do it (a student who bypasses her view can do this)."""
    fetch_as(course, slug, student, home)
    submit_as(course, slug, student, home)


def test_the_roster_gives_a_teacher_several_cohorts_and_a_student_one(tmp_path, two):
    people = load_people(two["course"])
    assert people["tcjuf"]["cursussen"] == ["groep-a", "groep-b"] and cohort_of(people, "tcanna") == "groep-a"
    assert cohort_of(people, "niemand") is None  # not on the roster: no cohort
    bad = tmp_path / "roster.csv"
    bad.write_text("username,name,role,course\nx,X,student,groep-a;groep-b\n")
    with pytest.raises(RosterError, match="a student is in one cohort"):
        read_roster(bad)
    with pytest.raises(CohortError, match="Bekende groepen: groep-a, groep-b"):
        check_cohorts(people, ["groep-c"])


def test_releasing_for_one_cohort_does_not_release_for_the_other(two):
    course = two["course"]
    done = release(course, A, ["groep-a"])
    assert done.ok and "groep-a" in done.message and not done.again
    assert released_to(course.exchange, A, "groep-a") and not released_to(course.exchange, A, "groep-b")
    path = record_path(course.exchange)
    info = os.lstat(path)
    assert stat.S_IMODE(info.st_mode) == 0o644 and info.st_uid == os.geteuid()  # students read, only root writes
    entry = read_releases(course.exchange)[A]["groep-a"]
    assert entry["versie"] == 1 and len(entry["inhoud"]) == 12 and entry["vrijgegeven"]
    assert not list(path.parent.glob(f".{path.name}.*"))  # no temp file left behind


def test_collect_refuses_work_of_a_cohort_it_was_not_released_to_and_keeps_it(two, tmp_path):
    course = two["course"]
    hand_in(course, "tcanna", tmp_path / "anna")
    hand_in(course, "tcbert", tmp_path / "bert")  # groep-b: fetched around her view, straight from outbound
    result = collect(course, A)
    assert result.staged == ["tcanna"] and result.not_released == ["tcbert"]
    assert (course.directory / "submitted" / "tcanna" / A).is_dir()
    assert not (course.directory / "submitted" / "tcbert").exists()
    message = intake_messages(course, A)["tcbert"][0]
    assert "niet vrijgegeven voor groep groep-b" in message and "blijft bewaard" in message
    inbound = course.exchange / COURSE_ID / "inbound"
    assert any(p.name.startswith("tcbert+") for p in inbound.iterdir())  # nothing lost

    again = release(course, A, ["groep-b"])  # now it is hers too: the kept work is collected
    assert again.ok and not again.again
    assert sorted(collect(course, A).staged) == ["tcanna", "tcbert"]


def test_a_cohort_s_deadline_is_published_for_its_students_only_by_root(two):
    from leerplein.course.intake.deadlines import set_deadline
    from leerplein.course.prepare.releases import DEADLINES, read_deadlines

    course = two["course"]
    set_deadline(course, "groep-b", A, "2026-12-14T17:00")
    published = read_deadlines(course.exchange)
    assert published["groep-b"][A].startswith("2026-12-14T17:00") and A not in published.get("groep-a", {})
    info = os.lstat(course.exchange / COURSE_ID / DEADLINES)
    assert stat.S_IMODE(info.st_mode) == 0o644 and info.st_uid == os.geteuid()
    set_deadline(course, "groep-b", A, "")
    assert A not in read_deadlines(course.exchange).get("groep-b", {})


def test_a_forged_record_is_not_believed(two):
    """Only root's own record counts: one owned by someone else (planted, or a copy) is empty."""
    course = two["course"]
    path = record_path(course.exchange)
    before = path.read_bytes()
    try:
        os.chown(path, 65534, 65534)
        assert read_releases(course.exchange) == {}
        assert released_to(course.exchange, A, "groep-a")  # an entry-less slug: as released before the record
    finally:
        os.chown(path, 0, 0)
        path.write_bytes(before)


def test_a_re_release_counts_up_the_version_and_keeps_what_was_handed_in(two):
    course = two["course"]
    submitted = course.directory / "submitted" / "tcanna" / A / f"{A}.ipynb"
    before = submitted.read_bytes()
    out = cli(two["root"], "course", "release", A, "--cohort", "groep-a", *two["dirs"])
    assert out.returncode == 0 and "released again (corrected version) for groep-a" in out.stdout, out.stdout + out.stderr
    record = read_releases(course.exchange)[A]
    assert record["groep-a"]["versie"] == 2 and record["groep-b"]["versie"] == 1
    assert submitted.read_bytes() == before
    wrong = cli(two["root"], "course", "release", A, "--cohort", "groep-x", *two["dirs"])
    assert wrong.returncode == 2 and "Bekende groepen: groep-a, groep-b" in wrong.stdout


def test_an_older_exchange_without_a_record_stays_released_to_everyone(two, tmp_path):
    """An upgrade in the middle of a course hides nothing released before."""
    course = two["course"]
    record = json.loads(record_path(course.exchange).read_text())
    try:
        record_path(course.exchange).unlink()
        assert released_to(course.exchange, A, "groep-b") and released_to(course.exchange, A, "groep-a")
        assert not released_to(course.exchange, B, "groep-a")  # never released: no outbound copy
        done = release(course, A, ["groep-a"])  # releasing again keeps it released for everyone
        assert done.again and released_to(course.exchange, A, "groep-b")
    finally:
        from leerplein.course.course import write_atomic

        write_atomic(record_path(course.exchange), json.dumps(record), mode=0o644)


def test_every_listing_of_the_cli_takes_a_cohort(two, tmp_path):
    target = tmp_path / "cijfers.csv"
    out = cli(two["root"], "course", "export", "--lms", "moodle", "-o", str(target), "--cohort", "groep-b", *two["dirs"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert [r["Username"] for r in csv.DictReader(target.open())] == ["tcbert"]
    progress = cli(two["root"], "course", "progress", "--cohort", "groep-a", *two["dirs"])
    assert "tcanna" in progress.stdout and "tcbert" not in progress.stdout, progress.stdout
    report = tmp_path / "rapport.html"
    out = cli(two["root"], "course", "report", "-o", str(report), "--cohort", "groep-a", *two["dirs"])
    assert out.returncode == 0 and "(groep groep-a)" in report.read_text() and "tcbert" not in report.read_text()
    status = cli(two["root"], "course", "status", "--cohort", "groep-b", *two["dirs"])
    assert status.returncode == 0 and "tcanna" not in status.stdout, status.stdout
    refused = cli(two["root"], "course", "aanwezig", "ontmoeting-1", "tcbert", "--cohort", "groep-a", *two["dirs"])
    assert refused.returncode == 2 and "Not in cohort groep-a: tcbert" in refused.stdout
    unknown = cli(two["root"], "course", "progress", "--cohort", "groep-x", *two["dirs"])
    assert unknown.returncode == 2 and "Bekende groepen" in unknown.stdout


def test_the_audit_trail_keeps_a_cohort_s_events_to_that_cohort(two):
    from leerplein.course import audit

    course = two["course"]
    audit.record(course, "tcjuf", "deadline", A, [], "groep-b: 1 januari 2027, 12:00", cohort="groep-b")
    seen_a = audit.events(course, {"tcanna"}, ("groep-a",))
    seen_b = audit.events(course, {"tcbert"}, ("groep-b",))
    assert not any("groep-b" in e["detail"] for e in seen_a)
    assert any(e["detail"].startswith("groep-b:") for e in seen_b)


def test_autograde_shows_the_teacher_no_sqlalchemy_warnings(two):
    """nbgrader 0.9.6 under SQLAlchemy 2 printed a screen of SAWarnings per submission; their cause
    is fixed (leerplein.course.nbgrader_fixes), nothing is filtered."""
    out = cli(two["root"], "course", "autograde", A, "--cohort", "groep-a", *two["dirs"])
    assert out.returncode == 0 and "1 graded, 0 failed" in out.stdout, out.stdout + out.stderr
    assert "Warning" not in out.stderr + out.stdout, out.stderr[-2000:]
    from nbgrader.api import Gradebook

    with Gradebook(two["course"].gradebook_url) as gb:  # and the submission is really stored
        assert gb.find_submission(A, "tcanna").score is not None


def test_the_forget_page_says_every_result_in_dutch(two):
    """The admin's page shows ForgetResult; every line forget writes has a Dutch sentence."""
    from leerplein.course.privacy.forget import forget_student
    from leerplein.teacher.forget_page import dutch

    result = forget_student(two["course"], "tcanna", None, backups=[two["base"]])
    assert result.removed and result.left
    lines = [dutch(item) for item in result.removed + result.left]
    assert not [line for line in lines if line.startswith("overig")], lines
    samples = ["hub: user record, servers and tokens of x (through the hub's API)", "hub: her line in initial-passwords.csv",
               "temporary files: /tmp/x", "hub log: 2 line(s) naming x in jupyterhub.log",
               "system account x and home folder: kept (her own files; ...)", "roster: x is still in the roster ...",
               "leerkring: 2 post(s) by x", "leerkring: membership of 1 set(s)", "processes: 3 of x ended"]
    assert not [s for s in samples if dutch(s).startswith("overig")]
