"""Kennischecks graded by the grader itself, from the letter the student typed, without running
any of her code.

A kennischeck is a choice: its test cell (locked, restored from the gradebook by nbgrader
before we see it) only calls `kies(antwoord_N, "ABC")` and `kies(antwoord_N, "ABC", goed="B")`.
Such a cell is recognised by its shape (`check_of`), and its outputs are computed here
(`grade_check`) from the literal assigned to `antwoord_N` in the cells above it
(`answer_literal`: parsed with `ast`, read with `ast.literal_eval`, never executed). The
outputs are exactly those the cell would have printed or raised in a kernel, so nbgrader's
own SaveAutoGrades scores them as it always did, and a student's code (a monkeypatched `kies`,
a forged result file, a redefined builtin) has no say in them. The hidden key is not sent into
the sandbox either (`blank_checks`).
"""

from __future__ import annotations

import ast
import contextlib
import io
from dataclasses import dataclass

from leerplein.course.answers import Hint, kies

ANSWERS_MODULE = "leerplein.course.answers"
NOT_A_LETTER = ("je antwoord bij {name} staat er niet als één letter tussen aanhalingstekens "
                "(bijvoorbeeld {name} = \"B\"). Daarom telt het niet mee.")


@dataclass(frozen=True)
class Check:
    variable: str  # antwoord_N
    calls: tuple[tuple[str, str | None], ...]  # (opties, goed) per kies() call, in order


def check_of(source: str) -> Check | None:
    """The check when `source` is a kennischeck test cell (only the import of `kies` and calls
    `kies(<name>, "<letters>"[, goed="<letter>"])` on one name); otherwise None."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    variable, calls = None, []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == ANSWERS_MODULE and stmt.level == 0 \
                and [(a.name, a.asname) for a in stmt.names] == [("kies", None)]:
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "kies"
                and len(call.args) == 2 and isinstance(call.args[0], ast.Name)
                and _is_str(call.args[1]) and all(k.arg == "goed" and _is_str(k.value) for k in call.keywords)
                and len(call.keywords) <= 1):
            return None
        if variable not in (None, call.args[0].id):
            return None
        variable = call.args[0].id
        calls.append((call.args[1].value, call.keywords[0].value.value if call.keywords else None))
    return Check(variable, tuple(calls)) if calls else None


def _is_str(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != ""


class NotALiteral(Exception):
    pass


def answer_literal(sources: list[str], variable: str):
    """The value of `variable` after the cells `sources` (the code cells above the check), read
    only from plain top-level assignments `variable = <literal>`; the last one counts, as it
    would when the cells run. None when it is never assigned. Raises NotALiteral when the name
    is bound in any other way that can be seen in the code (a call, an import, a loop, a
    function), because then only running her code could tell its value. Bindings that cannot
    be seen (`globals()[...] = ...`) are ignored: the typed letter is what counts."""
    value = None
    for source in sources:
        tree = _parse(source)
        if tree is None:
            continue  # a cell that does not compile does not run either
        plain = set()
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id == variable:
                plain.add(id(stmt.targets[0]))
        for node in ast.walk(tree):
            binds = (isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and node.id == variable
                     and id(node) not in plain)
            named = isinstance(node, (ast.Global, ast.Nonlocal)) and variable in node.names
            aliased = isinstance(node, ast.alias) and (node.asname or node.name).split(".")[0] == variable
            defined = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == variable
            if binds or named or aliased or defined:
                raise NotALiteral(variable)
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and id(stmt.targets[0]) in plain:
                try:
                    value = ast.literal_eval(stmt.value)
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    raise NotALiteral(variable) from None
    return value


def _parse(source: str):
    """The cell as IPython would compile it (magics become calls), or None when it cannot."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def grade_check(check: Check, sources_above: list[str]) -> list[dict]:
    """The outputs the check cell gives for the answer in `sources_above`: a stream when it
    passes, one error output (the Dutch sentence `kies` raises) when it does not."""
    stdout = io.StringIO()
    try:
        try:
            value = answer_literal(sources_above, check.variable)
        except NotALiteral:
            raise Hint(NOT_A_LETTER.format(name=check.variable)) from None
        with contextlib.redirect_stdout(stdout):
            for opties, goed in check.calls:
                try:
                    kies(value, opties, goed=goed)
                except AssertionError:
                    raise
                except Exception:  # noqa: BLE001 - e.g. a literal too large to print
                    raise Hint(NOT_A_LETTER.format(name=check.variable)) from None
    except AssertionError as err:  # Hint and NietGoed
        return _stream(stdout.getvalue()) + [{"output_type": "error", "ename": type(err).__name__,
                                               "evalue": str(err), "traceback": err._render_traceback_()}]
    return _stream(stdout.getvalue())


def _stream(text: str) -> list[dict]:
    return [{"output_type": "stream", "name": "stdout", "text": text}] if text else []


def grade_checks(cells: list) -> dict[int, list[dict]]:
    """Outputs per cell index for every kennischeck test cell (an nbgrader cell of code in the
    shape `check_of` knows) in `cells` (notebook cells, dicts or NotebookNodes)."""
    graded, code_above = {}, []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = _text(cell["source"])
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        # by grade_id, not by the `grade` flag a student can switch off: nbgrader has already
        # dropped unknown grade_ids and restored the teacher's source of locked cells
        check = check_of(source) if meta.get("grade_id") else None
        if check:
            graded[index] = grade_check(check, code_above)
        else:
            code_above.append(source)
    return graded


def blank_checks(cells: list) -> list:
    """Copies of `cells` fit to run in the sandbox: kennischeck cells are emptied, so the key
    in their hidden test never enters the student's process (it could print it)."""
    checks = grade_checks(cells)
    return [{**cell, "source": ""} if index in checks else cell for index, cell in enumerate(cells)]


def runs_silently(cells: list) -> bool:
    """True when running the code cells of `cells` (after `blank_checks`) cannot print, show or
    raise anything: each is empty or only assigns constants to names (`antwoord_1 = "B"`).
    Such a notebook needs no sandbox: its outputs are known without running it (all empty),
    and its kennischecks are graded from the literals anyway. Anything else (a call, an
    expression, a magic, a syntax error) is run in the sandbox as always."""
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(_text(cell["source"]))  # plain Python: a magic or `!cmd` does not parse
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        for stmt in tree.body:
            if not (isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, (str, int, float, bool, type(None)))):
                return False
    return True


def _text(source) -> str:
    return source if isinstance(source, str) else "".join(source)
