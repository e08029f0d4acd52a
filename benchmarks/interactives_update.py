"""Server-side update time of each interactive: what one change in JupyterLab costs the kernel.

Times the function a widget calls on each change (logic + HTML), median of many runs, and
writes benchmarks/results/interactives_update.md. Target: at most 50 ms per update.

    .venv/bin/python benchmarks/interactives_update.py [--runs 200] [--out FILE]

The test suite runs it small (`--runs 5`) so it cannot rot.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from leerplein.interactives import letter, scarcity, strengths, widgets

TARGET_MS = 50.0
LETTER = letter.letter_data()["voorbeeldbrief"]


def timed(fn, runs: int = 200) -> float:
    fn()  # warm caches (yaml, hyphenation dictionary)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i) if fn.__code__.co_argcount else fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200, help="updates timed per interactive")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "interactives_update.md")
    args = parser.parse_args()
    entries = strengths.example()["entries"]
    cases = {
        "Rondkomen (household + setbacks)": lambda i=0: widgets.budget_html(
            ["alleenstaande", "stel", "alleenstaande_ouder"][i % 3], ("boete", "wasmachine")[: i % 3]),
        "Schaarste-spel (one choice)": lambda i=0: widgets.scarcity_html(
            scarcity.step(scarcity.start(2026), "lenen", 2026), 2026),
        "Leesbaarheidscheck (edited letter)": lambda i=0: widgets.letter_html(LETTER + f" Extra zin nummer {i}."),
        "Krachtenkaart (add an entry)": lambda i=0: strengths.to_svg(
            "Emre", [*entries, strengths.Entry(f"Nieuw {i}", "plek", 1)]),
        "Netwerkwijzer (filter)": lambda i=0: widgets.partners_html(["geld"] if i % 2 else ["lezen"], ""),
    }
    rows = [(name, timed(fn, args.runs)) for name, fn in cases.items()]
    lines = ["# Interactives: server-side update time", "",
             f"Median of {args.runs} updates on this machine; target ≤ {TARGET_MS:.0f} ms.", "",
             "| interactive | median ms | meets target |", "|---|---:|---|"]
    lines += [f"| {name} | {ms:.2f} | {'yes' if ms <= TARGET_MS else 'NO'} |" for name, ms in rows]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
