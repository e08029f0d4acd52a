"""Load, check and show the session plans in sessies/*.yml."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import yaml

from leerplein.peiling.model import KINDS, PeilingError, parse_question
from leerplein.yamlfiles import load_yaml


class PlanError(ValueError):
    pass


@dataclass
class Plan:
    id: str
    reeks: str
    nummer: int
    titel: str
    doel: str
    vooraf: list[dict]
    rollen: dict[str, str]
    materialen: list[str]
    onderdelen: list[dict]
    peiling: list[dict]
    meenemen: list[str]

    @property
    def minutes(self) -> int:
        return sum(int(p["minuten"]) for p in self.onderdelen)


def load_plan(path: Path, root: Path) -> Plan:
    data = load_yaml(path) or {}
    try:
        plan = Plan(path.stem, str(data["reeks"]), int(data["nummer"]), str(data["titel"]), str(data["doel"]).strip(),
                    list(data.get("vooraf") or []), dict(data["rollen"]), list(data.get("materialen") or []),
                    list(data["onderdelen"]), list(data.get("peiling") or []), list(data.get("meenemen") or []))
    except (KeyError, TypeError, ValueError) as err:
        raise PlanError(f"{path}: missing or wrong field {err}") from err
    for part in plan.onderdelen:
        if not str(part.get("naam", "")).strip() or int(part.get("minuten", 0)) <= 0:
            raise PlanError(f"{path}: every part needs a naam and minuten > 0 ({part})")
        if part.get("wie") not in (*plan.rollen, "iedereen"):
            raise PlanError(f"{path}: part '{part['naam']}' names a role '{part.get('wie')}' that is not under rollen")
    for item in plan.vooraf:
        if not (root / f"{item['pagina']}.md").is_file():
            raise PlanError(f"{path}: vooraf names {item['pagina']}, which is not a page")
    for i, question in enumerate(plan.peiling, 1):
        try:
            parse_question(question)
        except PeilingError as err:
            raise PlanError(f"{path}: poll question {i}: {err}") from err
    return plan


def load_plans(root: Path) -> list[Plan]:
    folder = root / "sessies"
    return [load_plan(p, root) for p in sorted(folder.glob("*.yml"))] if folder.is_dir() else []


EVALUATION = Path("sessies") / "evaluatie" / "evaluatie.yml"


def load_evaluation(root: Path) -> dict | None:
    """The course evaluation: a poll participants answer anonymously in their own tempo."""
    from leerplein.peiling.model import PeilingError, parse_question

    path = root / EVALUATION
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        questions = [parse_question(q).as_dict() for q in data.get("peiling") or []]
    except PeilingError as err:
        raise PlanError(f"{path}: {err}") from err
    if not questions:
        raise PlanError(f"{path}: the evaluation has no questions")
    return {"id": "evaluatie", "titel": str(data.get("titel", "Evaluatie van de cursus")), "peiling": questions,
            "eigen_tempo": True}


def clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minuten"
    text = "1 uur" if hours == 1 else f"{hours} uur"
    return text + (f" en {rest} minuten" if rest else "")


def render_html(plan: Plan, page_depth: int = 2) -> str:
    """The plan as a printable page body. `page_depth`: folders between the page and the book root."""
    up = "../" * page_depth
    e = html.escape
    rows, start = [], 0
    for part in plan.onderdelen:
        rows.append(f"<tr><td>{clock(start)}</td><td>{int(part['minuten'])} min.</td><th scope='row'>{e(part['naam'])}</th>"
                    f"<td>{e(part.get('werkvorm', ''))}</td><td>{e(part['wie'])}</td></tr>")
        start += int(part["minuten"])
    read = "".join(f"<li><a href='{up}{e(v['pagina'])}.html'>{e(v['tekst'])}</a></li>" for v in plan.vooraf)
    roles = "".join(f"<li><strong>{e(k.capitalize())}</strong>: {e(v)}</li>" for k, v in plan.rollen.items())
    polls = "".join(f"<li>{e(q['tekst'])} <em>({KINDS[q['soort']]}"
                    + (f": {e(' / '.join(q['opties']))}" if q.get("opties") else "")
                    + (f": {q.get('min', 1)} tot {q.get('max', 5)}" if q["soort"] == "schaal" else "") + ")</em></li>"
                    for q in plan.peiling)
    return (f"<div class='sessieplan'><p class='sessie-doel'><strong>Doel.</strong> {e(plan.doel)}</p>"
            f"<p><strong>Duur:</strong> {duration(plan.minutes)} ({len(plan.onderdelen)} onderdelen).</p>"
            f"<h2>Vooraf lezen</h2><ul>{read or '<li>Niets.</li>'}</ul>"
            f"<h2>Rollen</h2><ul>{roles}</ul>"
            f"<h2>Materialen</h2><ul>{''.join(f'<li>{e(m)}</li>' for m in plan.materialen)}</ul>"
            "<h2>Tijdschema</h2><table class='sessie-schema'><caption>Tijdschema, vanaf de start</caption><thead><tr>"
            "<th scope='col'>Start</th><th scope='col'>Duur</th><th scope='col'>Onderdeel</th>"
            "<th scope='col'>Werkvorm</th><th scope='col'>Wie</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<h2>Vragen voor de peiling</h2><ol>{polls or '<li>Geen.</li>'}</ol>"
            "<p>Start de peiling in Leerplein met <em>Peiling</em> en kies dit sessieplan: de vragen staan er dan al "
            "in.</p>"
            f"<h2>Wat deelnemers meenemen</h2><ul>{''.join(f'<li>{e(m)}</li>' for m in plan.meenemen)}</ul></div>")


def render_overview(plans: list[Plan]) -> str:
    e = html.escape
    out, series = [], {}
    for plan in plans:
        series.setdefault(plan.reeks, []).append(plan)
    for name, items in series.items():
        rows = "".join(f"<tr><td>{p.nummer}</td><th scope='row'><a href='{e(p.id)}.html'>{e(p.titel)}</a></th>"
                       f"<td>{duration(p.minutes)}</td><td>{len(p.peiling)}</td></tr>" for p in items)
        total = sum(p.minutes for p in items)
        out.append(f"<h2>{e(name)}</h2><p>{len(items)} bijeenkomsten, samen {duration(total)}.</p>"
                   "<table class='sessie-schema'><thead><tr><th scope='col'>Nr.</th><th scope='col'>Bijeenkomst</th>"
                   f"<th scope='col'>Duur</th><th scope='col'>Peilingvragen</th></tr></thead><tbody>{rows}</tbody></table>")
    return "".join(out)


def show(plan_id: str) -> None:
    """For the book pages: display one plan."""
    from IPython.display import HTML, display

    from leerplein.paths import find_root

    root = find_root()
    display(HTML(render_html(load_plan(root / "sessies" / f"{plan_id}.yml", root))))


def show_overview() -> None:
    from IPython.display import HTML, display

    from leerplein.paths import find_root

    display(HTML(render_overview(load_plans(find_root()))))
