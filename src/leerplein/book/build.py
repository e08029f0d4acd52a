"""Build the Jupyter Book (1.x, Sphinx) into book/_build/html.

Pages are MyST Markdown notebooks, executed with jupyter-cache so an unchanged page
is not run again. A notebook that fails to execute fails the build.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from leerplein.book.vendor import vendor_assets
from leerplein.paths import Layout


class BuildFailed(RuntimeError):
    pass


@dataclass
class BuildResult:
    html_dir: Path
    seconds: float
    log: str


def build_command(layout: Layout, strict: bool = False, all_pages: bool = False) -> list[str]:
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")), "build", str(layout.root),
        "--config", str(layout.book / "_config.yml"),
        "--toc", str(layout.book / "_toc.yml"),
        "--path-output", str(layout.book),
        "--builder", "html",
    ]
    if strict:
        cmd += ["--warningiserror", "--keep-going"]
    if all_pages:
        cmd.append("--all")
    return cmd


def build_book(layout: Layout, strict: bool = False, all_pages: bool = False, quiet: bool = False) -> BuildResult:
    vendor_assets(layout)
    start = time.perf_counter()
    proc = subprocess.run(
        build_command(layout, strict=strict, all_pages=all_pages),
        cwd=layout.root,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    if not quiet:
        print(log)
    if proc.returncode != 0 or not (layout.html / "index.html").exists():
        raise BuildFailed(_explain_failure(log))
    return BuildResult(layout.html, seconds, log)


def _explain_failure(log: str) -> str:
    lines = [line for line in log.splitlines() if "ERROR" in line or "WARNING" in line or "Error" in line]
    summary = "\n".join(lines[-30:]) or log[-3000:]
    return "The book did not build. The first problems:\n" + summary


def is_stale(layout: Layout) -> bool:
    """True when a source page, the config or the toc is newer than the built index."""
    index = layout.html / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    sources = [layout.book / "_config.yml", layout.book / "_toc.yml", layout.bibliography]
    sources += list(layout.book.glob("*.md"))
    sources += list(layout.modules.rglob("*.md")) + list(layout.modules.rglob("*.csv"))
    sources += list((layout.root / "src" / "leerplein" / "interactives").rglob("*.py"))
    return any(p.exists() and p.stat().st_mtime > built for p in sources)
