"""Rubric grading in a real browser: the grader sees the answer beside the rubric, picks levels
by keyboard and mouse, saves, and the points land in nbgrader's gradebook."""

from __future__ import annotations

import asyncio
import threading

import nbformat
import pytest

from conftest import ROOT, axe_scan, screenshot
from leerplein.course.assign import load_exercise
from leerplein.course.autograde import autograde
from leerplein.course.course import Course, init_course
from leerplein.course.exchange import fetch_as, submit_as
from leerplein.course.rubric_grades import load_levels

A = "02-schaarste-en-bandbreedte"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\nsam,Sam S,student\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    folder = fetch_as(course, A, "sam", base / "sam")
    nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "reflectie-1":
            cell.source = "Toen ik <b>deadlines</b> had, zag ik mijn post niet meer."
    nbformat.write(nb, str(folder / f"{A}.ipynb"))
    submit_as(course, A, "sam", base / "sam")
    assert api.collect(A)["success"]
    autograde(course, A)
    return course


@pytest.fixture
def grading_server(graded_course):
    import tornado.ioloop

    from leerplein.course.grading_app import make_app

    started = threading.Event()
    holder = {}

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        app, token = make_app(graded_course, "test-token")
        server = app.listen(0, address="127.0.0.1")
        holder.update(port=next(iter(server._sockets.values())).getsockname()[1], loop=tornado.ioloop.IOLoop.current())
        started.set()
        holder["loop"].start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    yield f"http://127.0.0.1:{holder['port']}"
    holder["loop"].add_callback(holder["loop"].stop)


@pytest.mark.browser
def test_grader_picks_levels_and_the_gradebook_gets_the_points(graded_course, grading_server, page):
    page.goto(f"{grading_server}/?token=test-token")
    page.get_by_role("link", name="sam").click()
    form = page.locator("form[aria-label='reflectie-1']")
    assert "<b>deadlines</b>" in form.locator(".answer").inner_text()  # escaped, shown as text
    rubric = load_exercise(ROOT, A).rubric["reflectie-1"]
    form.get_by_role("button", name="Opslaan: reflectie-1").click()  # nothing chosen yet: the browser refuses
    assert load_levels(graded_course, A, "sam") == {}
    first = form.get_by_role("group", name=rubric[0].titel).get_by_role("radio").first
    first.focus()
    page.keyboard.press("ArrowRight")  # keyboard: move to the next level ("voldoende")
    page.keyboard.press("ArrowRight")  # and to "voldoende", the third of four levels
    form.get_by_role("group", name=rubric[1].titel).get_by_label(rubric[1].niveaus[1].naam).check()
    form.get_by_label("Opmerking voor de student").fill("Mooi eerlijk.")
    assert axe_scan(page) == []
    screenshot(page, "grading-rubric")
    form.get_by_role("button", name="Opslaan: reflectie-1").click()
    expected = rubric[0].niveaus[2].punten + rubric[1].niveaus[1].punten
    assert f"reflectie-1 krijgt {expected:g} punten" in page.get_by_role("status").inner_text()
    saved = load_levels(graded_course, A, "sam")["reflectie-1"]
    assert saved["levels"] == {rubric[0].id: rubric[0].niveaus[2].naam, rubric[1].id: rubric[1].niveaus[1].naam}
    from nbgrader.api import Gradebook

    with Gradebook(graded_course.gradebook_url) as gb:
        grade = gb.find_grade("reflectie-1", A, A, "sam")
        assert grade.manual_score == expected
        assert gb.find_comment("reflectie-1", A, A, "sam").manual_comment == "Mooi eerlijk."
    # the choice is shown again on return
    page.reload()
    assert page.locator("form[aria-label='reflectie-1'] input[type=radio]:checked").count() == 2


def test_grading_page_needs_the_token(graded_course, grading_server):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{grading_server}/grade/{A}/sam")
    assert err.value.code == 403
