"""Tables computed from the book's own sources, as MyST directives instead of executed cells.

    ```{studielast} 01-armoede-zien
    ```
    ```{studielast}
    ```
    ```{leesbaarheid}
    ```

A module's study-load table counts the words on its pages, and the readability table measures
every page: as code cells, one edited sentence re-executed the pages that show them (36 s). A
directive is computed when Sphinx reads its page, and it names the files it was computed from
(`env.note_dependency`), so Sphinx reads that page again, without executing anything, exactly
when one of them changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def _study_load(root: Path, module: str | None) -> tuple[str, list[Path]]:
    from leerplein.book.studielast import course_table, module_load, render_table, study_load_inputs

    html = render_table(module_load(root, module)) if module else course_table(root)
    return html, study_load_inputs(root, module)


SCORES_CACHE = ".readability-scores.json"  # pages measured before, by their prose's hash


def _readability(root: Path, _argument: str | None) -> tuple[str, list[Path]]:
    from leerplein.book.readability import readability_html, readability_inputs

    return readability_html(root, root / "book" / "_build" / SCORES_CACHE), readability_inputs(root)


class ComputedTable(SphinxDirective):
    """Raw HTML from a plain function of (repository root, argument) -> (html, input files)."""

    optional_arguments = 1
    has_content = False
    compute: Callable[[Path, str | None], tuple[str, list[Path]]]

    def run(self) -> list[nodes.Node]:
        from leerplein.paths import find_root

        root = find_root(Path(self.env.srcdir))
        try:
            html, inputs = type(self).compute(root, self.arguments[0] if self.arguments else None)
        except (ValueError, KeyError, OSError) as err:  # StudyLoadError is a ValueError
            return [self.state.document.reporter.error(
                f"{self.name}: {err}", line=self.lineno)]
        for path in [*inputs, Path(__file__)]:  # changed code renders the table anew, too
            self.env.note_dependency(str(path))
        return [nodes.raw("", scrollable(html), format="html")]


def scrollable(table: str) -> str:
    """A wide table scrolls inside its own box on a phone, not the page; the box can be reached
    and scrolled with the keyboard, and is named after the table's caption."""
    import html
    import re

    caption = re.search(r"<caption>(.*?)</caption>", table, re.S)
    label = html.escape(re.sub(r"<[^>]+>", "", caption.group(1)) if caption else "Tabel", quote=True)
    return f'<div class="leerplein-tabel" role="region" tabindex="0" aria-label="{label}">{table}</div>'


def computed_table(compute: Callable[[Path, str | None], tuple[str, list[Path]]]) -> type[ComputedTable]:
    return type(f"ComputedTable_{compute.__name__}", (ComputedTable,), {"compute": staticmethod(compute)})


DIRECTIVES = {"studielast": computed_table(_study_load), "leesbaarheid": computed_table(_readability)}


def register(app) -> None:
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)
