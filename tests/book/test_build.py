"""`leerplein build`: offline, Dutch, cached execution, and a failing page fails the build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD_STATE, ROOT

PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Proefpagina

```{code-cell} ipython3
:tags: [remove-input]
print("uitkomst", 6 * 7)
```
"""


def test_book_builds_with_networking_disabled(built_book):
    if os.geteuid() != 0 and not BUILD_STATE["offline"]:
        pytest.skip("this machine allows no network namespace for an unprivileged user")
    assert BUILD_STATE["offline"], "the book was not built inside a network namespace"
    assert BUILD_STATE["returncode"] == 0


def test_built_book_is_dutch(built_book):
    page = (built_book / "modules" / "01-armoede-zien" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl"' in page
    assert "Zoeken" in page and "volgende" in page.lower() and "vorige" in page.lower()
    assert "Copyright" in page or "©" in page


@pytest.fixture
def tiny_book(tmp_path: Path) -> Path:
    """A one-page copy of the book configuration, so a build can be broken on purpose."""
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "intro.md"):
        shutil.copy(ROOT / "book" / name, book / name)
    shutil.copytree(ROOT / "book" / "_assets", book / "_assets")
    (book / "_templates").mkdir()
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: modules/01-proef/proef\n")
    (book / "intro.md").write_text("# Proef\n\nEen korte intro.\n")
    page = tmp_path / "modules" / "01-proef" / "proef.md"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE)
    return tmp_path


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / ".venv/bin/leerplein"), "build"], cwd=root, capture_output=True,
                          text=True, env={**os.environ, "LEERPLEIN_ROOT": str(root)}, timeout=300)


@pytest.mark.slow
def test_unchanged_page_is_not_executed_again_but_an_edited_one_is(tiny_book):
    first = build(tiny_book)
    assert first.returncode == 0, first.stdout[-2000:]
    html = (tiny_book / "book/_build/html/modules/01-proef/proef.html").read_text()
    assert "uitkomst 42" in html
    assert "Executing" in first.stdout

    second = build(tiny_book)
    assert second.returncode == 0
    assert "Executing" not in second.stdout, "an unchanged page was executed again"

    page = tiny_book / "modules/01-proef/proef.md"
    page.write_text(PAGE.replace("6 * 7", "6 * 8"))
    third = build(tiny_book)
    assert third.returncode == 0
    assert "Executing" in third.stdout
    assert "uitkomst 48" in (tiny_book / "book/_build/html/modules/01-proef/proef.html").read_text()


@pytest.mark.slow
def test_a_page_whose_code_fails_fails_the_build(tiny_book):
    page = tiny_book / "modules/01-proef/proef.md"
    page.write_text(PAGE.replace('print("uitkomst", 6 * 7)', "1 / 0"))
    result = build(tiny_book)
    assert result.returncode == 1
    assert "The book did not build" in result.stderr
    assert "ZeroDivisionError" in result.stdout + result.stderr


@pytest.mark.slow
def test_a_table_of_the_books_words_follows_a_sentence_and_ignores_a_comment(tiny_book):
    """The readability table is a directive: an edited sentence elsewhere makes Sphinx read its page
    again (and no page is executed for it), an author's comment makes it read only the edited page."""
    (tiny_book / "book/_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                             "  - file: modules/01-proef/proef\n  - file: book/over\n")
    (tiny_book / "book/over.md").write_text("# Over\n\nDe tabel.\n\n```{leesbaarheid}\n```\n")
    page = tiny_book / "modules/01-proef/proef.md"
    page.write_text(PAGE + "\n" + "Dit is een zin van tekst. " * 30 + "\n")
    assert build(tiny_book).returncode == 0
    table = tiny_book / "book/_build/html/book/over.html"
    assert "Leesbaarheid per pagina" in table.read_text() and "<th scope='row'>Proefpagina</th><td>180</td>" in table.read_text()

    page.write_text(page.read_text() + "\n<!-- een notitie voor auteurs -->\n")
    comment = build(tiny_book)
    assert comment.returncode == 0 and "0 added, 1 changed, 0 removed" in comment.stdout, comment.stdout[-1500:]
    assert "Executing" not in comment.stdout

    page.write_text(page.read_text() + "\nEn nog een zin erbij.\n")
    sentence = build(tiny_book)
    assert sentence.returncode == 0 and "0 added, 2 changed, 0 removed" in sentence.stdout, sentence.stdout[-1500:]
    assert "Executing" not in sentence.stdout
    assert "<th scope='row'>Proefpagina</th><td>185</td>" in table.read_text()
