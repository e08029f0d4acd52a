"""The student's platform without a hub: the word counter's asked length, module contents in the
book's order with Vorige/Volgende, the zelfscan's choices in her folder (bad input refused, links
not followed), scores and Dutch dates on the cards, and the services' header that links through
the hub's user-redirect (never to someone else's server, no names)."""

from __future__ import annotations

import json

import pytest

from leerplein.interactives import zelfscan_keuzes
from leerplein.student import nav, pages
from leerplein.student.form import Question
from leerplein.student.progress import card_score, dutch_timestamp


def test_the_asked_length_is_read_from_the_question():
    q = Question("r1", "tekst", "Reflectie 1", "Wat zag je? (150 tot 300 woorden)", 0, "een twee drie")
    assert q.woorden == (150, 300) and q.aantal_woorden == 3
    assert Question("r2", "tekst", "R", "Zonder lengte.", 0).woorden is None


def test_module_contents_hold_every_reading_page_in_the_books_order(built_book):
    listed = pages.modules(built_book)
    first = listed[0]
    names = [p["name"] for p in first["paginas"]]
    assert names[0] == "index" and names[-1] == "doe-rondkomen"
    assert names.index("07-het-gesprek-over-geld") < names.index("03-drie-niveaus"), "not the book's order"
    assert len(names) > 5 and [d["name"] for d in first["doe"]] == ["doe-rondkomen"]
    # Vorige/Volgende run through the whole course, across modules
    around = pages.neighbours(built_book, listed[1]["name"], "index")
    assert around["vorige"]["name"] == "doe-rondkomen" and around["volgende"]["module"] == listed[1]["name"]
    assert pages.neighbours(built_book, first["name"], "index")["vorige"] is None
    last = listed[-1]["paginas"][-1]
    assert pages.neighbours(built_book, last["module"], last["name"])["volgende"] is None


def test_zelfscan_choices_are_kept_in_her_folder_and_bad_input_changes_nothing(tmp_path):
    assert zelfscan_keuzes.load(tmp_path) == {}
    zelfscan_keuzes.save({"rol": "wijkteam", "antwoorden": {"geld": 2, "taal": 4}}, tmp_path)
    saved = tmp_path / "Leerplein" / "zelfscan.json"
    assert zelfscan_keuzes.load(tmp_path) == {"rol": "wijkteam", "antwoorden": {"geld": 2, "taal": 4}}
    assert (saved.parent.stat().st_mode & 0o077) == 0
    before = saved.read_bytes()
    for bad in ([], {"rol": 5}, {"rol": "x" * 41}, {"antwoorden": {"a": "<script>"}}, {"antwoorden": {"a": True}},
                {"antwoorden": {str(i): 1 for i in range(41)}}, {"antwoorden": {"a": 99}}):
        with pytest.raises(zelfscan_keuzes.ZelfscanError):
            zelfscan_keuzes.save(bad, tmp_path)
    assert saved.read_bytes() == before
    # a planted link instead of her folder is not followed
    other = tmp_path / "ander"
    (other / "Leerplein").mkdir(parents=True)
    (other / "Leerplein" / "zelfscan.json").write_text(json.dumps({"rol": "geheim", "antwoorden": {}}))
    victim = tmp_path / "slachtoffer"
    victim.mkdir()
    (victim / "Leerplein").symlink_to(other / "Leerplein")
    with pytest.raises(zelfscan_keuzes.ZelfscanError, match="snelkoppeling"):
        zelfscan_keuzes.save({"rol": "a", "antwoorden": {}}, victim)
    (victim / "Leerplein").unlink()
    (victim / "Leerplein").mkdir()
    (victim / "Leerplein" / "zelfscan.json").symlink_to(other / "Leerplein" / "zelfscan.json")
    assert zelfscan_keuzes.load(victim) == {}


def test_cards_show_the_score_once_graded_and_dates_in_dutch(tmp_path):
    feedback = tmp_path / "f.html"
    feedback.write_text('<script type="application/json" id="leerplein-score">'
                        '{"nagekeken": true, "score": 7.5, "max": 10}</script>')
    assert card_score(feedback) == "7,5 van 10 punten"
    feedback.write_text('<script type="application/json" id="leerplein-score">{"nagekeken": false}</script>')
    assert card_score(feedback) == "" and card_score(None) == ""
    assert dutch_timestamp("2026-12-02 16:05:33.123456 UTC") == "2 december 2026, 17:05"
    assert dutch_timestamp("2026-07-01 10:00:00 UTC") == "1 juli 2026, 12:00"


def test_the_services_header_leads_to_her_own_student_view(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_BASE_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_HUB_URL", raising=False)
    assert nav.service_header() == {}  # Peiling on its own (no hub): no student view to go to
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_HUB_URL", "https://hub.example.nl/hub/")
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/")
    links = nav.service_header()
    assert links["home"] == "https://hub.example.nl/hub/user-redirect/leerplein/"
    assert links["voortgang"] == "https://hub.example.nl/hub/user-redirect/leerplein/voortgang"
    assert links["logout"] == "https://hub.example.nl/hub/logout"
    assert not any("/user/" in v for v in links.values() if v), "a service must not guess a user's address"


def test_portfolio_parts_are_named_and_get_the_logbook_button_once():
    part = Question("portfolio-2", "tekst", "Portfolio 2", "Armoede en schaarste in mijn praktijk. Kies één situatie.", 0)
    assert part.kop == "Deel 2: Armoede en schaarste in mijn praktijk" and not part.logboek_hier
    assert Question("portfolio-1", "tekst", "Portfolio 1", "Mijn vraagstuk en wat ik deed. X", 0).logboek_hier
    other = Question("reflectie-2", "tekst", "Reflectie 2", "Op welke niveaus? (150 tot 300 woorden)", 0)
    assert other.kop == "Reflectie 2" and other.logboek_hier
