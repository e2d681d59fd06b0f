"""The arithmetic of `stats`: the last twelve months, weeks-missing buckets, and the median school days to locate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cme.lifecycle import Outcome

# Closing outcomes that mean the child was found (removal from roll alone does not).
LOCATED = (Outcome.RETURNED, Outcome.LOCATED_IN_AREA, Outcome.ON_ROLL_ELSEWHERE, Outcome.LOCATED_OUTSIDE_AREA,
           Outcome.ELECTIVE_HOME_EDUCATION, Outcome.OTHER_PROVISION, Outcome.LEFT_ENGLAND)

# Whole weeks since Day 1: (label, the bucket holds fewer weeks than this; None: the rest).
WEEK_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("Under 2 weeks", 2), ("2 to 3 weeks", 4), ("4 to 7 weeks", 8), ("8 to 11 weeks", 12), ("12 weeks or more", None))

MONTHS = 12


def months(today: date) -> list[tuple[int, int]]:
    """(year, month) of the last twelve months, oldest first, this month last."""
    index = today.year * 12 + today.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - MONTHS + 1, index + 1)]


def first_month(today: date) -> date:
    year, month = months(today)[0]
    return date(year, month, 1)


def month_label(year: int, month: int) -> str:
    return date(year, month, 1).strftime("%b %y")


def weighted_median(values: Iterable[tuple[int, int]]) -> float | None:
    """The median of values each given with how many cases share it; None without any."""
    ordered = sorted((v, n) for v, n in values if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, count in ordered:
        found += [value for position in middle if seen <= position < seen + count]
        seen += count
    return sum(found) / 2
