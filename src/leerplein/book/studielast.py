"""Honest study load: where every hour of a module goes.

Each module lists its activities in `modules/NN-slug/studielast.yml`; the norms behind the
numbers are in `book/studielast.yml`. Reading time is computed from the words on the module's
own pages, required reading from its pages, group sessions from their session plans; the rest
(interactives, assignments, practice work) is stated in minutes. The `study-load` rule of
`leerplein check` compares these sums with the hours the book states.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.book.check import Finding, rule
from leerplein.yamlfiles import load_yaml

KINDS = {  # soort -> how it is shown in the table
    "lezen": "Lezen in het boek",
    "literatuur": "Verplichte literatuur",
    "interactief": "Doe mee (interactief)",
    "opdracht": "Reflectie-opdracht",
    "praktijk": "Praktijkopdracht in je eigen werk",
    "bijeenkomst": "Groepsbijeenkomst",
    "actieleren": "Actieleren tussen de bijeenkomsten",
    "eindopdracht": "Deel van de eindopdracht",
}


class StudyLoadError(ValueError):
    pass


@dataclass
class Norms:
    hours_per_ec: float
    pages_per_hour: float
    words_per_page: int
    sources: list[str]

    @property
    def words_per_minute(self) -> float:
        return self.pages_per_hour * self.words_per_page / 60


@dataclass
class Activity:
    kind: str
    title: str
    minutes: float
    basis: str  # how the minutes were found, for a reviewer
    source: str = ""  # citation key, for required reading
    url: str = ""  # where to read it


@dataclass
class ModuleLoad:
    module: str
    activities: list[Activity] = field(default_factory=list)

    @property
    def minutes(self) -> float:
        return sum(a.minutes for a in self.activities)

    @property
    def hours(self) -> float:
        return self.minutes / 60


def load_norms(root: Path) -> Norms:
    path = root / "book" / "studielast.yml"
    data = load_yaml(path)
    reading = data["lezen"]
    return Norms(float(data["uren_per_ec"]), float(reading["bladzijden_per_uur"]),
                 int(reading["woorden_per_bladzijde"]), list(reading.get("bronnen", [])))


def reader_words(text: str) -> int:
    """Words a reader reads on a MyST page (the readability check's prose, counted the same way)."""
    from leerplein.book.readability import body_text
    from leerplein.readability import words

    return len(words(body_text(text)))


def module_pages(root: Path, module: str) -> list[Path]:
    from leerplein.book.rules import toc_files

    prefix = f"modules/{module}/"
    return [root / f"{entry}.md" if not entry.endswith(".md") else root / entry
            for entry in toc_files(root) if entry.startswith(prefix)]


def session_minutes(root: Path, plan_id: str) -> tuple[str, int]:
    from leerplein.sessies.plans import load_plan

    plan = load_plan(root / "sessies" / f"{plan_id}.yml", root)
    return plan.titel, plan.minutes


def module_load(root: Path, module: str, norms: Norms | None = None) -> ModuleLoad:
    norms = norms or load_norms(root)
    path = root / "modules" / module / "studielast.yml"
    if not path.is_file():
        raise StudyLoadError(f"{path.relative_to(root)} is missing: list the module's activities with minutes")
    data = load_yaml(path) or {}
    load = ModuleLoad(module)
    for number, item in enumerate(data.get("activiteiten") or [], start=1):
        kind = item.get("soort")
        if kind not in KINDS:
            raise StudyLoadError(f"{path.name}, activity {number}: unknown soort '{kind}' (use {', '.join(KINDS)})")
        title = str(item.get("titel", "")).strip()
        if kind == "lezen":
            words = sum(reader_words(p.read_text(encoding="utf-8")) for p in module_pages(root, module) if p.is_file())
            load.activities.append(Activity(kind, title or "De pagina's van deze module",
                                             words / norms.words_per_minute,
                                             f"{words:,} woorden".replace(",", ".") +
                                             f", {norms.words_per_minute:.0f} woorden per minuut"))
        elif kind == "literatuur":
            pages = float(item["bladzijden"])
            if not item.get("bron") or not item.get("url"):
                raise StudyLoadError(f"{path.name}, activity {number}: required reading needs bron (a citation key) and url")
            load.activities.append(Activity(kind, title, pages / norms.pages_per_hour * 60,
                                            f"{pages:g} bladzijden, {norms.pages_per_hour:g} per uur", item["bron"],
                                            str(item["url"])))
        elif kind == "bijeenkomst":
            plan_title, minutes = session_minutes(root, item["sessie"])
            share = item.get("aandeel", 1)
            if not isinstance(share, (int, float)) or not 0 < share <= 1:
                raise StudyLoadError(f"{path.name}, activity {number}: aandeel must be a fraction above 0 and at most 1")
            basis = "volgens het sessieplan"
            if share != 1:
                basis += f"; {round(share * 100)} procent telt bij deze module ({item.get('toelichting', 'gedeeld')})"
            load.activities.append(Activity(kind, title or plan_title, minutes * share, basis))
        else:
            minutes = item.get("minuten")
            if not isinstance(minutes, (int, float)) or minutes <= 0 or not title:
                raise StudyLoadError(f"{path.name}, activity {number}: '{kind}' needs a titel and minuten > 0")
            load.activities.append(Activity(kind, title, float(minutes), str(item.get("toelichting", "geschat"))))
    if not load.activities:
        raise StudyLoadError(f"{path.relative_to(root)} lists no activities")
    return load


def dutch_hours(hours: float) -> str:
    rounded = round(hours * 2) / 2  # half hours: the precision a study guide can promise
    text = f"{rounded:g}".replace(".", ",")
    return f"{text} uur"


def render_table(load: ModuleLoad) -> str:
    e = html.escape
    def name(a: Activity) -> str:
        return f"<a href='{e(a.url)}'>{e(a.title)}</a>" if a.url.startswith(("https://", "http://")) else e(a.title)

    rows = "".join(
        f"<tr><td>{e(KINDS[a.kind])}</td><th scope='row'>{name(a)}</th><td>{round(a.minutes):d}</td>"
        f"<td>{e(a.basis)}</td></tr>" for a in load.activities)
    return ("<table class='studielast'><caption>Studiebelasting van deze module, per activiteit</caption>"
            "<thead><tr><th scope='col'>Soort</th><th scope='col'>Activiteit</th><th scope='col'>Minuten</th>"
            "<th scope='col'>Zo berekend</th></tr></thead>"
            f"<tbody>{rows}</tbody><tfoot><tr><td></td><th scope='row'>Totaal</th>"
            f"<td>{round(load.minutes):d}</td><td>{dutch_hours(load.hours)}</td></tr></tfoot></table>")


def course_loads(root: Path) -> list[ModuleLoad]:
    from leerplein.book.rules import module_dirs

    norms = load_norms(root)
    return [module_load(root, d.name, norms) for d in module_dirs(root)]


def course_table(root: Path) -> str:
    """For the introduction: hours per module and the course's EC."""
    norms, loads = load_norms(root), course_loads(root)
    rows = "".join(f"<tr><th scope='row'>Module {l.module[:2].lstrip('0')}</th><td>{dutch_hours(l.hours)}</td></tr>"
                   for l in loads)
    total = sum(l.hours for l in loads)
    return ("<table class='studielast'><caption>Studiebelasting per module</caption><thead><tr>"
            "<th scope='col'>Module</th><th scope='col'>Uren</th></tr></thead>"
            f"<tbody>{rows}</tbody><tfoot><tr><th scope='row'>Totaal</th><td>{dutch_hours(total)} = "
            f"{f'{total / norms.hours_per_ec:.1f}'.replace('.', ',')} EC</td></tr></tfoot></table>")


EC_STATED = re.compile(r"(\d+(?:[.,]\d+)?)\s*EC\b")
TOLERANCE = 0.10


def _off(stated: float, computed: float) -> bool:
    return abs(stated - computed) > TOLERANCE * computed


def _session_shares(root: Path, folders: list[Path]):
    """A group session shared by modules (aandeel) is counted once in total, never more."""
    shares: dict[str, float] = {}
    for folder in folders:
        path = folder / "studielast.yml"
        if not path.is_file():
            continue
        for item in (load_yaml(path) or {}).get("activiteiten") or []:
            if isinstance(item, dict) and item.get("soort") == "bijeenkomst" and item.get("sessie"):
                share = item.get("aandeel", 1)
                shares[item["sessie"]] = shares.get(item["sessie"], 0) + (share if isinstance(share, (int, float)) else 0)
    for session, share in sorted(shares.items()):
        if share > 1 + 1e-9:
            yield Finding(root / "sessies" / f"{session}.yml", 1, "study-load",
                          f"the modules count this session {share:g} times; share it with 'aandeel' so it counts once")


@rule("study-load")
def check_study_load(root: Path):
    """Stated hours must match the activities (within 10%); the course's EC follow from them."""
    from leerplein.book.rules import COURSE_TOTAL, _hours, module_dirs, module_hours

    folders = module_dirs(root)
    if not folders or not (root / "book" / "studielast.yml").is_file():
        if folders:
            yield Finding(root / "book", 0, "study-load", "book/studielast.yml (the reading and EC norms) is missing")
        return
    norms = load_norms(root)
    total = 0.0
    for folder in folders:
        index = folder / "index.md"
        try:
            load = module_load(root, folder.name, norms)
        except (StudyLoadError, KeyError, ValueError, OSError) as err:
            yield Finding(folder / "studielast.yml", 1, "study-load", str(err))
            continue
        total += load.hours
        stated = module_hours(index) if index.is_file() else None
        if stated is not None and _off(stated, load.hours):
            yield Finding(index, 1, "study-load",
                          f"the module states {stated:g} uur, its activities add up to {load.hours:.1f} uur "
                          f"(modules/{folder.name}/studielast.yml); more than 10% apart")
    yield from _session_shares(root, folders)
    rules = root / "grading" / "slaagregels.yml"
    if total and rules.is_file():  # the badge states the same load
        from leerplein.course.results.progress import RulesError, load_rules

        try:
            badge = load_rules(root).badge
        except RulesError:
            badge = {}  # a broken slaagregels.yml has its own message in `course progress`
        if "studielast_uren" in badge and _off(float(badge["studielast_uren"]), total):
            yield Finding(rules, 1, "study-load", f"the badge states {badge['studielast_uren']} uur; the modules' "
                          f"activities add up to {total:.1f} uur")
        if "ec" in badge and _off(float(badge["ec"]), total / norms.hours_per_ec):
            yield Finding(rules, 1, "study-load", f"the badge states {badge['ec']} EC; that is "
                          f"{total / norms.hours_per_ec:.1f} EC")
    intro = root / "book" / "intro.md"
    if not total or not intro.is_file():
        return
    for number, line in enumerate(intro.read_text(encoding="utf-8").splitlines(), start=1):
        hours = COURSE_TOTAL.search(line)
        if hours and _off(_hours(hours.group(1)), total):
            yield Finding(intro, number, "study-load", f"the course states {hours.group(1)} uur; the modules' "
                          f"activities add up to {total:.1f} uur")
        for ec in EC_STATED.findall(line):
            if _off(_hours(ec), total / norms.hours_per_ec):
                yield Finding(intro, number, "study-load", f"the course states {ec} EC; {total:.1f} uur at "
                              f"{norms.hours_per_ec:g} uur per EC is {total / norms.hours_per_ec:.1f} EC")
