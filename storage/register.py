"""The authority's register: one keyset page of its open cases and children out of provision, with the filters.

One statement a page: each line's school name (a join), its overdue milestones and its next milestone
(subqueries on the open milestones' index by case), never a query per line. Ordered by (first day of
absence, id), the page after is `(first_day_absent, id) > (the last line's)`: no OFFSET, so page 2,500 costs
what page 1 does (ix_cases_register).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, Text, cast, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.case import Case
from cme.deadlines import Due, kind_of
from cme.lifecycle import TRACKING_STATES
from cme.paging import COUNTED
from cme.register import NO_SCHOOL, PAGE, PageKey, RegisterFilter
from storage.engine.statements import Statements
from storage.mapping import case_from_row
from storage.models import CaseRow, MilestoneRow, School

EVERYONE = RegisterFilter()


def on_register():
    """The children on an authority's register: open cases, and those out of provision after removal."""
    return or_(CaseRow.closed_at.is_(None), CaseRow.state.in_([state.value for state in TRACKING_STATES]))


@dataclass(frozen=True)
class RegisterLine:
    case: Case
    school_name: str | None
    overdue: int
    next_due: date | None
    next_kind: Due | None


@dataclass(frozen=True)
class RegisterPage:
    lines: list[RegisterLine]
    next_key: PageKey | None  # None: this is the last page


def _open_milestones(today: date, *, overdue: bool):
    due = MilestoneRow.due_on < today if overdue else MilestoneRow.due_on >= today
    return (MilestoneRow.case_id == CaseRow.id, MilestoneRow.done_on.is_(None), due)


def _where(authority_ids: list[int], today: date, filters: RegisterFilter) -> list:
    where = [CaseRow.authority_id.in_(authority_ids), on_register()]
    if filters.stage:
        where.append(CaseRow.state == filters.stage)
    if filters.school == NO_SCHOOL:
        where.append(CaseRow.school_id.is_(None))
    elif filters.school_id is not None:
        where.append(CaseRow.school_id == filters.school_id)
    if filters.group:  # a key of the JSON list, quotes and all: the same text on both databases
        where.append(cast(CaseRow.risk_groups, Text).contains(f'"{filters.group}"', autoescape=True))
    if filters.reason:
        where.append(CaseRow.reason == filters.reason)
    if filters.overdue_only:  # its earliest milestone not done is past (kept by triggers, migration 0013)
        where.append(CaseRow.open_due_on < today)
    if filters.min_weeks:
        where.append(CaseRow.first_day_absent <= today - timedelta(weeks=filters.min_weeks))
    return where


class Register:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)

    async def page(self, authority_ids: list[int], today: date, filters: RegisterFilter = EVERYONE,
                   after: PageKey | None = None, limit: int = PAGE) -> RegisterPage:
        """A page of the register of these authorities (an officer's; nothing when the list is empty)."""
        if not authority_ids:
            return RegisterPage([], None)
        where = _where(authority_ids, today, filters)
        if after is not None:
            where.append(tuple_(CaseRow.first_day_absent, CaseRow.id) > tuple_(
                literal(after.missing_since, Date), literal(after.case_id)))
        overdue = select(func.count()).where(*_open_milestones(today, overdue=True)).scalar_subquery()
        upcoming = _open_milestones(today, overdue=False)
        next_due = select(func.min(MilestoneRow.due_on)).where(*upcoming).scalar_subquery()
        next_kind = (select(MilestoneRow.milestone).where(*upcoming)
                     .order_by(MilestoneRow.due_on, MilestoneRow.milestone).limit(1).scalar_subquery())
        rows = await self._sql.rows(
            select(CaseRow, School.name.label("school_name"), overdue.label("overdue_count"),
                   next_due.label("next_due"), next_kind.label("next_kind"))
            .outerjoin(School, School.id == CaseRow.school_id).where(*where)
            .order_by(CaseRow.first_day_absent, CaseRow.id).limit(limit + 1))
        lines = [RegisterLine(case_from_row(row), row.school_name, row.overdue_count, _day(row.next_due),
                              kind_of(row.next_kind) if row.next_kind else None) for row in rows[:limit]]
        more = len(rows) > limit
        last = lines[-1].case if lines and more else None
        return RegisterPage(lines, PageKey(last.first_day_absent, last.id) if last else None)

    async def count(self, authority_ids: list[int], today: date, filters: RegisterFilter = EVERYONE) -> int:
        """How many children the filters leave, counted up to COUNTED + 1: an exact 50,000 would cost what reading
        them does (the card says "more than"; `stats` gives the authority's figures)."""
        if not authority_ids:
            return 0
        counted = select(CaseRow.id).where(*_where(authority_ids, today, filters)).limit(COUNTED + 1)
        return await self._sql.value(select(func.count()).select_from(counted.subquery()))


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
