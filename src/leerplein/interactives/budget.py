"""Rondkomen: a month's budget at social-assistance level (module 1).

Pure functions over `data/budget.yml`. Every amount there names its source and year;
amounts without a verified source are marked illustratief and the tool says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import combinations

import yaml

WEEKS_PER_MONTH = 4


@lru_cache(maxsize=1)
def budget_data() -> dict:
    data = yaml.safe_load(resources.files("leerplein.interactives").joinpath("data/budget.yml").read_text("utf-8"))
    if not isinstance(data.get("peildatum"), date):
        raise ValueError("budget.yml: zet 'peildatum' op de datum waarop de bijstandsnormen gelden, "
                         "bijvoorbeeld 2024-07-01.")
    return data


def peildatum() -> str:
    """The date the bijstandsnormen apply from, in Dutch ("1 juli 2024")."""
    from babel.dates import format_date

    return format_date(budget_data()["peildatum"], "d MMMM y", locale="nl")


def norm_label() -> str:
    """Shown wherever an amount is shown: the norms' date and that they are national."""
    return f"Bijstandsnormen per {peildatum()} (landelijk, zonder vakantiegeld)"


@dataclass
class MonthResult:
    household: str
    income: float
    fixed_costs: float
    left_after_fixed: float
    per_week: float
    weekly_balance: list[float] = field(default_factory=list)
    runs_out_in_week: int | None = None
    setbacks: list[str] = field(default_factory=list)
    illustrative: list[str] = field(default_factory=list)


def simulate_month(household: str, setbacks: tuple[str, ...] = ()) -> MonthResult:
    """Spend a month week by week: groceries each week, setbacks in their week.

    The balance is what is left of the month's money after fixed costs. The month runs out in
    the first week where the balance drops below zero (None when it lasts the month).
    """
    data = budget_data()
    if household not in data["huishoudens"]:
        raise ValueError(f"Onbekend huishouden: {household!r}")
    h = data["huishoudens"][household]
    unknown = [s for s in setbacks if s not in data["tegenvallers"]]
    if unknown:
        raise ValueError(f"Onbekende tegenvaller: {', '.join(unknown)}")
    income = h["inkomen"]["bedrag"] + h["toeslagen"]["bedrag"]
    fixed = sum(item["bedrag"] for item in data["vaste_lasten"])
    left = income - fixed
    groceries = h["boodschappen_per_week"]["bedrag"]
    balance, weekly, runs_out = left, [], None
    for week in range(1, WEEKS_PER_MONTH + 1):
        balance -= groceries
        balance -= sum(data["tegenvallers"][s]["bedrag"] for s in setbacks if data["tegenvallers"][s]["week"] == week)
        weekly.append(round(balance, 2))
        if balance < 0 and runs_out is None:
            runs_out = week
    illustrative = [h["toeslagen"]["omschrijving"], h["boodschappen_per_week"]["omschrijving"]]
    illustrative += [f"vaste last: {i['naam']}" for i in data["vaste_lasten"] if i["illustratief"]]
    illustrative += [f"tegenvaller: {data['tegenvallers'][s]['naam']}" for s in setbacks
                     if data["tegenvallers"][s]["illustratief"]]
    return MonthResult(household, round(income, 2), fixed, round(left, 2), round(left / WEEKS_PER_MONTH, 2),
                       weekly, runs_out, list(setbacks), illustrative)


def all_scenarios() -> dict[str, dict]:
    """Every household x every set of setbacks: what the static page looks up in the browser."""
    data = budget_data()
    names = sorted(data["tegenvallers"])
    scenarios = {}
    for household in data["huishoudens"]:
        for k in range(len(names) + 1):
            for chosen in combinations(names, k):
                r = simulate_month(household, chosen)
                scenarios[scenario_key(household, chosen)] = {
                    "income": r.income, "fixed": r.fixed_costs, "left": r.left_after_fixed,
                    "perWeek": r.per_week, "weeks": r.weekly_balance, "runsOut": r.runs_out_in_week,
                    "illustrative": r.illustrative, "description": describe(r), "outcome": outcome(r),
                    "summary": summary_line(r),
                }
    return scenarios


def scenario_key(household: str, setbacks: tuple[str, ...] | list[str]) -> str:
    return household + "|" + ",".join(sorted(setbacks))


def euro(amount: float) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    return f"{sign}€ {whole.replace(',', '.')},{cents}"


def outcome(result: MonthResult) -> str:
    """The month's end in one sentence: when the money runs out, or what is left and for what."""
    if result.runs_out_in_week:
        return f"Het geld is op in week {result.runs_out_in_week}."
    end = result.weekly_balance[-1] if result.weekly_balance else result.left_after_fixed
    return (f"Het geld is deze maand niet op. Aan het eind is er nog {euro(end)} over voor alles wat hier niet "
            "in staat, zoals kleding, vervoer en sparen voor een tegenvaller.")


def summary_line(result: MonthResult) -> str:
    return (f"Inkomen {euro(result.income)} (bijstandsnorm per {peildatum()} plus toeslagen), vaste lasten "
            f"{euro(result.fixed_costs)}, over {euro(result.left_after_fixed)} (per week {euro(result.per_week)}).")


def describe(result: MonthResult) -> str:
    """A sentence a screen reader reads out; also the chart's text alternative."""
    weeks = ", ".join(f"week {i}: {euro(b)}" for i, b in enumerate(result.weekly_balance, start=1))
    return (f"{norm_label()}. Na de vaste lasten blijft {euro(result.left_after_fixed)} over. "
            f"Saldo per week: {weeks}. {outcome(result)}")


def sources() -> list[dict]:
    """Every amount with its source and year, for the 'waar komen de bedragen vandaan' list."""
    data = budget_data()
    rows = []
    for h in data["huishoudens"].values():
        for part in ("inkomen", "toeslagen", "boodschappen_per_week"):
            item = h[part]
            norm = part == "inkomen"
            rows.append({"wat": f"{h['naam']}: {item['omschrijving']}" + (f", per {peildatum()}" if norm else ""),
                         "bedrag": item["bedrag"], "bron": item["bron"],
                         "jaar": peildatum() if norm else item["jaar"], "illustratief": item["illustratief"]})
    for item in data["vaste_lasten"]:
        rows.append({"wat": item["naam"], "bedrag": item["bedrag"], "bron": item["bron"],
                     "jaar": item["jaar"], "illustratief": item["illustratief"]})
    for item in data["tegenvallers"].values():
        rows.append({"wat": item["naam"], "bedrag": item["bedrag"], "bron": item["bron"],
                     "jaar": item["jaar"], "illustratief": item["illustratief"]})
    return rows
