"""Similarity check between reflections of one cohort (issue 26): a copied passage is flagged with
both passages for the teacher; texts on the same topic in the students' own words, a quoted
question and a short shared phrase are not; another cohort's students are never compared."""

from __future__ import annotations

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.course import Course
from leerplein.course.intake.collect import collect
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.prepare.init import init_course
from leerplein.course.results.similarity import MIN_WORDS, shared_passages, similar_reflections

A = "01-armoede-zien"
COPIED = ("Een vader kwam steeds net te laat voor de schoolbijdrage en had altijd een reden, de bank, het werk of "
          "een vergeten mail, en pas toen zijn dochter niet mee mocht op kamp zag ik het patroon.")
OWN_1 = ("Bij de bibliotheek zag ik een vrouw die elke week vroeg of printen gratis was. Ik dacht eerst dat ze "
         "zuinig was. Later vertelde ze dat ze schulden had en zich schaamde om dat te zeggen tegen de balie.")
OWN_2 = ("In het wijkteam merkte ik dat een jongen afspraken steeds afzegde als er reiskosten waren. Ik vroeg er "
         "niet naar omdat ik hem niet in verlegenheid wilde brengen, maar daardoor bleef zijn schaamte groot.")
OWN_3 = ("Een moeder op het consultatiebureau miste afspraken. Pas in een gesprek over de kinderopvang bleek dat "
         "ze de bus niet kon betalen. Ik had dat kunnen zien, maar ik durfde er niet naar te vragen.")


def test_a_copied_passage_is_found_with_both_passages():
    found = shared_passages(f"Mijn situatie. {COPIED} Dat vond ik lastig.", f"{COPIED.upper()} Zo ging het bij mij.")
    assert len(found) == 1
    words, mine, theirs = found[0]
    assert words == len(COPIED.split()) and "schoolbijdrage" in mine and "SCHOOLBIJDRAGE" in theirs


def test_own_words_a_quoted_question_and_a_short_phrase_are_not_flagged():
    assert shared_passages(OWN_1, OWN_2) == []
    question = ("Beschrijf een situatie uit je werk waarin je signalen van geldzorgen zag of juist miste, en leg uit "
                "welke rol schaamte daarin speelde en wat je daarvan hebt geleerd voor je volgende gesprek.")
    assert len(question.split()) >= MIN_WORDS
    assert shared_passages(f"{question} {OWN_1}", f"{question} {OWN_2}", known=question) == []
    short = " ".join(COPIED.split()[:MIN_WORDS - 1])
    assert shared_passages(f"{short} {OWN_1}", f"{OWN_2} {short}") == []


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("gelijkenis")
    course = Course(ROOT, base / "course", base / "exchange")
    texts = {"asgelijk1": f"{OWN_1} {COPIED}", "asgelijk2": f"{COPIED} {OWN_2}", "aseigen": OWN_3,
             "asandere": COPIED}
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{s},Student {s},student\n" for s in texts))
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    for student, text in texts.items():
        folder = fetch_as(course, A, student, base / "homes" / student)
        nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "reflectie-1":
                cell.source = text
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
        submit_as(course, A, student, base / "homes" / student)
    collect(course, A)
    return course


def test_the_cohort_check_flags_the_pair_and_only_within_the_cohort(cohort):
    flags = similar_reflections(cohort, A, ["asgelijk1", "asgelijk2", "aseigen"])
    assert [(f.question, f.first, f.second) for f in flags] == [("reflectie-1", "asgelijk1", "asgelijk2")]
    assert "schoolbijdrage" in flags[0].first_passage and "schoolbijdrage" in flags[0].second_passage
    # 'asandere' shares the passage too, but is not in this teacher's cohort: never compared
    assert not any("asandere" in (f.first, f.second) for f in flags)
