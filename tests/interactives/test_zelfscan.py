"""The intake: every role the introduction names has a learning path of pages that exist, low
self-ratings put that module's starting page first, and bad answers get a Dutch message."""

from __future__ import annotations

import pytest

from conftest import ROOT
from leerplein.book.rules import toc_files
from leerplein.interactives import zelfscan


def test_every_role_has_a_path_of_existing_pages_in_the_book():
    roles = zelfscan.scan()["rollen"]
    assert set(roles) == {"wijkteam", "bibliotheek", "gemeente", "schuldhulp", "zorg", "vrijwilliger", "student"}
    listed = set(toc_files(ROOT))
    for role in roles:
        path = zelfscan.role_path(ROOT, role)
        assert path and set(path) <= listed, role
    assert len(zelfscan.role_path(ROOT, "student")) == len([p for p in listed if p.startswith("modules/")])


def test_low_ratings_put_their_module_first_and_high_ratings_change_nothing():
    plain = zelfscan.advice(ROOT, "bibliotheek", {})
    assert not any(s.focus for s in plain.steps)
    assert zelfscan.advice(ROOT, "bibliotheek", {k: 4 for k in zelfscan.scan()["stellingen"]}) == plain
    focused = zelfscan.advice(ROOT, "bibliotheek", {"schaarste": 2, "zien": 1})
    assert focused.focus_modules == ("01-armoede-zien", "02-schaarste-en-bandbreedte")
    assert [s.title for s in focused.steps[:2]] == ["Dichtbij en toch onzichtbaar", "Schaarste en tunnelen"]
    assert len({s.page for s in focused.steps}) == len(focused.steps)  # a page is never listed twice


def test_bad_answers_get_a_dutch_message():
    with pytest.raises(zelfscan.ZelfscanError, match="Onbekende rol"):
        zelfscan.advice(ROOT, "directeur", {})
    with pytest.raises(zelfscan.ZelfscanError, match="kies 1 tot 4"):
        zelfscan.advice(ROOT, "zorg", {"zien": 7})


def test_the_static_table_holds_every_role_and_pattern():
    table = zelfscan.precomputed(ROOT)
    assert len(table["advies"]) == 7 * 2 ** len(zelfscan.scan()["stellingen"])
    steps = table["advies"]["zorg:10000"]
    assert table["paginas"][steps[0][0]]["titel"] == "Dichtbij en toch onzichtbaar" and steps[0][1] == 1


def test_the_live_widget_gives_the_same_advice_as_the_rules():
    from leerplein.interactives import widgets

    box = widgets.zelfscan()
    role, *rest = box.children
    out = rest[-1]
    role.value = "vrijwilliger"
    toggles = [c for c in rest if type(c).__name__ == "ToggleButtons"]
    statements = list(zelfscan.scan()["stellingen"])
    toggles[statements.index("schaarste")].value = 1
    expected = zelfscan.advice(ROOT, "vrijwilliger", {"schaarste": 1})
    assert expected.steps[0].focus and expected.steps[0].title in out.value
    assert out.value.index("Begin hier") < out.value.index(expected.steps[1].title)
