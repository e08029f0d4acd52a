"""CSV that spreadsheets open safely. Excel, LibreOffice and Google Sheets run a cell that starts
with = + - @ (or a tab or carriage return before one) as a formula: `=HYPERLINK(...)` leaks data,
`+cmd|' /C calc'!A0` starts a program. Every CSV Leerplein writes for a spreadsheet goes through
`writer`, which turns such text into plain text with a leading apostrophe (OWASP's advice)."""

from __future__ import annotations

import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's interface, with every cell passed through `safe_cell`."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> SafeWriter:
    return SafeWriter(stream, **kwargs)
