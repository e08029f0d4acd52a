"""Numbers a student reads are Dutch: "8,6%" on a chart and in its text version, "24,0 woorden per
zin", "8,25" punten; never "8.6%" or "8.25" (the walkthrough found both). Citations join authors
with "en" (test_phone_and_dutch.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT

# 8.6 or 24.0 (an English decimal point; a Dutch thousands point has three digits after it: 1.234)
ENGLISH_DECIMAL = re.compile(r"(?<![\w.,/:-])\d+\.\d{1,2}(?![\w.,/-]|\.\d|\s*uur)")  # 10.30 uur is a Dutch time
# 1,234 or 12,345,678 (English thousands)
ENGLISH_THOUSANDS = re.compile(r"(?<![\w.,/:-])\d{1,3}(?:,\d{3})+(?![\d,.])")


def english_numbers(text: str) -> list[str]:
    return [m.group(0) for pattern in (ENGLISH_DECIMAL, ENGLISH_THOUSANDS) for m in pattern.finditer(text)]


def test_the_probe_tells_english_from_dutch_numbers():
    assert english_numbers("daalde van 8.6% naar 8.25 punten; 1,234,567 mensen") == ["8.6", "8.25", "1,234,567"]
    assert english_numbers("8,6 procent, 8,25 punten, 1.234.567 mensen, 2,7 EC, versie 4.0.1, 10.30 uur") == []


def test_no_page_shows_an_english_number(built_book):
    found = {}
    for path in sorted(built_book.rglob("*.html")):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for hidden in soup(["script", "style", "code", "pre"]):
            hidden.decompose()
        for source in soup.select(".citation, .bibliography"):
            source.decompose()  # a source's own title or URL is quoted as it is
        hits = [n for text in soup.stripped_strings for n in english_numbers(text)]
        hits += [n for img in soup.find_all("img") for n in english_numbers(img.get("alt") or "")]
        if hits:
            found[str(path.relative_to(built_book))] = hits[:5]
    assert found == {}


CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.M | re.S)
RUN_CHARTS = """
import json, sys, matplotlib
matplotlib.use("agg")
from leerplein.book.charts import install
install()
import matplotlib.pyplot as plt
from matplotlib.text import Text
plt.show = lambda *args, **kwargs: None
exec(compile(sys.stdin.read(), "page", "exec"))
texts = []
for number in plt.get_fignums():
    figure = plt.figure(number)
    figure.canvas.draw()  # tick labels exist only once drawn
    texts += [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]
print(json.dumps(texts))
"""


def chart_texts(page: Path) -> list[str]:
    """Every text on the page's charts (titles, bar labels, ticks), as the book build draws them."""
    code = "\n".join("\n".join(line for line in cell.splitlines() if not line.startswith(":"))
                     for cell in CELL.findall(page.read_text(encoding="utf-8")))
    done = subprocess.run([sys.executable, "-c", RUN_CHARTS], input=code, cwd=page.parent, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def chart_pages() -> list[Path]:
    return sorted(p for p in (ROOT / "modules").rglob("*.md") if "matplotlib" in p.read_text(encoding="utf-8"))


def test_a_chart_with_an_english_number_is_caught(tmp_path):
    page = tmp_path / "grafiek.md"
    page.write_text("# Grafiek\n\n```{code-cell} ipython3\n:tags: [remove-input]\nimport matplotlib.pyplot as plt\n"
                    "fig, ax = plt.subplots()\nax.bar(['jan 2015'], [8.6])\nax.text(0, 8.7, f'{8.6}%')\n"
                    "ax.set_ylim(0, 10)\nplt.show()\n```\n", encoding="utf-8")
    texts = chart_texts(page)
    assert "8.6%" in texts and "2,5" not in texts and "2" in texts  # ticks 0, 2, 4 …: whole numbers
    assert english_numbers(" ".join(texts)) == ["8.6"]


def test_every_chart_in_the_book_shows_dutch_numbers():
    pages = chart_pages()
    assert len(pages) >= 3
    found = {}
    for page in pages:
        texts = chart_texts(page)
        assert texts, page
        hits = english_numbers(" ".join(texts))
        if hits:
            found[str(page.relative_to(ROOT))] = hits
    assert found == {}
    percentages = " ".join(chart_texts(ROOT / "modules/01-armoede-zien/01-armoede-in-cijfers.md"))
    assert "8,6%" in percentages and "8,3%" in percentages
