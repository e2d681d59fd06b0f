"""The Day 5 and Day 20 milestones of a continuous absence, and breaks that restart the count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cme.calendar import ONE_DAY, CalendarError, SchoolCalendar


class Milestone(StrEnum):
    DAY_5 = "day5"
    DAY_20 = "day20"

    @property
    def day(self) -> int:
        return 5 if self is Milestone.DAY_5 else 20

    @property
    def label(self) -> str:
        return f"Day {self.day}"

    @property
    def action(self) -> str:
        if self is Milestone.DAY_5:
            return "contact the Education Welfare Service and complete the missing pupil checklist"
        return "review with EWS; the CME referral is due; removal from roll may be requested"


class BreakKind(StrEnum):
    ATTENDED = "attended"
    AUTHORISED = "authorised"

    @property
    def label(self) -> str:
        return "attended" if self is BreakKind.ATTENDED else "absence authorised"


@dataclass(frozen=True)
class Break:
    """A school day on which the pupil attended, or was absent with authority: the run restarts."""

    on: date
    kind: BreakKind


def run_start(calendar: SchoolCalendar, first_day_absent: date, breaks: Iterable[Break] = ()) -> date:
    """Day 1 of the current continuous absence: the school day after the latest break, if any."""
    latest = max((b.on for b in breaks if b.on >= first_day_absent), default=None)
    if latest is None:
        return first_day_absent
    return calendar.next_school_day(latest)


def due_dates(calendar: SchoolCalendar, day_one: date) -> dict[Milestone, date]:
    """Each milestone's date as stored. One past the term dates is not known yet: it is stored as the day
    after they end, the earliest it can fall (never a guess), and `known_due_dates` shows it as None."""
    return {milestone: due or calendar.known_until + ONE_DAY
            for milestone, due in known_due_dates(calendar, day_one).items()}


def known_due_dates(calendar: SchoolCalendar, day_one: date) -> dict[Milestone, date | None]:
    """Each milestone's date, or None while it falls past the term dates in force."""
    return {milestone: calendar.known_date_of_day(day_one, milestone.day) for milestone in Milestone}


def check_break(calendar: SchoolCalendar, first_day_absent: date, on: date, today: date) -> None:
    if on > today:
        raise CalendarError("A break cannot be recorded for a date in the future.")
    if on < first_day_absent:
        raise CalendarError(
            f"The break ({on:%-d %B %Y}) is before the first day of absence ({first_day_absent:%-d %B %Y})."
        )
    if not calendar.is_school_day(on):
        raise CalendarError(
            f"{on:%A %-d %B %Y} was not a school day ({calendar.closure_on(on)}): "
            "a break is a school day the pupil attended or was absent with authority."
        )


def next_milestone(calendar: SchoolCalendar, day_one: date, today: date) -> tuple[Milestone, date | None] | None:
    """The first milestone not yet passed, with its date (None: not known yet); None after Day 20."""
    for milestone, due in known_due_dates(calendar, day_one).items():
        if due is None or due >= today:
            return milestone, due
    return None


def run_number(calendar: SchoolCalendar, first_day_absent: date, breaks: Iterable[Break]) -> int:
    """Which run of continuous absence the current one is: 1, then one more after each break that restarted it
    (breaks on consecutive school days restart it once)."""
    days = sorted({b.on for b in breaks if b.on >= first_day_absent})
    return 1 + sum(1 for day in days if calendar.next_school_day(day) not in days)
