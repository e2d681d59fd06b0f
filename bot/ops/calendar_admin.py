"""`cme-bot calendar import | show`: check a term dates file, install it in the database, show it."""

from __future__ import annotations

from bot.calendars import Calendars
from cme.calendar import CalendarError, SchoolCalendar
from cme.deadlines import calendar_deadlines
from cme.milestones import due_dates
from cme.term_dates import TermDates, parse_term_dates
from storage.cases import Actor
from storage.store import Store
from storage.term_dates import StoredTermDates, term_dates_key


async def import_term_dates(store: Store, text: str, source: str, *, school_urn: str | None,
                            actor: str) -> tuple[StoredTermDates, TermDates]:
    """Validate and install term dates (the authority's, or one school's own); CalendarError and
    nothing changed if they are not valid."""
    term_dates = parse_term_dates(text, source, school_urn=school_urn)
    if school_urn and await store.schools.by_urn(school_urn) is None:
        raise CalendarError(f"There is no school with URN {school_urn}: add it first with `cme-bot schools add`.")
    stored = await store.term_dates.save(term_dates_key(school_urn), text, actor=actor)
    return stored, term_dates


def summary(term_dates: TermDates) -> str:
    covers = term_dates.covers
    return f"{term_dates.authority}: {len(term_dates.closures)} closure(s), covering {covers[0]} to {covers[1]}"


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
                due = due_dates(calendar, case.run_start) | calendar_deadlines(case, calendar)
            except CalendarError:
                to_check.append(case.reference)
                continue
            if await store.cases.reschedule(case.id, due, Actor("", actor)):
                moved += 1
    return moved, to_check
