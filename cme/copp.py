"""The Children Out of Provision Panel (COPP, policy 8.3-8.5): when it sits, and the figures it is shown.

It sits every second week on a weekday and at a time each authority sets (by default every other Monday
at 09:00). Only on school days: when its day is not one (a bank holiday, a closure, the holidays), it
sits on the next school day, and two fortnights falling in one holiday make one panel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cme.calendar import SchoolCalendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
FORTNIGHT = timedelta(days=14)
# Without an anchor of its own an authority's fortnights count from this Monday's week.
DEFAULT_ANCHOR = date(2024, 1, 1)
DEFAULT_TIME = time(9, 0)
NOT_LOCATED = frozenset({"removed_from_roll", "not_located"})  # closing outcomes that do not find the child
LONGEST = 5  # how many of the longest missing the digest names by reference


class ScheduleError(ValueError):
    """A COPP setting that cannot be used, said so the person setting it can correct it."""


@dataclass(frozen=True)
class PanelSchedule:
    weekday: int = 0  # Monday
    at: time = DEFAULT_TIME
    anchor: date | None = None  # the first panel is on `weekday` on or after it; fortnights count from there

    def __post_init__(self) -> None:
        if not 0 <= self.weekday < len(WEEKDAYS):
            raise ScheduleError("The panel sits on a weekday, Monday to Friday.")

    @property
    def first(self) -> date:
        """The first panel's day before any school-day shift."""
        start = self.anchor or DEFAULT_ANCHOR
        return start + timedelta(days=(self.weekday - start.weekday()) % 7)

    def describe(self) -> str:
        return (f"every other {WEEKDAYS[self.weekday].title()} at {self.at:%H:%M}, from {self.first:%-d %B %Y}; "
                "on the next school day when that day is not one")

    def as_json(self) -> dict:
        return {"weekday": self.weekday, "at": self.at.strftime("%H:%M"),
                "anchor": self.anchor.isoformat() if self.anchor else None}

    @classmethod
    def from_json(cls, value: dict) -> PanelSchedule:
        anchor = value.get("anchor")
        return cls(int(value.get("weekday", 0)), time.fromisoformat(value.get("at") or "09:00"),
                   date.fromisoformat(anchor) if anchor else None)


def parse_weekday(value: str) -> int:
    word = value.strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if word and name.startswith(word[:3]) and len(word) >= 3:
            return number
    raise ScheduleError(f"The panel's day must be one of {', '.join(WEEKDAYS)}.")


def parse_time(value: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError as error:
        raise ScheduleError("The panel's time must be HH:MM, for example 09:00.") from error


@dataclass(frozen=True)
class Panel:
    """One sitting: its school day, and the sitting before it (None for the first)."""

    day: date
    previous: date | None

    def starts(self, at: time) -> datetime:
        return datetime.combine(self.day, at)


def _sitting(schedule: PanelSchedule, calendar: SchoolCalendar, n: int) -> date:
    return calendar.school_day_on_or_after(schedule.first + n * FORTNIGHT)


def _panel(schedule: PanelSchedule, calendar: SchoolCalendar, n: int) -> Panel:
    day, m = _sitting(schedule, calendar, n), n - 1
    while m >= 0 and _sitting(schedule, calendar, m) == day:
        m -= 1  # a fortnight shifted onto the same day is the same sitting
    return Panel(day, _sitting(schedule, calendar, m) if m >= 0 else None)


def latest_panel(schedule: PanelSchedule, calendar: SchoolCalendar, on: date) -> Panel | None:
    """The last sitting on or before `on`; None before the first."""
    if on < schedule.first:
        return None
    n = (on - schedule.first).days // FORTNIGHT.days
    while n >= 0 and _sitting(schedule, calendar, n) > on:
        n -= 1
    return _panel(schedule, calendar, n) if n >= 0 else None


def next_panel(schedule: PanelSchedule, calendar: SchoolCalendar, on: date) -> Panel:
    """The first sitting on or after `on`."""
    n = max(0, (on - schedule.first).days // FORTNIGHT.days)
    while _sitting(schedule, calendar, n) < on:
        n += 1
    return _panel(schedule, calendar, n)


@dataclass(frozen=True)
class PanelCase:
    """A child on the panel's register, or closed since the last sitting."""

    reference: str
    name: str
    school: str  # its name, or "No school"
    stage: str
    missing_since: date
    opened_on: date
    closed_on: date | None = None
    outcome: str | None = None  # the closing outcome's value
    outcome_label: str = ""
    overdue: tuple[str, ...] = ()


@dataclass(frozen=True)
class PanelCounts:
    """How many children each of the panel's figures holds, whatever the lists show of them."""

    open: int = 0  # on the register
    new: int = 0  # reported since the last sitting
    new_on_register: int = 0  # of them, still on the register
    located: int = 0  # located since the last sitting
    overdue: int = 0  # open with an action overdue
    by_stage: tuple[tuple[str, int], ...] = ()  # (stage, children on the register)


@dataclass(frozen=True)
class PanelFigures:
    """The panel's counts, and the first children of each list (all of them when few), each longest missing first."""

    on: date
    since: date
    counts: PanelCounts
    open: list[PanelCase]
    new: list[PanelCase]
    new_on_register: list[PanelCase]
    located: list[PanelCase]
    overdue: list[PanelCase]

    @property
    def by_stage(self) -> list[tuple[str, int]]:
        return sorted(((stage, n) for stage, n in self.counts.by_stage if n), key=lambda item: (-item[1], item[0]))

    @property
    def longest(self) -> list[tuple[PanelCase, int]]:
        return [(case, weeks_missing(case, self.on)) for case in self.open[:LONGEST]]


def weeks_missing(case: PanelCase, on: date) -> int:
    return max(0, (on - case.missing_since).days // 7)


def _ranked(cases: list[PanelCase]) -> list[PanelCase]:
    return sorted(cases, key=lambda case: (case.missing_since, case.reference))


def figures(on: date, since: date, counts: PanelCounts, *, open: list[PanelCase], new: list[PanelCase],
            new_on_register: list[PanelCase], located: list[PanelCase], overdue: list[PanelCase]) -> PanelFigures:
    """What the panel discusses: the children without provision by stage, who is new and who was located since
    the last sitting (`since`), the longest missing, and the overdue actions; each list as given, ranked."""
    return PanelFigures(on, since, counts, _ranked(open), _ranked(new), _ranked(new_on_register), _ranked(located),
                        _ranked(overdue))


def is_located(case: PanelCase, since: date) -> bool:
    return (case.closed_on is not None and since <= case.closed_on and case.outcome is not None
            and case.outcome not in NOT_LOCATED)


def panel_figures(cases: list[PanelCase], since: date, on: date) -> PanelFigures:
    """The figures of every child on the register or closed since, each list whole."""
    still_open = [case for case in cases if case.closed_on is None]
    new = [case for case in cases if since <= case.opened_on]
    located = [case for case in cases if is_located(case, since)]
    overdue = [case for case in still_open if case.overdue]
    new_on_register = [case for case in new if case.closed_on is None]
    counts = PanelCounts(len(still_open), len(new), len(new_on_register), len(located), len(overdue),
                         tuple(Counter(case.stage for case in still_open).items()))
    return figures(on, since, counts, open=still_open, new=new, new_on_register=new_on_register, located=located,
                   overdue=overdue)
