"""Similarity check between the reflections of one cohort: long passages that two students share
word for word are flagged for the teacher to look at. Never a sanction and never a score: the
teacher reads both passages and talks with the students (book/eerlijk-werken.md).

Matching uses difflib's SequenceMatcher over normalised words (lower case, punctuation dropped),
per reflection question and per pair of students. A passage is flagged from MIN_WORDS shared
consecutive words: longer than an average Dutch sentence (about 15 words), so stock phrases
("ik heb geleerd dat", a quoted term) never reach it, while a copied paragraph always does. Words
that are in the question itself or in the empty answer cell do not count towards a passage, so
students who quote the question are not flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from leerplein.course.course import TEXT_STUB, Course

MIN_WORDS = 20
WORD = re.compile(r"[\wÀ-ÿ'-]+", re.UNICODE)


@dataclass(frozen=True)
class Flag:
    question: str
    first: str  # student
    second: str
    words: int
    first_passage: str
    second_passage: str


def _tokens(text: str) -> list[tuple[str, str]]:
    """(normalised word, the word as written)."""
    return [(m.group(0).lower().strip("'-"), m.group(0)) for m in WORD.finditer(text or "")]


def _given(words: list[str], n: int = 6) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def shared_passages(a: str, b: str, known: str = "", min_words: int = MIN_WORDS) -> list[tuple[int, str, str]]:
    """(length in words, passage in a, passage in b) for each long passage a and b share; runs of
    six words that are also in `known` (the question) are left out."""
    ta, tb = _tokens(a), _tokens(b)
    wa, wb = [w for w, _ in ta], [w for w, _ in tb]
    if len(wa) < min_words or len(wb) < min_words:
        return []
    quoted = _given([w for w, _ in _tokens(known)])
    out = []
    for block in SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks():
        if block.size < min_words:
            continue
        run = wa[block.a:block.a + block.size]
        own = [i for i in range(len(run)) if not any(tuple(run[j:j + 6]) in quoted for j in range(max(0, i - 5), i + 1))]
        if len(own) < min_words:
            continue
        out.append((block.size, " ".join(w for _, w in ta[block.a:block.a + block.size]),
                    " ".join(w for _, w in tb[block.b:block.b + block.size])))
    return out


def similar_reflections(course: Course, slug: str, students: list[str], min_words: int = MIN_WORDS) -> list[Flag]:
    """Flags among `students` (a teacher's own cohort) for one assignment, longest first."""
    from leerplein.course.grading.autograde import submissions
    from leerplein.course.grading.rubric_grades import answers
    from leerplein.course.prepare.assign import load_exercise

    exercise = load_exercise(course.root, slug)
    handed_in = [s for s in submissions(course, slug) if s in set(students)]
    given = {s: answers(course, slug, s) for s in handed_in}
    flags = []
    for q in exercise.reflections:
        known = f"{q['vraag']} {TEXT_STUB}"
        for a, b in combinations(handed_in, 2):
            for words, pa, pb in shared_passages(given[a].get(q["id"], ""), given[b].get(q["id"], ""), known, min_words):
                flags.append(Flag(q["id"], a, b, words, pa, pb))
    return sorted(flags, key=lambda f: -f.words)
