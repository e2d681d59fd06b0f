"""What an export is: a titled table of plain values, rendered as CSV or as a printable page (render.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

Cell = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class Table:
    """An export's content, built afresh each time a link is used.

    title: "Register: Example Borough Council" (the page's heading, and the file's name unless `filename`).
    columns: the header, one name a column. rows: one sequence of cells a line, as many cells as columns; a
    cell is text, a number, a date or datetime (written ISO 8601), a bool ("yes"/"no") or None (empty).
    notes: lines under the heading on the printable page (the filters, "as of", the law); not in the CSV.
    """

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    notes: Sequence[str] = ()
    filename: str = ""  # the download's name without extension; "" makes one from the title
    footer: Sequence[str] = field(default=())  # lines after the table on the printable page

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows, 1):
            if len(row) != len(self.columns):
                raise ValueError(f"row {number} of {self.title!r} has {len(row)} cells for {len(self.columns)} "
                                 "columns")

    @property
    def stem(self) -> str:
        """A safe file name: letters, digits and dashes only."""
        return re.sub(r"[^a-z0-9]+", "-", (self.filename or self.title).lower()).strip("-")[:80] or "export"


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
