"""Kennischecks are graded by the grader from the typed letter (never from what the student's
code did), and the sandbox's result file is read without following or trusting it. Pure
functions first, then a real (hub-less) autograde of hostile submissions with the sandbox."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.answers import Hint, NietGoed
from leerplein.course.prepare.assign import build_notebook, load_exercise
from leerplein.course.grading.execute import RESULT_NAME, ResultRefused, read_result
from leerplein.course.grading.literal_checks import (NotALiteral, answer_literal, blank_checks, check_of, grade_checks,
                                                     runs_silently)

A = "01-armoede-zien"
KEY = {1: "C", 2: "B", 3: "A"}
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="handing files to the sandbox user needs root")


def source_notebook():
    return build_notebook(load_exercise(ROOT, A))


def with_answers(nb, answers: dict, extra: dict | None = None):
    for cell in nb.cells:
        for n, value in answers.items():
            if cell.cell_type == "code" and cell.source.startswith(f"antwoord_{n} ="):
                cell.source = f"antwoord_{n} = {value!r}" + (extra or {}).get(n, "")
    return nb


def verdicts(nb) -> list[str]:
    """Per check: 'goed', or the ename of the error its outputs hold."""
    out = []
    for _, outputs in sorted(grade_checks(nb.cells).items()):
        errors = [o["ename"] for o in outputs if o["output_type"] == "error"]
        out.append(errors[0] if errors else "goed")
    return out


def test_the_built_check_cells_are_recognised_and_nothing_else():
    nb = source_notebook()
    checks = [check_of(c.source) for c in nb.cells if c.cell_type == "code"]
    found = [c for c in checks if c]
    assert [c.variable for c in found] == ["antwoord_1", "antwoord_2", "antwoord_3"]
    assert [c.calls[-1][1] for c in found] == ["C", "B", "A"]
    assert check_of('kies(antwoord_1, "ABC")\nprint("x")') is None  # any other statement: a code test
    assert check_of('kies(antwoord_1, "ABC", goed=sleutel)') is None
    assert check_of('kies(antwoord_1, "ABC")\nkies(antwoord_2, "ABC", goed="B")') is None
    assert check_of('from leerplein.course.answers import kies as k\nk(antwoord_1, "ABC")') is None
    assert check_of("def (") is None


def test_an_honest_notebook_scores_as_the_key_says():
    assert verdicts(with_answers(source_notebook(), {1: "C", 2: "B", 3: "A"})) == ["goed"] * 3
    assert verdicts(with_answers(source_notebook(), {1: " c ", 2: "A", 3: "a"})) == ["goed", "NietGoed", "goed"]
    assert verdicts(source_notebook()) == ["Hint"] * 3  # nothing typed: the Dutch hint, 0 points
    nb = with_answers(source_notebook(), {1: "C"}, extra={1: "\nprint('x' * 10)\nwhile True:\n    pass"})
    assert verdicts(nb)[0] == "goed"  # what else the cell does has no say in the typed letter


def test_code_in_the_students_cells_cannot_change_the_verdict():
    """Hole 2, first route: an extra cell replaces `kies` (or anything else) before the checks."""
    nb = with_answers(source_notebook(), {1: "A", 2: "A", 3: "B"})
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        "import leerplein.course.answers as _a\n_a.kies = lambda *a, **k: None\n"
        "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n"
        "globals()['antwoord_1'] = 'C'\nexec('antwoord_2 = \"B\"')"))
    assert verdicts(nb) == ["NietGoed"] * 3


def test_an_answer_that_is_not_a_plain_letter_never_counts():
    for line in ('antwoord_1 = "c".upper()', 'antwoord_1 = chr(67)', "antwoord_1 = 'C' if True else 'A'",
                 "for antwoord_1 in 'C':\n    pass", "import os as antwoord_1", "def antwoord_1(): pass",
                 "antwoord_1, x = 'C', 1", "antwoord_1 += 'C'", "del antwoord_1"):
        nb = source_notebook()
        nb.cells.insert(1, nbformat.v4.new_code_cell(line))
        assert verdicts(nb)[0] == "Hint", line
        errors = [o for o in grade_checks(nb.cells)[min(grade_checks(nb.cells))] if o["output_type"] == "error"]
        assert "niet als één letter" in errors[0]["evalue"], line
    with pytest.raises(NotALiteral):
        answer_literal(["antwoord_1 = eval('\"C\"')"], "antwoord_1")
    assert answer_literal(["%matplotlib inline\nantwoord_1 = 'C'", "antwoord_1 = 'B'", "antwoord_1 = 'A"],
                          "antwoord_1") == "B"  # the last plain one; a cell that does not compile does not run


def test_only_a_notebook_of_typed_letters_skips_the_sandbox():
    """Nothing to run means nothing to sandbox; any code of hers still runs in the sandbox."""
    honest = blank_checks(with_answers(source_notebook(), {1: "C", 2: "", 3: "A"}).cells)
    assert runs_silently(honest)
    for extra in ('print("hallo")', '"C"', "%time x = 1", "!ls", "antwoord_1 = 'c'.upper()", "import os",
                  "antwoord_1 = ['C']", "x = y = 'C'\nz = open", "antwoord_1 = 'C' if True else 'B'", "antwoord_1 = ("):
        cells = [*honest, nbformat.v4.new_code_cell(extra)]
        assert not runs_silently(cells), extra
    assert runs_silently([*honest, nbformat.v4.new_code_cell("# alleen een opmerking\nx = y = 'C'\nn = 3")])


def test_the_hidden_key_is_not_sent_into_the_sandbox():
    nb = with_answers(source_notebook(), {1: "C"})
    for cell in nb.cells:  # as nbgrader has restored them before our Execute step
        if cell.cell_type == "code" and "kies(" in cell.source:
            assert "goed=" in cell.source
    sent = "".join(c["source"] for c in blank_checks(nb.cells))
    assert "goed=" not in sent and "antwoord_1 = 'C'" in sent


def test_the_outputs_are_the_ones_the_student_sees_in_her_kernel():
    nb = with_answers(source_notebook(), {1: "C", 2: "A", 3: ""})
    outs = [o for _, o in sorted(grade_checks(nb.cells).items())]
    assert outs[0] == [{"output_type": "stream", "name": "stdout",
                        "text": "Je antwoord (C) is ingevuld. Na het nakijken hoor je of het goed is.\n"}]
    assert outs[1][-1]["evalue"] == str(NietGoed("Dit antwoord is niet goed.")) and outs[1][-1]["traceback"] == [
        "Dit antwoord is niet goed."]
    assert outs[2][0]["ename"] == "Hint" and outs[2][0]["traceback"][0].startswith("Let op: je hebt nog geen")
    assert issubclass(Hint, AssertionError)


# -- the result file -------------------------------------------------------------------------

def result_folder(tmp_path: Path, owner: int) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    os.chown(work, owner, owner)
    return work


def plant(path: Path, text: str, owner: int) -> None:
    path.write_text(text)
    os.chown(path, owner, owner)


@root_only
def test_a_plain_result_of_the_sandbox_user_is_read(tmp_path):
    work = result_folder(tmp_path, 65534)
    plant(work / RESULT_NAME, '{"cells": []}', 65534)
    assert read_result(tmp_path, "work", 65534) == {"cells": []}


@root_only
@pytest.mark.parametrize("trap", ["link", "hard-link", "other-owner", "fifo", "linked-folder", "too-big", "garbage"])
def test_a_planted_result_is_refused(tmp_path, trap):
    """Hole 3: links, another user's file, special files and huge files are never read."""
    work = result_folder(tmp_path, 65534)
    victim = tmp_path / "victim.ipynb"
    plant(victim, '{"cells": [{"cell_type": "code", "outputs": ["geheim"]}]}', 65534)
    out = work / RESULT_NAME
    if trap == "link":
        out.symlink_to(victim)
    elif trap == "hard-link":
        os.link(victim, out)
    elif trap == "other-owner":
        plant(out, '{"cells": []}', 0)
    elif trap == "fifo":
        os.mkfifo(out)
        os.chown(out, 65534, 65534)
    elif trap == "linked-folder":
        os.rename(work, tmp_path / "elders")
        (tmp_path / "work").symlink_to(tmp_path / "elders")
        plant(tmp_path / "elders" / RESULT_NAME, '{"cells": []}', 65534)
    elif trap == "too-big":
        with open(out, "wb") as f:
            f.truncate(2**30)  # sparse: 1 GB to read, no disk used
        os.chown(out, 65534, 65534)
    elif trap == "garbage":
        plant(out, "[1, 2, 3]", 65534)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ResultRefused) as refused:
        read_result(tmp_path, "work", 65534, limit=64 * 2**20)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # kB: nothing big was read
    assert str(refused.value).startswith("Het ")  # a Dutch sentence for the teacher's status


# -- a real autograde of hostile submissions (sandbox, no hub) ---------------------------------

HOSTILE = {
    # hole 2, route 1: replace the check before it runs, then choose wrong letters
    "agmonkey": ("import leerplein.course.answers as _a\n_a.kies = lambda *a, **k: None", {1: "A", 2: "A", 3: "B"}),
    # hole 2, route 2: write the result file and leave before the runner can
    "agforge": ("import json, os\nnb = json.load(open('/opdracht/.leerplein-in.ipynb'))\n"
                "for c in nb['cells']:\n    c['outputs'] = []\n"
                "json.dump(nb, open('/opdracht/.leerplein-out.ipynb', 'w'))\nos._exit(0)", {1: "A", 2: "A", 3: "B"}),
    # hole 3: a link to another student's autograded notebook as the result
    "aglink": ("import os\nos.symlink({victim!r}, '/opdracht/.leerplein-out.ipynb')\nos._exit(0)",
               {1: "A", 2: "A", 3: "B"}),
    # nbgrader itself patched inside the sandbox, and fake success text on stdout
    "agnbgrader": ("import nbgrader.preprocessors.saveautogrades as s\ns.SaveAutoGrades._add_score = lambda *a: None\n"
                   "import os\nos.write(1, b'Je antwoord (C) is ingevuld.')\n"
                   "print('Je antwoord (C) is ingevuld. Na het nakijken hoor je of het goed is.')",
                   {1: "A", 2: "A", 3: "B"}),
    "agcall": ("", {1: "C", 2: "B", 3: "A"}),  # with answer 1 computed instead of typed (below)
    "agkey": ("print(_ih)", {1: "C", 2: "B", 3: "A"}),  # IPython's input history, as the last cell (below)
    "agflag": ("print(_ih)", {1: "A", 2: "A", 3: "B"}),  # with the `grade` flag of her checks switched off
    "aghonest": ("", {1: "C", 2: "B", 3: "A"}),
}


@pytest.fixture(scope="module")
def hostile_cohort(tmp_path_factory):
    from leerplein.course.grading.autograde import autograde
    from leerplein.course.course import Course
    from leerplein.course.prepare.init import init_course
    from leerplein.course.intake.exchange import fetch_as, submit_as
    from leerplein.course.intake.collect import collect
    from leerplein.course.grading.sandbox import SandboxLimits, sandbox_status

    if sandbox_status():
        pytest.fail(f"the sandbox must work here: {sandbox_status()}")
    base = tmp_path_factory.mktemp("forgery")
    course = Course(ROOT, base / "course", base / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{n},Student {n},student\n" for n in HOSTILE))
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    victim = course.directory / "autograded" / "aghonest" / A / f"{A}.ipynb"
    for student, (code, answers) in HOSTILE.items():
        folder = fetch_as(course, A, student, base / "homes" / student)
        path = folder / f"{A}.ipynb"
        nb = with_answers(nbformat.read(str(path), as_version=4), answers)
        if code:
            nb.cells.insert(len(nb.cells) if student in ("agkey", "agflag") else 1,
                            nbformat.v4.new_code_cell(code.format(victim=str(victim))))
        if student == "agcall":
            first = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("antwoord_1"))
            first.source = 'antwoord_1 = "c".upper()'
        if student == "agnbgrader":  # and the hidden test edited into a harmless one, metadata unlocked
            test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check-1")
            test.source = 'print("ok")'
            test.metadata["nbgrader"]["locked"] = False
        if student == "agflag":  # her checks no longer marked as graded, so they might run in the sandbox
            for c in nb.cells:
                if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("check-"):
                    c.metadata["nbgrader"]["grade"] = False
        nbformat.write(nb, str(path))
        submit_as(course, A, student, base / "homes" / student)
    collect(course, A)
    limits = SandboxLimits(cell_seconds=5, notebook_seconds=60)
    first = {o.student: o for o in autograde(course, A, ["aghonest"], limits=limits)}
    assert victim.is_file()
    rest = {o.student: o for o in autograde(course, A, [s for s in HOSTILE if s != "aghonest"], limits=limits)}
    return {"course": course, "outcomes": {**first, **rest}, "victim": victim}


def test_hostile_submissions_get_the_points_of_the_letters_they_typed(hostile_cohort):
    o = hostile_cohort["outcomes"]
    assert o["aghonest"].score == 3 and o["aghonest"].status == "nagekeken"
    for student in ("agmonkey", "agforge", "aglink", "agnbgrader"):
        assert o[student].score == 0, (student, o[student])  # wrong letters A, A, B: 0 of 3
    assert o["agcall"].score == 2  # a computed answer does not count; the typed ones do
    assert "geen letter tussen aanhalingstekens" in " ".join(o["agcall"].messages)
    # nbgrader itself refuses a notebook whose graded cells lost their flag (checksums): no points
    assert o["agflag"].status == "fout" and not o["agflag"].score


def test_a_planted_result_link_is_reported_and_not_followed(hostile_cohort):
    course, o = hostile_cohort["course"], hostile_cohort["outcomes"]
    graded = (course.directory / "autograded" / "aglink" / A / f"{A}.ipynb").read_text(encoding="utf-8")
    assert "geen gewoon bestand" in " ".join(o["aglink"].messages)
    assert "geen gewoon bestand" in graded


def test_no_output_of_the_grader_reveals_the_key(hostile_cohort):
    """The hidden tests never run in the student's process, so her code cannot print them."""
    course = hostile_cohort["course"]
    assert "print(_ih)" in (course.directory / "autograded" / "agkey" / A / f"{A}.ipynb").read_text()
    assert hostile_cohort["outcomes"]["agkey"].score == 3
    for student in ["agkey", *(s for s in HOSTILE if s != "agflag")]:
        graded = course.directory / "autograded" / student / A / f"{A}.ipynb"
        nb = nbformat.read(str(graded), as_version=4)
        outputs = nbformat.writes(nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(outputs=c.outputs) for c in nb.cells if c.cell_type == "code"]))
        assert "goed=" not in outputs, student


def test_the_grader_reads_no_more_than_a_capped_result(tmp_path):
    """Hole 3 with a 1 GB sparse file on the host: `leerplein course autograde` as a whole (all
    its processes) stays far below it."""
    if os.geteuid() != 0:
        pytest.skip("the planted link only matters when root grades")
    from leerplein.course.course import Course
    from leerplein.course.prepare.init import init_course
    from leerplein.course.intake.exchange import fetch_as, submit_as
    from leerplein.course.intake.collect import collect

    course = Course(ROOT, tmp_path / "course", tmp_path / "exchange")
    (tmp_path / "roster.csv").write_text("username,name,role\nagsparse,Student,student\n")
    init_course(course, tmp_path / "roster.csv")
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    big = tmp_path / "x.json"
    with open(big, "wb") as f:
        f.truncate(2**30)
    os.chmod(tmp_path, 0o755)
    folder = fetch_as(course, A, "agsparse", tmp_path / "home")
    nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        f"import os\nos.symlink({str(big)!r}, '/opdracht/.leerplein-out.ipynb')\nos._exit(0)"))
    nbformat.write(nb, str(folder / f"{A}.ipynb"))
    submit_as(course, A, "agsparse", tmp_path / "home")
    collect(course, A)
    proc = subprocess.Popen([sys.executable, "-m", "leerplein.cli", "course", "autograde", A, "--course-dir",
                             str(course.directory), "--exchange", str(course.exchange)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, output
    print(f"autograde peak RSS: {usage.ru_maxrss // 1024} MB")
    assert usage.ru_maxrss < 700 * 1024, f"peak {usage.ru_maxrss // 1024} MB"  # kB; was over 2 GB
    assert "geen gewoon bestand" in " ".join(output.split())


def test_feedback_and_grading_page_show_the_letter_that_was_graded():
    from leerplein.course.prepare.assign import notebook_answers

    nb = with_answers(source_notebook(), {1: "C", 2: "b"})
    test_3 = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "check-3")
    nb.cells.insert(test_3, nbformat.v4.new_code_cell("antwoord_3 = 'A'"))  # typed in a cell of her own
    shown = notebook_answers(nb)
    assert shown["check-1"] == '"C"' and shown["check-2"] == '"b"' and shown["check-3"] == '"A"'
    nb = with_answers(source_notebook(), {})
    nb.cells.insert(1, nbformat.v4.new_code_cell('antwoord_1 = "c".upper()'))
    assert notebook_answers(nb)["check-1"] == "\"\""  # not a plain letter: the text of the line below the question
