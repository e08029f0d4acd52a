"""Where things live in a Leerplein checkout.

Every command works from the repository root. It is found from the
LEERPLEIN_ROOT environment variable, or by walking up from the current
directory to the folder whose pyproject.toml names the `leerplein` package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class NotACheckout(RuntimeError):
    pass


def find_root(start: Path | None = None) -> Path:
    env = os.environ.get("LEERPLEIN_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and 'name = "leerplein"' in pyproject.read_text(encoding="utf-8"):
            return folder
    # Installed in development mode: the package lives in <root>/src/leerplein.
    src_root = Path(__file__).resolve().parents[2]
    if (src_root / "book" / "_config.yml").is_file():
        return src_root
    raise NotACheckout(
        "Not inside a Leerplein checkout. Run this from the repository folder "
        "or set LEERPLEIN_ROOT to it."
    )


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def book(self) -> Path:
        return self.root / "book"

    @property
    def modules(self) -> Path:
        return self.root / "modules"

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    @property
    def grading(self) -> Path:
        return self.root / "grading"

    @property
    def hub(self) -> Path:
        return self.root / "hub"

    @property
    def build_dir(self) -> Path:
        return self.book / "_build"

    @property
    def html(self) -> Path:
        return self.build_dir / "html"

    @property
    def vendor_dir(self) -> Path:
        """Generated static assets (from node_modules); copied into the book's _static."""
        return self.book / "_vendor"

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def bibliography(self) -> Path:
        return self.book / "references.bib"

    def module_dirs(self) -> list[Path]:
        if not self.modules.is_dir():
            return []
        return sorted(p for p in self.modules.iterdir() if p.is_dir() and p.name[:2].isdigit())


def layout(start: Path | None = None) -> Layout:
    return Layout(find_root(start))
