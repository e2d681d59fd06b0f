"""`cme-bot calendar import | show`: validate a term dates file, install it in the database, show it.

The validation is stricter than the loader of cme/term_dates.py, which it reuses: an administrator
gets every problem at once, each with the line and field it is about, and a misspelt field (which
the loader would ignore, silently dropping closures) is refused.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from typing import Any

from bot.calendars import Calendars
from cme.calendar import CalendarError, SchoolCalendar
from cme.milestones import due_dates
from cme.term_dates import TermDates, parse_term_dates
from storage.cases import Actor
from storage.store import Store
from storage.term_dates import StoredTermDates, term_dates_key

TOP_FIELDS = ("example", "authority", "covers", "closure", "school")
COVERS_FIELDS = ("from", "to")
CLOSURE_FIELDS = ("name", "from", "to")
SCHOOL_FIELDS = ("own_dates", "closures", "open_days")
HINTS = {"closures": "the authority's closures are written [[closure]], one per holiday",
         "holiday": "closures are written [[closure]]", "holidays": "closures are written [[closure]]",
         "schools": "a school's section is written [school.<URN>]", "open_day": "write open_days = [...]",
         "start": "write from = YYYY-MM-DD", "end": "write to = YYYY-MM-DD"}


def validate_term_dates(text: str, source: str, *, school_urn: str | None = None) -> TermDates:
    """The term dates in `text`, or CalendarError listing every problem with its line and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"{source}: not valid TOML: {error}.") from error
    lines = text.splitlines()
    problems: list[str] = []

    def say(line: int | None, message: str) -> None:
        problems.append(f"{source}, line {line}: {message}" if line else f"{source}: {message}")

    for key in data:
        if key not in TOP_FIELDS:
            hint = HINTS.get(key, "known fields are " + ", ".join(TOP_FIELDS))
            say(_key_line(lines, key), f"unknown field '{key}' ({hint}).")
    authority = data.get("authority")
    if not isinstance(authority, str) or not authority.strip():
        say(_key_line(lines, "authority"), 'authority = "..." is missing: name the local authority '
                                           "(for a school's own dates, who publishes them).")
    _check_covers(data.get("covers"), _key_line(lines, "covers"), say)
    closures = data.get("closure", [])
    if not isinstance(closures, list):
        say(_key_line(lines, "closure"), "closures are written [[closure]] (two brackets), one per holiday.")
    else:
        headers = [i for i, line in enumerate(lines, 1) if re.match(r"\s*\[\[\s*closure\s*\]\]", line)]
        for n, entry in enumerate(closures):
            start = headers[n] if n < len(headers) else None
            end = headers[n + 1] if n + 1 < len(headers) else _next_header(lines, start)
            _check_closure(entry, f"closure {n + 1}", lines, start, end, say)
    schools = data.get("school", {})
    if not isinstance(schools, dict):
        say(_key_line(lines, "school"), "a school's section is written [school.<URN>].")
        schools = {}
    for urn, section in schools.items():
        start = _school_line(lines, urn)
        if school_urn and str(urn) != str(school_urn):
            say(start, f"[school.{urn}] in the term dates of school {school_urn}: a school's own file may only "
                       f"have a [school.{school_urn}] section.")
        if not isinstance(section, dict):
            say(start, f"[school.{urn}] must be a section of fields ({', '.join(SCHOOL_FIELDS)}).")
            continue
        _check_school(section, str(urn), lines, start, _next_header(lines, start), say)
    if problems:
        raise CalendarError("\n".join(problems))
    return parse_term_dates(text, source=source)


def _check_covers(covers: Any, line: int | None, say) -> None:
    example = "covers = { from = YYYY-MM-DD, to = YYYY-MM-DD }"
    if covers is None:
        say(None, f"{example} is missing: the span these dates were published for, so that the bot knows "
                  "when they run out.")
        return
    if not isinstance(covers, dict):
        say(line, f"covers must be written {example}.")
        return
    for key in covers:
        if key not in COVERS_FIELDS:
            say(line, f"unknown field 'covers.{key}' ({example}).")
    start = _date_or_problem(covers.get("from"), "covers.from", line, say)
    end = _date_or_problem(covers.get("to"), "covers.to", line, say)
    if start and end and end < start:
        say(line, f"covers.to ({end}) is before covers.from ({start}).")


def _check_closure(entry: Any, what: str, lines: list[str], start: int | None, end: int | None, say) -> None:
    if not isinstance(entry, dict):
        say(start, f"{what} must be written {{ name = \"...\", from = YYYY-MM-DD, to = YYYY-MM-DD }}.")
        return
    name = entry.get("name")
    label = f"{what} \"{name}\"" if name else what
    if not name:
        say(start, f"{label}: name = \"...\" is missing (say what the closure is, e.g. \"Autumn half term\").")
    for key in entry:
        if key not in CLOSURE_FIELDS:
            hint = HINTS.get(key, "known fields are name, from, to")
            say(_field_line(lines, key, start, end, name) or start, f"{label}: unknown field '{key}' ({hint}).")
    first = _date_or_problem(entry.get("from"), f"{label}: from", _field_line(lines, "from", start, end, name) or start,
                             say)
    last = first
    if "to" in entry:
        last = _date_or_problem(entry.get("to"), f"{label}: to", _field_line(lines, "to", start, end, name) or start,
                                say)
    if first and last and last < first:
        say(_field_line(lines, "to", start, end, name) or start, f"{label} ends ({last}) before it starts ({first}).")


def _check_school(section: dict, urn: str, lines: list[str], start: int | None, end: int | None, say) -> None:
    for key in section:
        if key not in SCHOOL_FIELDS:
            hint = HINTS.get(key, "known fields are " + ", ".join(SCHOOL_FIELDS))
            say(_field_line(lines, key, start, end) or start, f"[school.{urn}]: unknown field '{key}' ({hint}).")
    if "own_dates" in section and not isinstance(section["own_dates"], bool):
        say(_field_line(lines, "own_dates", start, end) or start, f"[school.{urn}]: own_dates must be true or false.")
    closures = section.get("closures", [])
    if not isinstance(closures, list):
        say(_field_line(lines, "closures", start, end) or start,
            f"[school.{urn}]: closures must be a list: closures = [ {{ name = \"...\", from = ..., to = ... }} ].")
    else:
        for n, entry in enumerate(closures):
            name = entry.get("name") if isinstance(entry, dict) else None
            line = (_text_line(lines, f'"{name}"', start, end) if name else None) or start
            _check_closure(entry, f"[school.{urn}] closure {n + 1}", lines, line, line + 1 if line else None, say)
    open_days = section.get("open_days", [])
    if not isinstance(open_days, list):
        say(_field_line(lines, "open_days", start, end) or start, f"[school.{urn}]: open_days must be a list of dates.")
    else:
        for day in open_days:
            _date_or_problem(day, f"[school.{urn}]: open_days", _field_line(lines, "open_days", start, end) or start,
                             say)


def _date_or_problem(value: Any, where: str, line: int | None, say) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if value is None:
        say(line, f"{where} is missing (a date written YYYY-MM-DD).")
    else:
        say(line, f"{where} must be a date written YYYY-MM-DD, not {value!r}.")
    return None


# Lines: tomllib gives no positions, so the problems are located in the text.

def _key_line(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"\s*(\[\[?\s*)?\"?{re.escape(key)}\"?\s*(=|\]|\.)")
    return next((i for i, line in enumerate(lines, 1) if pattern.match(line)), None)


def _school_line(lines: list[str], urn: Any) -> int | None:
    pattern = re.compile(rf"\s*\[\s*school\s*\.\s*[\"']?{re.escape(str(urn))}[\"']?\s*\]")
    return next((i for i, line in enumerate(lines, 1) if pattern.match(line)), None)


def _next_header(lines: list[str], start: int | None) -> int | None:
    if start is None:
        return None
    return next((i for i, line in enumerate(lines, 1) if i > start and re.match(r"\s*\[", line)), None)


def _field_line(lines: list[str], key: str, start: int | None, end: int | None, name: Any = None) -> int | None:
    if start is None:
        return None
    pattern = re.compile(rf"(^|[\s{{,])\"?{re.escape(key)}\"?\s*=")
    for i, line in enumerate(lines, 1):
        if i >= start and (end is None or i < end) and pattern.search(line.split("#")[0]):
            return i
    return None


def _text_line(lines: list[str], text: str, start: int | None, end: int | None) -> int | None:
    for i, line in enumerate(lines, 1):
        if (start is None or i >= start) and (end is None or i < end) and text in line:
            return i
    return None


async def import_term_dates(store: Store, text: str, source: str, *, school_urn: str | None,
                            actor: str) -> tuple[StoredTermDates, TermDates]:
    """Validate and install term dates (the authority's, or one school's own); CalendarError and
    nothing changed if they are not valid."""
    term_dates = validate_term_dates(text, source, school_urn=school_urn)
    if school_urn and await store.schools.by_urn(school_urn) is None:
        raise CalendarError(f"There is no school with URN {school_urn}: add it first with `cme-bot schools add`.")
    stored = await store.term_dates.save(term_dates_key(school_urn), text, actor=actor)
    return stored, term_dates


def summary(term_dates: TermDates) -> str:
    covers = f"covering {term_dates.covers[0]} to {term_dates.covers[1]}" if term_dates.covers else "no span given"
    return f"{term_dates.authority}: {len(term_dates.closures)} closure(s), {covers}"


def describe(title: str, source: str, term_dates: TermDates, calendar: SchoolCalendar) -> list[str]:
    """What `cme-bot calendar show` prints: where the dates come from, their span, every closure."""
    out = [title, f"  from: {source}", f"  published by: {term_dates.authority}"]
    if term_dates.example:
        out.append("  EXAMPLE DATES: made up for the demonstration; import your own before real use")
    if calendar.covers:
        out.append(f"  covers: {calendar.covers[0]} to {calendar.covers[1]}")
    out.append("  closed (besides weekends and England's bank holidays):")
    for closure in sorted(calendar.closures, key=lambda c: (c.start, c.end)):
        span = f"{closure.start}" if closure.start == closure.end else f"{closure.start} to {closure.end}"
        out.append(f"    {span:<26}{closure.name}")
    if not calendar.closures:
        out.append("    (none)")
    for day in sorted(calendar.open_days):
        out.append(f"  open on {day} although the local authority's calendar closes it")
    return out


async def reschedule_open_cases(store: Store, calendars: Calendars, school_urn: str | None,
                                actor: str) -> tuple[int, list[str]]:
    """Day 5 and Day 20 of open cases under the new dates: (cases moved, references to check by hand)."""
    schools = await store.schools.all()
    if school_urn:
        schools = [s for s in schools if s.urn == school_urn]
    groups = [(school, [school.id]) for school in schools]
    if not school_urn:
        groups.append((None, None))  # referrals with no school follow the authority's dates
    moved, to_check = 0, []
    for school, ids in groups:
        calendar = calendars.for_school(school)
        cases = await store.cases.open_cases(ids, without_school=ids is None, limit=1_000_000)
        for case in cases:
            try:
                due = due_dates(calendar, case.run_start)
            except CalendarError:
                to_check.append(case.reference)
                continue
            if await store.cases.reschedule(case.id, due, Actor("", actor)):
                moved += 1
    return moved, to_check
