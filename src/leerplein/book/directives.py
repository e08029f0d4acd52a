"""Tables computed from the book's own sources, as MyST directives instead of executed cells.

    ```{studielast} 01-armoede-zien
    ```
    ```{studielast}
    ```
    ```{leesbaarheid}
    ```

A module's study-load table counts the words on its pages, and the readability table measures
every page: as code cells, one edited sentence re-executed the pages that show them (36 s). A
directive is computed when Sphinx reads its page, which records what it showed. Before each
build (`env-get-outdated`) every table is computed again (a tenth of a second: no notebook, YAML
and readability scores cached) and a page is read again exactly when one of its tables would
show something else: a new sentence changes the module's table, a comment or a typo fix changes
nothing.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Callable

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

SCORES_CACHE = ".readability-scores.json"  # pages measured before, by their prose's hash


def _study_load(root: Path, module: str | None) -> str:
    from leerplein.book.studielast import course_table, module_load, render_table

    return render_table(module_load(root, module)) if module else course_table(root)


def _readability(root: Path, _argument: str | None) -> str:
    from leerplein.book.readability import readability_html

    return readability_html(root, root / "book" / "_build" / SCORES_CACHE)


TABLES: dict[str, Callable[[Path, str | None], str]] = {"studielast": _study_load, "leesbaarheid": _readability}


def table_html(root: Path, name: str, argument: str | None) -> str:
    """The table as the page shows it; an error in the sources becomes the page's message."""
    try:
        return scrollable(TABLES[name](root, argument))
    except (ValueError, KeyError, OSError) as err:  # StudyLoadError is a ValueError
        return f'<p class="leerplein-fout">De tabel kon niet worden berekend: {html.escape(str(err))}</p>'


def scrollable(table: str) -> str:
    """A wide table scrolls inside its own box on a phone, not the page; the box can be reached
    and scrolled with the keyboard, and is named after the table's caption."""
    caption = re.search(r"<caption>(.*?)</caption>", table, re.S)
    label = html.escape(re.sub(r"<[^>]+>", "", caption.group(1)) if caption else "Tabel", quote=True)
    return f'<div class="leerplein-tabel" role="region" tabindex="0" aria-label="{label}">{table}</div>'


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _root(env) -> Path:
    return Path(env.srcdir)  # the book's source folder is the repository root (book/_config.yml)


class ComputedTable(SphinxDirective):
    optional_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        argument = self.arguments[0] if self.arguments else None
        shown = table_html(_root(self.env), self.name, argument)
        if "leerplein-fout" in shown:
            self.state.document.reporter.warning(f"{self.name} {argument or ''}: {re.sub(r'<[^>]+>', '', shown)}",
                                                 line=self.lineno)
        tables = self.env.__dict__.setdefault("leerplein_tables", {})
        tables.setdefault(self.env.docname, {})[f"{self.name}\0{argument or ''}"] = _digest(shown)
        return [nodes.raw("", shown, format="html")]


def pages_whose_tables_changed(root: Path, recorded: dict[str, dict[str, str]], skip=()) -> list[str]:
    """The documents that would show another table than when they were read."""
    now: dict[str, str] = {}
    changed = []
    for docname, tables in sorted(recorded.items()):
        if docname in skip:
            continue
        for key, digest in tables.items():
            if key not in now:
                name, argument = key.split("\0")
                now[key] = _digest(table_html(root, name, argument or None)) if name in TABLES else ""
            if now[key] != digest:
                changed.append(docname)
                break
    return changed


def _outdated(app, env, added, changed, removed):
    recorded = env.__dict__.get("leerplein_tables", {})
    return pages_whose_tables_changed(_root(env), recorded, skip={*added, *changed, *removed}) if recorded else []


def _purge(app, env, docname):
    env.__dict__.get("leerplein_tables", {}).pop(docname, None)


def _merge(app, env, docnames, other):
    mine = env.__dict__.setdefault("leerplein_tables", {})
    theirs = other.__dict__.get("leerplein_tables", {})
    mine.update({d: theirs[d] for d in docnames if d in theirs})


def register(app) -> None:
    for name in TABLES:
        app.add_directive(name, ComputedTable)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
