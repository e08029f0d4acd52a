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


def test_prose_after_a_directive_counts(tmp_path):
    """The closing line of a ```{directive} block is not the start of a code block: the prose
    after a table directive on a module's index page counts."""
    page = "Voor de tabel.\n\n```{studielast} 01-m\n```\n\nNa de tabel.\n\n```{note}\nIn de noot.\n```\nSlot.\n"
    assert body_text(page).split() == ["Voor", "de", "tabel.", "Na", "de", "tabel.", "In", "de", "noot.", "Slot."]
    code = "Tekst.\n```{code-cell} ipython3\nprint('niet tellen')\n```\nMeer tekst.\n"
    assert "tellen" not in body_text(code) and "Meer tekst." in body_text(code)


def test_a_comment_edit_leaves_every_data_page_digest_alone(tmp_path):
    for name in ("book", "modules", "sessies", "exercises", "grading", "src"):
        (tmp_path / name).symlink_to(ROOT / name) if name == "src" else shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("_build"))
    page = sorted((tmp_path / "modules").glob("*/0[1-9]-*.md"))[0]
    before = data_digests(tmp_path)
    page.write_text(page.read_text(encoding="utf-8") + "\n<!-- bewerkt -->\n", encoding="utf-8")
    assert data_digests(tmp_path) == before


def test_a_page_with_a_table_is_read_again_exactly_when_its_table_would_change(tmp_path):
    from leerplein.book.directives import _digest, pages_whose_tables_changed, table_html

    for name in ("book", "modules", "sessies", "grading"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("_build"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    shown = {"modules/01-armoede-zien/index": ("studielast", "01-armoede-zien"),
             "modules/02-schaarste-en-bandbreedte/index": ("studielast", "02-schaarste-en-bandbreedte"),
             "book/intro": ("studielast", ""), "book/over-deze-cursus": ("leesbaarheid", "")}
    recorded = {doc: {f"{name}\0{arg}": _digest(table_html(tmp_path, name, arg or None))} for doc, (name, arg) in shown.items()}
    assert pages_whose_tables_changed(tmp_path, recorded) == []
    page = tmp_path / "modules/01-armoede-zien/01-armoede-in-cijfers.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n<!-- een notitie voor auteurs -->\n", encoding="utf-8")
    assert pages_whose_tables_changed(tmp_path, recorded) == []  # a comment changes no table: nothing to read again
    page.write_text(page.read_text(encoding="utf-8") + "\nDeze nieuwe zin telt mee.\n", encoding="utf-8")
    again = pages_whose_tables_changed(tmp_path, recorded)
    assert {"modules/01-armoede-zien/index", "book/over-deze-cursus"} <= set(again)
    assert "modules/02-schaarste-en-bandbreedte/index" not in again  # another module's table stays as it is
    assert pages_whose_tables_changed(tmp_path, recorded, skip={"book/over-deze-cursus"}) == [
        d for d in again if d != "book/over-deze-cursus"]  # pages Sphinx reads anyway are not named twice
    (tmp_path / "modules/01-armoede-zien/studielast.yml").write_text("activiteiten: [{soort: onbekend}]\n")
    assert "De tabel kon niet worden berekend" in table_html(tmp_path, "studielast", "01-armoede-zien")


def test_readability_scores_are_kept_per_prose_and_measured_again_when_it_changes(tmp_path, monkeypatch):
    from leerplein.book import readability

    for name in ("book", "modules"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("_build"))
    cache = tmp_path / "scores.json"
    first = readability.page_scores(tmp_path, cache)
    measured = []
    real = readability.measure
    monkeypatch.setattr(readability, "measure", lambda text: measured.append(text) or real(text))
    assert readability.page_scores(tmp_path, cache) == first and measured == []
    page = sorted((tmp_path / "modules").glob("*/0[1-9]-*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nEen nieuwe zin.\n", encoding="utf-8")
    again = {s.path: s.scores for s in readability.page_scores(tmp_path, cache)}
    assert len(measured) == 1 and "Een nieuwe zin." in measured[0]
    assert again[page].words == {s.path: s.scores for s in first}[page].words + 3
    cache.write_text("{kapot")
    assert readability.page_scores(tmp_path, cache) == readability.page_scores(tmp_path)  # a broken cache is ignored
