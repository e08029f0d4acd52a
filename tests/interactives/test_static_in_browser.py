"""Each interactive in the static book, operated in real Chromium with the network blocked:
the page has no kernel, so every response comes from the book's own files."""

from __future__ import annotations

import re

import pytest

from conftest import axe_scan, screenshot
from leerplein.interactives import budget, letter, scarcity, strengths
from leerplein.readability import measure

pytestmark = [pytest.mark.browser]

M1 = "modules/01-armoede-zien/doe-rondkomen.html"
M2 = "modules/02-schaarste-en-bandbreedte/doe-schaarste-spel.html"
M3 = "modules/03-werken-vanuit-kracht/doe-krachtenkaart.html"
M4L = "modules/04-bibliotheek-als-partner/doe-leesbaarheid.html"
M4N = "modules/04-bibliotheek-als-partner/doe-netwerkwijzer.html"
M5 = "modules/05-leren-in-de-praktijk/doe-kennischeck.html"


def open_tool(page, url: str, tool: str):
    page.goto(url, wait_until="networkidle")
    root = page.locator(f"section.lp-interactive[data-tool='{tool}']")
    root.wait_for()
    assert root.get_attribute("data-ready") == "true", "the interactive did not start"
    return root


def assert_clean(page, name: str):
    assert page.blocked_requests == [], page.blocked_requests
    assert page.failed_requests == [], page.failed_requests
    assert page.console_errors == [], page.console_errors
    serious = axe_scan(page)
    assert serious == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in serious]
    screenshot(page, name)


def test_rondkomen_responds_to_household_and_setbacks(book_server, page):
    root = open_tool(page, f"{book_server}/{M1}", "rondkomen")
    outcome = root.locator(".lp-outcome")
    first = budget.simulate_month(next(iter(budget.budget_data()["huishoudens"])))
    assert outcome.inner_text() == budget.outcome(first)
    assert outcome.inner_text().startswith("Het geld is deze maand niet op. Aan het eind is er nog € ")
    # the norms' date is shown with the amounts, and the norms are national
    assert "Bijstandsnormen per 1 juli 2024 (landelijk" in root.locator(".lp-peildatum").inner_text()
    assert "per 1 juli 2024" in root.locator(".lp-result p").first.inner_text()
    page.get_by_label("Huishouden").select_option("alleenstaande")
    page.get_by_label("Kapotte wasmachine").check()  # keyboard-reachable native checkbox
    page.get_by_label(re.compile("Vergeten boete")).press("Space")
    expected = budget.simulate_month("alleenstaande", ("boete", "wasmachine"))
    assert outcome.inner_text() == f"Het geld is op in week {expected.runs_out_in_week}."
    amounts = root.locator(".lp-amount").all_inner_texts()
    assert amounts == [budget.euro(b) for b in expected.weekly_balance]
    assert root.locator(".lp-bars").get_attribute("aria-label") == budget.describe(expected)
    assert "illustratief" in root.locator(".lp-result .lp-note").inner_text()
    assert root.locator(".lp-result .lp-note li").count() == len(expected.illustrative)  # a list, not a run-on line
    root.get_by_text("Waar komen de bedragen vandaan?").click()
    assert "Landelijke bijstandsnorm" in root.locator(".lp-table").inner_text()
    assert_clean(page, "interactive-rondkomen")


def test_schaarste_spel_narrows_choices_as_in_python(book_server, page):
    root = open_tool(page, f"{book_server}/{M2}", "schaarste")
    assert "geen meting van jouw intelligentie" in root.inner_text()
    seed = int(root.locator("script.lp-data").evaluate("n => JSON.parse(n.textContent).seed"))
    choices = ["uitstellen", "uitstellen", "lenen"]
    for choice in choices:
        root.locator(f"button[data-choice='{choice}']").click()
    expected = scarcity.play(seed, choices)
    assert scarcity.describe(expected) in root.locator(".lp-result").first.inner_text()
    assert root.locator("meter").evaluate("m => m.value") == expected.bandwidth
    enabled = [c for c in scarcity.CHOICES if root.locator(f"button[data-choice='{c}']").is_enabled()]
    assert enabled == scarcity.available(expected, seed)
    assert "regelen" not in enabled, "with little bandwidth the plan for later must be out of reach"
    assert root.locator(".lp-log li").count() == 3
    # a grey button says why, and the week's income is stated
    why = root.locator(".lp-why").inner_text()
    for choice, reason in scarcity.reasons(expected, seed).items():
        assert reason in why
        assert root.locator(f"button[data-choice='{choice}']").get_attribute("aria-describedby")
    assert "regelen" in scarcity.reasons(expected, seed)
    assert scarcity.income_text(expected) == root.locator(".lp-income").inner_text()
    assert "60 euro weekgeld" in root.locator(".lp-income").inner_text()
    # the attention task: a short number remembered right scores full marks
    trial = root.locator(".lp-round").first
    assert not root.locator(".lp-round").nth(1).is_visible()  # round two waits for round one
    number = trial.locator(".lp-number strong").inner_text()
    trial.get_by_role("button", name="Verberg het getal en begin").click()
    assert number not in trial.inner_text()
    trial.get_by_label("Welk getal moest je onthouden?").fill(number)
    trial.get_by_role("button", name=re.compile("Klaar met ronde")).click()
    assert f"zonder last: {len(number)} van {len(number)} cijfers goed" in root.locator(".lp-attention .lp-result").inner_text()
    assert root.locator(".lp-round").nth(1).is_visible()
    root.get_by_role("button", name="Opnieuw beginnen").click()
    assert root.locator(".lp-log li").count() == 0
    assert_clean(page, "interactive-schaarste-spel")


def test_leesbaarheid_matches_python_and_moves_when_rewritten(book_server, page):
    root = open_tool(page, f"{book_server}/{M4L}", "leesbaarheid")
    root.locator(".lp-score").wait_for()
    original = letter.letter_data()["voorbeeldbrief"]
    python = measure(original)
    assert float(root.get_attribute("data-flesch")) == pytest.approx(python.flesch_douma, abs=0.5)
    assert float(root.get_attribute("data-lix")) == pytest.approx(python.lix, abs=0.5)
    assert root.locator(".lp-marked mark.lp-jargon", has_text="derhalve").count() == 1
    assert root.locator(".lp-long-sentence").count() >= 1
    plain = "Wij hebben u te veel geld betaald. Dat geld moet terug. U kunt het in kleine stukjes betalen. Bel ons als u vragen heeft."
    box = page.get_by_label(re.compile("Plak of typ je tekst"))
    box.fill(plain)
    page.wait_for_function("r => r.dataset.flesch && Math.abs(r.dataset.flesch - %f) < 0.5" % measure(plain).flesch_douma,
                           arg=root.element_handle())
    assert int(root.locator(".lp-score").inner_text().split()[-1]) > python.flesch_douma + 30
    assert root.locator(".lp-marked mark.lp-jargon").count() == 0
    assert_clean(page, "interactive-leesbaarheid")


@pytest.mark.parametrize("text", [
    "De gemeente heeft besloten om de regeling voor bijzondere bijstand per volgend jaar aan te passen.",
    "Lettergrepen tellen is lastig. Zeker bij samengestelde woorden zoals schuldhulpverleningstraject!",
    "Kort. Heel kort. Maar toch: ook deze tekst telt mee? Ja, zeker wel.",
])
def test_leesbaarheid_counts_like_textstat_on_reference_texts(book_server, page, text):
    root = open_tool(page, f"{book_server}/{M4L}", "leesbaarheid")
    root.locator(".lp-score").wait_for()
    page.get_by_label(re.compile("Plak of typ je tekst")).fill(text)
    expected = measure(text)
    page.wait_for_function("([r, f]) => Math.abs(r.dataset.flesch - f) < 0.01", arg=[root.element_handle(), expected.flesch_douma])
    assert float(root.get_attribute("data-lix")) == pytest.approx(expected.lix, abs=0.01)


def test_krachtenkaart_draws_adds_lists_and_downloads(book_server, page):
    root = open_tool(page, f"{book_server}/{M3}", "krachtenkaart")
    case = strengths.example()
    nodes = root.locator("circle.lp-node")
    assert nodes.count() == len(case["entries"])
    drawn = [(float(n.get_attribute("cx")), float(n.get_attribute("cy"))) for n in nodes.all()]
    assert drawn == strengths.layout(case["entries"])
    root.get_by_label("Naam", exact=True).fill("Trainer Mo")
    root.get_by_label("Soort").select_option("groep")
    root.get_by_label("Hoe dichtbij").select_option("1")
    root.get_by_label("Naam", exact=True).press("Enter")
    assert nodes.count() == len(case["entries"]) + 1
    assert "Trainer Mo" in root.locator("svg").get_attribute("aria-label")
    assert root.locator(".lp-list li", has_text="Trainer Mo").count() == 1
    root.get_by_role("button", name="Toevoegen").click()
    assert "Geef een naam op" in root.locator("p[role=status]").inner_text()
    with page.expect_download() as info:
        root.get_by_role("button", name="Download als afbeelding (PNG)").click()
    download = info.value
    path = download.path()
    assert download.suggested_filename == "krachtenkaart-emre.png"
    png = open(path, "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert height > width == strengths.SIZE, "the picture has room for its legend below the map"
    assert root.locator(".lp-map-legend text", has_text="Mensen").count() == 1
    assert "Ringen van binnen naar buiten: dichtbij, tussenin, verder weg" in root.locator(".lp-map-legend").text_content()
    root.get_by_role("button", name="Verwijder Opa").click()
    assert nodes.count() == len(case["entries"])
    assert_clean(page, "interactive-krachtenkaart")


def test_krachtenkaart_starts_empty_renames_and_is_kept_after_a_reload(book_server, page):
    root = open_tool(page, f"{book_server}/{M3}", "krachtenkaart")
    root.get_by_role("button", name="Begin met een lege kaart").click()
    assert root.locator("circle.lp-node").count() == 0
    assert "nog leeg" in root.locator("svg").get_attribute("aria-label")
    root.get_by_label("Wiens kaart is dit?").fill("Samira")
    root.get_by_label("Naam", exact=True).fill("Zus")
    root.get_by_label("Naam", exact=True).press("Enter")
    root.get_by_role("button", name="Wijzig Zus").click()
    root.get_by_label("Naam", exact=True).fill("Zus Leila")
    root.get_by_role("button", name="Wijziging bewaren").click()
    assert "Zus heet nu Zus Leila." in root.locator("p[role=status]").inner_text()
    assert root.locator(".lp-list li").all_inner_texts()[0].startswith("Zus Leila: mensen")
    page.reload(wait_until="networkidle")
    root = page.locator("section.lp-interactive[data-tool='krachtenkaart']")
    assert root.get_attribute("data-ready") == "true"
    assert root.get_by_label("Wiens kaart is dit?").input_value() == "Samira"
    assert [n.get_attribute("data-name") for n in root.locator("circle.lp-node").all()] == ["Zus Leila"]
    with page.expect_download() as info:
        root.get_by_role("button", name="Download als afbeelding (SVG)").click()
    assert info.value.suggested_filename == "krachtenkaart-samira.svg"
    root.get_by_role("button", name="Voorbeeld van Emre").click()
    assert root.locator("circle.lp-node").count() == len(strengths.example()["entries"])
    assert_clean(page, "interactive-krachtenkaart-eigen")


def test_netwerkwijzer_shows_partners_for_any_ticked_need_like_python(book_server, page):
    from leerplein.interactives import partners

    root = open_tool(page, f"{book_server}/{M4N}", "netwerkwijzer")
    names = lambda: root.locator(".lp-partners li strong").all_inner_texts()  # noqa: E731
    assert names() == [p.naam for p in partners.partners_for([])]
    root.get_by_label(partners.questions()["lezen"]).check()
    root.get_by_label(partners.questions()["geld"]).check()
    shown = names()
    assert shown == [p.naam for p in partners.partners_for(["lezen", "geld"])]
    assert "Bibliotheek (Taalhuis)" in shown and "Schuldhulpverlening gemeente" in shown
    first = root.locator(".lp-partners li").first.inner_text()
    assert "Helpt bij: " + partners.questions()["lezen"] + "; " + partners.questions()["geld"] in first
    root.get_by_label(partners.questions()["eten"]).check()
    food = root.locator(".lp-partners li", has_text="Voedselbank")
    assert "Bron: Follow the Money" in food.inner_text()
    for q in ("lezen", "geld", "eten"):
        root.get_by_label(partners.questions()[q]).uncheck()
    root.get_by_label("Zoek een partner").fill("taalhuis")
    assert names() == [p.naam for p in partners.partners_for([], "taalhuis")]
    root.get_by_label("Zoek een partner").fill("zwembad")
    assert "Geen partner gevonden" in root.locator(".lp-result").inner_text()
    assert_clean(page, "interactive-netwerkwijzer")


def test_kennischeck_gives_feedback_per_answer(book_server, page):
    from leerplein.interactives import quiz

    root = open_tool(page, f"{book_server}/{M5}", "kennischeck")
    q = quiz.questions_for("m2-tunnel")[0]
    group = root.locator("fieldset", has_text=q.vraag)
    wrong = (q.goed + 1) % len(q.opties)
    group.get_by_label(q.opties[wrong]).check()
    assert group.locator(".lp-feedback").inner_text() == quiz.check(q, wrong).text
    group.get_by_label(q.opties[q.goed]).press("Space")
    assert group.locator(".lp-feedback").inner_text() == quiz.check(q, q.goed).text
    assert group.locator(".lp-feedback").inner_text().startswith("Goed!")
    assert_clean(page, "interactive-kennischeck")


def test_zelfscan_recommends_the_path_python_computes_by_keyboard(book_server, page):
    from conftest import ROOT
    from leerplein.interactives import zelfscan

    root = open_tool(page, f"{book_server}/book/leerpaden.html", "zelfscan")
    assert "Kies eerst je rol" in root.locator(".lp-result").inner_text()
    root.get_by_label("Schuldhulpverlening").focus()
    page.keyboard.press("Space")
    statements = zelfscan.scan()["stellingen"]
    for key, answer in (("zien", "Klopt niet"), ("netwerk", "Klopt helemaal"), ("kracht", "Klopt een beetje")):
        root.locator("fieldset", has_text=statements[key]["tekst"]).get_by_label(answer, exact=True).check()
    expected = zelfscan.advice(ROOT, "schuldhulp", {"zien": 1, "netwerk": 4, "kracht": 2})
    shown = root.locator(".lp-result li").all_inner_texts()
    assert shown == [("Begin hier: " if s.focus else "") + s.title for s in expected.steps]
    assert shown[0] == "Begin hier: Dichtbij en toch onzichtbaar" and sum(s.focus for s in expected.steps) == 2
    href = root.locator(".lp-result li a").first.get_attribute("href")
    assert href == "../modules/01-armoede-zien/02-dichtbij-en-onzichtbaar.html"
    assert_clean(page, "interactive-zelfscan")
    # she follows "Begin hier" and comes back: her path is still there
    root.locator(".lp-result li a").first.click()
    page.wait_for_url("**/02-dichtbij-en-onzichtbaar.html")
    page.go_back(wait_until="networkidle")
    root = page.locator("section.lp-interactive[data-tool='zelfscan']")
    assert root.get_attribute("data-ready") == "true"
    assert root.locator(".lp-result li").all_inner_texts() == shown
    assert root.get_by_label("Schuldhulpverlening").is_checked()
