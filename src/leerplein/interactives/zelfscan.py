"""Zelfscan (intake): a participant picks a role and rates five statements; the advice is the
role's learning path with the pages for her weak spots first. The same rules serve the Leerpaden
page, the static interactive (every answer pattern precomputed here) and the live widget."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import product
from pathlib import Path

import yaml

from leerplein.book.rules import page_title


@dataclass(frozen=True)
class Step:
    page: str  # toc path, e.g. modules/01-armoede-zien/02-dichtbij-en-onzichtbaar
    title: str
    focus: bool = False  # added or moved forward because of a low self-rating


@dataclass(frozen=True)
class Advice:
    role: str
    role_name: str
    steps: tuple[Step, ...]
    focus_modules: tuple[str, ...]


class ZelfscanError(ValueError):
    pass


@lru_cache(maxsize=1)
def scan() -> dict:
    return yaml.safe_load(resources.files("leerplein.interactives").joinpath("data/zelfscan.yml").read_text("utf-8"))


def all_pages(root: Path) -> list[str]:
    from leerplein.book.rules import toc_files

    return [p for p in toc_files(root) if p.startswith("modules/")]


def role_path(root: Path, role: str) -> list[str]:
    roles = scan()["rollen"]
    if role not in roles:
        raise ZelfscanError(f"Onbekende rol '{role}'. Kies uit: {', '.join(r['naam'] for r in roles.values())}.")
    path = roles[role]["pad"]
    return all_pages(root) if path == "alles" else list(path)


def advice(root: Path, role: str, ratings: dict[str, int]) -> Advice:
    """`ratings`: statement id -> 1..4. Missing statements count as no focus."""
    data = scan()
    for key, value in ratings.items():
        if key not in data["stellingen"] or not 1 <= int(value) <= len(data["schaal"]):
            raise ZelfscanError(f"Ongeldig antwoord bij '{key}': kies 1 tot {len(data['schaal'])}.")
    focus = []
    for key, statement in data["stellingen"].items():
        if key in ratings and int(ratings[key]) <= data["focus_onder"] and statement["module"] not in focus:
            focus.append(statement["module"])
    path = role_path(root, role)
    first = [data["startpagina"][m]["pagina"] for m in focus]
    steps = [Step(p, page_title(root, p), True) for p in first]
    steps += [Step(p, page_title(root, p)) for p in path if p not in first]
    return Advice(role, data["rollen"][role]["naam"], tuple(steps), tuple(focus))


def precomputed(root: Path, link_prefix: str = "../") -> dict:
    """Every role x focus pattern, for the static book: a lookup, so the rules stay here. Steps
    are [page number, focus] into one list of pages, to keep the page small."""
    data = scan()
    keys = list(data["stellingen"])
    pages: list[str] = []
    titles: dict[str, str] = {}
    table = {}
    for role in data["rollen"]:
        for pattern in product((0, 1), repeat=len(keys)):
            ratings = {k: (1 if low else 4) for k, low in zip(keys, pattern)}
            steps = []
            for step in advice(root, role, ratings).steps:
                if step.page not in titles:
                    titles[step.page] = step.title
                    pages.append(step.page)
                steps.append([pages.index(step.page), int(step.focus)])
            table[f"{role}:{''.join(map(str, pattern))}"] = steps
    return {"rollen": {k: v["naam"] for k, v in data["rollen"].items()},
            "stellingen": {k: v["tekst"] for k, v in data["stellingen"].items()},
            "schaal": data["schaal"], "focus_onder": data["focus_onder"],
            "paginas": [{"href": f"{link_prefix}{p}.html", "titel": titles[p]} for p in pages], "advies": table}


def describe(root: Path) -> str:
    """Text alternative: the paths per role."""
    parts = []
    for role, info in scan()["rollen"].items():
        pages = role_path(root, role)
        parts.append(f"{info['naam']}: {len(pages)} pagina's, te beginnen met {page_title(root, pages[0])}.")
    return " ".join(parts)


def paths_markdown(root: Path) -> str:
    """The Leerpaden page's lists, from the same source."""
    out = []
    for role, info in scan()["rollen"].items():
        out.append(f"<h2>{info['naam']}</h2><ol>")
        for page in role_path(root, role):
            out.append(f"<li><a href='../{page}.html'>{page_title(root, page)}</a></li>")
        out.append("</ol>")
    return "".join(out)
