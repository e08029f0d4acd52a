"""Rubric grading in a real browser: the grader sees the answer beside the rubric, picks levels
by keyboard and mouse, saves, and the points land in nbgrader's gradebook."""

from __future__ import annotations

import asyncio
import threading

import nbformat
import pytest

from conftest import ROOT, axe_scan, screenshot
from leerplein.course.prepare.assign import load_exercise
from leerplein.course.grading.autograde import autograde
from leerplein.course.course import Course
from leerplein.course.prepare.init import init_course
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.grading.rubric_grades import load_levels

A = "02-schaarste-en-bandbreedte"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\nsam,Sam S,student\nkim,Kim K,student\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    for student in ("sam", "kim"):
        folder = fetch_as(course, A, student, base / student)
        nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "reflectie-1":
                cell.source = "Toen ik <b>deadlines</b> had, zag ik mijn post niet meer."
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
        submit_as(course, A, student, base / student)
    assert api.collect(A)["success"]
    autograde(course, A)
    return course


@pytest.fixture
def grading_server(graded_course):
    import tornado.ioloop

    from leerplein.course.grading.grading_app import make_app

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


def inspectable(page):
    """The same page in a context that lets axe's inline script in: the page's own policy
    (script-src 'self', from service_base) rightly blocks it."""
    context = page.context.browser.new_context(bypass_csp=True, locale="nl-NL")
    context.add_cookies(page.context.cookies())
    copy = context.new_page()
    copy.goto(page.url)
    return copy


@pytest.mark.browser
def test_grader_picks_levels_and_the_gradebook_gets_the_points(graded_course, grading_server, page):
    page.goto(f"{grading_server}/?token=test-token")
    page.get_by_role("link", name="sam").click()
    form = page.locator("section[aria-label='reflectie-1']")
    assert "<b>deadlines</b>" in form.locator(".answer").inner_text()  # escaped, shown as text
    rubric = load_exercise(ROOT, A).rubric["reflectie-1"]
    page.get_by_role("button", name="Opslaan").click()  # nothing chosen yet: nothing is saved, and it says so
    assert "niets opgeslagen" in page.get_by_role("alert").inner_text()
    assert load_levels(graded_course, A, "sam") == {}
    first = form.get_by_role("group", name=rubric[0].titel).get_by_role("radio").first
    first.focus()
    page.keyboard.press("ArrowRight")  # keyboard: move to the next level ("voldoende")
    page.keyboard.press("ArrowRight")  # and to "voldoende", the third of four levels
    form.get_by_role("group", name=rubric[1].titel).get_by_label(rubric[1].niveaus[1].naam).check()
    form.get_by_label("Opmerking voor de student").fill("Mooi eerlijk.")
    copy = inspectable(page)
    assert axe_scan(copy) == []
    copy.context.close()
    screenshot(page, "grading-rubric")
    page.get_by_role("button", name="Opslaan").click()
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
    assert page.locator("section[aria-label='reflectie-1'] input[type=radio]:checked").count() == 2


@pytest.mark.browser
def test_saving_one_reflection_keeps_what_was_chosen_for_the_other(graded_course, grading_server, page):
    """Issue 23 / UX walkthrough: levels for reflectie-1 and reflectie-2 picked together, then a
    save of reflectie-1 threw away reflectie-2's levels and comment. Now one save keeps both,
    and a half-graded question keeps what was picked and typed."""
    page.goto(f"{grading_server}/grade/{A}/kim?token=test-token")
    rubrics = load_exercise(ROOT, A).rubric
    one, two = page.locator("section[aria-label='reflectie-1']"), page.locator("section[aria-label='reflectie-2']")
    first, second = rubrics["reflectie-1"]
    one.get_by_role("group", name=first.titel).get_by_label(first.niveaus[0].naam).check()  # one of two criteria
    one.get_by_label("Opmerking voor de student").fill("Nog één niveau kiezen.")
    for c in rubrics["reflectie-2"]:
        two.get_by_role("group", name=c.titel).get_by_label(c.niveaus[1].naam).check()
    two.get_by_label("Opmerking voor de student").fill("Helder uitgelegd.")
    page.get_by_role("button", name="Opslaan").click()
    assert "reflectie-2 krijgt" in page.get_by_role("status").inner_text()
    assert "reflectie-1" in page.get_by_role("alert").inner_text()
    saved = load_levels(graded_course, A, "kim")
    assert saved["reflectie-2"] == {"levels": {c.id: c.niveaus[1].naam for c in rubrics["reflectie-2"]},
                                    "comment": "Helder uitgelegd.", "points": saved["reflectie-2"]["points"]}
    # what was picked and typed for the half-graded reflectie-1 is still on the page
    one = page.locator("section[aria-label='reflectie-1']")
    assert one.get_by_role("group", name=first.titel).get_by_label(first.niveaus[0].naam).is_checked()
    assert one.get_by_label("Opmerking voor de student").input_value() == "Nog één niveau kiezen."
    one.get_by_role("group", name=second.titel).get_by_label(second.niveaus[2].naam).check()
    page.get_by_role("button", name="Opslaan").click()
    assert "reflectie-1 krijgt" in page.get_by_role("status").inner_text()
    saved = load_levels(graded_course, A, "kim")
    assert saved["reflectie-1"]["levels"] == {first.id: first.niveaus[0].naam, second.id: second.niveaus[2].naam}
    assert saved["reflectie-1"]["comment"] == "Nog één niveau kiezen."
    assert saved["reflectie-2"]["comment"] == "Helder uitgelegd."  # still there after the second save
    two = page.locator("section[aria-label='reflectie-2']")
    assert two.get_by_label("Opmerking voor de student").input_value() == "Helder uitgelegd."


TRAVERSALS = ["..%2F..%2Fsam", "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F{base}%2Fsam", "%2E%2E%2F%2E%2E%2Fsam",
              "..%252F..%252Fsam", "..%5C..%5Csam", "sam%00", "..", "%2E%2E", "sam%2F..%2F..%2F..%2Fsam"]


def test_ids_in_the_url_cannot_leave_the_course_folder(graded_course, grading_server, tmp_path):
    """Hole 4 of issue 22: a student id like ../../<home> read the draft in a student's home.
    Sam's fetched, unsubmitted copy sits outside the course folder, at base/sam/<A>/<A>.ipynb."""
    import requests

    base = graded_course.directory.parent
    draft = base / "sam" / A / f"{A}.ipynb"
    nb = nbformat.read(str(draft), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "reflectie-2":
            cell.source = "ONINGELEVERD-CONCEPT"
    nbformat.write(nb, str(draft))
    s = requests.Session()
    assert s.get(f"{grading_server}/?token=test-token").status_code == 200
    assert s.get(f"{grading_server}/grade/{A}/sam").status_code == 200
    for variant in TRAVERSALS:
        variant = variant.format(base=str(base).strip("/").replace("/", "%2F"))
        for url in (f"{grading_server}/grade/{A}/{variant}", f"{grading_server}/grade/{variant}/sam",
                    f"{grading_server}/grade/..%2F..%2F{A}/{variant}"):
            r = s.get(url)
            assert r.status_code in (400, 404), (url, r.status_code)
            assert "ONINGELEVERD-CONCEPT" not in r.text and "Mijn eigen" not in r.text
    # a link planted in the course folder (only the teacher could) is not followed either
    (graded_course.directory / "submitted" / "link-naar-thuis").symlink_to(base / "sam")
    try:
        r = s.get(f"{grading_server}/grade/{A}/link-naar-thuis")
        assert r.status_code == 404 and "ONINGELEVERD-CONCEPT" not in r.text
    finally:
        (graded_course.directory / "submitted" / "link-naar-thuis").unlink()


def test_a_post_with_a_traversal_id_or_unknown_question_writes_nothing(graded_course, grading_server):
    import re

    import requests

    base = graded_course.directory.parent
    s = requests.Session()
    page = s.get(f"{grading_server}/grade/{A}/sam?token=test-token")
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", page.text).group(1)
    levels = {"reflectie-1:" + c.id: c.niveaus[0].naam for c in load_exercise(ROOT, A).rubric["reflectie-1"]}
    before = sorted(p for p in base.rglob("*.json"))
    for variant in ("..%2F..%2F..%2Fbuiten", "..%2F..%2Fsam"):
        r = s.post(f"{grading_server}/grade/{A}/{variant}", data={"_xsrf": xsrf, **levels})
        assert r.status_code == 404, variant
    r = s.post(f"{grading_server}/grade/{A}/sam", data={"_xsrf": xsrf, "question": "../../x", **levels})
    assert r.status_code == 400
    r = s.post(f"{grading_server}/grade/{A}/sam", data={"_xsrf": xsrf, next(iter(levels)): "../../x"})
    assert r.status_code == 200 and "niet opgeslagen" in r.text
    assert sorted(p for p in base.rglob("*.json")) == before
    assert not (base / "buiten.json").exists()
