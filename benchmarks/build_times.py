"""Book build times: cold, unchanged rebuild, and after editing one page.

Copies the book sources (book/, modules/) into a temporary folder so the repository's own
build cache is untouched, then runs `leerplein build` three times there. Writes
benchmarks/results/build_times.md.

    .venv/bin/python benchmarks/build_times.py
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

ROOT = Path(__file__).resolve().parents[1]
LEERPLEIN = Path(sys.executable).with_name("leerplein")


def copy_sources(target: Path) -> None:
    shutil.copytree(ROOT / "book", target / "book", ignore=shutil.ignore_patterns("_build", "_vendor"))
    shutil.copytree(ROOT / "modules", target / "modules")
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    (target / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')


def timed_build(root: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(LEERPLEIN), "build"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "LEERPLEIN_ROOT": str(root)})
    if proc.returncode != 0:
        sys.exit(proc.stderr[-3000:])
    return time.perf_counter() - start


def edit_one_page(root: Path) -> Path:
    page = sorted((root / "modules").glob("*/0[1-9]-*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n<!-- bewerkt voor de meting -->\n", encoding="utf-8")
    return page


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        copy_sources(root)
        pages = len(list((root / "modules").rglob("*.md"))) + len(list((root / "book").glob("*.md")))
        cold = timed_build(root)
        warm = timed_build(root)
        edited = edit_one_page(root)
        one = timed_build(root)
    rows = [("cold (empty cache)", cold), ("rebuild, nothing changed", warm),
            (f"rebuild after editing {edited.parent.name}/{edited.name}", one)]
    table = ["| build | seconds |", "| --- | ---: |"] + [f"| {name} | {sec:.1f} |" for name, sec in rows]
    text = (f"# Book build times\n\n{pages} source pages; {platform.node()} "
            f"({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}. "
            "Measured by `benchmarks/build_times.py` in one run.\n\n" + "\n".join(table) + "\n")
    out = ROOT / "benchmarks" / "results" / "build_times.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
