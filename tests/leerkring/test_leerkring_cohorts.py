"""A teacher of two cohorts makes leerkring sets and Peiling polls for the cohort she chooses,
never for a cohort she does not teach (issue 23). The plain functions; the pages in a real hub
and browser: tests/hub/test_cohort_choice_hub.py."""

from __future__ import annotations

import pytest

from leerplein.leerkring.model import LeerkringError
from leerplein.leerkring.store import Store
from leerplein.peiling.access import may_manage
from leerplein.service_base import People

PEOPLE = {"twee": {"rol": "teacher", "cursus": "c1", "cursussen": ["c1", "c2"]},
          "een": {"rol": "teacher", "cursus": "c3", "cursussen": ["c3"]},
          "baas": {"rol": "admin", "cursus": "c3", "cursussen": ["c3"]},
          **{f"s1{i}": {"rol": "student", "cursus": "c1"} for i in range(4)},
          **{f"s2{i}": {"rol": "student", "cursus": "c2"} for i in range(4)},
          **{f"s3{i}": {"rol": "student", "cursus": "c3"} for i in range(4)}}
C1, C2, C3 = ([f"s{n}{i}" for i in range(4)] for n in (1, 2, 3))


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "k.sqlite", PEOPLE)
    yield s
    s.close()


def test_a_teacher_of_two_cohorts_makes_a_set_for_the_one_she_chooses(store):
    assert store.students_by_course("twee") == {"c1": C1, "c2": C2}
    second = store.create("twee", "Kring twee", C2, "c2")
    assert second.cursus == "c2" and second.leden == C2
    assert store.create("twee", "Zonder keuze", C1).cursus == "c1"  # no choice: her first, as before
    assert {k.cursus for k in store.kringen_van("twee")} == {"c1", "c2"}


def test_no_set_for_a_cohort_she_does_not_teach_nor_with_members_of_another(store):
    with pytest.raises(LeerkringError, match="Je geeft geen les aan groep 'c3'"):
        store.create("twee", "Niet mijn groep", C3, "c3")
    with pytest.raises(LeerkringError, match=r"volgen jouw cursus niet \(groep c2\): s10, s11\."):
        store.create("twee", "Gemengd", [*C1[:2], *C2[:2]], "c2")
    with pytest.raises(LeerkringError, match=r"\(groep c2\)"):
        store.create("twee", "Verkeerde keuze", C1, "c2")
    with pytest.raises(LeerkringError, match="Alleen een docent"):
        store.create("s10", "Student", C1, "c1")
    assert store.kringen_van("twee") == []
    assert store.create("baas", "Beheer", C1, "c1").cursus == "c1"  # an admin: any cohort


def test_peiling_facilitators_choose_among_their_own_cohorts():
    people = People(PEOPLE)
    twee, een = people.facilitator("twee"), people.facilitator("een")
    assert twee.choices == ("c1", "c2") and een.choices == ("c3",)
    assert twee.chosen("c2") == "c2" and twee.chosen("") == "c1"
    with pytest.raises(ValueError, match="Je geeft geen les aan groep 'c3'"):
        twee.chosen("c3")

    class Poll:
        cursus = "c2"

    assert may_manage(twee, Poll) and not may_manage(een, Poll) and may_manage(people.facilitator("baas"), Poll)
    # a course-only poll of her second cohort is hers to follow too; a student only her own cohort's
    assert people.member("twee", "c2") and people.member("s20", "c2") and not people.member("s10", "c2")
    assert not people.member("een", "c2")
