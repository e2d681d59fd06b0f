"""The school calendar of each school, from the term dates in force.

Term dates imported into the database (`cme-bot calendar import`) come first: a school's own, then
the local authority's. The CME_TERM_DATES file is used only while nothing has been imported.
`refresh` reads the database again; `cme-bot serve` calls it on start and every minute, so a new
import reaches every instance without a restart.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cme.calendar import CalendarError, SchoolCalendar
from cme.term_dates import TermDates, parse_term_dates
from cme.term_end import day_20_cutoff, term_end_warnings
from storage.schools import SchoolInfo
from storage.term_dates import AUTHORITY, StoredTermDates

if TYPE_CHECKING:
    from storage.store import Store

log = logging.getLogger(__name__)


def load_term_dates(path: str | Path) -> TermDates:
    """The term dates of a file (CME_TERM_DATES), or CalendarError saying what is wrong with it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CalendarError(f"Cannot read the term dates file {path}: {reason}") from error
    return parse_term_dates(text, source=str(path))


class Calendars:
    def __init__(self, term_dates: TermDates | None = None, *, file: str = "", problem: str | None = None) -> None:
        self.file_term_dates = term_dates
        self.file = file
        self.file_problem = problem
        self.imported: dict[str, tuple[StoredTermDates, TermDates]] = {}
        self._stamps: dict | None = None
        self._cache: dict[str | None, SchoolCalendar] = {}
        self.generation = 0  # counts the term dates put in force: what was worked out with older ones is stale

    @classmethod
    def from_file(cls, path: str | Path) -> Calendars:
        """The file's term dates; a missing or invalid file is remembered, not raised, as the database
        may hold imported ones (`term_dates` raises if neither has any)."""
        try:
            return cls(load_term_dates(path), file=str(path))
        except CalendarError as error:
            return cls(None, file=str(path), problem=str(error))

    @property
    def term_dates(self) -> TermDates:
        """The local authority's term dates in force."""
        if AUTHORITY in self.imported:
            return self.imported[AUTHORITY][1]
        if self.file_term_dates is None:
            raise CalendarError(f"No term dates: none are imported into the database, and the file cannot be "
                                f"used ({str(self.file_problem).rstrip('.')}). Import them with "
                                "`cme-bot calendar import <file.toml>`, or set CME_TERM_DATES.")
        return self.file_term_dates

    def own_term_dates(self, school: SchoolInfo | None) -> TermDates | None:
        """A school's own imported term dates, if it has some."""
        if school is None or f"school:{school.urn}" not in self.imported:
            return None
        return self.imported[f"school:{school.urn}"][1]

    def source_of(self, school: SchoolInfo | None) -> str:
        """Where the calendar of a school (None: the local authority) comes from, in words."""
        key = f"school:{school.urn}" if school else None
        for candidate in (key, AUTHORITY):
            if candidate in self.imported:
                return self.imported[candidate][0].label
        return f"the file {self.file}"

    def for_school(self, school: SchoolInfo | None) -> SchoolCalendar:
        """A school's calendar; the local authority's for a case with no school yet."""
        key = school.urn if school else None
        if key not in self._cache:
            if school is None:
                self._cache[key] = self.term_dates.authority_calendar()
            else:
                dates = self.own_term_dates(school) or self.term_dates
                self._cache[key] = dates.calendar_for(school.urn, school.name)
        return self._cache[key]

    def use(self, stored: list[StoredTermDates]) -> list[str]:
        """Put imported term dates in force; a copy that does not parse keeps the one before it."""
        imported, problems = {}, []
        for copy in stored:
            try:
                imported[copy.key] = (copy, parse_term_dates(copy.source, source=copy.label))
            except CalendarError as error:
                problems.append(str(error))
                if copy.key in self.imported:
                    imported[copy.key] = self.imported[copy.key]
        self.imported = imported
        self._cache.clear()
        self.generation += 1
        for problem in problems:
            log.error("imported term dates not used: %s", problem)
        return problems

    async def refresh(self, store: Store) -> bool:
        """Read the imported term dates again if they changed; True when they did."""
        stamps = await store.term_dates.stamps()
        if stamps == self._stamps:
            return False
        self.use(await store.term_dates.all())
        self._stamps = stamps
        log.info("term dates in force: %s", self.source_of(None))
        return True

    async def term_end_warnings(self, store: Store, today: date, authority_id: int | None = None) -> list[str]:
        """Warnings for the administrators and the local authority's channel: term dates ending within a term,
        and open cases (by reference) whose Day 20 falls near their end or past it. Schools whose dates end on
        the same day are told together. With `authority_id`, only that authority's schools and their cases."""
        schools = await store.schools.all(authority_id)
        groups: dict[date, tuple[SchoolCalendar, list[int | None], list[str]]] = {}
        for school in [None, *schools]:
            calendar = self.for_school(school)
            if calendar.known_until is not None:
                _, ids, names = groups.setdefault(calendar.known_until, (calendar, [], []))
                ids.append(school.id if school else None)
                names.append(school.name if school else "the local authority")
        said = []
        for _, (calendar, ids, names) in sorted(groups.items(), key=lambda group: group[0]):
            whose = "every school" if len(ids) == len(schools) + 1 else ", ".join(names)
            ours = ids if authority_id is None else [i for i in ids if i is not None]  # no school: any authority's
            near = await store.reminders.day_20_on_or_after(day_20_cutoff(calendar), school_ids=ours)
            said += term_end_warnings(calendar, today, near, whose)
        return said
