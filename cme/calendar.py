"""School-day arithmetic: every threshold of the procedure is counted in days the school is open."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property, lru_cache

import holidays

ONE_DAY = timedelta(days=1)


@cache
def _england_bank_holidays() -> holidays.HolidayBase:
    """One table for every calendar: building it is slow, and it is the same for all."""
    return _united_kingdom()(subdiv="ENG")


def _united_kingdom() -> type[holidays.HolidayBase]:
    """The United Kingdom's holidays, their module alone: `holidays.countries` imports every country's (8 MB)."""
    spec = importlib.machinery.PathFinder.find_spec("united_kingdom", [f"{holidays.__path__[0]}/countries"])
    if spec is None:  # laid out otherwise by another version of holidays
        return type(holidays.country_holidays("GB"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.UnitedKingdom


@lru_cache(maxsize=64)
def _closed_days(closures: tuple[Closure, ...]) -> frozenset[date]:
    """The days these closures shut: one set for every school of the same term dates (2,000 schools, one set)."""
    return frozenset(day for closure in closures for day in closure.days())


@lru_cache(maxsize=256)
def _remembered(what: str, closures: tuple[Closure, ...], open_days: frozenset[date],
                covers: tuple[date, date] | None) -> dict:
    """One dict of `what` a calendar has worked out for all the calendars of these same days."""
    return {}


class CalendarError(ValueError):
    """A date that the procedure cannot count from, in words a member of staff can act on."""


class NotKnownYet(CalendarError):
    """A date past the last one the term dates in force cover: the bot will not guess which days are open."""


@dataclass(frozen=True)
class Closure:
    """Days the school is shut: a holiday, a half term, an INSET day. Both ends included."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(f"The closure '{self.name}' ends ({self.end}) before it starts ({self.start}).")

    def days(self) -> Iterable[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += ONE_DAY


@dataclass(frozen=True)
class SchoolCalendar:
    """The days one school is open: weekdays, less England's bank holidays and its closures.

    `covers` is the span its term dates were published for. Past its end only weekends and bank
    holidays are known, so no count runs past it: `day_number` stops at the last covered date (a
    lower bound, never a guess) and `date_of_day` raises NotKnownYet for a day it would have to guess.
    """

    name: str
    closures: tuple[Closure, ...] = ()
    open_days: frozenset[date] = frozenset()
    covers: tuple[date, date] | None = None

    @cached_property
    def _closed(self) -> frozenset[date]:
        return _closed_days(self.closures)

    @cached_property
    def _bank_holidays(self) -> holidays.HolidayBase:
        return _england_bank_holidays()

    @cached_property
    def _answers(self) -> dict:
        """Answers worked out already: the calendar never changes, so they stay true. Shared by every calendar of the
        same days (the schools that keep their authority's term dates), so they are remembered once, not per school."""
        return _remembered("answers", self.closures, self.open_days, self.covers)

    REMEMBERED_DAY_NUMBERS = 20_000  # (Day 1, date) pairs: a few days' worth for a large school's open cases

    @cached_property
    def _day_numbers(self) -> dict[tuple[date, date], int]:
        return _remembered("day numbers", self.closures, self.open_days, self.covers)

    def is_bank_holiday(self, day: date) -> bool:
        return day in self._bank_holidays

    def is_covered(self, day: date) -> bool:
        return self.covers is None or self.covers[0] <= day <= self.covers[1]

    @property
    def known_until(self) -> date | None:
        """The last date the term dates cover (None: no end, as in tests without covers)."""
        return self.covers[1] if self.covers else None

    def is_known(self, day: date) -> bool:
        """Whether the school's being open on `day` is known, not guessed."""
        return self.covers is None or day <= self.covers[1]

    @property
    def unknown_reason(self) -> str:
        """Why a date past the term dates is not known, in words an administrator can act on."""
        if self.known_until is None:
            return ""
        return f"the term dates end on {self.known_until:%-d %B %Y}: an administrator must import next year's"

    def school_days_left(self, day: date) -> int | None:
        """School days from the day after `day` to the end of the term dates; None without an end."""
        if self.known_until is None:
            return None
        return len(self.school_days_between(day + ONE_DAY, self.known_until))

    def is_school_day(self, day: date) -> bool:
        known = self._answers.get(day)
        if known is None:
            known = self._answers[day] = day in self.open_days or (
                day.weekday() < 5 and day not in self._closed and not self.is_bank_holiday(day))
        return known

    def closure_on(self, day: date) -> str | None:
        """Why the school is shut on a day, or None when it is open."""
        if self.is_school_day(day):
            return None
        if day.weekday() >= 5:
            return "a weekend"
        if self.is_bank_holiday(day):
            return f"a bank holiday ({self._bank_holidays.get(day)})"
        for closure in self.closures:
            if closure.start <= day <= closure.end:
                return closure.name
        return "a closure day"

    def next_school_day(self, day: date) -> date:
        """The first school day strictly after `day`."""
        return self.school_day_on_or_after(day + ONE_DAY)

    def school_day_on_or_after(self, day: date) -> date:
        for _ in range(400):
            if self.is_school_day(day):
                return day
            day += ONE_DAY
        raise CalendarError(f"No school day within a year of {day}: check the term dates.")

    def previous_school_day(self, day: date) -> date:
        """The last school day strictly before `day`."""
        day -= ONE_DAY
        for _ in range(400):
            if self.is_school_day(day):
                return day
            day -= ONE_DAY
        raise CalendarError(f"No school day within a year before {day}: check the term dates.")

    def day_number(self, day_one: date, on: date) -> int:
        """The school-day count on `on` of an absence whose Day 1 is `day_one`.

        On a day the school is shut the count stands at the last school day's; before Day 1 it is 0.
        Past the term dates it stands at the count on their last date: check `is_known(on)` before
        showing it as Day N.
        """
        if not self.is_known(on):
            on = self.known_until
        known = self._day_numbers.get((day_one, on))
        if known is None:
            self._require_school_day(day_one)
            if len(self._day_numbers) >= self.REMEMBERED_DAY_NUMBERS:
                self._day_numbers.clear()
            known = self._day_numbers[(day_one, on)] = len(self.school_days_between(day_one, on))
        return known

    def date_of_day(self, day_one: date, n: int) -> date:
        """The date on which Day `n` falls, counting school days from `day_one` (Day 1).

        NotKnownYet when it falls past the term dates: it would be a guess.
        """
        if n < 1:
            raise CalendarError(f"Days are counted from Day 1, not Day {n}.")
        day = self._answers.get((day_one, n))
        if day is None:
            self._require_school_day(day_one)
            day = day_one
            for _ in range(n - 1):
                day = self.next_school_day(day)
            self._answers[(day_one, n)] = day
        if not self.is_known(day):
            raise NotKnownYet(f"The date of Day {n} is not known yet: {self.unknown_reason}.")
        return day

    def known_date_of_day(self, day_one: date, n: int) -> date | None:
        """The date of Day `n`, or None when it falls past the term dates."""
        try:
            return self.date_of_day(day_one, n)
        except NotKnownYet:
            return None

    def _require_school_day(self, day: date) -> None:
        if not self.is_school_day(day):
            raise CalendarError(
                f"{day:%A %-d %B %Y} is not a school day at {self.name} ({self.closure_on(day)}): "
                "Day 1 must be a day the school was open."
            )

    def school_days_between(self, first: date, last: date) -> list[date]:
        """The school days from `first` to `last`, both included."""
        days: list[date] = []
        day = first
        while day <= last:
            if self.is_school_day(day):
                days.append(day)
            day += ONE_DAY
        return days
