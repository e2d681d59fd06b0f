"""An authority's counts, kept by the database as cases are written (`register_tallies`, triggers of migration 0016):
the one reader of them. Each figure sums the tally rows of one kind, a few per day, school or key, never a case.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import Index, Integer, String, bindparam, case, func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from storage.engine.statements import Statements
from storage.models import Base, CaseRow

# The children on an authority's register, written out as the partial index's predicate (migration 0016), so that
# both databases use the index for a query that says the same.
ON_REGISTER = text("(cases.closed_at IS NULL OR cases.state IN ('out_of_provision', 'not_located'))")


class RegisterTally(Base):
    """(authority, kind, key): how many cases; the kinds and keys are migration 0016's."""

    __tablename__ = "register_tallies"

    authority_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


# The indexes of `cases` migration 0016 adds: new since a sitting; the register in the panel's order.
Index("ix_cases_authority_created", CaseRow.authority_id, CaseRow.created_at)
Index("ix_cases_register_order", CaseRow.authority_id, CaseRow.run_start, CaseRow.reference,
      sqlite_where=text("closed_at IS NULL OR state IN ('out_of_provision', 'not_located')"),
      postgresql_where=text("closed_at IS NULL OR state IN ('out_of_provision', 'not_located')"))

_KIND = (RegisterTally.authority_id == bindparam("authority_id"), RegisterTally.kind == bindparam("kind"),
         RegisterTally.n != 0)
_BY_KEY = select(RegisterTally.key, RegisterTally.n).where(*_KIND)
_FROM = select(RegisterTally.key, RegisterTally.n).where(*_KIND, RegisterTally.key >= bindparam("since"))
_SUM_FROM = select(func.coalesce(func.sum(RegisterTally.n), 0)).where(*_KIND, RegisterTally.key >= bindparam("since"))


class Located(NamedTuple):
    """Children located (closed with an outcome that found them) on one day, of one school, with one Day 1. A tuple:
    a year's of them can be thousands."""

    school_id: int | None
    first_day_absent: date
    closed_on: date
    cases: int


def hour_key(at: datetime) -> str:
    """The `created` tallies' key of the hour `at` falls in (UTC)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H")


class Tallies:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)

    async def by_key(self, authority_id: int, kind: str) -> dict[str, int]:
        """Each key of a kind with its count (none counted zero)."""
        return dict(await self._sql.rows(_BY_KEY, {"authority_id": authority_id, "kind": kind}))

    async def since(self, authority_id: int, kind: str, since: str) -> dict[str, int]:
        """The keys from `since` on (ISO dates and months sort as text)."""
        return dict(await self._sql.rows(_FROM, {"authority_id": authority_id, "kind": kind, "since": since}))

    async def total_since(self, authority_id: int, kind: str, since: str) -> int:
        return int(await self._sql.value(_SUM_FROM, {"authority_id": authority_id, "kind": kind, "since": since}))

    async def before(self, authority_id: int, kind: str, before: str) -> int:
        """The sum of the keys before `before` (with an overdue action: `due` before today)."""
        return int(await self._sql.value(
            select(func.coalesce(func.sum(RegisterTally.n), 0)).where(*_KIND, RegisterTally.key < before),
            {"authority_id": authority_id, "kind": kind}))

    async def buckets(self, authority_id: int, kind: str, bounds: list[tuple[str, str]], rest: str) -> dict[str, int]:
        """The sums of a kind's keys in buckets: the first (label, bound) whose bound is below the key; else `rest`."""
        bucket = case(*[(RegisterTally.key > bound, label) for label, bound in bounds], else_=rest)
        rows = await self._sql.rows(select(bucket, func.sum(RegisterTally.n)).where(*_KIND).group_by(bucket),
                                    {"authority_id": authority_id, "kind": kind})
        return {label: int(n) for label, n in rows if n}

    async def located(self, authority_id: int, since: date) -> list[Located]:
        """The children located from `since` on, by (closing day, school, Day 1)."""
        rows = await self._sql.rows(_FROM, {"authority_id": authority_id, "kind": "located", "since": since.isoformat()})
        days: dict[str, date] = {}
        schools: dict[str, int | None] = {}
        out = []
        for key, n in rows:
            closed, school, first = key.split("|")
            out.append(Located(schools.get(school) or schools.setdefault(school, int(school) if school else None),
                               days.get(first) or days.setdefault(first, date.fromisoformat(first)),
                               days.get(closed) or days.setdefault(closed, date.fromisoformat(closed)), n))
        return out
