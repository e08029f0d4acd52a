"""nbgrader's Execute step, replaced: run the (sanitized) submission in the sandbox with
`leerplein.course.runner` and copy the outputs back. Everything else in nbgrader's autograde
(sanitizing, overwriting locked cells, saving grades) stays nbgrader's own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from leerplein.course.sandbox import WORKDIR, SandboxLimits, bwrap_prefix, prepare_workdir

LIMITS_ENV = "LEERPLEIN_SANDBOX_LIMITS"
UNSAFE_ENV = "LEERPLEIN_UNSAFE_NO_SANDBOX"
NOTEBOOK_TIMEOUT = "Tijdslimiet"


def current_limits() -> SandboxLimits:
    return SandboxLimits(**json.loads(os.environ.get(LIMITS_ENV, "{}")))


def run_sandboxed(nb: dict, folder: Path, limits: SandboxLimits, unsafe: bool = False) -> dict:
    """Execute `nb` (a notebook dict) with `folder`'s files beside it; returns the executed notebook."""
    with tempfile.TemporaryDirectory(prefix="leerplein-run-") as tmp:
        os.chmod(tmp, 0o755)
        work = prepare_workdir(folder, Path(tmp) / "work")
        (work / ".leerplein-in.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        args = [str(limits.cell_seconds), str(limits.output_chars), str(limits.memory_mb), str(limits.processes)]
        if unsafe:
            cmd = [sys.executable, "-m", "leerplein.course.runner", str(work / ".leerplein-in.ipynb"),
                   str(work / ".leerplein-out.ipynb"), *args]
        else:
            cmd = [*bwrap_prefix(work), sys.executable, "-m", "leerplein.course.runner",
                   f"{WORKDIR}/.leerplein-in.ipynb", f"{WORKDIR}/.leerplein-out.ipynb", *args]
        proc = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=limits.notebook_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out = work / ".leerplein-out.ipynb"
        if proc.returncode == 0 and out.is_file():
            return json.loads(out.read_text(encoding="utf-8"))
        reason = (f"Het notebook stopte na {limits.notebook_seconds} seconden: de tijdslimiet voor het hele "
                  f"notebook is bereikt." if proc.returncode in (-9, None) else
                  "Het nakijken van dit notebook stopte onverwacht (misschien te veel geheugen of processen).")
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"] = [{"output_type": "error", "ename": NOTEBOOK_TIMEOUT, "evalue": reason,
                                    "traceback": [reason]}]
        return nb


class SandboxedExecute(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        executed = run_sandboxed(nb_to_dict(nb), folder, current_limits(), os.environ.get(UNSAFE_ENV) == "1")
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        ran = [c for c in executed["cells"] if c["cell_type"] == "code"]
        for cell, done in zip(code_cells, ran):
            cell.outputs = [nbformat.from_dict(o) for o in done.get("outputs", [])]
            cell.execution_count = done.get("execution_count")
        return nb, resources


def nb_to_dict(nb) -> dict:
    return json.loads(nbformat.writes(nb))
