"""Term dates: the local authority's published closures, with per-school overrides, read from TOML.

    authority = "Example Borough Council"
    covers = { from = 2025-09-01, to = 2027-08-31 }
    [[closure]]
    name = "Autumn half term"
    from = 2025-10-27
    to = 2025-10-31
    [school.100001]                 # a school's URN
    own_dates = false               # true: the school publishes its own holidays (academies)
    closures = [ { name = "INSET day", from = 2026-01-05, to = 2026-01-05 } ]
    open_days = [ 2026-05-04 ]      # open on a day the authority's calendar closes
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cme.calendar import CalendarError, Closure, SchoolCalendar


@dataclass(frozen=True)
class TermDates:
    authority: str
    closures: tuple[Closure, ...]
    covers: tuple[date, date] | None
    schools: dict[str, dict[str, Any]] = field(default_factory=dict)
    example: bool = False

    def authority_calendar(self) -> SchoolCalendar:
        return SchoolCalendar(name=self.authority, closures=self.closures, covers=self.covers)

    def calendar_for(self, school_key: str | None, school_name: str | None = None) -> SchoolCalendar:
        """The calendar of one school: the authority's, changed by that school's own section."""
        override = self.schools.get(str(school_key)) if school_key else None
        name = school_name or self.authority
        if not override:
            return SchoolCalendar(name=name, closures=self.closures, covers=self.covers)
        own = tuple(_closures(override.get("closures", []), f"school {school_key}"))
        closures = own if override.get("own_dates") else self.closures + own
        open_days = frozenset(_date(d, f"school {school_key} open_days") for d in override.get("open_days", []))
        return SchoolCalendar(name=name, closures=closures, open_days=open_days, covers=self.covers)


def parse_term_dates(text: str, source: str = "term dates") -> TermDates:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"The {source} file is not valid TOML: {error}") from error
    authority = data.get("authority")
    if not isinstance(authority, str) or not authority.strip():
        raise CalendarError(f"The {source} file must name its local authority (authority = \"...\").")
    covers = None
    if "covers" in data:
        span = data["covers"]
        covers = (_date(span.get("from"), "covers.from"), _date(span.get("to"), "covers.to"))
    schools = data.get("school", {})
    if not isinstance(schools, dict):
        raise CalendarError(f"In the {source} file, [school.<URN>] sections must be tables.")
    term_dates = TermDates(
        authority=authority.strip(),
        closures=tuple(_closures(data.get("closure", []), source)),
        covers=covers,
        schools={str(key): value for key, value in schools.items()},
        example=bool(data.get("example", False)),
    )
    for key in term_dates.schools:
        term_dates.calendar_for(key)
    return term_dates


def load_term_dates(path: str | Path) -> TermDates:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CalendarError(f"Cannot read the term dates file {path}: {error.strerror}") from error
    return parse_term_dates(text, source=str(path))


def _closures(entries: Any, where: str) -> list[Closure]:
    if not isinstance(entries, list):
        raise CalendarError(f"In {where}, closures must be a list of {{name, from, to}}.")
    closures = []
    for entry in entries:
        name = str(entry.get("name") or "closure")
        start = _date(entry.get("from"), f"{where}: {name}.from")
        end = _date(entry.get("to", entry.get("from")), f"{where}: {name}.to")
        closures.append(Closure(name=name, start=start, end=end))
    return closures


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{where} must be a date written YYYY-MM-DD, not {value!r}.")
