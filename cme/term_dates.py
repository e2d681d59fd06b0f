"""Term dates: the local authority's published closures, with per-school overrides, as TOML text.

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

The one reader of this format, for the file in force and for `cme-bot calendar import` alike. It is
strict: every problem is reported at once, each with its line and field, and a misspelt field (which
would otherwise silently drop closures) is refused.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cme.calendar import CalendarError, Closure, SchoolCalendar

TOP_FIELDS = ("example", "authority", "covers", "closure", "school")
COVERS_FIELDS = ("from", "to")
CLOSURE_FIELDS = ("name", "from", "to")
SCHOOL_FIELDS = ("own_dates", "closures", "open_days")
COVERS = "covers = { from = YYYY-MM-DD, to = YYYY-MM-DD }"
HINTS = {"closures": "the authority's closures are written [[closure]], one per holiday",
         "holiday": "closures are written [[closure]]", "holidays": "closures are written [[closure]]",
         "schools": "a school's section is written [school.<URN>]", "open_day": "write open_days = [...]",
         "start": "write from = YYYY-MM-DD", "end": "write to = YYYY-MM-DD"}


@dataclass(frozen=True)
class SchoolDates:
    """A school's own section: its extra closures (or, with own_dates, its only ones) and open days."""

    own_dates: bool = False
    closures: tuple[Closure, ...] = ()
    open_days: frozenset[date] = frozenset()


@dataclass(frozen=True)
class TermDates:
    authority: str
    closures: tuple[Closure, ...]
    covers: tuple[date, date]
    schools: dict[str, SchoolDates] = field(default_factory=dict)
    example: bool = False

    def authority_calendar(self) -> SchoolCalendar:
        return SchoolCalendar(name=self.authority, closures=self.closures, covers=self.covers)

    def calendar_for(self, school_key: str | None, school_name: str | None = None) -> SchoolCalendar:
        """The calendar of one school: the authority's, changed by that school's own section."""
        own = self.schools.get(str(school_key)) if school_key else None
        name = school_name or self.authority
        if own is None:
            return SchoolCalendar(name=name, closures=self.closures, covers=self.covers)
        closures = own.closures if own.own_dates else self.closures + own.closures
        return SchoolCalendar(name=name, closures=closures, open_days=own.open_days, covers=self.covers)


def parse_term_dates(text: str, source: str = "term dates", *, school_urn: str | None = None) -> TermDates:
    """The term dates in `text`, or CalendarError listing every problem with its line and field.
    `school_urn`: the text is that school's own dates, so it may have no other school's section."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"{source}: not valid TOML: {error}.") from error
    at = _Problems(text, source)
    at.unknown_fields(data, TOP_FIELDS, "", at.key_line)
    authority = _authority(data.get("authority"), at)
    covers = _covers(data.get("covers"), at)
    closures = _authority_closures(data.get("closure", []), at)
    schools = _schools(data.get("school", {}), school_urn, at)
    example = data.get("example", False)
    if not isinstance(example, bool):
        at.say(at.key_line("example"), "example must be true or false.")
    if at.found:
        raise CalendarError("\n".join(at.found))
    return TermDates(authority=authority, closures=tuple(closures), covers=covers, schools=schools, example=example)


class _Problems:
    """The problems found, each placed on its line: tomllib gives no positions, so they are found in the text."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source
        self.found: list[str] = []

    def say(self, line: int | None, message: str) -> None:
        self.found.append(f"{self.source}, line {line}: {message}" if line else f"{self.source}: {message}")

    def unknown_fields(self, table: dict, known: tuple[str, ...], label: str, line_of: Callable) -> None:
        for key in table:
            if key not in known:
                hint = HINTS.get(key, "known fields are " + ", ".join(known))
                self.say(line_of(key), f"{label}unknown field '{key}' ({hint}).")

    def date(self, value: Any, where: str, line: int | None) -> date | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if value is None:
            self.say(line, f"{where} is missing (a date written YYYY-MM-DD).")
        else:
            self.say(line, f"{where} must be a date written YYYY-MM-DD, not {value!r}.")
        return None

    def key_line(self, key: str) -> int | None:
        pattern = re.compile(rf"\s*(\[\[?\s*)?\"?{re.escape(key)}\"?\s*(=|\]|\.)")
        return self._first(lambda line: pattern.match(line))

    def header_lines(self, pattern: str) -> list[int]:
        return [i for i, line in enumerate(self.lines, 1) if re.match(pattern, line)]

    def school_line(self, urn: Any) -> int | None:
        pattern = re.compile(rf"\s*\[\s*school\s*\.\s*[\"']?{re.escape(str(urn))}[\"']?\s*\]")
        return self._first(lambda line: pattern.match(line))

    def next_header(self, start: int | None) -> int | None:
        if start is None:
            return None
        return self._first(lambda line: re.match(r"\s*\[", line), start + 1)

    def field_line(self, key: str, start: int | None, end: int | None) -> int | None:
        """The line of `key = ...` between two lines, or `start` if it is not found there."""
        if start is None:
            return None
        pattern = re.compile(rf"(^|[\s{{,])\"?{re.escape(key)}\"?\s*=")
        return self._first(lambda line: pattern.search(line.split("#")[0]), start, end) or start

    def text_line(self, text: str, start: int | None, end: int | None) -> int | None:
        return self._first(lambda line: text in line, start or 1, end)

    def _first(self, matches: Callable[[str], Any], start: int = 1, end: int | None = None) -> int | None:
        return next((i for i, line in enumerate(self.lines, 1)
                     if i >= start and (end is None or i < end) and matches(line)), None)


def _authority(authority: Any, at: _Problems) -> str:
    if not isinstance(authority, str) or not authority.strip():
        at.say(at.key_line("authority"), 'authority = "..." is missing or empty: the file must name its local '
                                         "authority (for a school's own dates, who publishes them).")
        return ""
    return authority.strip()


def _covers(covers: Any, at: _Problems) -> tuple[date, date] | None:
    line = at.key_line("covers")
    if covers is None:
        at.say(None, f"{COVERS} is missing: the span these dates were published for, so that the bot knows "
                     "when they run out.")
        return None
    if not isinstance(covers, dict):
        at.say(line, f"covers must be written {COVERS}.")
        return None
    for key in covers:
        if key not in COVERS_FIELDS:
            at.say(line, f"unknown field 'covers.{key}' ({COVERS}).")
    start = at.date(covers.get("from"), "covers.from", line)
    end = at.date(covers.get("to"), "covers.to", line)
    if start and end and end < start:
        at.say(line, f"covers.to ({end}) is before covers.from ({start}).")
        return None
    return (start, end) if start and end else None


def _authority_closures(entries: Any, at: _Problems) -> list[Closure]:
    if not isinstance(entries, list):
        at.say(at.key_line("closure"), "closures are written [[closure]] (two brackets), one per holiday.")
        return []
    headers = at.header_lines(r"\s*\[\[\s*closure\s*\]\]")
    closures = []
    for n, entry in enumerate(entries):
        start = headers[n] if n < len(headers) else None
        end = headers[n + 1] if n + 1 < len(headers) else at.next_header(start)
        closures.append(_closure(entry, f"closure {n + 1}", start, end, at))
    return [closure for closure in closures if closure]


def _closure(entry: Any, what: str, start: int | None, end: int | None, at: _Problems) -> Closure | None:
    """One closure, its lines between `start` and `end`."""
    if not isinstance(entry, dict):
        at.say(start, f"{what} must be written {{ name = \"...\", from = YYYY-MM-DD, to = YYYY-MM-DD }}.")
        return None
    name = entry.get("name")
    label = f"{what} \"{name}\"" if name else what
    if not name:
        at.say(start, f"{label}: name = \"...\" is missing (say what the closure is, e.g. \"Autumn half term\").")
    at.unknown_fields(entry, CLOSURE_FIELDS, f"{label}: ", lambda key: at.field_line(key, start, end))
    first = at.date(entry.get("from"), f"{label}: from", at.field_line("from", start, end))
    last = at.date(entry.get("to"), f"{label}: to", at.field_line("to", start, end)) if "to" in entry else first
    if first and last and last < first:
        at.say(at.field_line("to", start, end), f"{label} ends ({last}) before it starts ({first}).")
        return None
    return Closure(name=str(name), start=first, end=last) if name and first and last else None


def _schools(schools: Any, school_urn: str | None, at: _Problems) -> dict[str, SchoolDates]:
    if not isinstance(schools, dict):
        at.say(at.key_line("school"), "a school's section is written [school.<URN>].")
        return {}
    parsed = {}
    for urn, section in schools.items():
        start = at.school_line(urn)
        if school_urn and str(urn) != str(school_urn):
            at.say(start, f"[school.{urn}] in the term dates of school {school_urn}: a school's own file may only "
                          f"have a [school.{school_urn}] section.")
        if not isinstance(section, dict):
            at.say(start, f"[school.{urn}] must be a section of fields ({', '.join(SCHOOL_FIELDS)}).")
            continue
        parsed[str(urn)] = _school(section, f"[school.{urn}]", start, at.next_header(start), at)
    return parsed


def _school(section: dict, label: str, start: int | None, end: int | None, at: _Problems) -> SchoolDates:
    """A school's section, its lines between `start` and `end`."""
    at.unknown_fields(section, SCHOOL_FIELDS, f"{label}: ", lambda key: at.field_line(key, start, end))
    own_dates = section.get("own_dates", False)
    if not isinstance(own_dates, bool):
        at.say(at.field_line("own_dates", start, end), f"{label}: own_dates must be true or false.")
    closures = _school_closures(section.get("closures", []), label, start, end, at)
    open_days = _open_days(section.get("open_days", []), label, at.field_line("open_days", start, end), at)
    return SchoolDates(own_dates=own_dates is True, closures=tuple(closures), open_days=frozenset(open_days))


def _school_closures(entries: Any, label: str, start: int | None, end: int | None, at: _Problems) -> list[Closure]:
    if not isinstance(entries, list):
        at.say(at.field_line("closures", start, end),
               f"{label}: closures must be a list: closures = [ {{ name = \"...\", from = ..., to = ... }} ].")
        return []
    closures = []
    for n, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        line = (at.text_line(f'"{name}"', start, end) if name else None) or start
        closures.append(_closure(entry, f"{label} closure {n + 1}", line, line + 1 if line else None, at))
    return [closure for closure in closures if closure]


def _open_days(days: Any, label: str, line: int | None, at: _Problems) -> list[date]:
    if not isinstance(days, list):
        at.say(line, f"{label}: open_days must be a list of dates.")
        return []
    return [day for day in (at.date(value, f"{label}: open_days", line) for value in days) if day]
