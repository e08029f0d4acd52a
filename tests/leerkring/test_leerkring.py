"""The leerkring's rules without a hub: asking instead of advising, who may see and do what,
withdraw, hide and forget."""

from __future__ import annotations

import pytest

from leerplein.leerkring.model import LeerkringError, advice_in, check_question, rephrase
from leerplein.leerkring.store import Store

PEOPLE = {**{f"s{i}": {"rol": "student", "cursus": "leerplein"} for i in range(1, 10)},
          "t1": {"rol": "teacher", "cursus": "leerplein"}, "t2": {"rol": "teacher", "cursus": "leerplein"},
          "x1": {"rol": "student", "cursus": "andere"}, "t3": {"rol": "teacher", "cursus": "andere"}}


def test_advice_is_noticed_and_a_question_offered():
    assert advice_in("Je moet gewoon de schuldhulp bellen.") == ["Je moet gewoon de schuldhulp bellen."]
    assert advice_in("Heb je al eens overwogen om te bellen?")
    assert advice_in("Probeer het formulier samen in te vullen.")
    assert advice_in("Als ik jou was, zou ik stoppen.")
    for question in ("Wat heb je al geprobeerd?", "Wie heeft hier nog meer mee te maken?",
                     "Hoe reageerde de bewoner toen je het vroeg?", "Wanneer merkte je het voor het eerst?"):
        assert advice_in(question) == [] and check_question(question) == [], question
    assert rephrase("Je zou het formulier samen kunnen invullen.").startswith("Wat zou er gebeuren als je")
    hints = check_question("Je moet bellen")
    assert len(hints) == 2 and "advies" in hints[0] and "vraagteken" in hints[1]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "k.sqlite", PEOPLE)
    yield s
    s.close()


def test_a_set_runs_a_question_round(store):
    kring = store.create("t1", "Kring A", ["s1", "s2", "s3", "s4"])
    problem = store.share_problem("s1", kring.id, "Bewoners haken af bij de aanvraag. <script>x</script>")
    q = store.ask("s2", kring.id, problem, "Waar precies haken ze af?")
    store.mark_helpful("s1", q)
    (p,) = store.posts("s3", kring.id)
    assert p.tekst.endswith("<script>x</script>") and p.vragen[0].hielp  # escaped by the template
    with pytest.raises(LeerkringError, match="eigen vraagstuk"):
        store.ask("s1", kring.id, problem, "Mag ik zelf?")
    with pytest.raises(LeerkringError, match="al een vraagstuk"):
        store.share_problem("s1", kring.id, "Nog een")
    with pytest.raises(LeerkringError, match="Alleen wie het vraagstuk deelde"):
        store.mark_helpful("s3", q)
    with pytest.raises(LeerkringError, match="te lang"):
        store.ask("s3", kring.id, problem, "x" * 501)


def test_sets_are_closed_to_everyone_else(store):
    a = store.create("t1", "Kring A", ["s1", "s2", "s3", "s4"])
    b = store.create("t2", "Kring B", ["s5", "s6", "s7", "s8"])
    problem = store.share_problem("s1", a.id, "Mijn vraagstuk")
    for outsider in ("s5", "x1", "t3", "s9", "t2", "onbekend"):
        with pytest.raises(LeerkringError, match="niet van jou"):
            store.posts(outsider, a.id)
        with pytest.raises(LeerkringError):
            store.ask(outsider, a.id, problem, "Mag ik meedoen?")
    with pytest.raises(LeerkringError, match="niet van jou"):
        store.posts("s1", 999)  # the same answer for a set that does not exist
    with pytest.raises(LeerkringError, match=r"bestaat niet \(meer\) in deze kring"):
        store.ask("s5", b.id, problem, "Via mijn eigen kring?")
    with pytest.raises(LeerkringError, match="Alleen deelnemers"):
        store.share_problem("t1", a.id, "De begeleider deelt niet")
    assert [k.id for k in store.kringen_van("s9")] == [] and [k.id for k in store.kringen_van("t1")] == [a.id]
    for bad in (["s1", "s2", "s3"], ["s1", "s2", "s3", "x1"], ["s1", "s2", "s3", "t2"], [f"s{i}" for i in range(1, 10)]):
        with pytest.raises(LeerkringError):
            store.create("t1", "Fout", bad)
    with pytest.raises(LeerkringError, match="Alleen een docent"):
        store.create("s1", "Eigen kring", ["s2", "s3", "s4", "s5"])
    with pytest.raises(LeerkringError, match="jouw cursus niet"):
        store.create("t3", "Andere cursus", ["s1", "s2", "s3", "s4"])


def test_hide_withdraw_and_forget(store):
    a = store.create("t1", "Kring A", ["s1", "s2", "s3", "s4"])
    problem = store.share_problem("s1", a.id, "Vraagstuk van s1")
    q2 = store.ask("s2", a.id, problem, "Vraag van s2?")
    store.hide("t1", q2)
    assert store.posts("s3", a.id)[0].vragen == []
    assert [q.id for q in store.posts("s2", a.id)[0].vragen] == [q2] and store.posts("t1", a.id)[0].vragen
    with pytest.raises(LeerkringError, match="begeleider"):
        store.hide("s1", q2)
    with pytest.raises(LeerkringError, match="eigen bijdragen"):
        store.withdraw("s3", q2)
    store.withdraw("s1", problem)
    assert store.posts("s2", a.id) == []
    with pytest.raises(LeerkringError, match="ingetrokken"):
        store.ask("s3", a.id, problem, "Nog een vraag?")
    assert store.db.execute("SELECT tekst FROM posts WHERE id=?", (problem,)).fetchone()[0] == ""
    second = store.share_problem("s1", a.id, "Een nieuw vraagstuk")
    store.ask("s3", a.id, second, "Wat is er nieuw?")
    store.share_problem("s2", a.id, "Vraagstuk van s2")
    removed = store.forget("s1")
    assert any("post(s) by s1" in r for r in removed) and any("membership" in r for r in removed)
    rows = store.db.execute("SELECT auteur, tekst FROM posts").fetchall()
    assert all(a != "s1" for a, _ in rows) and not any("nieuw" in t for _, t in rows)
    assert "s1" not in store.kring(a.id).leden and [p.auteur for p in store.posts("s2", a.id)] == ["s2"]
