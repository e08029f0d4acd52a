"""The Actieleerlogboek: its rules, and in the static book in real Chromium: kept in the browser
over a reload, saved as a file and read back in, a damaged file refused, a print view."""

from __future__ import annotations

import json

import pytest

from conftest import axe_scan, screenshot
from leerplein.interactives import logbook

PAGE = "modules/05-leren-in-de-praktijk/doe-actieleerlogboek.html"


def test_logbook_rules(tmp_path):
    data = logbook.empty()
    data["vraagstuk"] = "Mensen haken af."
    data["weken"][0]["vragen"] = "Waar haken ze af?"
    data["reflectie"] = "Vragen helpen meer dan adviezen."
    text = logbook.to_markdown(data)
    assert "Mensen haken af." in text and "Week 1" in text and "Week 2" not in text and text.endswith("adviezen.")
    for bad in ([], {"weken": "x"}, {"vraagstuk": 5}, {"weken": [{}] * 7}, {"reflectie": "x" * 4001}):
        with pytest.raises(logbook.LogbookError):
            logbook.normalise(bad)
    assert logbook.normalise({"vraagstuk": "a", "onbekend": "weg"}) == {**logbook.empty(), "vraagstuk": "a"}
    path = logbook.save(data, tmp_path)
    assert logbook.load(tmp_path) == logbook.normalise(data) and (path.stat().st_mode & 0o077) == 0
    path.write_text("{kapot")
    assert logbook.load(tmp_path) == logbook.empty()


@pytest.mark.browser
def test_the_logbook_in_the_static_book(book_server, page, tmp_path):
    page.goto(f"{book_server}/{PAGE}")
    tool = page.locator("section.lp-interactive[data-tool=actieleerlogboek]")
    tool.locator("textarea").first.fill("Bewoners haken af bij de aanvraag.")
    page.get_by_label("Vragen (Q): welke vragen stelden jij en de anderen?").first.fill("Bij welke stap?")
    page.wait_for_selector('text="Bewaard in deze browser."')
    page.reload()
    assert page.locator("section.lp-interactive textarea").first.input_value() == "Bewoners haken af bij de aanvraag."
    assert axe_scan(page) == []
    with page.expect_download() as download:
        page.click("text=Bewaren als bestand")
    saved = tmp_path / "logboek.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["weken"][0]["vragen"] == "Bij welke stap?"
    page.evaluate("localStorage.clear()")
    page.reload()
    assert page.locator("section.lp-interactive textarea").first.input_value() == ""
    page.set_input_files("input.lp-file", str(saved))
    page.wait_for_selector("text=Je logboek is ingelezen en bewaard.")
    assert page.locator("section.lp-interactive textarea").first.input_value() == "Bewoners haken af bij de aanvraag."
    broken = tmp_path / "kapot.json"
    broken.write_text("geen json")
    page.set_input_files("input.lp-file", str(broken))
    page.wait_for_selector("text=Dit bestand kan niet worden ingelezen.")
    assert page.locator("section.lp-interactive textarea").first.input_value() == "Bewoners haken af bij de aanvraag."
    page.emulate_media(media="print")
    assert page.locator(".lp-logboek-print").is_visible() and not page.locator("section.lp-interactive textarea").first.is_visible()
    assert "Bewoners haken af" in page.inner_text(".lp-logboek-print")
    screenshot(page, "actieleerlogboek-print")
    assert not page.blocked_requests
