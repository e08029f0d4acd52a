"""Krachtenkaart: the people, groups, organisations and places around a person (module 3).

A map is a list of entries, each with a kind and a closeness (1 = dichtbij, 3 = verder weg).
`layout` places them on rings around the person, one quarter of the circle per kind;
`to_svg` draws it. The static page runs the same layout in the browser (same formulas), and
a test checks both give the same positions.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

KINDS = {  # kind -> (label, colour, start angle of its quarter in degrees)
    "persoon": ("Mensen", "#1b6ca8", 0),
    "groep": ("Buurt en groepen", "#2e7d32", 90),
    "organisatie": ("Organisaties", "#8e3b8e", 180),
    "plek": ("Plekken", "#b34700", 270),
}
CLOSENESS = {1: "dichtbij", 2: "tussenin", 3: "verder weg"}
SIZE = 560
RING_RADIUS = {1: 90, 2: 165, 3: 240}


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    closeness: int = 2
    strength: str = ""  # what this person or place can bring

    def __post_init__(self):
        if not self.name.strip():
            raise ValueError("Geef een naam op.")
        if self.kind not in KINDS:
            raise ValueError(f"Kies een soort: {', '.join(KINDS)}.")
        if self.closeness not in CLOSENESS:
            raise ValueError("Kies hoe dichtbij: 1, 2 of 3.")


@lru_cache(maxsize=1)
def example() -> dict:
    """The fictional case from module 3 the map starts with."""
    data = yaml.safe_load(resources.files("leerplein.interactives").joinpath("data/krachtenkaart.yml").read_text("utf-8"))
    return {"person": data["persoon"], "entries": [Entry(**e) for e in data["kaart"]]}


def layout(entries: list[Entry]) -> list[tuple[float, float]]:
    """Positions (x, y) in a SIZE x SIZE picture, centre = the person.

    Entries of one kind share a quarter of the circle, spread evenly inside it."""
    centre = SIZE / 2
    positions = []
    for entry in entries:
        same = [e for e in entries if e.kind == entry.kind]
        index = same.index(entry)
        start = KINDS[entry.kind][2]
        angle = math.radians(start + 90 * (index + 1) / (len(same) + 1))
        r = RING_RADIUS[entry.closeness]
        positions.append((round(centre + r * math.cos(angle), 1), round(centre - r * math.sin(angle), 1)))
    return positions


def describe(person: str, entries: list[Entry]) -> str:
    if not entries:
        return f"De krachtenkaart van {person} is nog leeg."
    parts = []
    for kind, (label, _, _) in KINDS.items():
        names = [f"{e.name} ({CLOSENESS[e.closeness]})" for e in entries if e.kind == kind]
        if names:
            parts.append(f"{label}: {', '.join(names)}")
    return f"Krachtenkaart van {person}. " + ". ".join(parts) + "."


def to_svg(person: str, entries: list[Entry]) -> str:
    c = SIZE / 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" '
           f'role="img" aria-label="{html.escape(describe(person, entries))}" font-family="DejaVu Sans, sans-serif">',
           f'<rect width="{SIZE}" height="{SIZE}" fill="#ffffff"/>']
    for ring, r in RING_RADIUS.items():
        out.append(f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="#999" stroke-dasharray="4 4"/>')
    for entry, (x, y) in zip(entries, layout(entries)):
        colour = KINDS[entry.kind][1]
        out.append(f'<line x1="{c}" y1="{c}" x2="{x}" y2="{y}" stroke="{colour}" stroke-width="{4 - entry.closeness}"/>')
    out.append(f'<circle cx="{c}" cy="{c}" r="34" fill="#222"/>'
               f'<text x="{c}" y="{c + 5}" text-anchor="middle" fill="#fff" font-size="14">{html.escape(person)}</text>')
    for entry, (x, y) in zip(entries, layout(entries)):
        colour = KINDS[entry.kind][1]
        out.append(f'<circle cx="{x}" cy="{y}" r="9" fill="{colour}"/>'
                   f'<text x="{x}" y="{y - 14}" text-anchor="middle" font-size="12" fill="#111">{html.escape(entry.name)}</text>')
    out.append("</svg>")
    return "".join(out)
