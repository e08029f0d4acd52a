"""The interactives' logic, called directly (no widgets, no browser)."""

from __future__ import annotations

import pytest

from leerplein.interactives import attention, budget, letter, partners, quiz, scarcity, strengths
from leerplein.readability import measure


# ---- Rondkomen ----------------------------------------------------------------------------
def test_budget_month_without_setbacks_matches_the_data_file():
    data = budget.budget_data()
    h = data["huishoudens"]["alleenstaande"]
    r = budget.simulate_month("alleenstaande")
    fixed = sum(i["bedrag"] for i in data["vaste_lasten"])
    assert r.income == pytest.approx(h["inkomen"]["bedrag"] + h["toeslagen"]["bedrag"])
    assert r.left_after_fixed == pytest.approx(r.income - fixed)
    groceries = h["boodschappen_per_week"]["bedrag"]
    assert r.weekly_balance == pytest.approx([r.left_after_fixed - groceries * w for w in range(1, 5)])
    assert r.runs_out_in_week is None


def test_budget_fine_lands_in_its_week_and_runs_the_money_out():
    calm = budget.simulate_month("alleenstaande")
    fined = budget.simulate_month("alleenstaande", ("boete",))
    fine = budget.budget_data()["tegenvallers"]["boete"]
    assert fine["bedrag"] == 495 and not fine["illustratief"]  # WRR: 330 + 50% after eight weeks
    assert fined.weekly_balance[0] == calm.weekly_balance[0]
    assert fined.weekly_balance[1] == pytest.approx(calm.weekly_balance[1] - 495)
    assert fined.runs_out_in_week == next(w for w, b in enumerate(fined.weekly_balance, 1) if b < 0) == 4
    assert calm.runs_out_in_week is None


def test_every_amount_has_a_source_and_year_and_illustrative_ones_say_so():
    rows = budget.sources()
    assert rows and all(r["bron"] and r["jaar"] for r in rows)
    r = budget.simulate_month("stel", ("wasmachine",))
    assert any("Kapotte wasmachine" in x for x in r.illustrative)
    assert "Bijstandsnorm" not in " ".join(r.illustrative)  # the norm is sourced, not illustrative


def test_budget_rejects_unknown_input_in_dutch():
    with pytest.raises(ValueError, match="Onbekend huishouden"):
        budget.simulate_month("kasteel")
    with pytest.raises(ValueError, match="Onbekende tegenvaller"):
        budget.simulate_month("stel", ("loterij",))


def test_euro_is_written_the_dutch_way():
    assert budget.euro(1243.03) == "€ 1.243,03"
    assert budget.euro(-12.5) == "-€ 12,50"


def test_static_scenarios_cover_every_combination():
    scenarios = budget.all_scenarios()
    assert len(scenarios) == len(budget.budget_data()["huishoudens"]) * 2 ** len(budget.budget_data()["tegenvallers"])
    key = budget.scenario_key("stel", ["wasmachine", "boete"])
    assert scenarios[key]["weeks"] == budget.simulate_month("stel", ("boete", "wasmachine")).weekly_balance


# ---- Schaarste-spel ---------------------------------------------------------------------
def test_game_is_deterministic_with_a_seed():
    assert scarcity.bills_for(7) == scarcity.bills_for(7)
    assert scarcity.play(7, ["lenen", "uitstellen"]) == scarcity.play(7, ["lenen", "uitstellen"])
    assert any(scarcity.bills_for(s) != scarcity.bills_for(7) for s in range(1, 5))


def test_borrowing_keeps_money_now_costs_half_extra_and_weighs_on_the_mind():
    seed = 2026
    paid = scarcity.play(seed, ["betalen"])
    borrowed = scarcity.play(seed, ["lenen"])
    _, amount = scarcity.bills_for(seed)[0]
    loan = amount * (1 + scarcity.LOAN_PRICE)
    first_repayment = round(loan / scarcity.LOAN_WEEKS, 2)
    assert borrowed.debt == pytest.approx(loan - first_repayment)
    assert borrowed.money == pytest.approx(paid.money + amount - first_repayment)
    assert borrowed.bandwidth < paid.bandwidth
    # three weeks later the loan is repaid, and it cost half the bill extra
    later_paid = scarcity.play(seed, ["betalen", "lenen", "lenen", "lenen"])
    later_borrowed = scarcity.play(seed, ["lenen", "lenen", "lenen", "lenen"])
    assert later_borrowed.debt > later_paid.debt


def test_repeated_loans_eat_the_weekly_money():
    seed = 2026
    state = scarcity.play(seed, ["lenen", "lenen", "lenen"])
    assert state.repayment > 0.9 * scarcity.WEEKLY_MONEY  # repayments take nearly all that comes in
    assert scarcity.step(state, "lenen", seed).money - state.money < 0.1 * scarcity.WEEKLY_MONEY


def test_postponing_grows_the_bill_and_eats_bandwidth_until_the_plan_is_out_of_reach():
    seed = 2026
    state = scarcity.start(seed)
    assert "regelen" in scarcity.available(state, seed)
    state = scarcity.step(state, "uitstellen", seed)
    _, first = scarcity.bills_for(seed)[0]
    assert state.open_bills == (first * 1.5,)
    state = scarcity.step(state, "uitstellen", seed)
    state = scarcity.step(state, "uitstellen", seed)
    assert state.bandwidth < scarcity.PLAN_NEEDS_BANDWIDTH
    assert "regelen" not in scarcity.available(state, seed)
    with pytest.raises(ValueError, match="kan deze week niet"):
        scarcity.step(state, "regelen", seed)


def test_plan_pays_out_later():
    seed = 2026
    state = scarcity.play(seed, ["regelen"])
    before = state.money
    state = scarcity.step(state, "lenen", seed)
    assert state.week == 3
    assert state.money >= scarcity.PLAN_PAYOUT  # the payout arrived at the start of week 3
    assert before < state.money


def test_game_ends_after_the_last_week():
    state = scarcity.play(1, ["lenen"] * scarcity.WEEKS)
    assert state.finished
    with pytest.raises(ValueError, match="afgelopen"):
        scarcity.step(state, "lenen", 1)


def test_game_tree_holds_every_reachable_position():
    seed = 3
    tree = scarcity.game_tree(seed)
    state = scarcity.play(seed, ["uitstellen", "lenen"])
    node = tree["u.l"]
    assert (node["money"], node["bandwidth"], node["options"]) == (state.money, state.bandwidth,
                                                                  scarcity.available(state, seed))


def test_attention_score_counts_digits_in_place_and_judged_sums():
    trial = attention.trials(5)[1]
    assert trial.round == "met last" and len(trial.number) == 7
    truth = [a + b == shown for a, b, shown in trial.sums]
    full = attention.score(trial, " ".join(trial.number), truth)
    assert (full["digits"], full["sums"]) == (7, 3)
    half = attention.score(trial, trial.number[:3], [not t for t in truth])
    assert (half["digits"], half["sums"]) == (3, 0)


# ---- Leesbaarheid ------------------------------------------------------------------------
def test_readability_on_reference_texts():
    plain = "Wij hebben u te veel geld betaald. Dat geld moet terug. Bel ons als u vragen heeft."
    hard = letter.letter_data()["voorbeeldbrief"]
    easy, difficult = measure(plain), measure(hard)
    assert easy.flesch_douma > 80 and easy.douma_label in ("gemakkelijk", "zeer gemakkelijk")
    assert difficult.flesch_douma < 45 and difficult.lix > 50
    assert measure("").words == 0


def test_letter_analysis_flags_long_sentences_words_and_officialese():
    a = letter.analyse(letter.letter_data()["voorbeeldbrief"])
    assert a.long_sentences and all(len(s.split()) > letter.LONG_SENTENCE_WORDS for s in a.long_sentences)
    assert a.jargon["derhalve"] == "daarom"
    assert "contactpersoon" in a.long_words
    assert a.level in {label for _, label in letter.LEVELS}
    assert "Flesch-Douma" in a.describe()
    assert "nog geen tekst" in letter.analyse("   ").describe()


# ---- Krachtenkaart ------------------------------------------------------------------------
def test_layout_puts_kinds_in_their_quarter_and_closeness_on_its_ring():
    entries = [strengths.Entry("A", "persoon", 1), strengths.Entry("B", "plek", 3)]
    (ax, ay), (bx, by) = strengths.layout(entries)
    c = strengths.SIZE / 2
    assert ax > c and ay < c  # persoon: upper right quarter
    assert bx > c and by > c  # plek: lower right quarter
    assert round(((ax - c) ** 2 + (ay - c) ** 2) ** 0.5) == strengths.RING_RADIUS[1]
    assert round(((bx - c) ** 2 + (by - c) ** 2) ** 0.5) == strengths.RING_RADIUS[3]


def test_map_svg_has_a_text_alternative_and_escapes_names():
    svg = strengths.to_svg("Emre", [strengths.Entry("<b>Oom</b>", "persoon", 2)])
    assert "&lt;b&gt;Oom&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="Krachtenkaart van Emre. Mensen: &lt;b&gt;Oom&lt;/b&gt; (tussenin)."' in svg


def test_entries_are_validated():
    with pytest.raises(ValueError, match="naam"):
        strengths.Entry(" ", "persoon")
    with pytest.raises(ValueError, match="soort"):
        strengths.Entry("X", "planeet")


# ---- Netwerkwijzer en kennischecks --------------------------------------------------------
def test_partner_filter_shows_partners_for_any_chosen_need():
    money = {p.id for p in partners.partners_for(["geld"])}
    assert {"schuldhulp", "wijkteam", "voedselbank"} <= money
    # reading AND debts: the Taalhuis (reading) and debt help both stay; the walkthrough saw one left
    both = [p.id for p in partners.partners_for(["lezen", "geld"])]
    assert {"bibliotheek", "schuldhulp", "formulierenhulp", "wijkteam"} <= set(both)
    assert both[0] == "formulierenhulp", "the partner that helps with both needs comes first"
    assert [p.id for p in partners.partners_for(["lezen"], "taalhuis")] == ["bibliotheek"]
    assert len(partners.partners_for([])) == len(partners.network()["partners"])
    with pytest.raises(ValueError, match="Onbekende vraag"):
        partners.partners_for(["vakantie"])


def test_the_voedselbank_is_there_with_its_source():
    food = {p.id: p for p in partners.partners_for(["eten"])}
    assert "voedselbank" in food and "ftm.nl" in food["voedselbank"].bron


def test_every_partner_says_how_to_refer_warmly():
    assert all(p.warm_verwijzen.strip() and p.vragen for p in partners.network()["partners"])


def test_kennischeck_feedback():
    q = quiz.questions_for("m2-tunnel")[0]
    assert quiz.check(q, q.goed).correct and quiz.check(q, q.goed).text.startswith("Goed!")
    wrong = quiz.check(q, (q.goed + 1) % len(q.opties))
    assert not wrong.correct and wrong.text.startswith("Nog niet.")
    assert quiz.check(q, None).text == "Kies eerst een antwoord."
    assert {qid[:2] for qid in quiz.all_questions()} == {"m1", "m2", "m3", "m4", "m5"}


def test_the_right_answer_is_not_given_away_by_its_length():
    questions = [q for prefix in ("m1", "m2", "m3", "m4", "m5") for q in quiz.questions_for(prefix)]
    longest = [q.vraag for q in questions if max(range(len(q.opties)), key=lambda i: len(q.opties[i])) == q.goed]
    assert len(longest) <= len(questions) // 2, longest
