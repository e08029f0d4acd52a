"""A corrected assignment and a student's draft (student/versions.py): the notice appears only when
the teacher's part changed, her answers move by question id, her old notebook is kept whole and
answers to questions that are gone are named."""

from __future__ import annotations


import nbformat
import pytest

from leerplein.student.form import FormError
from leerplein.student.versions import has_new_version, switch_to_new_version

A = "01-test"


def notebook(questions: dict[str, str], answers: dict[str, str] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for gid, text in questions.items():
        nb.cells.append(nbformat.v4.new_markdown_cell(text, metadata={"nbgrader": {"grade_id": f"{gid}-vraag",
                                                                                   "locked": True}}))
        nb.cells.append(nbformat.v4.new_markdown_cell((answers or {}).get(gid, "JOUW ANTWOORD"), metadata={
            "nbgrader": {"grade_id": gid, "solution": True, "grade": True, "points": 3}}))
    return nb


@pytest.fixture
def setup(tmp_path, monkeypatch):
    exchange = tmp_path / "exchange"
    outbound = exchange / "leerplein" / "outbound" / A
    outbound.mkdir(parents=True)
    monkeypatch.setenv("LEERPLEIN_EXCHANGE", str(exchange))
    home = tmp_path / "home"
    draft = home / A / f"{A}.ipynb"
    draft.parent.mkdir(parents=True)
    released = outbound / f"{A}.ipynb"
    nbformat.write(notebook({"r1": "Vraag 1?", "r2": "Vraag 2?"}), str(released))
    nbformat.write(notebook({"r1": "Vraag 1?", "r2": "Vraag 2?"}, {"r1": "Mijn antwoord 1", "r2": "Mijn antwoord 2"}),
                   str(draft))
    return home, draft, released


def test_her_answers_alone_are_no_new_version(setup):
    home, draft, released = setup
    assert not has_new_version(draft, A)


def test_a_corrected_question_is_a_new_version_and_her_answers_move_along(setup):
    home, draft, released = setup
    before = draft.read_bytes()
    nbformat.write(notebook({"r1": "Vraag 1, beter gesteld?", "r3": "Een nieuwe vraag?"}), str(released))
    assert has_new_version(draft, A)
    assert draft.read_bytes() == before  # nothing changes until she chooses

    switched = switch_to_new_version(home, draft, A)
    new = nbformat.read(str(draft), as_version=4)
    sources = [c.source for c in new.cells]
    assert "Vraag 1, beter gesteld?" in sources and "Mijn antwoord 1" in sources and "Een nieuwe vraag?" in sources
    assert switched.carried == 1 and switched.lost == ["Mijn antwoord 2"]
    assert switched.kept_as.read_bytes() == before  # the old version, whole
    assert switched.kept_as.parent == home / "Leerplein" / "vorige-versies"
    assert "1 antwoord(en) zijn meegenomen" in switched.messages()[0]
    assert "'Mijn antwoord 2'" in switched.messages()[1]
    assert not has_new_version(draft, A)


def test_no_switch_through_a_planted_link(setup, tmp_path):
    home, draft, released = setup
    nbformat.write(notebook({"r1": "Anders?"}), str(released))
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (home / "Leerplein").symlink_to(elsewhere)
    with pytest.raises(FormError, match="snelkoppeling"):
        switch_to_new_version(home, draft, A)
    assert not any(elsewhere.iterdir())
    assert nbformat.read(str(draft), as_version=4).cells[1].source == "Mijn antwoord 1"
