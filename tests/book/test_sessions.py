"""The session plans in the book: every meeting has a page with a timetable whose times add
up, links to what to read first, the poll questions; pages print without the navigation."""

from __future__ import annotations


import pytest

from conftest import ROOT, axe_scan, screenshot
from leerplein.sessies.plans import clock, duration, load_plans


def test_every_plan_has_its_page_with_the_computed_timetable(built_book):
    plans = load_plans(ROOT)
    assert len(plans) == 13
    toc = (ROOT / "book" / "_toc.yml").read_text()
    for plan in plans:
        assert f"book/sessies/{plan.id}" in toc, plan.id
        html = (built_book / "book" / "sessies" / f"{plan.id}.html").read_text()
        assert duration(plan.minutes) in html
        last = plan.minutes - int(plan.onderdelen[-1]["minuten"])
        assert f"<td>{clock(last)}</td>" in html, plan.id
        for item in plan.vooraf:
            target = built_book / f"{item['pagina']}.html"
            assert target.is_file() and f"../../{item['pagina']}.html" in html
        for question in plan.peiling:
            assert question["tekst"].replace("'", "&#x27;") in html or question["tekst"] in html
    overview = (built_book / "book" / "sessies" / "index.html").read_text()
    assert "5 bijeenkomsten, samen 10 uur" in overview and "6 bijeenkomsten, samen 12 uur" in overview
    assert "2 bijeenkomsten, samen 5 uur" in overview


def test_times_read_as_people_say_them():
    assert [clock(0), clock(75), duration(45), duration(60), duration(150)] == [
        "0:00", "1:15", "45 minuten", "1 uur", "2 uur en 30 minuten"]


@pytest.mark.browser
def test_a_session_plan_prints_without_navigation_and_passes_axe(book_server, page):
    page.goto(f"{book_server}/book/sessies/03-ontmoeting-het-gesprek.html")
    assert axe_scan(page) == []
    assert page.locator(".bd-sidebar-primary").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".bd-sidebar-primary").is_visible()
    assert page.locator("table.sessie-schema").is_visible()
    screenshot(page, "sessieplan-print")
    assert not page.blocked_requests
