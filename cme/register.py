"""The local authority's register (policy 6.1, 8.3): every open case and every child out of provision of one
authority, one line each, filtered and paged by a stable key (longest missing first)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from cme.at_risk import GROUP_LABELS, REASON_LABELS
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import Change, take_step
from cme.deadlines import deadlines
from cme.lifecycle import ON_REGISTER, ProcedureError, Step
from cme.milestones import due_dates

PAGE = 20
# The most rows of the register a page reads for filters its index does not answer alone (storage/register_walk.py):
# when they do not fill it, the page says so and the next goes on from there.
SEARCHED = 1_000
NO_SCHOOL = "none"
MOST_WEEKS = 520
# Added by an officer directly (policy 6.1): a child waiting for a school place or an appeal.
AWAITING_PLACE = "awaiting_school_place"


@dataclass(frozen=True)
class RegisterFilter:
    """What the officer narrowed the register to; "" (or 0, False) for everything."""

    stage: str = ""  # a State's value
    school: str = ""  # a school's id, or NO_SCHOOL
    group: str = ""  # an at-risk group's key (policy 6.2)
    reason: str = ""  # a reason's key (policy 6.3)
    overdue_only: bool = False
    min_weeks: int = 0  # missing at least this many whole weeks

    def __post_init__(self) -> None:
        if self.stage and self.stage not in {state.value for state in ON_REGISTER}:
            raise ProcedureError("Choose a stage from the list.")
        if self.school and self.school != NO_SCHOOL and not (self.school.isascii() and self.school.isdigit()):
            raise ProcedureError("Choose a school from the list.")
        if self.group and self.group not in GROUP_LABELS:
            raise ProcedureError("Choose an at-risk group from the list.")
        if self.reason and self.reason not in REASON_LABELS:
            raise ProcedureError("Choose a reason from the list.")
        if not 0 <= self.min_weeks <= MOST_WEEKS:
            raise ProcedureError(f"Weeks missing must be between 0 and {MOST_WEEKS}.")

    @property
    def school_id(self) -> int | None:
        return int(self.school) if self.school and self.school != NO_SCHOOL else None

    def as_data(self) -> dict:
        """For the card's buttons, so the next page keeps the filters."""
        return {"stage": self.stage, "school": self.school, "group": self.group, "reason": self.reason,
                "overdue_only": "true" if self.overdue_only else "false", "min_weeks": str(self.min_weeks)}

    @property
    def narrowed(self) -> bool:
        return self != RegisterFilter()


@dataclass(frozen=True)
class PageKey:
    """Where a page ends: the last line's first day of absence and case id (the order, and unique)."""

    missing_since: date
    case_id: int

    def as_text(self) -> str:
        return f"{self.missing_since.isoformat()}/{self.case_id}"

    @classmethod
    def parse(cls, text: str) -> PageKey | None:
        day, _, number = text.partition("/")
        try:
            return cls(date.fromisoformat(day), int(number)) if number.isdigit() else None
        except ValueError:
            return None


def link_to_school(case: Case, school_id: int, school_name: str, calendar: SchoolCalendar, first_day: date | None,
                   today: date) -> Change:
    """A child with no school yet (an agency's referral, or added by an officer) linked to the school they are on
    roll at: its staff get the case, and its Day 5 and Day 20 are counted from `first_day` on that school's days."""
    if case.school_id is not None:
        raise ProcedureError("This case has a school already.")
    if first_day is None or first_day > today:
        raise ProcedureError("Give the first day of absence at that school, not after today.")
    start = calendar.school_day_on_or_after(first_day)
    linked = replace(case, school_id=school_id, first_day_absent=start, run_start=start)
    return take_step(case, Step.LINK_TO_SCHOOL, today, "linked_to_school",
                     {"school_id": school_id, "school": school_name, "first_day_absent": start.isoformat()},
                     f"Linked to {school_name}: its staff have the case, Day 1 {start:%A %-d %B %Y}",
                     milestones=due_dates(calendar, start) | deadlines(linked, calendar, today),
                     school_id=school_id, first_day_absent=start, run_start=start)
