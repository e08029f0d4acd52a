"""The rubric grading overview, in a real browser, groups the submissions per cohort when they
come from more than one (a teacher of two cohorts on the hub; the standalone page of a course
with two), and stays one table when they come from one (issue 23)."""

from __future__ import annotations

import asyncio
import threading

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.course import Course
from leerplein.course.grading.autograde import autograde
from leerplein.course.grading.grading_app import make_app, overview_body
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.prepare.init import init_course

A = "02-schaarste-en-bandbreedte"


@pytest.fixture(scope="module")
def two_cohorts(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading-cohorts")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\nsam,Sam Een,student,groep-1\nkim,Kim Twee,student,groep-2\n"
                      "docent,Docent,teacher,groep-1;groep-2\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    for student in ("sam", "kim"):
        folder = fetch_as(course, A, student, base / student)
        nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
        submit_as(course, A, student, base / student)
    assert api.collect(A)["success"]
    autograde(course, A)
    return course


@pytest.fixture
def overview(two_cohorts, monkeypatch):
    import tornado.ioloop

    monkeypatch.delenv("LEERPLEIN_PEOPLE_FILE", raising=False)
    started, holder = threading.Event(), {}

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        app, _ = make_app(two_cohorts, "test-token")
        server = app.listen(0, address="127.0.0.1")
        holder.update(port=next(iter(server._sockets.values())).getsockname()[1], loop=tornado.ioloop.IOLoop.current())
        started.set()
        holder["loop"].start()

    threading.Thread(target=run, daemon=True).start()
    started.wait(10)
    yield f"http://127.0.0.1:{holder['port']}/?token=test-token"
    holder["loop"].add_callback(holder["loop"].stop)


@pytest.mark.browser
def test_the_overview_has_a_table_per_cohort(overview, page):
    page.goto(overview)
    headings = page.locator("main h2").all_inner_texts()
    assert headings == ["Groep groep-1", "Groep groep-2"]
    first = page.get_by_role("region", name="Groep groep-1")
    second = page.get_by_role("region", name="Groep groep-2")
    assert "Sam Een" in first.inner_text() and "Kim Twee" not in first.inner_text()
    assert "Kim Twee" in second.inner_text() and "Sam Een" not in second.inner_text()


def test_one_cohort_stays_one_table():
    one = overview_body({"groep-1": ["<tr><td>a</td></tr>"]})
    assert "<h2" not in one and one.count("<table") == 1
    assert overview_body({}) == "<p>Nog geen inleveringen.</p>"
