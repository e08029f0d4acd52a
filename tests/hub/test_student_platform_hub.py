"""The student's platform on the real hub, in real Chromium (issue 24): a draft survives going
away and coming back (autosave, and the save sent when she leaves at once), handing in incomplete
work asks once, feedback and the score appear without a button, the zelfscan is kept in her
folder, one header leads from Peiling and the leerkring back to her own student view, and every
page fits a 390 px phone (no sideways scroll), in Dutch, axe clean. Probes: the autosave and the
zelfscan store refuse another user and a post without XSRF."""

from __future__ import annotations

import os
import pwd
import re
import time
from pathlib import Path

import pytest

from conftest import screenshot
from hub_helpers import A, leerplein, login, port_for, reachable_base, service_url, start_course_hub, stop_course_hub
from hub_helpers import server_token, user_url
from test_student_path import english_words, run_axe

STUDENT, OTHER, TEACHER = "svanna", "svbob", "svdocent"
PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "svplatform")
    hub = start_course_hub(base, [TEACHER], [STUDENT, OTHER], port_for(9))
    yield hub
    stop_course_hub(hub)


def wait_for(read, seconds: float = 30.0):
    """The first truthy value of read() (the pages' CSP forbids Playwright's eval-based waits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.25)
    return read()


def browser_login(browser, hub, user, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.press("#password_input", "Enter")
    page.wait_for_selector("text=Welkom op Leerplein", timeout=120_000)
    return context, page


def notebook(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir) / A / f"{A}.ipynb"


def fetched(page):
    if page.locator("text=Ophalen en beginnen").count():
        page.click("text=Ophalen en beginnen")
        page.wait_for_selector("textarea#antwoord-reflectie-1")


def test_a_draft_survives_going_away_and_coming_back(hub, browser):
    context, page = browser_login(browser, hub, STUDENT)
    fetched(page)
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/opdracht/{A}")
    # 1. she types and waits a moment: saved on her own server, the counter counts
    page.click("#antwoord-reflectie-1")
    page.keyboard.type("Een bewoner liet brieven liggen uit schaamte.")
    assert wait_for(lambda: "Concept bewaard om" in page.inner_text("#autosave")), page.inner_text("#autosave")
    assert page.inner_text("#teller-reflectie-1").startswith("7 woorden (gevraagd: 150 tot 300). Nog 143 te gaan")
    assert "liet brieven liggen uit schaamte." in notebook(STUDENT).read_text()
    page.click("text=Mijn voortgang")
    page.wait_for_selector("table.voortgang")
    page.go_back()
    page.wait_for_selector("textarea#antwoord-reflectie-1")
    page.reload()  # from the server, not the browser's memory
    assert page.input_value("#antwoord-reflectie-1") == "Een bewoner liet brieven liggen uit schaamte."
    # 2. she types and clicks a link at once: the browser asks, the text goes along anyway
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.accept()))
    page.click("#antwoord-reflectie-2")
    page.keyboard.type("Snel weg.")
    page.click("text=Mijn voortgang")
    page.wait_for_selector("table.voortgang")
    assert asked == ["beforeunload"], asked
    assert wait_for(lambda: "Snel weg." in notebook(STUDENT).read_text(), 20), "the text sent on leaving was lost"
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/opdracht/{A}")
    assert page.input_value("#antwoord-reflectie-2") == "Snel weg."
    # 3. handing in incomplete work asks once; no green "ingeleverd" next to a red "Nog niet klaar"
    page.click("button[value=inleveren]")
    page.wait_for_selector("#bevestigen")
    text = page.inner_text("main")
    assert "Wil je toch inleveren?" in text and "Kennischeck 1: kies nog een antwoord." in text
    assert "Je opdracht is ingeleverd" not in text
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/")
    assert "Nog niet ingeleverd." in page.inner_text("main"), "handed in without her yes"
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/opdracht/{A}")
    page.click("button[value=inleveren]")
    page.click("text=Ja, toch inleveren")
    page.wait_for_selector("text=Je opdracht is ingeleverd.", timeout=90_000)
    assert page.locator(".let-op").count() == 1 and "Nog niet klaar" not in page.inner_text("main")
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/")
    card = page.inner_text(".kaart")
    assert re.search(r"Ingeleverd op \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
                     r"november|december) \d{4}, \d\d:\d\d\.", card), card
    # 4. notes save in place: the interactive keeps its state, the page does not jump
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/pagina/01-armoede-zien/doe-rondkomen")
    page.wait_for_selector("section.lp-interactive[data-ready='true']")
    page.select_option(".lp-interactive select", index=1)
    chosen = page.input_value(".lp-interactive select")
    url = page.url
    page.fill("#notities", "Eigen notitie.")
    page.click("text=Aantekeningen bewaren")
    assert wait_for(lambda: "Je aantekeningen zijn bewaard" in page.inner_text("#notities-status"))
    assert page.url == url and page.input_value(".lp-interactive select") == chosen
    context.close()


def test_feedback_and_score_appear_without_a_button(hub, browser):
    context, page = browser_login(browser, hub, STUDENT)
    if "Nog niet ingeleverd." in page.inner_text("main") or page.locator("text=Ophalen en beginnen").count():
        pytest.skip("runs after the draft test, which hands in")
    for step in (("collect", A), ("autograde", A)):
        done = leerplein("course", *step, *hub["course"])
        assert done.returncode == 0, done.stdout + done.stderr
    teacher = login(hub, TEACHER)
    form = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{STUDENT}")
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", form.text).group(1)
    assert teacher.post(form.url, data={"_xsrf": xsrf, "reflectie-1:signalen": "voldoende",
                                        "reflectie-1:schaamte": "voldoende"}).ok
    saved = teacher.post(form.url, data={"_xsrf": xsrf, "reflectie-2:niveaus": "voldoende",
                                         "reflectie-2:gesprek": "voldoende", "reflectie-2:ontmoetingen": "voldoende"})
    assert "reflectie-2 krijgt" in saved.text, saved.text[:400]
    released = leerplein("course", "feedback", A, *hub["course"])
    assert released.returncode == 0, released.stdout + released.stderr
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/voortgang")
    text = page.inner_text("main")
    assert "nagekeken" in text and "haal je feedback op" not in text, text
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/")
    assert page.locator("text=Feedback ophalen").count() == 0
    assert re.search(r"Nagekeken: [\d,]+ van [\d,]+ punten", page.inner_text(".kaart")), page.inner_text(".kaart")
    page.click("text=Feedback lezen")
    page.wait_for_selector(".feedback h1")
    context.close()


def test_the_zelfscan_is_kept_in_her_folder(hub, browser):
    context, page = browser_login(browser, hub, STUDENT)
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/zelfscan")
    page.wait_for_selector("section.lp-interactive[data-ready='true']")
    page.get_by_label("Wijkteamprofessional").check()
    saved = Path(pwd.getpwnam(STUDENT).pw_dir) / "Leerplein" / "zelfscan.json"
    assert wait_for(lambda: saved.is_file() and "rol" in saved.read_text())
    assert saved.stat().st_uid == pwd.getpwnam(STUDENT).pw_uid
    context.close()
    # another browser (another device): no localStorage, the choice comes back from her folder
    context, page = browser_login(browser, hub, STUDENT)
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/zelfscan")
    page.wait_for_selector("section.lp-interactive[data-ready='true']")
    assert wait_for(lambda: page.get_by_label("Wijkteamprofessional").is_checked())
    assert "Kies eerst je rol" not in page.inner_text(".lp-result")
    context.close()


def test_a_link_to_an_assignment_not_yet_fetched_offers_to_fetch_it(hub, browser):
    context, page = browser_login(browser, hub, OTHER)
    page.goto(f"{user_url(hub, OTHER)}/leerplein/opdracht/{A}")
    text = page.inner_text("main")
    assert "Dat lukte niet" not in text and "Deze opdracht staat voor je klaar" in text
    page.click("text=Ophalen en beginnen")
    page.wait_for_selector("textarea#antwoord-reflectie-1")
    context.close()


def test_probes_against_autosave_and_the_zelfscan_store_fail(hub, browser):
    """His own draft saves with his token; without it, or at another student's server, nothing
    is saved. Same for the zelfscan store."""
    server_token(hub, STUDENT)  # her server runs: the refusal comes from it, not from a stopped server
    server_token(hub, OTHER)
    bob = login(hub, OTHER)
    own, anna_view = f"{user_url(hub, OTHER)}/leerplein", f"{user_url(hub, STUDENT)}/leerplein"
    home = bob.get(f"{own}/opdracht/{A}")  # through the hub's login: cookies for his own origin
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', home.text).group(1)
    if "Ophalen en beginnen" in home.text:
        bob.post(f"{own}/opdracht/{A}/ophalen", data={"_xsrf": xsrf})
    saved = bob.post(f"{own}/opdracht/{A}", data={"_xsrf": xsrf, "actie": "concept", "antwoord-reflectie-1": "eigen"})
    assert saved.status_code == 200 and saved.json()["melding"].startswith("Concept bewaard om"), saved.text[:300]
    assert "eigen" in notebook(OTHER).read_text()
    # without the XSRF token (a page elsewhere posting into his draft): refused, nothing saved
    forged = bob.post(f"{own}/opdracht/{A}", data={"actie": "concept", "antwoord-reflectie-1": "vals"},
                      allow_redirects=False)
    assert forged.status_code == 403 and "vals" not in notebook(OTHER).read_text()
    kept = bob.post(f"{own}/zelfscan/keuzes", json={"rol": "wijkteam", "antwoorden": {}}, headers={"X-XSRFToken": xsrf})
    assert kept.status_code == 200, kept.text[:300]
    assert bob.post(f"{own}/zelfscan/keuzes", json={"rol": "vals", "antwoorden": {}},
                    allow_redirects=False).status_code == 403
    assert "vals" not in (Path(pwd.getpwnam(OTHER).pw_dir) / "Leerplein" / "zelfscan.json").read_text()
    # at anna's server, with his own valid token: refused, her draft and choices unchanged
    anna_nb = notebook(STUDENT)
    anna_scan = Path(pwd.getpwnam(STUDENT).pw_dir) / "Leerplein" / "zelfscan.json"
    def state():
        return tuple(f.read_bytes() if f.exists() else b"" for f in (anna_nb, anna_scan))

    before = state()
    for follow in (False, True):
        r = bob.post(f"{anna_view}/opdracht/{A}", allow_redirects=follow,
                     data={"_xsrf": xsrf, "actie": "concept", "antwoord-reflectie-1": "van bob"})
        assert r.status_code in (302, 403) or "/hub/login" in r.url or f"/user/{OTHER}/" in r.url, (r.status_code, r.url)
        r = bob.post(f"{anna_view}/zelfscan/keuzes", allow_redirects=follow, json={"rol": "bob", "antwoorden": {}},
                     headers={"X-XSRFToken": xsrf})
        assert r.status_code in (302, 403) or "/hub/login" in r.url or f"/user/{OTHER}/" in r.url, (r.status_code, r.url)
    assert state() == before


def fits_the_phone(page, name: str, shots: list, english: bool = True) -> str:
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    shots.append(screenshot(page, f"sv-telefoon-{name}"))
    assert width <= PHONE["width"], f"{name}: {width} px wide on a {PHONE['width']} px phone"
    text = page.inner_text("body")
    if english:
        assert not english_words(text), f"{name}: English on screen: {english_words(text)}"
    assert run_axe(page) == [], name
    return text


def test_every_page_fits_a_phone_and_the_header_leads_home_from_the_services(hub, browser):
    shots: list = []
    context, page = browser_login(browser, hub, STUDENT, viewport=PHONE)
    view = f"{user_url(hub, STUDENT)}/leerplein"
    fetched(page)
    for name, path in (("home", "/"), ("opdracht", f"/opdracht/{A}"), ("feedback", f"/feedback/{A}"),
                       ("voortgang", "/voortgang"), ("zelfscan", "/zelfscan"), ("eindopdracht", "/eindopdracht"),
                       ("module-overzicht", "/pagina/01-armoede-zien/index"),
                       ("leespagina", "/pagina/01-armoede-zien/01-armoede-in-cijfers"),
                       ("doe-mee", "/pagina/01-armoede-zien/doe-rondkomen"),
                       ("krachtenkaart", "/pagina/03-werken-vanuit-kracht/doe-krachtenkaart"),
                       ("fout", "/opdracht/bestaat-niet")):
        page.goto(view + path)
        text = fits_the_phone(page, name, shots)
        assert "Mijn voortgang" in text and "Uitloggen" in text, name
        assert OTHER not in text and TEACHER not in text, f"{name}: another user's name in the header"
    # a reading page has the module's contents and Vorige/Volgende
    page.goto(view + "/pagina/01-armoede-zien/01-armoede-in-cijfers")
    assert page.locator(".vorige-volgende a.volgende").count() == 1
    assert page.locator(".inhoud-module li a").count() >= 8
    page.click(".vorige-volgende a.volgende")
    page.wait_for_selector(".vorige-volgende a.vorige")
    assert page.url.endswith("/pagina/01-armoede-zien/02-dichtbij-en-onzichtbaar")
    page.goto(view + "/pagina/01-armoede-zien/01-armoede-in-cijfers")
    assert page.locator(".boek .admonition-denk-na").count() >= 1
    assert page.evaluate("getComputedStyle(document.querySelector('.boek .admonition-denk-na')).borderLeftStyle") \
        == "solid", "the Denk na box lost its styling"

    # Peiling (an evaluation the teacher opened) and the leerkring: the same way back, logout
    teacher = login(hub, TEACHER)
    home = teacher.get(f"{service_url(hub, 'peiling')}/begeleider")
    assert home.status_code == 200
    made = teacher.post(f"{service_url(hub, 'peiling')}/begeleider",
                        data={"plan": "evaluatie", "_xsrf": teacher.cookies.get("_xsrf", path="/services/peiling/")})
    code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
    for name, url in (("peiling", f"{service_url(hub, 'peiling')}/p/{code}"),
                      ("peiling-meedoen", f"{service_url(hub, 'peiling')}/"),
                      ("leerkring", f"{service_url(hub, 'leerkring')}/")):
        page.goto(url)
        page.wait_for_selector("header nav")
        header = page.inner_text("header")
        assert "Mijn Leerplein" in header and "Uitloggen" in header and "Mijn voortgang" in header, name
        assert STUDENT not in header and OTHER not in header, name
        fits_the_phone(page, name, shots)
        page.click("header >> text=Mijn Leerplein")
        page.wait_for_selector("text=Welkom op Leerplein")
        assert page.url.startswith(view), (name, page.url)
    page.goto(f"{service_url(hub, 'leerkring')}/")
    page.click("header >> text=Uitloggen")
    page.wait_for_selector("#username_input")
    context.close()
