"""Book build times: cold, unchanged rebuild, and after editing one page.

Copies the book sources (book/, modules/) into a temporary folder so the repository's own
build cache is untouched, then runs `leerplein build` four times there. Writes
benchmarks/results/build_times.md (or FILE).

    .venv/bin/python benchmarks/build_times.py [--out FILE] [--jupyter-cache DIR] [--before COMMIT]

`--before COMMIT` first does the same with the book and the package as they were at COMMIT
(`git archive`, run with today's installed packages), so both columns come from one run.

`--jupyter-cache book/_build/.jupyter_cache` copies an execution cache into the temporary copy
first, so the first build executes only the pages whose text differs from the cached ones (the
test suite does this to stay quick); without it the first build is truly cold. The results say
which was used.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from leerplein.book.build import DATA_STAMP

ROOT = Path(__file__).resolve().parents[1]
LEERPLEIN = Path(sys.executable).with_name("leerplein")


SOURCES = ("modules", "sessies", "exercises", "grading")  # everything a page reads, besides book/


def copy_sources(target: Path, commit: str | None = None) -> None:
    """The book's sources in target: as they are, or as they were at commit (package included)."""
    if commit:
        archive = subprocess.run(["git", "archive", commit, "book", "src", *SOURCES], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    else:
        shutil.copytree(ROOT / "book", target / "book", ignore=shutil.ignore_patterns("_build", "_vendor"))
        for name in SOURCES:
            shutil.copytree(ROOT / name, target / name)
        (target / "src").symlink_to(ROOT / "src")  # the build fingerprints data pages' code by its path under src/
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    (target / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')


def timed_build(root: Path) -> tuple[float, int]:
    """Seconds of `leerplein build`, and how many pages it executed."""
    start = time.perf_counter()
    env = {**os.environ, "LEERPLEIN_ROOT": str(root)}
    if not (root / "src").is_symlink():  # an earlier version's package, unpacked in root
        env["PYTHONPATH"] = str(root / "src")
    proc = subprocess.run([str(LEERPLEIN), "build"], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(proc.stderr[-3000:])
    return time.perf_counter() - start, proc.stdout.count("Executing notebook")


def edit_one_page(root: Path, words: bool) -> Path:
    """A comment (no words change), or a sentence (the study-load tables must follow)."""
    page = sorted((root / "modules").glob("*/0[1-9]-*.md"))[0]
    extra = "\nDeze zin is toegevoegd voor de meting.\n" if words else "\n<!-- bewerkt voor de meting -->\n"
    page.write_text(page.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return page


def measure(root: Path, jupyter_cache: Path | None) -> tuple[int, list[tuple[float, int]], str, bool]:
    """Four builds in root: first, unchanged, a comment edit, a sentence edit. Returns the number
    of pages, the (seconds, pages executed) of each build, the edited page and whether the
    module's study-load table followed the sentence."""
    if jupyter_cache:
        shutil.copytree(jupyter_cache, root / "book" / "_build" / ".jupyter_cache")
        # with the fingerprints of the build that filled the cache, else its data pages' entries are dropped
        stamp = jupyter_cache.parent / DATA_STAMP
        if stamp.exists():
            shutil.copy2(stamp, root / "book" / "_build" / DATA_STAMP)
    pages = len(list((root / "modules").rglob("*.md"))) + len(list((root / "book").glob("*.md")))
    builds = [timed_build(root), timed_build(root)]
    edited = edit_one_page(root, words=False)
    builds.append(timed_build(root))
    index = root / "book" / "_build" / "html" / "modules" / edited.parent.name / "index.html"
    before = index.read_text(encoding="utf-8")
    edit_one_page(root, words=True)
    builds.append(timed_build(root))
    after = index.read_text(encoding="utf-8")
    return pages, builds, f"{edited.parent.name}/{edited.name}", "studielast" in after and after != before


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "build_times.md")
    parser.add_argument("--jupyter-cache", type=Path, help="copy this execution cache in before the first build")
    parser.add_argument("--before", metavar="COMMIT", help="also measure the book and package as they were at COMMIT")
    args = parser.parse_args()
    if args.jupyter_cache and not (args.jupyter_cache / "global.db").exists():
        sys.exit(f"no jupyter cache in {args.jupyter_cache}")
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        then = None
        if args.before:
            copy_sources(Path(tmp) / "before", args.before)
            then = measure(Path(tmp) / "before", args.jupyter_cache)
        copy_sources(Path(tmp) / "now")
        pages, builds, edited, followed = measure(Path(tmp) / "now", args.jupyter_cache)
    first = (f"first build, execution cache copied from {args.jupyter_cache}" if args.jupyter_cache
             else "cold (empty cache)")
    names = [first, "rebuild, nothing changed", f"rebuild after editing {edited} (no words changed)",
             "rebuild after adding a sentence there (the study-load tables change too)"]
    if then:
        table = [f"| build | {args.before} (before): seconds | pages executed | now: seconds | pages executed |",
                 "| --- | ---: | ---: | ---: | ---: |"] + [
            f"| {name} | {old[0]:.1f} | {old[1]} | {new[0]:.1f} | {new[1]} |"
            for name, old, new in zip(names, then[1], builds)]
    else:
        table = ["| build | seconds | pages executed |", "| --- | ---: | ---: |"] + [
            f"| {name} | {sec:.1f} | {executed} |" for name, (sec, executed) in zip(names, builds)]
    text = (f"# Book build times\n\n{pages} source pages; {platform.node()} "
            f"({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}. "
            "Measured by `benchmarks/build_times.py` in one run"
            + (f"; the before column is the book and package at {args.before}, built with the same installed "
               "packages" if then else "")
            + f". Load average (1, 5, 15 min) at the start: {load_before}; at the end: "
            + " ".join(f"{x:.1f}" for x in os.getloadavg()) + " (other work on the machine slows every figure)."
            + "\n\n" + "\n".join(table) + "\n")
    if not followed:
        sys.exit("the module's study-load table did not follow the added sentence")
    if builds[2][1] or builds[3][1]:
        sys.exit("an edit of prose executed a page: the counts must come without executing notebooks")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
