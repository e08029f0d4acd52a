"""Schaarste-spel: a few weeks with little money (module 2).

Each week brings a bill (drawn with a seed, so a class plays the same weeks) and a choice:
pay it, borrow at a high price, put it off, or spend attention on something that pays off
later. Open bills and debts cost bandwidth; with too little bandwidth the option that pays
off later disappears, and with debts the repayments eat next week's money. That is the
tunnel and the trap the module describes, made deterministic so a class can discuss it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

WEEKS = 5
WEEKLY_MONEY = 60  # illustrative: what is left per week after fixed costs
START_BANDWIDTH = 80
LOAN_PRICE = 0.5  # a quick loan costs half the amount extra (illustrative)
LOAN_WEEKS = 3
POSTPONE_SURCHARGE = 0.5  # WRR example: an unpaid fine grows 50% (S9e)
PLAN_COST_BANDWIDTH = 25
PLAN_NEEDS_BANDWIDTH = 45
PLAN_PAYOUT = 90  # illustrative: a benefit or arrangement applied for pays out two weeks later
PLAN_DELAY = 2

BILLS = [  # (what, amount): illustrative amounts
    ("Kapotte fiets, nodig voor werk", 45),
    ("Schoolreisje van je kind", 30),
    ("Eigen risico bij de apotheek", 55),
    ("Verjaardag van je moeder", 25),
    ("Naheffing energie", 70),
    ("Boete voor te laat betalen", 40),
    ("Nieuwe schoenen voor je kind", 35),
]

CHOICES = {
    "betalen": "Betalen van je weekgeld",
    "lenen": "Lenen (snelle lening: je betaalt de helft extra terug, in drie weken)",
    "uitstellen": "Uitstellen (de rekening wordt de helft duurder)",
    "regelen": "Tijd nemen om een regeling aan te vragen (levert later geld op)",
}


@dataclass(frozen=True)
class State:
    week: int = 1
    money: float = 0
    open_bills: tuple[float, ...] = ()
    debt: float = 0
    repayment: float = 0
    bandwidth: int = START_BANDWIDTH
    payouts: tuple[tuple[int, float], ...] = ()  # (week, amount)
    log: tuple[str, ...] = field(default=())
    received: tuple[tuple[str, float], ...] = ()  # what came in and went out as this week began

    @property
    def finished(self) -> bool:
        return self.week > WEEKS


def bills_for(seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    return rng.sample(BILLS, WEEKS)


def start(seed: int) -> State:
    return _begin_week(State(), bills_for(seed))


def _begin_week(state: State, bills) -> State:
    """Weekly money arrives, repayments and due payouts are settled."""
    repaid = min(state.repayment, state.debt)
    money = state.money + WEEKLY_MONEY - repaid
    debt = max(0.0, state.debt - state.repayment)
    payout = sum(a for w, a in state.payouts if w == state.week)
    received = [("weekgeld", WEEKLY_MONEY)]
    if repaid:
        received.append(("aflossing lening", -round(repaid, 2)))
    if payout:
        received.append(("geld van de regeling", payout))
    return replace(state, money=round(money + payout, 2), debt=round(debt, 2),
                   repayment=state.repayment if debt > 0 else 0, received=tuple(received))


def income_text(state: State) -> str:
    """This week's money in one sentence, so a player sees what she has to live on."""
    if state.finished:
        return ""
    parts = [f"{'+' if amount >= 0 else '-'} {abs(amount):.0f} euro {what}" for what, amount in state.received]
    return (f"Deze week: {' '.join(parts).lstrip('+ ')}. Het weekgeld is {WEEKLY_MONEY} euro: "
            "wat er na huur en vaste lasten overblijft om van te leven.")


def current_bill(state: State, seed: int) -> tuple[str, int]:
    return bills_for(seed)[state.week - 1]


def available(state: State, seed: int) -> list[str]:
    """The choices open this week. Scarcity narrows them: no money means no paying,
    little bandwidth means no time for the thing that pays off later."""
    _, amount = current_bill(state, seed)
    options = []
    if state.money >= amount + sum(state.open_bills):
        options.append("betalen")
    options += ["lenen", "uitstellen"]
    if state.bandwidth >= PLAN_NEEDS_BANDWIDTH:
        options.append("regelen")
    return options


def reasons(state: State, seed: int) -> dict[str, str]:
    """Why a choice is closed this week (the button is grey): what a player must be told."""
    if state.finished:
        return {}
    open_now = available(state, seed)
    _, amount = current_bill(state, seed)
    due = amount + sum(state.open_bills)
    out = {}
    if "betalen" not in open_now:
        extra = " (deze rekening en de uitgestelde)" if state.open_bills else ""
        out["betalen"] = (f"Betalen kan niet: je hebt {state.money:.0f} euro en moet {due:.0f} euro betalen{extra}.")
    if "regelen" not in open_now:
        out["regelen"] = (f"Een regeling aanvragen kan niet: je bandbreedte is {state.bandwidth} van 100 en daarvoor "
                          f"heb je minstens {PLAN_NEEDS_BANDWIDTH} nodig. Open rekeningen en schulden vullen je hoofd.")
    return out


def step(state: State, choice: str, seed: int) -> State:
    if state.finished:
        raise ValueError("Het spel is al afgelopen.")
    if choice not in available(state, seed):
        raise ValueError(f"Die keuze kan deze week niet: {CHOICES.get(choice, choice)}")
    what, amount = current_bill(state, seed)
    due = amount + sum(state.open_bills)
    money, debt, repayment = state.money, state.debt, state.repayment
    open_bills: tuple[float, ...] = ()
    bandwidth, payouts = state.bandwidth, state.payouts
    if choice == "betalen":
        money -= due
        note = f"Week {state.week}: {what} betaald."
    elif choice == "lenen":  # keep this week's money, pay the bill with a quick loan
        debt += due * (1 + LOAN_PRICE)
        repayment = round(debt / LOAN_WEEKS, 2)
        note = f"Week {state.week}: {what}; je leent {due:.0f} euro en betaalt {due * LOAN_PRICE:.0f} euro extra terug."
    elif choice == "uitstellen":
        open_bills = tuple(round(b * (1 + POSTPONE_SURCHARGE), 2) for b in (*state.open_bills, amount))
        note = f"Week {state.week}: {what} uitgesteld; de rekening groeit."
    else:  # regelen: the bill is put off too, but attention goes to what pays off later
        open_bills = tuple(round(b * (1 + POSTPONE_SURCHARGE), 2) for b in (*state.open_bills, amount))
        bandwidth -= PLAN_COST_BANDWIDTH
        payouts = (*payouts, (state.week + PLAN_DELAY, PLAN_PAYOUT))
        note = f"Week {state.week}: je vraagt een regeling aan; over {PLAN_DELAY} weken krijg je {PLAN_PAYOUT} euro."
    worries = len(open_bills) + (1 if debt > 0 else 0)
    bandwidth = max(0, min(100, bandwidth - 10 * worries + (10 if worries == 0 else 0)))
    after = replace(state, week=state.week + 1, money=round(money, 2), open_bills=open_bills,
                    debt=round(debt, 2), repayment=repayment, bandwidth=bandwidth,
                    payouts=payouts, log=(*state.log, note))
    return _begin_week(after, bills_for(seed)) if not after.finished else after


def play(seed: int, choices: list[str]) -> State:
    state = start(seed)
    for choice in choices:
        state = step(state, choice, seed)
    return state


def summary(state: State) -> dict:
    """What the screen shows, also the text alternative."""
    return {
        "week": min(state.week, WEEKS), "finished": state.finished, "money": state.money,
        "openBills": round(sum(state.open_bills), 2), "debt": state.debt,
        "repayment": state.repayment, "bandwidth": state.bandwidth, "log": list(state.log),
    }


def game_tree(seed: int) -> dict[str, dict]:
    """Every reachable position, keyed by the choices made ("" = start, "b.l" = betalen, lenen).
    The static book looks positions up here, so the browser runs no game logic of its own."""
    tree: dict[str, dict] = {}

    def visit(key: str, state: State) -> None:
        s = summary(state)
        node = {k: s[k] for k in ("week", "finished", "money", "openBills", "debt", "bandwidth")}
        node["note"] = state.log[-1] if state.log else ""
        if not state.finished:
            node["options"] = available(state, seed)
            node["reasons"] = reasons(state, seed)
            node["income"] = income_text(state)
        tree[key] = node
        if state.finished:
            return
        for choice in node["options"]:
            visit(f"{key}.{choice[0]}" if key else choice[0], step(state, choice, seed))

    visit("", start(seed))
    return tree


def describe(state: State) -> str:
    s = summary(state)
    return (f"Week {s['week']} van {WEEKS}. Geld: {s['money']:.0f} euro. Open rekeningen: {s['openBills']:.0f} euro. "
            f"Schuld: {s['debt']:.0f} euro. Bandbreedte: {s['bandwidth']} van 100.")
