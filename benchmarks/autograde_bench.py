"""Autograde a generated cohort with plain `nbgrader autograde` and with `leerplein course
autograde` in one run; check the scores are identical; print both times and the ratio.
Also times leerplein without the sandbox, to give the sandbox's cost per submission.

    .venv/bin/python benchmarks/autograde_bench.py [--students 100] [--out FILE]

Writes benchmarks/results/autograde.md (or FILE). Target: leerplein at least 3x faster.
The test suite runs it small (`--students 3`) so it cannot rot.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from leerplein.course.grading.autograde import autograde  # noqa: E402
from leerplein.course.course import Course
from leerplein.course.prepare.init import init_course  # noqa: E402

A = "01-armoede-zien"


def make_cohort(course: Course, n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    release = nbformat.read(str(course.directory / "release" / A / f"{A}.ipynb"), as_version=4)
    students = [f"student{i:03d}" for i in range(n)]
    for student in students:
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith("antwoord_"):
                name = cell.source.split("=")[0].strip()
                cell.source = f'{name} = "{rng.choice(["A", "B", "C", " c ", "", "x"])}"'
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if gid.startswith("reflectie") and cell.cell_type == "markdown" and cell.metadata["nbgrader"].get("solution"):
                cell.source = "Mijn reflectie. " * rng.randint(5, 60)
        folder = course.directory / "submitted" / student / A
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
        (folder / "timestamp.txt").write_text("2026-11-23 09:00:00.000000 UTC")
    return students


def scores(course: Course) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        return {s.student_id: s.score for s in gb.assignment_submissions(A)}


def fresh_course(base: Path, name: str, template: Course | None = None) -> Course:
    course = Course(ROOT, base / name / "course", base / name / "exchange")
    if template:
        shutil.copytree(template.directory, course.directory)
        course.exchange.mkdir(parents=True)
        init_course(course)  # rewrites nbgrader_config.py for the new location
    return course


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "autograde.md")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="leerplein-bench-"))
    try:
        template = fresh_course(base, "template")
        init_course(template)
        api = template.api()
        assert api.generate_assignment(A, force=True)["success"]
        make_cohort(template, args.students)
        plain, ours, unsafe = (fresh_course(base, n, template) for n in ("plain", "leerplein", "unsafe"))

        start = time.perf_counter()
        proc = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "autograde", A],
                              cwd=plain.directory, capture_output=True, text=True,
                              env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
        t_plain = time.perf_counter() - start
        assert proc.returncode == 0, proc.stderr[-2000:]

        start = time.perf_counter()
        autograde(ours, A)
        t_ours = time.perf_counter() - start

        start = time.perf_counter()
        autograde(unsafe, A, unsafe=True)
        t_unsafe = time.perf_counter() - start

        s_plain, s_ours, s_unsafe = scores(plain), scores(ours), scores(unsafe)
        identical = s_plain == s_ours == s_unsafe and len(s_plain) == args.students
        n = args.students
        lines = [
            "# Autograde: plain nbgrader versus leerplein", "",
            f"{n} generated submissions of `{A}` (varied answers), {os.cpu_count()} cores, one run.", "",
            "| grader | wall time (s) | per submission (s) |", "|---|---:|---:|",
            f"| `nbgrader autograde {A}` (whole cohort, one call) | {t_plain:.1f} | {t_plain / n:.2f} |",
            f"| `leerplein course autograde {A}` (sandboxed, parallel) | {t_ours:.1f} | {t_ours / n:.2f} |",
            f"| leerplein with `--unsafe-no-sandbox` | {t_unsafe:.1f} | {t_unsafe / n:.2f} |", "",
            f"Speed-up over nbgrader: **{t_plain / t_ours:.1f}x** (target: at least 3x).",
            f"Sandbox cost: {(t_ours - t_unsafe) / n * 1000:+.0f} ms per submission (wall, with {os.cpu_count()} workers).",
            f"Scores identical across the three runs: **{'yes' if identical else 'NO'}**.",
        ]
        text = "\n".join(lines) + "\n"
        out = args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(text)
        if not identical:
            diff = {k: (s_plain.get(k), s_ours.get(k), s_unsafe.get(k)) for k in s_plain
                    if not s_plain.get(k) == s_ours.get(k) == s_unsafe.get(k)}
            print("Differences:", diff)
            raise SystemExit(1)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
