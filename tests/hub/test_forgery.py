"""Grades that cannot be forged (issue 22, holes 2 and 3), against a real hub: students write
their notebooks through their own servers and submit through the nbgrader exchange; the
teacher collects and autogrades with `leerplein course` as root, as on the hub.

Vera is honest. Mo replaces the check function in an extra cell, Fo writes the runner's result
file herself and leaves, Sp links the result to a 1 GB sparse file in her home, Li links it to
Vera's autograded notebook. Each of the four chooses the wrong letters A, A, B (the key is C,
B, A), so each must get 0 of 3, and none of them may see Vera's outputs."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys

import pytest
import requests

from conftest import ROOT
from hub_helpers import (user_url, A, action, leerplein, port_for, reachable_base, run_code, server_token, start_course_hub,
                         stop_course_hub)

TEACHER, VERA, MO, FO, SP, LI = "agdocent", "agvera", "agmo", "agfo", "agsp", "agli"
WRONG = {1: "A", 2: "A", 3: "B"}
RIGHT = {1: "C", 2: "B", 3: "A"}
VERA_OUTPUT = f"vera-eigen-uitvoer-{os.getpid()}"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "forgery")
    hub = start_course_hub(base, [TEACHER], [VERA, MO, FO, SP, LI], port_for(2))
    yield hub
    stop_course_hub(hub)


def write_notebook(hub, user, headers, answers: dict, extra_cell: str | None = None) -> None:
    """Her notebook, changed as JupyterLab would save it: letters typed, maybe one cell added."""
    url = f"{user_url(hub, user)}/api/contents/{A}/{A}.ipynb"
    nb = requests.get(url, headers=headers).json()["content"]
    for cell in nb["cells"]:
        for n, letter in answers.items():
            if cell["cell_type"] == "code" and cell["source"].startswith(f"antwoord_{n} ="):
                cell["source"] = f'antwoord_{n} = "{letter}"'
    if extra_cell:
        nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                               "source": extra_cell})
    assert requests.put(url, headers=headers, json={"type": "notebook", "format": "json", "content": nb}).ok


def submit(hub, user, answers, extra_cell=None) -> dict:
    headers = server_token(hub, user)
    action(hub, user, headers, "fetch")
    write_notebook(hub, user, headers, answers, extra_cell)
    action(hub, user, headers, "submit")
    return headers


def autograde(hub, *students) -> tuple[str, int]:
    """`leerplein course autograde` as the teacher runs it; returns its output and the peak
    memory (kB) of its largest process."""
    cmd = [sys.executable, "-m", "leerplein.cli", "course", "autograde", A, *hub["course"],
           *(a for s in students for a in ("--student", s))]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return " ".join(output.split()), usage.ru_maxrss


def score(hub, student) -> float | None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub['state'] / 'course' / 'gradebook.db'}") as gb:
        return gb.find_submission(A, student).score


def graded_text(hub, student) -> str:
    return (hub["state"] / "course" / "autograded" / student / A / f"{A}.ipynb").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vera_graded(hub):
    submit(hub, VERA, RIGHT, extra_cell=f"print({VERA_OUTPUT!r})")
    done = leerplein("course", "collect", A, *hub["course"], timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    output, _ = autograde(hub, VERA)
    assert score(hub, VERA) == 3 and VERA_OUTPUT in graded_text(hub, VERA), output
    return output


@pytest.fixture(scope="module")
def attacks(hub, vera_graded):
    vera_graded_path = hub["state"] / "course" / "autograded" / VERA / A / f"{A}.ipynb"
    submit(hub, MO, WRONG, "import leerplein.course.answers as _a\n_a.kies = lambda *a, **k: None")
    submit(hub, FO, WRONG, "import json, os\nnb = json.load(open('/opdracht/.leerplein-in.ipynb'))\n"
                           "for c in nb['cells']:\n    c['outputs'] = []\n"
                           "json.dump(nb, open('/opdracht/.leerplein-out.ipynb', 'w'))\nos._exit(0)")
    big = os.path.join(pwd.getpwnam(SP).pw_dir, "x.json")
    headers = server_token(hub, SP)
    made = run_code(hub, SP, headers, f"f = open({big!r}, 'wb'); f.truncate(2**30); f.close(); "
                                      f"import os; print(os.path.getsize({big!r}))")
    assert made["stdout"].strip() == str(2**30), made
    submit(hub, SP, WRONG, f"import os\nos.symlink({big!r}, '/opdracht/.leerplein-out.ipynb')\nos._exit(0)")
    submit(hub, LI, WRONG, f"import os\nos.symlink({str(vera_graded_path)!r}, '/opdracht/.leerplein-out.ipynb')\n"
                           "os._exit(0)")
    done = leerplein("course", "collect", A, *hub["course"], timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    sparse_output, sparse_peak = autograde(hub, SP)
    output, peak = autograde(hub, MO, FO, LI)
    return {"sparse": (sparse_output, sparse_peak), "others": (output, peak)}


def test_a_replaced_check_function_does_not_turn_wrong_letters_into_points(hub, attacks):
    """Hole 2, first route."""
    assert score(hub, MO) == 0


def test_a_result_file_written_by_the_students_code_is_not_her_grade(hub, attacks):
    """Hole 2, second route."""
    assert score(hub, FO) == 0


def test_the_grader_does_not_follow_a_link_to_a_huge_file(hub, attacks):
    """Hole 3, first variant: the 1 GB sparse file is never read; the whole autograde command
    (every process of it) stays far below it, and the teacher is told why."""
    output, peak_kb = attacks["sparse"]
    assert peak_kb < 700 * 1024, f"the grader reached {peak_kb // 1024} MB"
    assert "geen gewoon bestand" in output
    assert score(hub, SP) == 0


def test_the_grader_does_not_load_another_students_outputs(hub, attacks):
    """Hole 3, second variant: a link to Vera's autograded notebook."""
    output = attacks["others"][0]
    assert score(hub, LI) == 0, output
    assert VERA_OUTPUT not in graded_text(hub, LI), output
    assert "geen gewoon bestand" in output
    assert score(hub, VERA) == 3 and VERA_OUTPUT in graded_text(hub, VERA)  # hers stays hers, intact
