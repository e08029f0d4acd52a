"""Every "Doe mee" page in the student view on the real hub, in real Chromium, with the student
view's content security policy in force: each interactive starts, responds to its controls and
its downloads work. Nothing the page loads may be refused (a CSP refusal is a console error)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import screenshot
from leerplein.readability import measure
from hub_helpers import port_for, reachable_base, start_course_hub, stop_course_hub

STUDENT, TEACHER = "ixanna", "ixdocent"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "doemee")
    hub = start_course_hub(base, [TEACHER], [STUDENT], port_for(7))
    yield hub
    stop_course_hub(hub)


@pytest.fixture(scope="module")
def student(hub, browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", STUDENT)
    page.fill("#password_input", hub["passwords"][STUDENT])
    page.press("#password_input", "Enter")
    page.wait_for_selector("text=Welkom op Leerplein", timeout=120_000)
    yield page
    context.close()


def doe_mee_pages(book: Path) -> list[str]:
    return sorted(f"{p.parent.name}/{p.stem}" for p in (book / "modules").glob("*/doe-*.html"))


def open_page(page, hub, name: str):
    page.console_errors.clear()
    response = page.goto(f"{hub['url']}/user/{STUDENT}/leerplein/pagina/{name}")
    assert "script-src 'self'" in response.headers["content-security-policy"], "the test must run with the CSP on"
    page.wait_for_selector("section.lp-interactive[data-ready='true']", timeout=30_000)
    return page.locator("section.lp-interactive").first


def wait_text(locator, text: str, seconds: float = 20):
    """Wait until the locator's text contains `text` (the page's CSP forbids eval-based waits)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in locator.inner_text():
            return True
        time.sleep(0.2)
    return text in locator.inner_text()


def rondkomen(page, root):
    before = root.locator(".lp-outcome").inner_text()
    root.get_by_label("Kapotte wasmachine").check()
    root.get_by_label(re.compile("Vergeten boete")).check()
    assert root.locator(".lp-outcome").inner_text() != before
    assert "Het geld is op in week" in root.locator(".lp-outcome").inner_text()
    assert "1 juli 2024" in root.inner_text(), "the norms' date is shown with the amounts"


def schaarste(page, root):
    root.locator("button[data-choice='uitstellen']").click()
    assert root.locator(".lp-log li").count() == 1
    assert "weekgeld" in root.locator(".lp-income").inner_text()


def leesbaarheid(page, root):
    assert wait_text(root, "Flesch-Douma"), root.inner_text()[:500]
    assert "kon niet laden" not in root.inner_text()
    first = float(root.get_attribute("data-flesch"))
    plain = "Wij betalen u het geld terug. Dat doen wij heel snel. Bel ons als u vragen heeft."
    root.get_by_label(re.compile("Plak of typ je tekst")).fill(plain)
    assert wait_text(root, f"{measure(plain).sentences} zinnen"), root.inner_text()[:500]
    assert float(root.get_attribute("data-flesch")) > first + 20


def krachtenkaart(page, root):
    root.get_by_label("Naam", exact=True).fill("Buurman Kees")
    root.get_by_label("Naam", exact=True).press("Enter")
    assert root.locator(".lp-list li", has_text="Buurman Kees").count() == 1
    with page.expect_download() as info:
        root.get_by_role("button", name="Download als afbeelding (PNG)").click()
    assert open(info.value.path(), "rb").read(8) == PNG, "the PNG download did not work"
    with page.expect_download() as info:
        root.get_by_role("button", name="Download als afbeelding (SVG)").click()
    assert b"Buurman Kees" in open(info.value.path(), "rb").read()
    # kept in her browser: after a reload the map still has her addition
    page.reload()
    page.wait_for_selector("section.lp-interactive[data-ready='true']")
    assert page.locator(".lp-list li", has_text="Buurman Kees").count() == 1


def netwerkwijzer(page, root):
    from leerplein.interactives import partners

    root.get_by_label(partners.questions()["lezen"]).check()
    root.get_by_label(partners.questions()["geld"]).check()
    names = root.locator(".lp-partners li strong").all_inner_texts()
    assert "Bibliotheek (Taalhuis)" in names and "Schuldhulpverlening gemeente" in names


def kennischeck(page, root):
    group = root.locator("fieldset").first
    group.locator("input[type=radio]").first.check()
    assert re.match(r"(Goed!|Nog niet\.)", group.locator(".lp-feedback").inner_text())


def actieleerlogboek(page, root):
    root.locator("textarea").first.fill("Inwoners haken af bij de aanvraag.")
    assert wait_text(root.locator(".lp-feedback"), "Bewaard in je eigen map op Leerplein.")


TOOLS = {"rondkomen": rondkomen, "schaarste": schaarste, "leesbaarheid": leesbaarheid,
         "krachtenkaart": krachtenkaart, "netwerkwijzer": netwerkwijzer, "kennischeck": kennischeck,
         "actieleerlogboek": actieleerlogboek}


def test_every_doe_mee_works_in_the_student_view_with_csp(hub, student, built_book):
    pages = doe_mee_pages(built_book)
    assert len(pages) >= 7, pages
    seen, failures = set(), []
    for name in pages:  # every page is tried, so one broken interactive does not hide another
        try:
            root = open_page(student, hub, name)
            tool = root.get_attribute("data-tool")
            assert tool in TOOLS, f"no test for the interactive {tool!r}"
            TOOLS[tool](student, root)
            seen.add(tool)
            assert student.console_errors == [], student.console_errors
        except Exception as err:  # noqa: BLE001 - reported below, with the page's name
            failures.append(f"{name}: {str(err).splitlines()[0][:300]}")
        finally:
            screenshot(student, f"doe-mee-hub-{name.replace('/', '-')}")
    assert failures == [], "\n".join(failures)
    assert seen == set(TOOLS), seen
