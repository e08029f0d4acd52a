"""ipywidgets for JupyterLab: thin layers that call the pure functions and show the result.

Every control has a description (its label for screen readers); results are HTML with the
same text alternative the static book shows. `update` functions are module level so the
benchmark can time them without a browser.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import ipywidgets as w

from leerplein.interactives import attention, budget, letter, partners, quiz, scarcity, strengths

WIDE = w.Layout(width="100%")
STYLE = {"description_width": "initial"}
ROW_STYLE = "display:grid;grid-template-columns:5rem 1fr 7rem;gap:.5rem;align-items:center;margin:.2rem 0"


def budget_html(household: str, setbacks: tuple[str, ...]) -> str:
    r = budget.simulate_month(household, setbacks)
    lowest = min([0.0, *r.weekly_balance])
    scale = max(r.left_after_fixed, 1) - lowest
    bars = []
    for week, balance in enumerate(r.weekly_balance, start=1):
        width = abs(balance) / scale * 100
        colour = "#b00020" if balance < 0 else "#1b6ca8"
        bars.append(f'<div class="lp-bar-row" style="{ROW_STYLE}"><span>Week {week}</span>'
                    f'<span class="lp-bar" style="display:inline-block;height:1.1rem;border-radius:3px;'
                    f'min-width:2px;width:{width:.0f}%;background:{colour}"></span>'
                    f'<span style="text-align:right">{budget.euro(balance)}</span></div>')
    note = ("<p><strong>Let op:</strong> deze bedragen zijn een voorbeeld (illustratief), geen norm:</p><ul>"
            + "".join(f"<li>{html.escape(x)}</li>" for x in r.illustrative) + "</ul>") if r.illustrative else ""
    return (f'<div class="lp-result" role="status"><p>{html.escape(budget.summary_line(r))}</p>{"".join(bars)}'
            f'<p><strong>{html.escape(budget.outcome(r))}</strong></p>{note}</div>')


def rondkomen() -> w.Widget:
    data = budget.budget_data()
    household = w.Dropdown(options=[(v["naam"], k) for k, v in data["huishoudens"].items()],
                           description="Huishouden", style=STYLE)
    boxes = {k: w.Checkbox(description=v["naam"], value=False, indent=False, layout=WIDE)
             for k, v in sorted(data["tegenvallers"].items())}
    out = w.HTML(budget_html(household.value, ()))

    def update(_=None):
        out.value = budget_html(household.value, tuple(k for k, b in boxes.items() if b.value))

    household.observe(update, "value")
    for b in boxes.values():
        b.observe(update, "value")
    return w.VBox([household, w.HTML("<strong>Tegenvallers deze maand</strong>"), *boxes.values(), out])


def scarcity_html(state: scarcity.State, seed: int) -> str:
    s = scarcity.summary(state)
    log = "".join(f"<li>{html.escape(line)}</li>" for line in s["log"])
    if state.finished:
        now = "<p><strong>Het spel is klaar.</strong> Bespreek: wanneer zat je in de tunnel?</p>"
    else:
        what, amount = scarcity.current_bill(state, seed)
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in scarcity.reasons(state, seed).values())
        now = (f"<p>{html.escape(scarcity.income_text(state))}</p>"
               f"<p>Rekening deze week: <strong>{html.escape(what)}</strong> ({amount} euro).</p>"
               + (f"<p>Waarom is een knop grijs?</p><ul>{reasons}</ul>" if reasons else ""))
    return (f'<div class="lp-result" role="status"><p>{html.escape(scarcity.describe(state))}</p>'
            f'<meter min="0" max="100" value="{s["bandwidth"]}" aria-label="Bandbreedte"></meter>{now}<ol>{log}</ol></div>')


def schaarste_spel(seed: int) -> w.Widget:
    state = {"now": scarcity.start(seed)}
    out = w.HTML()
    buttons = {c: w.Button(description=label, layout=WIDE, tooltip=label) for c, label in scarcity.CHOICES.items()}
    restart = w.Button(description="Opnieuw beginnen", tooltip="Opnieuw beginnen")

    def refresh():
        out.value = scarcity_html(state["now"], seed)
        options = [] if state["now"].finished else scarcity.available(state["now"], seed)
        for c, b in buttons.items():
            b.disabled = c not in options

    def choose(choice):
        state["now"] = scarcity.step(state["now"], choice, seed)
        refresh()

    for c, b in buttons.items():
        b.on_click(lambda _, c=c: choose(c))
    restart.on_click(lambda _: (state.update(now=scarcity.start(seed)), refresh()))
    refresh()
    return w.VBox([w.HTML("<p>Dit is een demonstratie, geen meting van jouw intelligentie.</p>"), out,
                   *buttons.values(), restart, attention_widget(seed)])


def attention_widget(seed: int) -> w.Widget:
    trials = attention.trials(seed)
    rows = []
    results = w.HTML()
    scores = {}
    for trial in trials:
        show = w.HTML(f"<p>Onthoud dit getal: <strong>{trial.number}</strong></p>")
        sums = [w.Checkbox(description=f"{a} + {b} = {shown} klopt", indent=False) for a, b, shown in trial.sums]
        recall = w.Text(description="Welk getal moest je onthouden?", style=STYLE)
        done = w.Button(description=f"Klaar met ronde '{trial.round}'")

        def finish(_, trial=trial, sums=sums, recall=recall, show=show):
            scores[trial.round] = attention.score(trial, recall.value, [s.value for s in sums])
            results.value = "".join(f"<p>{html.escape(r)}: {s['digits']} van {s['digitsTotal']} cijfers goed, "
                                    f"{s['sums']} van {s['sumsTotal']} sommen goed.</p>" for r, s in scores.items())

        show_button = w.Button(description="Verberg het getal en begin")
        show_button.on_click(lambda _, show=show: setattr(show, "value", "<p>Het getal is verborgen.</p>"))
        rows += [w.HTML(f"<h4>Ronde: {trial.round}</h4>"), show, show_button, *sums, recall, done]
        done.on_click(finish)
    return w.VBox([w.HTML("<h3>Aandachtstaak</h3>"), *rows, results])


def letter_html(text: str) -> str:
    a = letter.analyse(text)
    items = "".join(f"<li>{html.escape(s)}</li>" for s in a.long_sentences)
    words = ", ".join(html.escape(x) for x in a.long_words)
    jargon = ", ".join(f"{html.escape(k)} → {html.escape(v)}" for k, v in a.jargon.items())
    return (f'<div class="lp-result" role="status"><p><strong>{html.escape(a.describe())}</strong></p>'
            f'<p>Lange zinnen:</p><ul>{items}</ul><p>Lange woorden: {words}</p><p>Ambtelijk: {jargon}</p></div>')


def leesbaarheid() -> w.Widget:
    text = w.Textarea(value=letter.letter_data()["voorbeeldbrief"], description="Jouw tekst",
                      layout=w.Layout(width="100%", height="14em"), style=STYLE)
    out = w.HTML(letter_html(text.value))
    text.observe(lambda _: setattr(out, "value", letter_html(text.value)), "value")
    return w.VBox([text, out])


def krachtenkaart(save_to: Path = Path("krachtenkaart.svg")) -> w.Widget:
    case = strengths.example()
    entries = list(case["entries"])
    picture = w.HTML()
    name = w.Text(description="Naam", style=STYLE)
    kind = w.Dropdown(options=[(v[0], k) for k, v in strengths.KINDS.items()], description="Soort", style=STYLE)
    close = w.Dropdown(options=[(v, k) for k, v in strengths.CLOSENESS.items()], value=2, description="Hoe dichtbij",
                       style=STYLE)
    add = w.Button(description="Toevoegen")
    save = w.Button(description="Bewaar als afbeelding")
    message = w.HTML()

    def refresh():
        svg = strengths.to_svg(case["person"], entries)
        encoded = base64.b64encode(svg.encode()).decode()
        picture.value = (f'<img alt="{html.escape(strengths.describe(case["person"], entries))}" '
                         f'src="data:image/svg+xml;base64,{encoded}" width="{strengths.SIZE}">')

    def on_add(_):
        try:
            entries.append(strengths.Entry(name.value.strip(), kind.value, close.value))
        except ValueError as err:
            message.value = f"<p role='alert'>{html.escape(str(err))}</p>"
            return
        name.value, message.value = "", ""
        refresh()

    def on_save(_):
        save_to.write_text(strengths.to_svg(case["person"], entries), encoding="utf-8")
        message.value = f"<p role='status'>Opgeslagen als {html.escape(str(save_to))}.</p>"

    add.on_click(on_add)
    save.on_click(on_save)
    refresh()
    return w.VBox([picture, name, kind, close, add, save, message])


def partners_html(question_ids: list[str], search: str = "") -> str:
    found = partners.partners_for(question_ids, search)
    if not found:
        return '<p role="status">Geen partner gevonden. Zoek op een ander woord.</p>'
    names = partners.questions()
    items = []
    for p in found:
        helps = [names[q] for q in question_ids if q in p.vragen]
        items.append(f"<li><strong>{html.escape(p.naam)}</strong>: {html.escape(p.wat)}<br>"
                     + (f"<em>Helpt bij:</em> {html.escape('; '.join(helps))}<br>" if helps else "")
                     + f"<em>Warm verwijzen:</em> {html.escape(p.warm_verwijzen)}"
                     + (f"<br><small>Bron: {html.escape(p.bron)}</small>" if p.bron else "") + "</li>")
    return f'<div role="status"><p>{len(found)} partners</p><ul>{"".join(items)}</ul></div>'


def netwerkwijzer() -> w.Widget:
    boxes = {k: w.Checkbox(description=v, indent=False, layout=WIDE) for k, v in partners.questions().items()}
    search = w.Text(description="Zoek", style=STYLE)
    out = w.HTML(partners_html([]))

    def update(_=None):
        out.value = partners_html([k for k, b in boxes.items() if b.value], search.value)

    for b in boxes.values():
        b.observe(update, "value")
    search.observe(update, "value")
    return w.VBox([w.HTML("<strong>Waar gaat de vraag over?</strong>"), *boxes.values(), search, out])


def kennischeck(prefix: str) -> w.Widget:
    parts = []
    for q in quiz.questions_for(prefix):
        options = w.RadioButtons(options=[(o, i) for i, o in enumerate(q.opties)], value=None,
                                 description="Antwoord", layout=WIDE, style=STYLE)
        feedback = w.HTML()
        options.observe(lambda ch, q=q, feedback=feedback: setattr(
            feedback, "value", f"<p role='status'>{html.escape(quiz.check(q, ch['new']).text)}</p>"), "value")
        parts += [w.HTML(f"<p><strong>{html.escape(q.vraag)}</strong></p>"), options, feedback]
    return w.VBox(parts)


def actieleerlogboek() -> w.Widget:
    """Live in JupyterLab: the same logbook, saved in the participant's home (logbook.save)."""
    from leerplein.interactives import logbook

    data = logbook.load()
    fields = {k: w.Textarea(value=data[k], description=label, layout=WIDE, style=STYLE)
              for k, label in logbook.TOP_FIELDS.items()}
    weeks = []
    for i in range(logbook.WEEKS):
        boxes = {k: w.Textarea(value=data["weken"][i][k], description=label.split(":")[0], layout=WIDE, style=STYLE)
                 for k, label in logbook.WEEK_FIELDS.items()}
        weeks.append(boxes)
    status = w.HTML()
    button = w.Button(description="Bewaren", button_style="primary")

    def save(_):
        new = {k: f.value for k, f in fields.items()}
        new["weken"] = [{k: b.value for k, b in week.items()} for week in weeks]
        try:
            path = logbook.save(new)
            status.value = f"<p role='status'>Bewaard in {html.escape(str(path))}.</p>"
        except logbook.LogbookError as err:
            status.value = f"<p role='alert'>{html.escape(str(err))}</p>"

    button.on_click(save)
    accordion = w.Accordion(children=[w.VBox(list(b.values())) for b in weeks],
                            titles=tuple(f"Week {i + 1}" for i in range(logbook.WEEKS)))
    return w.VBox([fields["vraagstuk"], fields["kennis"], accordion, fields["reflectie"], button, status])


def zelfscan() -> w.Widget:
    """Live in JupyterLab: the same intake, with links to the pages as they are in the repository."""
    from leerplein.interactives import zelfscan as scan
    from leerplein.paths import find_root

    root, data = find_root(), scan.scan()
    role = w.Dropdown(options=[(v["naam"], k) for k, v in data["rollen"].items()], description="Mijn rol",
                      layout=WIDE, style=STYLE)
    ratings = {k: w.ToggleButtons(options=[(label, i + 1) for i, label in enumerate(data["schaal"])], value=None,
                                  description="", style={"button_width": "auto"})
               for k in data["stellingen"]}
    out = w.HTML()

    def update(_=None):
        chosen = {k: b.value for k, b in ratings.items() if b.value}
        result = scan.advice(root, role.value, chosen)
        items = "".join(f"<li>{'<strong>Begin hier:</strong> ' if s.focus else ''}{html.escape(s.title)}</li>"
                        for s in result.steps)
        out.value = f"<p role='status'>Jouw leerpad als {html.escape(result.role_name)}:</p><ol>{items}</ol>"

    role.observe(update, "value")
    for box in ratings.values():
        box.observe(update, "value")
    update()
    parts = [role]
    for k, text in data["stellingen"].items():
        parts += [w.HTML(f"<p>{html.escape(text['tekst'])}</p>"), ratings[k]]
    return w.VBox([*parts, out])
