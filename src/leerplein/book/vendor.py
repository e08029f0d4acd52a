"""Copy front-end assets from node_modules into the book's static folder.

Built pages must load with zero external requests, so every script a page needs
(the ipywidgets manager, require.js, MathJax, the interactives' libraries) is served
from the build itself. The assets come from `npm ci` (package.json / package-lock.json)
and are copied to book/_vendor/vendor/, which Sphinx publishes as _static/vendor/.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from leerplein.paths import Layout


@dataclass(frozen=True)
class Asset:
    source: str  # path below node_modules (file or folder)
    target: str  # path below _static/vendor
    patterns: tuple[str, ...] = ("*",)


ASSETS: list[Asset] = [
    Asset("requirejs/require.js", "require.min.js"),
    Asset(
        "@jupyter-widgets/html-manager/dist",
        "widgets",
        ("*.js", "*.woff", "*.woff2", "*.ttf", "*.eot", "*.svg"),
    ),
    Asset("mathjax/es5", "mathjax"),
]


class MissingNodeModules(RuntimeError):
    pass


def vendor_assets(layout: Layout, assets: list[Asset] | None = None) -> Path:
    """Copy assets into book/_vendor/vendor; returns that folder. Idempotent."""
    target_root = layout.vendor_dir / "vendor"
    for asset in assets or ASSETS:
        source = layout.node_modules / asset.source
        if not source.exists():
            raise MissingNodeModules(
                f"{source} is missing. Run `npm ci` in {layout.root} first "
                "(scripts/setup.sh does this)."
            )
        target = target_root / asset.target
        if source.is_file():
            _copy_if_newer(source, target)
            continue
        for pattern in asset.patterns:
            for file in source.rglob(pattern):
                if file.is_file() and not file.name.endswith(".map"):
                    _copy_if_newer(file, target / file.relative_to(source))
    vendor_hyphenation(target_root)
    return target_root


def vendor_hyphenation(target_root: Path) -> Path:
    """pyphen's Dutch hyphenation patterns for the Leesbaarheidscheck in the static book (it
    counts syllables exactly as textstat does through pyphen).

    Written as a script that sets `window.leerpleinHyphenation`, not as a text file to fetch():
    a script element loads from file:// (the PDF, a book opened from disk) and, on the hub, the
    login cookie is accepted for it, while a fetch() there needs the XSRF token and was sent
    to the login page instead."""
    import json

    import pyphen

    source = Path(pyphen.LANGUAGES["nl_NL"])
    target = target_root / "hyph_nl_NL.js"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        encoding = source.open("rb").readline().decode().strip()
        text = source.read_text(encoding)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(f"window.leerpleinHyphenation = {json.dumps(text, ensure_ascii=False)};\n", encoding="utf-8")
        temporary.replace(target)
    return target


def _copy_if_newer(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
