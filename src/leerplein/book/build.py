"""Build the Jupyter Book (1.x, Sphinx) into book/_build/html.

Pages are MyST Markdown notebooks, executed with jupyter-cache so an unchanged page
is not run again. A notebook that fails to execute fails the build.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from leerplein.book.vendor import vendor_assets
from leerplein.interactives.static import BUILD_ENV
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
        sys.executable, "-m", "leerplein.book.sphinx_run", "build", str(layout.root),
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


# Pages whose output comes from data outside the page: a marker in the page's code, and the
# files that output depends on (relative to the repository root). (Tables computed from the
# pages' own words are directives, not code: leerplein.book.directives.)
DATA_PAGES = {
    "leerplein.interactives": ["src/leerplein/interactives"],
    "leerplein.sessies": ["src/leerplein/sessies", "sessies"],
    "leerplein.course.results.progress": ["src/leerplein/course/results/progress.py", "grading/slaagregels.yml", "grading/rubrics",
                                  "exercises"],
    "zelfscan": ["src/leerplein/interactives", "book/_toc.yml"],
    "matplotlib": ["src/leerplein/book/charts.py"],  # Dutch numbers on the charts
}
DATA_STAMP = ".data-digests.json"


def _page_titles(root: Path) -> bytes:
    """The zelfscan lists module pages by title: only titles (and the toc) matter to it."""
    from leerplein.book.rules import page_title, toc_files

    return "\n".join(f"{p}={page_title(root, p)}" for p in toc_files(root) if p.startswith("modules/")).encode()


# Beyond their files, these pages depend on something computed from all module pages.
DATA_COMPUTED = {"zelfscan": _page_titles}


def _input_files(base: Path) -> list[Path]:
    if base.is_file():
        return [base]
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def data_digests(root: Path) -> dict[str, str]:
    out = {}
    for marker, inputs in DATA_PAGES.items():
        digest = hashlib.sha256()
        for path in (p for name in inputs for p in _input_files(root / name)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        if marker in DATA_COMPUTED:
            digest.update(b"\0computed\0" + DATA_COMPUTED[marker](root))
        out[marker] = digest.hexdigest()
    return out


def forget_stale_data_pages(layout: Layout) -> list[str]:
    """jupyter-cache keys a page on its own text only, and Sphinx re-reads a page only when it is
    newer, so a page that shows an interactive, a session plan, a study-load table, the cesuur or
    the zelfscan would keep an old output after that data changed. Drop those pages' cached
    executions and touch them; returns the markers whose data changed."""
    import json

    stamp = layout.book / "_build" / DATA_STAMP
    current = data_digests(layout.root)
    try:
        known = json.loads(stamp.read_text()) if stamp.exists() else {}
    except ValueError:
        known = {}
    changed = [m for m, d in current.items() if known.get(m) != d]
    if not changed:
        return []
    cache_dir = layout.book / "_build" / ".jupyter_cache"
    if cache_dir.exists():
        from jupyter_cache import get_cache

        cache = get_cache(cache_dir)
        for record in cache.list_cache_records():
            nb = cache.get_cache_bundle(record.pk).nb
            if any(m in cell.get("source", "") for cell in nb.cells for m in changed):
                cache.remove_cache(record.pk)
    for page in [*layout.modules.rglob("*.md"), *layout.book.rglob("*.md")]:
        if "_build" not in page.parts and any(m in page.read_text(encoding="utf-8") for m in changed):
            page.touch()
    return changed


def write_data_stamp(layout: Layout) -> None:
    import json

    (layout.book / "_build" / DATA_STAMP).write_text(json.dumps(data_digests(layout.root)))


def kernel_env(layout: Layout) -> dict[str, str]:
    """The environment of a book build: pages show the static version of interactives, and
    every kernel starts with Dutch numbers on its charts (leerplein.book.charts)."""
    from leerplein.book.charts import write_startup

    ipython_dir = write_startup(layout.book / "_build" / ".ipython")
    return {**os.environ, BUILD_ENV: "1", "IPYTHONDIR": str(ipython_dir)}


def catalog_changed(layout: Layout) -> bool:
    """Sphinx compiles the Dutch theme catalog (book/_locales/*/LC_MESSAGES/*.po) to a .mo when the
    .po is newer, but writes no page again for it, so a changed theme string would not reach the
    built pages. Changed means: a .po without a .mo as new as itself."""
    for po in (layout.book / "_locales").rglob("*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            return True
    return False


@contextmanager
def build_lock(layout: Layout):
    """One build of a book at a time: `hub start`, `leerplein start`, the update page and
    `leerplein build` may run at once, and two builds writing one _build folder spoil it."""
    import fcntl

    folder = layout.book / "_build"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build_book(layout: Layout, strict: bool = False, all_pages: bool = False, quiet: bool = False,
               only_if_stale: bool = False) -> BuildResult | None:
    """Build the book; with only_if_stale, None when it is fresh (perhaps built by another
    process while this one waited for the lock)."""
    with build_lock(layout):
        if only_if_stale and not is_stale(layout):
            return None
        return _build(layout, strict, all_pages, quiet)


def _build(layout: Layout, strict: bool, all_pages: bool, quiet: bool) -> BuildResult:
    vendor_assets(layout)
    forget_stale_data_pages(layout)
    all_pages = all_pages or catalog_changed(layout)
    started_at = time.time()
    start = time.perf_counter()
    proc = subprocess.run(
        build_command(layout, strict=strict, all_pages=all_pages),
        cwd=layout.root,
        env=kernel_env(layout),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    if not quiet:
        print(log)
    if proc.returncode != 0 or not (layout.html / "index.html").exists():
        raise BuildFailed(_explain_failure(log))
    write_data_stamp(layout)
    # the stamp carries the time the build started: what is edited during a build is stale after it
    stamp = layout.book / "_build" / DATA_STAMP
    os.utime(stamp, (started_at, started_at))
    sync_static_assets(layout)
    return BuildResult(layout.html, seconds, log)


def sync_static_assets(layout: Layout) -> None:
    """Sphinx skips copying static files when no page changed; our own CSS/JS must still land."""
    import shutil

    source = layout.book / "_assets"
    for path in source.rglob("*"):
        target = layout.html / "_static" / path.relative_to(source)
        if path.is_file() and (not target.exists() or target.stat().st_mtime < path.stat().st_mtime):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _explain_failure(log: str) -> str:
    lines = [line for line in log.splitlines() if "ERROR" in line or "WARNING" in line or "Error" in line]
    summary = "\n".join(lines[-30:]) or log[-3000:]
    return "The book did not build. The first problems:\n" + summary


def is_stale(layout: Layout) -> bool:
    """True when a source page, the config or the toc is newer than the last successful build
    (Sphinx leaves index.html alone when nothing changed, so the build's own stamp counts too)."""
    index = layout.html / "index.html"
    if not index.exists():
        return True
    stamp = layout.book / "_build" / DATA_STAMP  # dated at the start of the last successful build
    built = stamp.stat().st_mtime if stamp.exists() else index.stat().st_mtime
    sources = [layout.book / "_config.yml", layout.book / "_toc.yml", layout.bibliography]
    sources += list(layout.book.glob("*.md")) + list((layout.book / "_assets").rglob("*"))
    sources += list((layout.book / "_locales").rglob("*.po"))
    sources += list(layout.modules.rglob("*.md")) + list(layout.modules.rglob("*.csv"))
    sources += [p for inputs in DATA_PAGES.values() for name in inputs for p in _input_files(layout.root / name)]
    return any(p.exists() and p.stat().st_mtime > built for p in sources)
