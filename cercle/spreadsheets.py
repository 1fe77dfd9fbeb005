"""CSV files that are safe to open in a spreadsheet: the one CSV writer of Cercle.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in some, a tab
or a carriage return) as a formula, so a member named `=HYPERLINK(...)` would run
code on the computer of the coordinator who opens an export (CSV injection, OWASP).
Every text cell that begins with one of them is written with a single quote before
it, which spreadsheets show as text. A cell that is only a number ("-12", "+4.5%",
"-3,2 %") is left as it is: without letters or operators it cannot be a formula, and
the figures of the cockpit stay numbers.

Every CSV Cercle writes goes through `writer`; `tests/test_spreadsheets.py` checks
that no other module calls `csv.writer` itself.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number as the figures are written (digits, separators, a percent sign).
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\u00a0\u202f ]*%?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet reads it as data, never as a formula."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer`'s rows, each text cell made safe by `safe_cell`."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Writable) -> SafeWriter:
    return SafeWriter(stream)
