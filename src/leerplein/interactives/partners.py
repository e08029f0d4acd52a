"""Netwerkwijzer: which partner for which question, and how to refer warmly (module 4)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Partner:
    id: str
    naam: str
    wat: str
    vragen: tuple[str, ...]
    warm_verwijzen: str
    bron: str = ""  # where a figure or claim in the description comes from


@lru_cache(maxsize=1)
def network() -> dict:
    data = yaml.safe_load(resources.files("leerplein.interactives").joinpath("data/partners.yml").read_text("utf-8"))
    partners = [Partner(id=pid, naam=p["naam"], wat=p["wat"], vragen=tuple(p["vragen"]),
                        warm_verwijzen=p["warm_verwijzen"], bron=p.get("bron", "")) for pid, p in data["partners"].items()]
    unknown = {q for p in partners for q in p.vragen} - set(data["vragen"])
    if unknown:
        raise ValueError(f"partners.yml names unknown questions: {sorted(unknown)}")
    return {"vragen": data["vragen"], "partners": partners}


def questions() -> dict[str, str]:
    return network()["vragen"]


def partners_for(question_ids: list[str] | tuple[str, ...], search: str = "") -> list[Partner]:
    """Partners that help with ANY of the chosen questions (none chosen = all), optionally
    narrowed by a search word in name or description.

    A resident with two needs needs a partner for each: requiring every need of one partner
    would drop the Taalhuis as soon as debts are ticked too. Partners that help with more of
    the chosen needs come first, then by name."""
    chosen = set(question_ids)
    unknown = chosen - set(questions())
    if unknown:
        raise ValueError(f"Onbekende vraag: {', '.join(sorted(unknown))}")
    needle = search.strip().lower()
    found = [p for p in network()["partners"]
             if (not chosen or chosen & set(p.vragen)) and (not needle or needle in (p.naam + " " + p.wat).lower())]
    return sorted(found, key=lambda p: (-len(chosen & set(p.vragen)), p.naam.lower()))
