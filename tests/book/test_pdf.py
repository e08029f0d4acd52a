"""The print edition: `leerplein build --pdf` makes one PDF of the whole book, offline, with a
table of contents, every chapter (found in the PDF's outline, so in the body and not only in the
contents), and each interactive as a still with a pointer to its web page."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def flatten(outline) -> list[str]:
    out = []
    for item in outline:
        out += flatten(item) if isinstance(item, list) else [item.title]
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_pdf_has_contents_every_chapter_and_a_pointer_for_each_interactive(built_book):
    from pypdf import PdfReader

    from leerplein.book.pdf import chapters

    done = subprocess.run([sys.executable, "-m", "leerplein.cli", "build", "--pdf"], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "3/3 Printing the PDF" in done.stderr  # progress for a long job
    pdf = ROOT / "book" / "_build" / "pdf" / "leerplein.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) > 50
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    assert squash(reader.pages[1].extract_text()).startswith("Inhoud")  # the cover, then the contents
    # Chromium's outline drops the space where a heading wraps, so compare without whitespace
    outline = [re.sub(r"\s+", "", t) for t in flatten(reader.outline)]
    missing = [title for _, title, _ in chapters(ROOT) if not any(re.sub(r"\s+", "", title) in t for t in outline)]
    assert missing == []
    interactive_pages = [p for p in (ROOT / "modules").rglob("*.md") if "from leerplein.interactives import show" in
                         p.read_text(encoding="utf-8")]
    assert text.count("Deze oefening doe je op de webpagina") >= len(interactive_pages)
    assert "heeft JavaScript nodig" not in text  # the interactives drew their first state
    # the Leesbaarheidscheck's still shows its scores, not the error it printed before
    assert "kon niet laden" not in text and "Flesch-Douma" in text
    assert "in de webversie van het boek" in text  # no public address set: the note says where to look
    # every module starts on a new page, and the contents give its page number
    contents = squash(reader.pages[1].extract_text())
    for number, page in enumerate(reader.pages, start=1):
        first = squash(page.extract_text())[:40]
        for module in ("Module 2: Schaarste en bandbreedte", "Module 3: Werken vanuit kracht"):
            if first.startswith(module):
                assert f"{module} {number}" in contents, (module, number, contents[:600])
    assert sum(squash(p.extract_text()).startswith("Module ") for p in reader.pages[2:]) >= 5
    # nearly every entry has its number, and the "Casussen" of each module its own
    contents_lines = [line for p in reader.pages[1:4] for line in p.extract_text().splitlines()]
    numbered = [line for line in contents_lines if re.search(r" \d+$", line)]
    assert len(numbered) >= len(chapters(ROOT)) - 3, contents_lines
    casussen = [line for line in contents_lines if line.startswith("Casussen ")]
    assert len(casussen) >= 4 and len(set(casussen)) == len(casussen), casussen
    assert "Klopt helemaal" in text and "Module 5: Leren in de praktijk" in text
