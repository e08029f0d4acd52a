"""The student sees her herkansing (issue 26), on a real nbgrader course: when her teacher opens
one, her assignment card and her assignment page in the student view say "Herkansing open tot
<Dutch date and time>" and what to do; after her new hand-in that it is handed in; after the
deadline that it is closed. Another student's card says nothing, and she cannot find or list it."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.course import Course
from leerplein.course.grading.autograde import autograde
from leerplein.course.grading.resubmission import load_record
from leerplein.course.grading.resubmission_notice import feedback_folder, notice_line, read_notice
from leerplein.course.grading.resubmission_opening import open_resubmission
from leerplein.course.grading.rubric_grades import save_rubric_grade
from leerplein.course.intake.collect import collect
from leerplein.course.intake.deadlines import ZONE, dutch_time
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.prepare.init import init_course
from leerplein.student.assignments import StudentAssignments
from leerplein.student.form import read_form
from leerplein.student.handlers import TEMPLATES

A = "01-armoede-zien"
HERK, ANDER = "qaherk", "qaander"


def hand_in(course: Course, home, student: str, text: str) -> None:
    path = home / A / f"{A}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
            cell.source = text
    nbformat.write(nb, str(path))
    submit_as(course, A, student, home)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("herkansingregel")
    old_data = os.environ.get("JUPYTER_DATA_DIR")
    os.environ["JUPYTER_DATA_DIR"] = str(base / "jupyter-data")  # nbgrader's submit cache, for this test only
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{s},Student {s},student\n" for s in (HERK, ANDER)))
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    homes = {}
    for student in (HERK, ANDER):
        home = homes[student] = base / "homes" / student
        fetch_as(course, A, student, home)
        # her server's nbgrader config, as on the hub: the exchange, her own name, her cache
        (home / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.Exchange.root = {str(course.exchange)!r}\n"
            f"c.Exchange.cache = {str(base / 'jupyter-data' / 'nbgrader_cache')!r}\n"
            f"c.CourseDirectory.student_id = {student!r}\n")
        hand_in(course, home, student, "Een korte eerste versie.")
    collect(course, A)
    autograde(course, A)
    for student in (HERK, ANDER):  # both did not pass
        save_rubric_grade(course, A, student, "reflectie-1", {"signalen": "nog niet", "schaamte": "nog niet"})
        save_rubric_grade(course, A, student, "reflectie-2", {"niveaus": "nog niet", "gesprek": "nog niet",
                                                              "ontmoetingen": "nog niet"})
    yield course, homes
    if old_data is None:
        os.environ.pop("JUPYTER_DATA_DIR", None)
    else:
        os.environ["JUPYTER_DATA_DIR"] = old_data


def cards(home, monkeypatch) -> dict[str, object]:
    monkeypatch.chdir(home)  # her server reads its nbgrader config where it runs
    return {a.id: a for a in StudentAssignments(home).overview()}


def home_page(listed) -> str:
    for a in listed:
        a.punten, a.ingeleverd_op = "", "gisteren"
    return TEMPLATES.get_template("home.html").render(opdrachten=listed, modules=[], base="/s/", xsrf="x",
                                                      lokaal=False, probleem="", melding="")


def test_her_card_and_page_say_herkansing_open_and_what_to_do(course, monkeypatch):
    course, homes = course
    before = cards(homes[HERK], monkeypatch)[A]
    assert before.herkansing == ""  # nothing before her teacher opens one

    deadline = (datetime.now(ZONE) + timedelta(days=7)).replace(second=0, microsecond=0)
    record = open_resubmission(course, A, HERK, deadline.strftime("%Y-%m-%dT%H:%M"), "qadocent")
    assert load_record(course, A, HERK)
    line = cards(homes[HERK], monkeypatch)[A].herkansing
    assert line.startswith(f"Herkansing open tot {dutch_time(deadline)}.")
    assert "verbeter je opdracht en lever hem opnieuw in" in line, line
    assert "Vraag je docent wat beter moet" in line  # her feedback is not released yet: nothing to read
    page = home_page(list(cards(homes[HERK], monkeypatch).values()))
    assert f"Herkansing open tot {dutch_time(deadline)}" in page

    assignments = StudentAssignments(homes[HERK])
    form = read_form(assignments.notebook(A))
    opdracht = TEMPLATES.get_template("opdracht.html").render(
        aid=A, form=form, meldingen=[], problemen=[], base="/s/", xsrf="x", herkansing=assignments.herkansing_line(A))
    assert f"Herkansing open tot {dutch_time(deadline)}" in opdracht

    # another student: no line on her card, and her cache's secrets find no notice
    other = cards(homes[ANDER], monkeypatch)[A]
    assert other.herkansing == "" and "Herkansing" not in home_page([other])
    # the notice sits where students cannot list it (like nbgrader's feedback)
    folder = feedback_folder(course.exchange)
    assert stat.S_IMODE(folder.stat().st_mode) & 0o044 == 0, oct(folder.stat().st_mode)
    assert record["deadline"] == deadline.isoformat()


def test_after_her_new_hand_in_and_after_the_deadline(course, monkeypatch):
    course, homes = course
    monkeypatch.chdir(homes[HERK])
    assignments = StudentAssignments(homes[HERK])
    hand_in(course, homes[HERK], HERK, "Een verbeterde tweede versie.")
    line = assignments.herkansing_line(A)
    assert line.startswith("Je hebt je herkansing ingeleverd op") and "opnieuw na" in line, line

    notice = read_notice(course.exchange, [s for _, s in assignments.my_hand_ins(A) if s], A)
    later = notice.deadline + timedelta(minutes=1)
    assert "De herkansing is gesloten sinds" in notice_line(notice, [], later)
    assert notice_line(notice, [], later).endswith("je eerste beoordeling telt.")
    assert notice_line(None, [], later) == ""  # no herkansing: no line at all
    assert "Lees de feedback van je docent" in notice_line(notice, [], notice.opened, feedback=True)


def test_forgetting_her_removes_her_notice_also_after_her_secret_changed(course):
    from leerplein.course.intake.submission_secrets import release_secret
    from leerplein.course.privacy.forget import forget_student

    course, homes = course
    first = release_secret(course, A, HERK)
    collect(course, A)  # her herkansing hand-in: the course now records its new secret
    assert release_secret(course, A, HERK) != first
    notices = sorted(feedback_folder(course.exchange).glob("*.json"))
    assert len(notices) == 1
    result = forget_student(course, HERK)
    assert f"exchange: feedback/{notices[0].name}" in result.removed, result.removed
    assert not list(feedback_folder(course.exchange).glob("*.json"))


def test_probe_a_link_or_a_foreign_file_at_her_notice_name_is_no_notice(tmp_path):
    """A hostile classmate (or she herself) cannot make her view follow a link to a notice, nor
    pass off another assignment's notice: no line at all. And root's write at that name replaces
    a link there instead of writing through it (publish_file)."""
    import json

    from leerplein.course.grading.resubmission_notice import notice_name
    from leerplein.course.results.feedback import publish_file

    secret, folder = "a" * 128, feedback_folder(tmp_path / "exchange")
    folder.mkdir(parents=True)
    elsewhere = tmp_path / "elders.json"
    elsewhere.write_text(json.dumps({"opdracht": A, "deadline": "2099-01-01T12:00:00+01:00",
                                     "geopend_op": "2026-01-01T12:00:00+01:00"}))
    (folder / notice_name(secret, A)).symlink_to(elsewhere)
    assert read_notice(tmp_path / "exchange", [secret], A) is None  # a link is never followed
    publish_file(b'{"opdracht": "andere-opdracht", "deadline": "2099-01-01T12:00:00+01:00", '
                 b'"geopend_op": "2026-01-01T12:00:00+01:00"}', folder, notice_name(secret, A), HERK)
    assert not (folder / notice_name(secret, A)).is_symlink()
    assert json.loads(elsewhere.read_text())["opdracht"] == A  # the link's target is untouched
    assert read_notice(tmp_path / "exchange", [secret], A) is None  # another assignment's notice: none
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]  # nothing half-written left
