"""The parts of the edit loop's speed that could change what is built: which pages are left
out of the book, and YAML read once per process."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import ROOT


class Config(dict):
    """Enough of a Sphinx config for the toc extensions: items, also read as attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class App:
    def __init__(self, srcdir: Path, config: Config):
        self.srcdir, self.config = str(srcdir), config


def sphinx_external_toc_exclusions(root: Path, patterns: list[str]) -> list[str]:
    from sphinx_external_toc.events import parse_toc_to_env

    config = Config(external_toc_path=str(root / "book/_toc.yml"), external_toc_exclude_missing=True,
                    exclude_patterns=list(patterns), source_suffix={".md": "myst-nb", ".ipynb": "myst-nb"},
                    master_doc="index")
    parse_toc_to_env(App(root, config), config)
    return sorted(config["exclude_patterns"][len(patterns):])


def our_exclusions(root: Path, patterns: list[str]) -> list[str]:
    from sphinx_external_toc.events import parse_toc_to_env

    from leerplein.book.sphinx_ext import _exclude_pages_outside_toc

    config = Config(external_toc_path=str(root / "book/_toc.yml"), external_toc_exclude_missing=True,
                    exclude_patterns=list(patterns), source_suffix={".md": "myst-nb", ".ipynb": "myst-nb"},
                    master_doc="index")
    _exclude_pages_outside_toc(App(root, config), config)
    assert config["external_toc_exclude_missing"] is False  # sphinx-external-toc's glob is skipped
    parse_toc_to_env(App(root, config), config)
    return sorted(config["exclude_patterns"][len(patterns):])


def test_pages_outside_the_toc_are_left_out_exactly_as_sphinx_external_toc_does(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book/_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: modules/01-m/index\n  - file: modules/01-m/a.md\n")
    for name in ("book/intro.md", "book/kladje.md", "modules/01-m/index.md", "modules/01-m/a.md",
                 "modules/01-m/oud/b.md", "modules/01-m/c.ipynb", "notities.md", "modules/01-m/.verborgen.md",
                 "node_modules/pakket/README.md", "tests/x.md", "modules/01-m/.ipynb_checkpoints/a-checkpoint.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n")
    os.symlink(tmp_path / "modules/01-m/oud", tmp_path / "modules/gelinkt")
    patterns = ["node_modules", "tests", "**/.ipynb_checkpoints", "book/_build"]
    expected = sphinx_external_toc_exclusions(tmp_path, patterns)
    assert {"book/kladje.md", "notities.md", "modules/01-m/oud/b.md", "modules/01-m/c.ipynb"} <= set(expected)
    assert our_exclusions(tmp_path, patterns) == expected


def test_the_real_book_leaves_out_the_same_pages():
    import yaml

    patterns = yaml.safe_load((ROOT / "book/_config.yml").read_text())["exclude_patterns"]
    assert our_exclusions(ROOT, patterns) == sphinx_external_toc_exclusions(ROOT, patterns)


def test_yaml_is_read_again_when_the_file_changes_and_callers_cannot_spoil_the_cache(tmp_path):
    from leerplein.yamlfiles import load_yaml

    path = tmp_path / "plan.yml"
    path.write_text("titel: een\nonderdelen: [a]\n")
    first = load_yaml(path)
    first["onderdelen"].append("b")  # a caller changing its copy
    assert load_yaml(path) == {"titel": "een", "onderdelen": ["a"]}
    path.write_text("titel: twee\nonderdelen: [a]\n")  # same size, new content
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert load_yaml(path)["titel"] == "twee"
