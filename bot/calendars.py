"""The school calendar of each school, from the term dates in force."""

from __future__ import annotations

from cme.calendar import SchoolCalendar
from cme.term_dates import TermDates
from storage.schools import SchoolInfo


class Calendars:
    def __init__(self, term_dates: TermDates) -> None:
        self.term_dates = term_dates
        self._cache: dict[str | None, SchoolCalendar] = {}

    def for_school(self, school: SchoolInfo | None) -> SchoolCalendar:
        """A school's calendar; the local authority's for a case with no school yet."""
        key = school.urn if school else None
        if key not in self._cache:
            if school is None:
                self._cache[key] = self.term_dates.authority_calendar()
            else:
                self._cache[key] = self.term_dates.calendar_for(school.urn, school.name)
        return self._cache[key]
