"""Model answers are for teachers: every reflection question has one per rubric level, and
nothing that is released to students (nbgrader's release, the exchange, the book, the student
view) contains them. Feedback is checked in test_cycle.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from leerplein.book.check import check_repository
from leerplein.course.prepare.assign import exercise_slugs
from leerplein.course.prepare.rubrics import model_answers


def snippets(root: Path) -> list[str]:
    out = []
    for slug in exercise_slugs(root):
        for levels in model_answers(root, slug).values():
            out += [" ".join(str(text).split()[:8]) for text in levels.values()]
    return out


def test_every_reflection_question_has_a_model_answer_per_level():
    assert not [f for f in check_repository(ROOT, only=["model-answers"]) if f.severity == "error"]
    assert len(snippets(ROOT)) >= 3 * 14  # six assignments, fourteen reflection questions, three levels


def test_a_missing_level_is_reported(tmp_path):
    import shutil

    for part in ("exercises", "grading", "modules", "book"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("_build"))
    answers = tmp_path / "grading" / "modelantwoorden" / "01-armoede-zien.yml"
    answers.write_text(answers.read_text(encoding="utf-8").replace("  nog niet:", "  bijna:", 1), encoding="utf-8")
    found = [f.message for f in check_repository(tmp_path, only=["model-answers"])]
    assert "reflectie-1: no model answer for level 'nog niet'" in found


@pytest.mark.slow
def test_nothing_released_to_students_contains_a_model_answer(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role\nst1,Student,student\n")
    dirs = ["--course-dir", str(tmp_path / "course"), "--exchange", str(tmp_path / "exchange")]

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "leerplein.cli", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    cli("course", "init", *dirs, "--roster", str(roster))
    for slug in exercise_slugs(ROOT):
        cli("course", "release", slug, *dirs)
    released = [p for base in (tmp_path / "course" / "release", tmp_path / "exchange") for p in base.rglob("*")
                if p.is_file()]
    assert any(p.suffix == ".ipynb" and "06-eindopdracht" in p.name for p in released)
    shown = [*released, *(ROOT / "book").glob("*.md"), *(ROOT / "modules").rglob("*.md"),
             *(ROOT / "src" / "leerplein" / "student" / "templates").rglob("*")]
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in shown if p.is_file()}
    leaks = [(p.name, s) for s in snippets(ROOT) for p, t in texts.items() if s in " ".join(t.split())]
    assert leaks == []


def test_every_reflection_of_modules_2_to_6_has_a_borderline_pair_at_the_asked_length():
    """Teachers calibrate on the line between 'bijna' and 'voldoende': each reflection question has a
    'net voldoende' and a 'net niet voldoende' answer, both as long as the question asks, written as
    one text that differs only where the rubric's 'voldoende' draws the line (most words shared)."""
    import difflib
    import re

    from leerplein.course.prepare.assign import load_exercise

    missing, short, apart = [], [], []
    for slug in exercise_slugs(ROOT):
        if slug.startswith("01-"):
            continue
        answers = model_answers(ROOT, slug)
        for question in load_exercise(ROOT, slug).reflections:
            low = int(re.search(r"\((\d+) tot \d+ woorden\)", question["vraag"]).group(1))
            given = answers.get(question["id"]) or {}
            pair = [given.get("net voldoende"), given.get("net niet voldoende")]
            if not all(pair):
                missing.append(f"{slug}/{question['id']}")
                continue
            short += [f"{slug}/{question['id']}: {len(t.split())} < {low}" for t in pair if len(t.split()) < low]
            shared = difflib.SequenceMatcher(None, pair[0].split(), pair[1].split(), autojunk=False).ratio()
            if not 0.5 <= shared < 1:
                apart.append(f"{slug}/{question['id']}: {shared:.2f}")
    assert (missing, short, apart) == ([], [], [])
    warnings = [f.message for f in check_repository(ROOT, only=["model-answer-length"])]
    assert not [w for w in warnings if "net " in w], warnings
