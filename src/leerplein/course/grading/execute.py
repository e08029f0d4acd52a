"""nbgrader's Execute step, replaced: run the (sanitized) submission in the sandbox with
`leerplein.course.grading.runner` and copy the outputs back; kennischeck cells get the outputs the
grader computes itself from the typed letter (`literal_checks`), never ones from the sandbox.
Everything else in nbgrader's autograde (sanitizing, overwriting locked cells, saving grades)
stays nbgrader's own.

The runner's result is a file in the sandbox's working folder, which the student's code can
also write. It is read without trusting it (`read_result`): relative to folder descriptors,
never through a link, only a regular file with one link owned by the sandbox user, and at most
RESULT_MAX_BYTES. What it says only fills the outputs of the student's own code cells."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from leerplein.course.grading.literal_checks import blank_checks, grade_checks, runs_silently
from leerplein.course.grading.sandbox import SANDBOX_UID, WORKDIR, SandboxLimits, bwrap_prefix, prepare_workdir

LIMITS_ENV = "LEERPLEIN_SANDBOX_LIMITS"
UNSAFE_ENV = "LEERPLEIN_UNSAFE_NO_SANDBOX"
NOTEBOOK_TIMEOUT = "Tijdslimiet"
RESULT_REFUSED = "Nakijkfout"
RESULT_NAME = ".leerplein-out.ipynb"
RESULT_MAX_BYTES = 64 * 2**20  # the runner cannot write more (RLIMIT_FSIZE)


class ResultRefused(Exception):
    """The result file is not one the runner can have written; the message says why (Dutch)."""


def read_result(folder: Path, work_name: str, owner: int, limit: int = RESULT_MAX_BYTES) -> dict:
    """The runner's result `folder/work_name/RESULT_NAME`. `folder` is the grader's own; the
    rest is opened relative to it without following any link, and the file must be a regular
    file with one link, owned by `owner` (the sandbox user), of at most `limit` bytes."""
    nofollow = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    fds = []
    try:
        fds.append(os.open(folder, nofollow | os.O_DIRECTORY))
        fds.append(os.open(work_name, nofollow | os.O_DIRECTORY, dir_fd=fds[-1]))
        try:
            st = os.stat(RESULT_NAME, dir_fd=fds[-1], follow_symlinks=False)
        except FileNotFoundError:
            raise ResultRefused("Het nakijken van dit notebook stopte onverwacht (misschien te veel geheugen "
                                "of processen).") from None
        if not stat.S_ISREG(st.st_mode):
            raise ResultRefused("Het resultaat van dit notebook was geen gewoon bestand (maar bijvoorbeeld een "
                                "link) en is niet gelezen.")
        fds.append(os.open(RESULT_NAME, nofollow | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=fds[-1]))
        st = os.fstat(fds[-1])
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != owner:
            raise ResultRefused("Het resultaat van dit notebook was niet door het nakijken zelf gemaakt (een link "
                                "of een bestand van een ander) en is niet gelezen.")
        if st.st_size > limit:
            raise ResultRefused(f"Het resultaat van dit notebook was te groot (meer dan {limit // 2**20} MB) en is "
                                "niet gelezen.")
        data = os.read(fds[-1], limit + 1)
        while len(data) <= limit:
            more = os.read(fds[-1], limit + 1 - len(data))
            if not more:
                break
            data += more
        if len(data) > limit:
            raise ResultRefused(f"Het resultaat van dit notebook was te groot (meer dan {limit // 2**20} MB) en is "
                                "niet gelezen.")
        try:
            result = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            result = None
        if not isinstance(result, dict) or not isinstance(result.get("cells"), list):
            raise ResultRefused("Het resultaat van dit notebook was beschadigd en is niet gelezen.")
        return result
    except OSError as err:  # e.g. the folder itself was a link (ELOOP)
        raise ResultRefused(f"Het resultaat van dit notebook kon niet veilig worden gelezen ({err.strerror}).") from None
    finally:
        for fd in reversed(fds):
            os.close(fd)


def current_limits() -> SandboxLimits:
    return SandboxLimits(**json.loads(os.environ.get(LIMITS_ENV, "{}")))


def run_sandboxed(nb: dict, folder: Path, limits: SandboxLimits, unsafe: bool = False) -> dict:
    """Execute `nb` (a notebook dict) with `folder`'s files beside it; returns the executed notebook."""
    with tempfile.TemporaryDirectory(prefix="leerplein-run-") as tmp:
        os.chmod(tmp, 0o755)
        work = prepare_workdir(folder, Path(tmp) / "work")
        if os.path.lexists(work / RESULT_NAME):  # one handed in with the submission
            os.unlink(work / RESULT_NAME)
        (work / ".leerplein-in.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        os.chmod(work / ".leerplein-in.ipynb", 0o644)  # readable by the sandbox user whatever the umask
        args = [str(limits.cell_seconds), str(limits.output_chars), str(limits.memory_mb), str(limits.processes)]
        if unsafe:
            cmd = [sys.executable, "-m", "leerplein.course.grading.runner", str(work / ".leerplein-in.ipynb"),
                   str(work / RESULT_NAME), *args]
        else:
            cmd = [*bwrap_prefix(work), sys.executable, "-m", "leerplein.course.grading.runner",
                   f"{WORKDIR}/.leerplein-in.ipynb", f"{WORKDIR}/{RESULT_NAME}", *args]
        proc = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=limits.notebook_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.returncode in (-9, None):
            reason, ename = (f"Het notebook stopte na {limits.notebook_seconds} seconden: de tijdslimiet voor het "
                             f"hele notebook is bereikt."), NOTEBOOK_TIMEOUT
        elif proc.returncode != 0:
            reason, ename = ("Het nakijken van dit notebook stopte onverwacht (misschien te veel geheugen of "
                             "processen)."), RESULT_REFUSED
        else:
            try:
                return read_result(Path(tmp), work.name, os.geteuid() if unsafe or os.geteuid() != 0 else SANDBOX_UID)
            except ResultRefused as refused:
                reason, ename = str(refused), RESULT_REFUSED
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"] = [{"output_type": "error", "ename": ename, "evalue": reason, "traceback": [reason]}]
        return nb


class SandboxedExecute(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        to_run = nb_to_dict(nb)
        to_run["cells"] = blank_checks(to_run["cells"])
        if runs_silently(to_run["cells"]):  # only letters typed: nothing to run, nothing it could show
            executed = {**to_run, "cells": [{**c, "outputs": []} if c["cell_type"] == "code" else c
                                            for c in to_run["cells"]]}
        else:
            executed = run_sandboxed(to_run, folder, current_limits(), os.environ.get(UNSAFE_ENV) == "1")
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        ran = [c for c in executed["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
        for number, cell in enumerate(code_cells, start=1):
            done = ran[number - 1] if number <= len(ran) else {}
            cell.outputs = [nbformat.from_dict(o) for o in done.get("outputs", []) if isinstance(o, dict)]
            cell.execution_count = number if done else None
        for index, outputs in grade_checks(nb.cells).items():  # never what the sandbox said
            nb.cells[index].outputs = [nbformat.from_dict(o) for o in outputs]
        return nb, resources


def nb_to_dict(nb) -> dict:
    return json.loads(nbformat.writes(nb))
