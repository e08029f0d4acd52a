"""A student's whole path on the real hub, in real Chromium: the launch link from a book page,
the Dutch login, the module page with its interactive (nothing to run), fetching the
assignment, answering through the form, checking, handing in, the teacher grading, and the
feedback. Every screen: a screenshot, no code, Dutch text only, and axe finds nothing serious
or critical. Also: students have no teacher tools, teachers do."""

from __future__ import annotations

import json
import os
import re

import pytest
import requests

from conftest import ROOT, screenshot
from hub_helpers import A, leerplein, login, port_for, reachable_base, server_token, start_course_hub, stop_course_hub
from hub_helpers import service_url, user_url

STUDENT, OTHER, TEACHER = "lpsanna", "lpsbob", "lpsdocent"
PAGE = "modules/01-armoede-zien/doe-rondkomen"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]

# Words that give away an English interface. Only words that are not also Dutch (no "in",
# "is", "of", "over", "start", "feedback", "server"...).
ENGLISH = set("""the and you your with this that these those what which when where there here from into
about please sign login logout password username submit submitted validate validation fetch fetched
assignment assignments notebook notebooks loading loaded error errors failed success successful
home token tokens services files edit view run kernel settings close save saved cancel yes new
named launch stopping started starting running ready required enable page found not owner would
like retry server's it's don't can't cell cells output outputs hidden grade graded points score""".split())
ALLOWED = {"Leerplein", "JupyterLab", "JupyterHub"}
SOURCE_NAMES = ["Action Learning and Action Research Association"]  # cited authors keep their names


def english_words(text: str) -> list[str]:
    for name in SOURCE_NAMES:
        text = text.replace(name, "")
    words = re.findall(r"[A-Za-z][A-Za-z']+", text)
    return sorted({w for w in words if w.lower() in ENGLISH and w not in ALLOWED})


@pytest.fixture(scope="module")
def hub(tmp_path_factory, built_book):
    base = reachable_base(tmp_path_factory, "studentpath")
    hub = start_course_hub(base, [TEACHER], [STUDENT, OTHER], port_for(3))
    yield hub
    stop_course_hub(hub)


def run_axe(page) -> list[dict]:
    # evaluated through the browser's debugging channel: the student view's content security
    # policy (only its own scripts) stays in force for everything the page itself runs
    page.evaluate((ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text() + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {[n['html'][:120] for n in v['nodes']][:3]}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def poll(read, seconds: float = 20.0):
    """The first non-empty value of read() (the pages' CSP forbids Playwright's eval-based waits)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.2)
    return read()


def check_screen(page, name: str, shots: list) -> str:
    """Screenshot, then: no code cell or Python visible, only Dutch, axe clean."""
    page.wait_for_load_state("networkidle")
    shots.append(screenshot(page, f"student-path-{name}"))
    text = page.inner_text("body")
    assert not english_words(text), f"{name}: English on screen: {english_words(text)}"
    assert page.locator(".jp-CodeCell, .jp-InputArea, .cm-editor, .CodeMirror, pre").count() == 0, name
    assert not re.search(r"antwoord_\d|import |kies\(|NotImplementedError", text), name
    assert run_axe(page) == [], name
    return text


def test_a_student_walks_from_the_book_to_her_feedback(hub, browser):
    from leerplein.book.sphinx_ext import launch_block

    shots: list = []
    link = re.search(r'href="([^"]+)"', launch_block(hub["url"], PAGE)).group(1)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(90_000)  # checking runs her notebook: slow on a busy machine
    page.on("console", lambda m: m.type == "error" and shots.append(f"console: {m.text}"))

    # 1. the book's "Doe mee op Leerplein" link asks her to log in, in Dutch
    page.goto(link)
    page.wait_for_selector("#username_input")
    check_screen(page, "1-inloggen", shots)
    assert "Inloggen" in page.inner_text("body")
    page.fill("#username_input", STUDENT)
    page.fill("#password_input", hub["passwords"][STUDENT])
    page.press("#password_input", "Enter")

    # 2. her server starts, and the page opens with the interactive already there
    page.wait_for_selector(".lp-interactive", timeout=90_000)
    assert f"/user/{STUDENT}/leerplein/pagina/01-armoede-zien/doe-rondkomen" in page.url
    text = check_screen(page, "2-doe-mee-pagina", shots)
    assert "Doe mee: rondkomen" in text and "Week 1" in text, "the interactive is not drawn"
    assert "Gemeente Oldambt" in text and "{cite" not in text, "citations are not rendered"
    page.select_option(".lp-interactive select", index=1)  # it reacts without running anything
    page.fill("#notities", "Mijn eigen notitie bij rondkomen.")
    page.click("text=Aantekeningen bewaren")  # saved in place: the page and its interactive stay
    page.wait_for_selector("#notities-status:has-text('Je aantekeningen zijn bewaard')")
    assert page.input_value("#notities") == "Mijn eigen notitie bij rondkomen."

    # 3. her assignments: fetch the new one
    page.click("text=Mijn opdrachten")
    page.wait_for_selector("text=Ophalen en beginnen")
    check_screen(page, "3-mijn-opdrachten", shots)
    # the intake, from her home: the advice links stay inside her student view
    page.click("text=Zelfscan: welk leerpad past bij jou?")
    page.wait_for_selector("section.lp-interactive[data-ready='true']")
    page.get_by_label("Wijkteamprofessional").check()
    page.locator("fieldset", has_text="Ik herken signalen van geldzorgen").get_by_label("Klopt niet", exact=True).check()
    first = page.locator(".lp-result li a").first
    assert first.inner_text() == "Dichtbij en toch onzichtbaar"
    assert first.get_attribute("href").endswith("/leerplein/pagina/01-armoede-zien/02-dichtbij-en-onzichtbaar")
    check_screen(page, "3b-zelfscan", shots)
    page.click("text=← Mijn Leerplein")
    page.wait_for_selector("text=Ophalen en beginnen")
    page.click("text=Ophalen en beginnen")
    page.wait_for_selector("textarea#antwoord-reflectie-1")
    check_screen(page, "4-opdracht-leeg", shots)

    # 4. answer through the form; checking says what is missing, by keyboard too
    page.fill("#antwoord-reflectie-1", "Ik zag pas laat dat een bewoner steeds rekeningen liet liggen. <b>schaamte</b>")
    page.focus("#antwoord-check-1-A")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # arrow keys move the choice within the group: C
    assert page.is_checked("#antwoord-check-1-C")
    page.click("button[value=controleren]")
    page.wait_for_selector(".probleem")
    text = check_screen(page, "5-controleren-nog-niet-klaar", shots)
    assert "Kennischeck 2: kies nog een antwoord." in text and "Reflectie 2: je hebt hier nog niets geschreven." in text
    assert page.is_checked("#antwoord-check-1-C"), "a check lost the answer"
    page.check("#antwoord-check-2-B")
    page.check("#antwoord-check-3-B")  # wrong on purpose: the feedback should explain
    page.fill("#antwoord-reflectie-2", "Op drie niveaus: persoon, organisatie en samenleving.")
    page.click("button[value=controleren]")
    page.wait_for_selector("text=Alles is ingevuld.", timeout=60_000)
    check_screen(page, "6-controleren-klaar", shots)
    page.click("button[value=inleveren]")
    page.wait_for_selector("text=Je opdracht is ingeleverd.", timeout=60_000)
    check_screen(page, "7-ingeleverd", shots)

    # 5. the teacher collects, autogrades, grades the reflection and releases the feedback
    for step in (("collect", A), ("autograde", A)):
        done = leerplein("course", *step, *hub["course"])
        assert done.returncode == 0, done.stdout + done.stderr
    teacher = login(hub, TEACHER)
    form = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{STUDENT}")
    assert "rekeningen liet liggen" in form.text
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", form.text).group(1)
    saved = teacher.post(form.url, data={"question": "reflectie-1", "comment": "Mooi voorbeeld van schaamte.",
                                         "_xsrf": xsrf, "reflectie-1:signalen": "goed",
                                         "reflectie-1:schaamte": "voldoende"})
    assert saved.ok
    saved = teacher.post(form.url, data={"_xsrf": xsrf, "reflectie-2:niveaus": "voldoende",
                                         "reflectie-2:gesprek": "voldoende", "reflectie-2:ontmoetingen": "voldoende"})
    assert "reflectie-2 krijgt" in saved.text  # every reflection graded: the feedback may go out
    released = leerplein("course", "feedback", A, *hub["course"])
    assert released.returncode == 0, released.stdout + released.stderr

    # 6. her feedback is fetched for her (no button): right option and why for every kennischeck
    page.click("text=Mijn opdrachten")
    page.click("text=Feedback lezen")
    page.wait_for_selector(".feedback h1")
    text = check_screen(page, "8-feedback", shots)
    assert "Mooi voorbeeld van schaamte." in text
    assert text.count("Waarom:") == 3
    assert "Het goede antwoord is A: Vijf avonden waarin professionals en inwoners met ervaring in armoede" in text
    assert "(1 van 1 punt)" in text and "(0 van 1 punt)" in text and "punten punt" not in text
    assert "<b>schaamte</b>" in text, "her own words are shown as text, not as markup"
    # 7. her progress across the course, against the pass rules
    page.click("text=Mijn voortgang")
    page.wait_for_selector("table.voortgang")
    text = check_screen(page, "8b-mijn-voortgang", shots)
    assert "Reflectie-opdracht: armoede zien" in text and "nog niet klaargezet" in text and "Wat nog open staat" in text
    assert not [s for s in shots if isinstance(s, str)], shots
    context.close()


def test_students_have_no_teacher_tools_and_teachers_do(hub):
    student = server_token(hub, STUDENT)
    teacher = server_token(hub, TEACHER)
    disabled = {}
    for user, headers in ((STUDENT, student), (TEACHER, teacher)):
        lab = requests.get(f"{user_url(hub, user)}/lab", headers=headers)
        assert lab.status_code == 200
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', lab.text, re.S).group(1))
        disabled[user] = set(config.get("disabledExtensions", []))
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list"):
        assert plugin in disabled[STUDENT] and plugin not in disabled[TEACHER]
    assert requests.get(f"{user_url(hub, STUDENT)}/formgrader", headers=student).status_code == 404
    assert requests.get(f"{user_url(hub, TEACHER)}/formgrader", headers=teacher).status_code != 404
    # where each one lands after logging in
    info = requests.get(f"{hub['url']}/hub/api/users/{STUDENT}", headers=hub["admin"]).json()
    assert info["servers"][""]["url"].endswith(f"/user/{STUDENT}/")
    landing = login(hub, STUDENT).get(f"{hub['url']}/hub/")
    assert landing.url.rstrip("/").endswith("/leerplein"), landing.url


def test_probes_against_the_student_view_fail(hub):
    """Another student, forged forms and paths that climb out: all refused, nothing changes."""
    server_token(hub, STUDENT)
    bob = login(hub, OTHER)
    server_token(hub, OTHER)
    anna_view = f"{user_url(hub, STUDENT)}/leerplein"
    for path in ("/", f"/opdracht/{A}", f"/feedback/{A}", "/pagina/01-armoede-zien/doe-rondkomen", "/zelfscan",
                 "/eindopdracht"):
        r = bob.get(anna_view + path, allow_redirects=True)
        assert r.status_code == 403 or f"/user/{OTHER}/" in r.url or "/hub/login" in r.url, (path, r.status_code, r.url)
        assert "Reflectie 1" not in r.text and "Mijn eigen notitie" not in r.text
    own = f"{user_url(hub, OTHER)}/leerplein"
    assert OTHER in bob.get(own + "/").url
    # a form posted from elsewhere (no XSRF token) is refused and saves nothing
    forged = bob.post(f"{own}/opdracht/{A}/ophalen", data={"x": "1"}, allow_redirects=False)
    assert forged.status_code == 403
    assert bob.post(f"{own}/pagina/01-armoede-zien/doe-rondkomen", data={"notities": "vals"},
                    allow_redirects=False).status_code == 403
    # paths that climb out of the book or the home folder
    for path in ("/boek/../../../../etc/passwd", "/boek/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/opdracht/..%2F..%2Fetc",
                 "/pagina/..%2F..%2Fetc/passwd", "/feedback/.hidden", "/opdracht/%00"):
        r = bob.get(own + path)
        assert r.status_code in (400, 403, 404), (path, r.status_code)
        assert "root:x:0:0" not in r.text
    # the pages carry a policy that runs no inline or foreign script
    page = bob.get(own + "/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "object-src 'none'" in page.headers["Content-Security-Policy"]


def test_the_logbook_is_kept_in_her_home_and_goes_into_her_assignment(hub, browser):
    import pwd
    from pathlib import Path

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", STUDENT)
    page.fill("#password_input", hub["passwords"][STUDENT])
    page.press("#password_input", "Enter")
    page.wait_for_selector("text=Welkom op Leerplein", timeout=90_000)
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/pagina/05-leren-in-de-praktijk/doe-actieleerlogboek")
    page.wait_for_selector("text=Je logboek wordt bewaard in je eigen map")
    shots: list = []
    check_screen(page, "9-actieleerlogboek", shots)
    page.locator("section.lp-interactive textarea").first.fill("Inwoners haken af bij de aanvraag.")
    page.get_by_label("Vragen (Q): welke vragen stelden jij en de anderen?").first.fill("Bij welke stap?")
    status = poll(lambda: page.inner_text("section.lp-interactive .lp-feedback"))
    assert status == "Bewaard in je eigen map op Leerplein."
    saved = Path(pwd.getpwnam(STUDENT).pw_dir) / "Leerplein" / "actieleerlogboek.json"
    assert saved.stat().st_uid == pwd.getpwnam(STUDENT).pw_uid and saved.stat().st_mode & 0o077 == 0
    page.reload()
    poll(lambda: page.locator("section.lp-interactive textarea").first.input_value())
    assert page.locator("section.lp-interactive textarea").first.input_value() == "Inwoners haken af bij de aanvraag."
    # into the assignment, under a reflection, as her own text she can still edit
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/")
    if page.locator("text=Ophalen en beginnen").count():  # when this test runs on its own
        page.click("text=Ophalen en beginnen")
    page.goto(f"{user_url(hub, STUDENT)}/leerplein/opdracht/{A}")
    before = page.input_value("#antwoord-reflectie-2")
    page.click("button[value='logboek:reflectie-2']")
    page.wait_for_selector("text=Je logboek staat nu onder je antwoord bij Reflectie 2.")
    answer = page.input_value("#antwoord-reflectie-2")
    assert "Uit mijn actieleerlogboek" in answer and "Bij welke stap?" in answer
    assert answer.startswith(before.strip()), "her earlier answer was lost"
    check_screen(page, "10-logboek-in-opdracht", shots)
    context.close()
