"""The authority's register: one keyset page of its open cases and children out of provision, with the filters.

One statement a page: each line's school name (a join), its overdue milestones and its next milestone
(subqueries on the open milestones' index by case), never a query per line. Ordered by (first day of
absence, id), the page after is `(first_day_absent, id) > (the last line's)`: no OFFSET, so page 2,500 costs
what page 1 does (ix_cases_register_checked, or the index of a filter: storage/register_walk.py). A page whose filters
are not all answered by that index reads at most SEARCHED rows of it (one more statement finds where those end):
when they do not fill the page, it ends there and says so (`searched`), and the next page goes on from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.case import Case
from cme.deadlines import Due, kind_of
from cme.paging import COUNTED
from cme.register import PAGE, SEARCHED, PageKey, RegisterFilter
from storage.engine.statements import Statements
from storage.mapping import case_from_row
from storage.models import CaseRow, MilestoneRow, School
from storage.register_walk import Walk, walk
from storage.register_walk import on_register as on_register  # where the COPP panel, stats and census read it

EVERYONE = RegisterFilter()


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
    searched: bool = False  # not full, ended after reading the most a page does: there may be more after next_key


@dataclass(frozen=True)
class Counted:
    number: int  # up to COUNTED + 1
    whole: bool  # False: among the first SEARCHED rows read only, so at least this many


def _open_milestones(today: date, *, overdue: bool):
    due = MilestoneRow.due_on < today if overdue else MilestoneRow.due_on >= today
    return (MilestoneRow.case_id == CaseRow.id, MilestoneRow.done_on.is_(None), due)


def _after(key: PageKey, columns) -> list:
    return [tuple_(*columns) > tuple_(literal(key.missing_since, Date), literal(key.case_id))]


def _up_to(key: PageKey | None, columns) -> list:
    return [tuple_(*columns) <= tuple_(literal(key.missing_since, Date), literal(key.case_id))] if key else []


class Register:
    def __init__(self, sessions: async_sessionmaker, searched: int = SEARCHED) -> None:
        self._sql = Statements(sessions)
        self._searched = searched

    async def page(self, authority_ids: list[int], today: date, filters: RegisterFilter = EVERYONE,
                   after: PageKey | None = None, limit: int = PAGE) -> RegisterPage:
        """A page of the register of these authorities (an officer's; nothing when the list is empty)."""
        if not authority_ids:
            return RegisterPage([], None)
        way = walk(authority_ids, today, filters)
        bound = await self._bound(way, after)
        where = [*way.walked, *way.checked, *way.on_register, *_up_to(bound, way.key())]
        if after is not None:
            where += _after(after, way.key())
        overdue = select(func.count()).where(*_open_milestones(today, overdue=True)).scalar_subquery()
        upcoming = _open_milestones(today, overdue=False)
        next_due = select(func.min(MilestoneRow.due_on)).where(*upcoming).scalar_subquery()
        next_kind = (select(MilestoneRow.milestone).where(*upcoming)
                     .order_by(MilestoneRow.due_on, MilestoneRow.milestone).limit(1).scalar_subquery())
        rows = await self._sql.rows(
            select(CaseRow, School.name.label("school_name"), overdue.label("overdue_count"),
                   next_due.label("next_due"), next_kind.label("next_kind"))
            .select_from(way.source).outerjoin(School, School.id == CaseRow.school_id).where(*where)
            .order_by(*way.key()).limit(limit + 1))
        lines = [RegisterLine(case_from_row(row), row.school_name, row.overdue_count, _day(row.next_due),
                              kind_of(row.next_kind) if row.next_kind else None) for row in rows[:limit]]
        if len(rows) > limit:
            return RegisterPage(lines, PageKey(lines[-1].case.first_day_absent, lines[-1].case.id))
        return RegisterPage(lines, bound, searched=bound is not None and len(lines) < limit)

    async def count(self, authority_ids: list[int], today: date, filters: RegisterFilter = EVERYONE) -> int:
        """How many children the filters leave, counted up to COUNTED + 1 (see `counted`)."""
        return (await self.counted(authority_ids, today, filters)).number

    async def counted(self, authority_ids: list[int], today: date, filters: RegisterFilter = EVERYONE) -> Counted:
        """How many children the filters leave, counted up to COUNTED + 1: an exact 50,000 would cost what reading
        them does (the card says "more than"; `stats` gives the authority's figures). Filters the walk's index does
        not answer are counted on the first SEARCHED rows it reads, as the first page is: "at least"."""
        if not authority_ids:
            return Counted(0, True)
        way = walk(authority_ids, today, filters)
        if not way.checked:
            counted = (select(way.case_id).select_from(way.source if way.on_register else way.table)
                       .where(*way.walked, *way.on_register).limit(COUNTED + 1))
            return Counted(await self._sql.value(select(func.count()).select_from(counted.subquery())), True)
        read = (select(case((and_(*way.checked, *way.on_register), 1)).label("kept")).select_from(way.source)
                .where(*way.walked).order_by(*way.key()).limit(self._searched + 1).subquery())
        rows, kept = await self._sql.first(select(func.count(), func.count(read.c.kept)))
        return Counted(kept, rows <= self._searched)

    async def _bound(self, way: Walk, after: PageKey | None) -> PageKey | None:
        """The last of the next `searched` rows of the walk, when it checks conditions and goes on beyond them."""
        if not way.checked:
            return None
        rows = await self._sql.rows(
            select(*way.key()).select_from(way.table).where(*way.walked, *(_after(after, way.key()) if after else []))
            .order_by(*way.key()).offset(self._searched - 1).limit(2))
        return PageKey(_day(rows[0][0]), rows[0][1]) if len(rows) == 2 else None


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
