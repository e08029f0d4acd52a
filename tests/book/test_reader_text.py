"""What counts as text a reader reads (the study load and the readability table are computed from
it): an author's comment is not, so editing one changes no number and re-executes no page."""

from __future__ import annotations

import shutil

from conftest import ROOT
from leerplein.book.build import data_digests
from leerplein.book.readability import body_text
from leerplein.book.studielast import reader_words


def test_comments_are_not_read_and_prose_is():
    page = ("# Titel\n\nEen zin van vier woorden.\n<!-- een notitie\nover twee regels -->\n"
            "% een MyST-opmerking\nNog een zin <!-- kort --> hier.\n")
    assert "notitie" not in body_text(page) and "MyST" not in body_text(page) and "kort" not in body_text(page)
    assert reader_words(page) == reader_words("Een zin van vier woorden.\nNog een zin hier.\n") == 9


def test_a_comment_edit_leaves_every_data_page_digest_alone_and_a_sentence_does_not(tmp_path):
    for name in ("book", "modules", "sessies", "exercises", "grading", "src"):
        (tmp_path / name).symlink_to(ROOT / name) if name == "src" else shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("_build"))
    page = sorted((tmp_path / "modules").glob("*/0[1-9]-*.md"))[0]
    before = data_digests(tmp_path)
    page.write_text(page.read_text(encoding="utf-8") + "\n<!-- bewerkt -->\n", encoding="utf-8")
    assert data_digests(tmp_path) == before
    page.write_text(page.read_text(encoding="utf-8") + "\nDeze zin telt wel mee voor de studielast.\n",
                    encoding="utf-8")
    changed = {m for m, d in data_digests(tmp_path).items() if d != before[m]}
    assert {"leerplein.book.studielast", "leerplein.book.readability"} <= changed
