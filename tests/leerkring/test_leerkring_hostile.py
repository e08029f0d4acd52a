"""Issue 22's leerkring weaknesses without a hub: a post id beyond SQLite's integers is simply
not there, and a post in another set looks exactly like one that does not exist. Through a
real hub: tests/hub/test_services_hostile.py."""

from __future__ import annotations

import pytest

from leerplein.leerkring.model import NotFound
from leerplein.leerkring.store import NO_POST, Store

PEOPLE = {**{f"s{i}": {"rol": "student", "cursus": "leerplein"} for i in range(1, 9)},
          "t1": {"rol": "teacher", "cursus": "leerplein"}}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "k.sqlite", PEOPLE)
    yield s
    s.close()


def test_a_huge_post_id_is_not_found(store):
    kring = store.create("t1", "Kring A", ["s1", "s2", "s3", "s4"])
    for huge in (2**63, 2**64 + 5, 10**30, -(2**63) - 1, 0, -1):
        for act in (lambda p: store.withdraw("s1", p), lambda p: store.hide("t1", p),
                    lambda p: store.mark_helpful("s1", p), lambda p: store.export_own("s1", p),
                    lambda p: store.ask("s2", kring.id, p, "Wat bedoel je?")):
            with pytest.raises(NotFound):
                act(huge)


def test_a_post_in_another_set_looks_like_no_post_at_all(store):
    a = store.create("t1", "Kring A", ["s1", "s2", "s3", "s4"])
    b = store.create("t1", "Kring B", ["s5", "s6", "s7", "s8"])
    problem = store.share_problem("s1", a.id, "Geheim vraagstuk uit kring A")
    question = store.ask("s2", a.id, problem, "Wat maakt het lastig?")
    missing = question + 1000
    for act in (lambda p: store.withdraw("s5", p), lambda p: store.mark_helpful("s5", p),
                lambda p: store.export_own("s5", p), lambda p: store.hide("s5", p)):
        messages = set()
        for post in (problem, question, missing):
            with pytest.raises(NotFound) as err:
                act(post)
            messages.add(str(err.value))
        assert messages == {NO_POST}
    asked = set()
    for post in (problem, missing):
        with pytest.raises(NotFound) as err:
            store.ask("s5", b.id, post, "Mag ik?")
        asked.add(str(err.value))
    assert len(asked) == 1
