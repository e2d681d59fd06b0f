"""An authority's figures for `stats`, each one aggregate query (GROUP BY), on SQLite and PostgreSQL alike.

Nothing here reads a case: only counts, and for the time to locate the (school, Day 1, closing day) triples
with how many cases share each, so the school days are counted once per triple with that school's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, case, cast, extract, func, literal, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.stats import LOCATED, WEEK_BUCKETS, first_month
from storage.engine.db import engine_of
from storage.engine.statements import Statements
from storage.models import CaseRow
from storage.register import on_register


@dataclass(frozen=True)
class Located:
    school_id: int | None
    first_day_absent: date
    closed_on: date
    cases: int


@dataclass(frozen=True)
class Counts:
    by_state: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, int] = field(default_factory=dict)
    by_weeks: dict[str, int] = field(default_factory=dict)
    opened: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, month): cases
    closed: dict[tuple[int, int], int] = field(default_factory=dict)
    located: list[Located] = field(default_factory=list)


class Stats:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)
        self._dialect = engine_of(sessions).dialect.name

    async def counts(self, authority_id: int, today: date) -> Counts:
        """The authority's open cases by state, reason, at-risk group and weeks missing; the cases opened and
        closed in each of the last 12 months; those located in them (closed with an outcome other than removal)."""
        open_cases = (CaseRow.authority_id == authority_id, on_register())  # with those out of provision
        since = datetime.combine(first_month(today), time(), tzinfo=UTC)
        return Counts(
            by_state=await self._grouped(CaseRow.state, *open_cases),
            by_reason=await self._grouped(func.coalesce(func.nullif(CaseRow.reason, ""), "unknown"), *open_cases),
            by_group=await self._by_group(authority_id),
            by_weeks=await self._grouped(_weeks_bucket(today), *open_cases),
            opened=await self._by_month(CaseRow.created_at, authority_id, since),
            closed=await self._by_month(CaseRow.closed_at, authority_id, since),
            located=await self._located(authority_id, since),
        )

    async def _grouped(self, key, *where) -> dict[str, int]:
        rows = await self._sql.rows(select(key.label("key"), func.count()).where(*where).group_by(key))
        return {str(k): n for k, n in rows}

    async def _by_group(self, authority_id: int) -> dict[str, int]:
        """Each at-risk group of the open cases, unnested from the JSON list in the database."""
        if self._dialect == "postgresql":
            groups = func.json_array_elements_text(CaseRow.risk_groups).table_valued("value").alias("g")
        else:
            groups = func.json_each(CaseRow.risk_groups).table_valued("value").alias("g")
        rows = await self._sql.rows(
            select(groups.c.value, func.count()).select_from(CaseRow).join(groups, literal(True))
            .where(CaseRow.authority_id == authority_id, on_register()).group_by(groups.c.value))
        return {str(k): n for k, n in rows}

    async def _by_month(self, when, authority_id: int, since: datetime) -> dict[tuple[int, int], int]:
        year, month = extract("year", when), extract("month", when)
        rows = await self._sql.rows(select(year, month, func.count())
                                    .where(CaseRow.authority_id == authority_id, when >= since)
                                    .group_by(year, month))
        return {(int(y), int(m)): n for y, m, n in rows}

    async def _located(self, authority_id: int, since: datetime) -> list[Located]:
        closed_on = cast(CaseRow.closed_at, Date) if self._dialect == "postgresql" else func.date(CaseRow.closed_at)
        rows = await self._sql.rows(
            select(CaseRow.school_id, CaseRow.first_day_absent, closed_on, func.count())
            .where(CaseRow.authority_id == authority_id, CaseRow.closed_at >= since,
                   CaseRow.outcome.in_([o.value for o in LOCATED]))
            .group_by(CaseRow.school_id, CaseRow.first_day_absent, closed_on))
        return [Located(school, _day(first), _day(closed), n) for school, first, closed, n in rows]


def _weeks_bucket(today: date):
    """The bucket of weeks since Day 1 (whole weeks), as a CASE over the first day of absence."""
    whens = [(CaseRow.first_day_absent > today - timedelta(weeks=upto), label) for label, upto in WEEK_BUCKETS
             if upto is not None]
    return case(*whens, else_=WEEK_BUCKETS[-1][0])


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))

