"""Warnings before the term dates run out: past their last date nothing is counted (cme/calendar.py),
so a case's Day 20, and with it the removal gate, waits for next year's dates to be imported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cme.calendar import ONE_DAY, SchoolCalendar

# An open case whose Day 20 falls within this many school days of the end of the term dates (or past it).
DAY_20_NEAR_THE_END = 30
# The shortest term in England is about twelve weeks: dates ending sooner must be renewed within a term.
A_TERM = 60
LISTED = 20


def day_20_cutoff(calendar: SchoolCalendar) -> date | None:
    """The earliest Day 20 within DAY_20_NEAR_THE_END school days of the end; None without an end."""
    if calendar.known_until is None:
        return None
    day = calendar.known_until + ONE_DAY
    for _ in range(DAY_20_NEAR_THE_END):
        day = calendar.previous_school_day(day)
    return day


def term_end_warnings(calendar: SchoolCalendar, today: date, near: Sequence[str], whose: str) -> list[str]:
    """What the administrators are told: the term dates of `whose` end within a term, and the open cases
    (`near`, by reference) whose Day 20 falls within DAY_20_NEAR_THE_END school days of the end or past it."""
    end = calendar.known_until
    if end is None:
        return []
    left = calendar.school_days_left(today) if calendar.is_known(today) else 0
    said = []
    if left < A_TERM:
        said.append(f"The term dates of {whose} end on {end:%-d %B %Y}, {left} school day(s) after today: less than "
                    f"a term ({A_TERM} school days). No day after it is counted, so import next year's with "
                    "`cme-bot calendar import` (keeping this year's closures in the file).")
    if near:
        listed = ", ".join(near[:LISTED]) + (f" and {len(near) - LISTED} more" if len(near) > LISTED else "")
        said.append(f"{len(near)} open case(s) of {whose} reach Day 20 within {DAY_20_NEAR_THE_END} school days of "
                    f"{end:%-d %B %Y} or after it ({listed}): their Day 20 and earliest off-roll date cannot be "
                    "known, nor removal agreed, until next year's term dates are imported.")
    return said
