"""One call per interactive for the module pages: `show.rondkomen()` and so on.

In JupyterLab with a kernel the call displays an ipywidget (see widgets.py); during the book
build it displays the static version (see static.py)."""

from __future__ import annotations

from dataclasses import asdict

from IPython.display import HTML, display

from leerplein.interactives import attention, budget, letter, partners, quiz, scarcity, strengths
from leerplein.interactives.static import block, in_book_build
from leerplein.readability import DOUMA_SCALE, LIX_SCALE

DEFAULT_SEED = 2026


def _show(static_html: str, make_widget) -> None:
    if in_book_build():
        display(HTML(static_html))
    else:
        display(make_widget())


def rondkomen() -> None:
    from leerplein.interactives import widgets

    data = budget.budget_data()
    first = next(iter(data["huishoudens"]))
    payload = {
        "households": {k: v["naam"] for k, v in data["huishoudens"].items()},
        "setbacks": {k: v["naam"] for k, v in sorted(data["tegenvallers"].items())},
        "scenarios": budget.all_scenarios(),
        "sources": budget.sources(),
        "normLabel": budget.norm_label(),
    }
    _show(block("rondkomen", payload, budget.describe(budget.simulate_month(first)), "Rondkomen: een maand budget"),
          widgets.rondkomen)


def schaarste_spel(seed: int = DEFAULT_SEED) -> None:
    from leerplein.interactives import widgets

    payload = {
        "seed": seed, "weeks": scarcity.WEEKS, "bills": scarcity.bills_for(seed),
        "choices": scarcity.CHOICES, "tree": scarcity.game_tree(seed),
        "trials": [asdict(t) for t in attention.trials(seed)],
    }
    _show(block("schaarste", payload, scarcity.describe(scarcity.start(seed)), "Schaarste-spel"),
          lambda: widgets.schaarste_spel(seed))


def leesbaarheid() -> None:
    from leerplein.interactives import widgets

    text = letter.letter_data()["voorbeeldbrief"]
    analysis = letter.analyse(text)
    payload = {
        "text": text, "jargon": letter.letter_data()["ambtelijk"],
        "longSentence": letter.LONG_SENTENCE_WORDS, "longWordSyllables": letter.LONG_WORD_SYLLABLES,
        "levels": [[b if b != float("-inf") else -1000, label] for b, label in letter.LEVELS],
        "douma": [[b if b != float("-inf") else -1000, label] for b, label in DOUMA_SCALE],
        "lix": [[b if b != float("inf") else 1000, label] for b, label in LIX_SCALE],
        "python": asdict(analysis.scores),
    }
    _show(block("leesbaarheid", payload, analysis.describe(), "Leesbaarheidscheck"), widgets.leesbaarheid)


def krachtenkaart() -> None:
    from leerplein.interactives import widgets

    case = strengths.example()
    payload = {
        "person": case["person"], "entries": [asdict(e) for e in case["entries"]],
        "kinds": {k: {"label": v[0], "colour": v[1], "start": v[2]} for k, v in strengths.KINDS.items()},
        "closeness": strengths.CLOSENESS, "size": strengths.SIZE, "rings": strengths.RING_RADIUS,
        "layout": strengths.layout(case["entries"]),
    }
    _show(block("krachtenkaart", payload, strengths.describe(case["person"], case["entries"]), "Krachtenkaart"),
          widgets.krachtenkaart)


def netwerkwijzer() -> None:
    from leerplein.interactives import widgets

    payload = {"questions": partners.questions(),
               "partners": [asdict(p) for p in partners.partners_for([])]}
    alt = "Partners: " + ", ".join(p.naam for p in partners.partners_for([])) + "."
    _show(block("netwerkwijzer", payload, alt, "Netwerkwijzer"), widgets.netwerkwijzer)


def kennischeck(prefix: str) -> None:
    from leerplein.interactives import widgets

    questions = quiz.questions_for(prefix)
    payload = {"questions": [asdict(q) for q in questions]}
    alt = " ".join(q.vraag for q in questions)
    _show(block("kennischeck", payload, alt, "Kennischeck"), lambda: widgets.kennischeck(prefix))


def actieleerlogboek() -> None:
    """The static book keeps it in the browser; the student view in the participant's home."""
    from leerplein.interactives import logbook, widgets

    payload = {"weeks": logbook.WEEKS, "top": logbook.TOP_FIELDS, "week": logbook.WEEK_FIELDS,
               "max": logbook.MAX_FIELD_CHARS}
    alt = ("Een logboek voor zes weken actieleren: je vraagstuk, de vragen, je acties, wat je zag en je "
           "reflectie.")
    _show(block("actieleerlogboek", payload, alt, "Actieleerlogboek"), widgets.actieleerlogboek)


def zelfscan() -> None:
    """The intake on the Leerpaden page (book/leerpaden.md)."""
    from leerplein.interactives import widgets, zelfscan as scan
    from leerplein.paths import find_root

    root = find_root()
    _show(block("zelfscan", scan.precomputed(root), scan.describe(root), "Zelfscan"), widgets.zelfscan)
