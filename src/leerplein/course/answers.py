"""Checks students run in their notebook: friendly Dutch hints instead of tracebacks.

A kennischeck's visible test calls `kies(antwoord, "ABC")` (is the answer filled in, and is it
one of the letters?); the hidden test calls `kies(antwoord, "ABC", goed="B")`. Both raise an
error whose on-screen form is one Dutch sentence (IPython shows `_render_traceback_`), so a
student never sees code, and the hidden answer never appears in an output.
"""

from __future__ import annotations


class Hint(AssertionError):
    """The answer is not filled in the right way: tell the student what to type."""

    def _render_traceback_(self) -> list[str]:
        return [f"Let op: {self}"]


class NietGoed(AssertionError):
    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def normalise(answer) -> str:
    return str(answer).strip().strip("'\"").strip().upper()


def kies(antwoord, opties: str, goed: str | None = None) -> None:
    letters = ", ".join(opties[:-1]) + f" of {opties[-1]}"
    if antwoord is None or normalise(antwoord) == "":
        raise Hint(f"je hebt nog geen antwoord ingevuld. Typ {letters} tussen de aanhalingstekens.")
    choice = normalise(antwoord)
    if len(choice) != 1 or choice not in opties.upper():
        raise Hint(f"'{antwoord}' is geen keuze. Typ één letter: {letters}.")
    if goed is None:
        print(f"Je antwoord ({choice}) is ingevuld. Na het nakijken hoor je of het goed is.")
        return
    if choice != goed.upper():
        raise NietGoed("Dit antwoord is niet goed.")
