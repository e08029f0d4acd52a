"""Autograde a generated cohort with plain `nbgrader autograde` and with `leerplein course
autograde` in one run; check the scores are identical; print the times and ratios. Also
times leerplein as it was at an earlier commit (`--before`), and without the sandbox.

    .venv/bin/python benchmarks/autograde_bench.py [--students 100[,1000]] [--plain-sample N]
                                                   [--with-code 0.05] [--before COMMIT] [--out FILE]

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


CODE_CELL = "print('Mijn eigen berekening:', sum(range(10)))"  # a student who added code of her own


def make_cohort(course: Course, n: int, with_code: float = 0.05, seed: int = 1) -> list[str]:
    """n submissions with varied letters and reflections; a fraction `with_code` of them also
    hold a code cell of the student's own (the student view has no code cells, JupyterLab does)."""
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
        if rng.random() < with_code:
            nb.cells.insert(1, nbformat.v4.new_code_cell(CODE_CELL))
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


def source_of(commit: str, base: Path) -> Path:
    """The package as it was at `commit` (for the "before" grader), unpacked in `base`."""
    folder = base / f"source-{commit}"
    folder.mkdir()
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    for path in (base, folder):
        os.chmod(path, 0o755)  # the sandbox user reads the package
    return folder / "src"


def autograde_with(source: Path, course: Course) -> None:
    """`leerplein course autograde` run from another version of the package."""
    proc = subprocess.run([sys.executable, "-m", "leerplein.cli", "course", "autograde", A, "--course-dir",
                           str(course.directory), "--exchange", str(course.exchange)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(source)})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def measure(n: int, base: Path, plain_sample: int, with_code: float, before: tuple[str, Path] | None
            ) -> tuple[list[str], bool]:
    """One cohort of n: plain nbgrader and, for comparison, leerplein as it was at an earlier
    commit and leerplein without the sandbox (each on all of it, or on one random sample when n
    is larger than plain_sample), and leerplein as it is (on all of it). The lines of its
    section, and whether the scores agree."""
    template = fresh_course(base, f"template{n}")
    init_course(template)
    api = template.api()
    assert api.generate_assignment(A, force=True)["success"]
    students = make_cohort(template, n, with_code)
    with_own_code = sum(CODE_CELL in (template.directory / "submitted" / s / A / f"{A}.ipynb").read_text()
                        for s in students)
    plain, ours, before_course, unsafe = (fresh_course(base, f"{name}{n}", template)
                                          for name in ("plain", "leerplein", "before", "unsafe"))
    sample = sorted(random.Random(2).sample(students, plain_sample)) if n > plain_sample else students
    for course in (plain, before_course, unsafe):
        for student in set(students) - set(sample):
            shutil.rmtree(course.directory / "submitted" / student)

    start = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "autograde", A],
                          cwd=plain.directory, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    t_plain = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]

    start = time.perf_counter()
    autograde(ours, A)
    t_ours = time.perf_counter() - start

    t_before = None
    if before:
        start = time.perf_counter()
        autograde_with(before[1], before_course)
        t_before = time.perf_counter() - start

    start = time.perf_counter()
    autograde(unsafe, A, unsafe=True)
    t_unsafe = time.perf_counter() - start

    s_plain, s_ours, s_unsafe = scores(plain), scores(ours), scores(unsafe)
    s_before = scores(before_course) if before else s_plain
    identical = (len(s_plain) == len(s_before) == len(s_unsafe) == len(sample) and len(s_ours) == n
                 and all(s_plain[k] == s_ours[k] == s_before[k] == s_unsafe[k] for k in sample))
    m = len(sample)
    which = "all" if m == n else f"a random {m} of the {n}"
    lines = [
        f"{n} generated submissions of `{A}` (varied answers; {with_own_code} with a code cell of the student's "
        f"own), {os.cpu_count()} cores, one run.", "",
        "| grader | graded | wall time (s) | per submission (s) |", "|---|---:|---:|---:|",
        f"| `nbgrader autograde {A}` (one call) | {which} | {t_plain:.1f} | {t_plain / m:.2f} |",
        *([f"| leerplein as it was at {before[0]} (before) | {which} | {t_before:.1f} | {t_before / m:.2f} |"]
          if before else []),
        f"| leerplein with `--unsafe-no-sandbox` | {which} | {t_unsafe:.1f} | {t_unsafe / m:.2f} |",
        f"| **`leerplein course autograde {A}`** (sandbox for code; typed letters need no run) | all {n} | "
        f"{t_ours:.1f} | {t_ours / n:.2f} |", "",
        f"Speed-up over nbgrader: **{(t_plain / m) / (t_ours / n):.1f}x** (target: at least 3x)"
        + (f"; over leerplein at {before[0]}: **{(t_before / m) / (t_ours / n):.1f}x**." if before else "."),
        f"Scores identical across the {4 if before else 3} graders: **{'yes' if identical else 'NO'}**"
        + ("." if m == n else f" (on the {m} all of them graded)."),
    ]
    if n >= 1000:
        lines.append(f"{n} submissions in two minutes (120 s): **{'met' if t_ours <= 120 else 'NOT met'}** "
                     f"({t_ours:.0f} s).")
    if not identical:
        diff = {k: (s_plain.get(k), s_ours.get(k), s_before.get(k), s_unsafe.get(k)) for k in sample
                if not (s_plain.get(k) == s_ours.get(k) == s_before.get(k) == s_unsafe.get(k))}
        print("Differences:", diff)
    return lines, identical


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", default="100", help="one cohort size or several in one run, e.g. 100,1000")
    parser.add_argument("--plain-sample", type=int, default=1000,
                        help="plain nbgrader grades at most this many of a cohort (a random sample): it takes "
                             "about 1 s per submission")
    parser.add_argument("--with-code", type=float, default=0.05,
                        help="the fraction of submissions with a code cell of the student's own")
    parser.add_argument("--before", metavar="COMMIT", help="also time leerplein as it was at COMMIT, same run")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "autograde.md")
    args = parser.parse_args()
    sizes = [int(n) for n in args.students.split(",")]
    base = Path(tempfile.mkdtemp(prefix="leerplein-bench-"))
    try:
        before = (args.before, source_of(args.before, base)) if args.before else None
        sections, all_identical, loads = [], True, [load()]
        for n in sizes:
            lines, identical = measure(n, base, args.plain_sample, args.with_code, before)
            loads.append(load())
            all_identical &= identical
            sections.append(("" if len(sizes) == 1 else f"## {n} submissions\n\n") + "\n".join(lines))
        text = ("# Autograde: plain nbgrader versus leerplein\n\n"
                + (f"Load average (1, 5, 15 min) before each cohort and after the last: {' / '.join(loads)} "
                   "(1.0 per core is a busy machine).\n\n")
                + "\n\n".join(sections) + "\n")
        out = args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(text)
        if not all_identical:
            raise SystemExit(1)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
