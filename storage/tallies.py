"""An authority's counts, kept by the database as cases are written (`register_tallies`, and the changes its
triggers append to `register_tally_changes`, migration 0016): the one reader of them. Each figure sums the tally
rows of one kind, a few per day, school or key, and the changes not yet added to them, never a case.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, literal_column, select, text, union_all
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.db import engine_of
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import RegisterTally, RegisterTallyChange

# The children on an authority's register, written out as the partial index's predicate (migration 0016), so that
# both databases use the index for a query that says the same.
ON_REGISTER = text("(cases.closed_at IS NULL OR cases.state IN ('out_of_provision', 'not_located'))")


ADD_AFTER = 1_000  # changes waiting: a read sums at most about this many beside the tallies


def _counted(*where):
    """A kind's tallies of an authority with the changes not yet added to them, as (key, n) rows to sum."""
    parts = [select(table.key, table.n).where(table.authority_id == bindparam("authority_id"),
                                             table.kind == bindparam("kind"), *(w(table) for w in where))
             for table in (RegisterTally, RegisterTallyChange)]
    return union_all(*parts).subquery()


def _by_key(*where):
    counted = _counted(*where)
    total = func.sum(counted.c.n)
    return select(counted.c.key, total).group_by(counted.c.key).having(total != 0)


def _sum(*where):
    counted = _counted(*where)
    return select(func.coalesce(func.sum(counted.c.n), 0))


def _bucket_sums(labels: tuple[str, ...], rest: str):
    """The sums of a kind's keys in buckets: the first label whose bound (`bound_<n>`) is below the key; else `rest`."""
    counted = _counted()
    bucket = case(*[(counted.c.key > bindparam(f"bound_{n}"), label) for n, label in enumerate(labels)], else_=rest)
    return Prepared(select(bucket, func.sum(counted.c.n)).group_by(bucket))


_BY_KEY = Prepared(_by_key())
_FROM = Prepared(_by_key(lambda table: table.key >= bindparam("since")))
_SUM_FROM = Prepared(_sum(lambda table: table.key >= bindparam("since")))
_SUM_BEFORE = Prepared(_sum(lambda table: table.key < bindparam("before")))
_WAITING = Prepared(select(func.count()).select_from(select(RegisterTallyChange.id).limit(ADD_AFTER + 1).subquery()))
_ADD_POSTGRES = text(
    "WITH added AS (DELETE FROM register_tally_changes RETURNING authority_id, kind, key, n) "
    "INSERT INTO register_tallies (authority_id, kind, key, n) SELECT authority_id, kind, key, sum(n) FROM added "
    "GROUP BY authority_id, kind, key ORDER BY authority_id, kind, key "
    "ON CONFLICT (authority_id, kind, key) DO UPDATE SET n = register_tallies.n + excluded.n")
_ADD_SQLITE = (
    text("INSERT INTO register_tallies (authority_id, kind, key, n) SELECT authority_id, kind, key, sum(n) "
         "FROM register_tally_changes WHERE id <= :last GROUP BY authority_id, kind, key "
         "ON CONFLICT (authority_id, kind, key) DO UPDATE SET n = register_tallies.n + excluded.n"),
    text("DELETE FROM register_tally_changes WHERE id <= :last"))


# How many times the changes were added to the tallies: a row of its own (no authority is 0), read with the located
# triples so that a year's of them are read again only after an addition.
ADDED = "#added"
KEPT_LOCATED = 64  # authorities whose located triples a process keeps
_COUNT_ADDING = text("INSERT INTO register_tallies (authority_id, kind, key, n) VALUES (0, 'added', '', 1) "
                     "ON CONFLICT (authority_id, kind, key) DO UPDATE SET n = register_tallies.n + 1")
_ADDITIONS = select(literal_column(f"'{ADDED}'").label("key"), func.coalesce(select(RegisterTally.n).where(
    RegisterTally.authority_id == 0, RegisterTally.kind == "added", RegisterTally.key == "").scalar_subquery(), 0)
    .label("n"))
_LOCATED_ONLY = (RegisterTallyChange.authority_id == bindparam("authority_id"), RegisterTallyChange.kind == "located",
                 RegisterTallyChange.key >= bindparam("since"))
_LOCATED_WAITING = Prepared(union_all(_ADDITIONS, select(RegisterTallyChange.key, func.sum(RegisterTallyChange.n))
                                      .where(*_LOCATED_ONLY).group_by(RegisterTallyChange.key)
                                      .having(func.sum(RegisterTallyChange.n) != 0)))
_LOCATED_TALLIED = Prepared(union_all(_ADDITIONS, select(RegisterTally.key, RegisterTally.n).where(
    RegisterTally.authority_id == bindparam("authority_id"), RegisterTally.kind == "located",
    RegisterTally.key >= bindparam("since"), RegisterTally.n != 0)))


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
        self._engine = engine_of(sessions)
        self._buckets: dict[tuple, Prepared] = {}
        self._located: dict[int, tuple[date, int, tuple[Located, ...]]] = {}  # authority: (since, additions, triples)

    async def add_changes(self, *, when_many: bool = True) -> None:
        """Add the changes the triggers appended to the tallies (`when_many`: only once there are more than
        ADD_AFTER). In one transaction: a read sees each change either waiting or added, never both."""
        if when_many and await self._sql.value(_WAITING) <= ADD_AFTER:
            return
        async with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(_ADD_POSTGRES)
            else:
                last = (await connection.execute(select(func.max(RegisterTallyChange.id)))).scalar()
                for statement in _ADD_SQLITE if last is not None else ():
                    await connection.execute(statement, {"last": last})
            await connection.execute(_COUNT_ADDING)

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
        return int(await self._sql.value(_SUM_BEFORE, {"authority_id": authority_id, "kind": kind, "before": before}))

    async def buckets(self, authority_id: int, kind: str, bounds: list[tuple[str, str]], rest: str) -> dict[str, int]:
        """The sums of a kind's keys in buckets: the first (label, bound) whose bound is below the key; else `rest`."""
        labels = tuple(label for label, _ in bounds)
        statement = self._buckets.get((labels, rest)) or self._buckets.setdefault((labels, rest),
                                                                                  _bucket_sums(labels, rest))
        rows = await self._sql.rows(statement, {"authority_id": authority_id, "kind": kind,
                                                **{f"bound_{n}": bound for n, (_, bound) in enumerate(bounds)}})
        return {label: int(n) for label, n in rows if n}

    async def located(self, authority_id: int, since: date) -> tuple[tuple[Located, ...], list[Located]]:
        """The children located from `since` on, by (closing day, school, Day 1), as rows to sum (a triple may come
        twice, or with a negative count from the changes waiting): the tallies' part and the changes waiting. The
        tallies' part, a year's triples, is read again only once changes were added to them since (or `since`
        moved), and is the same tuple until then; the changes waiting are few."""
        values = {"authority_id": authority_id, "since": since.isoformat()}
        while True:
            added, waiting = _located(await self._sql.rows(_LOCATED_WAITING, values))
            kept = self._located.get(authority_id)
            if kept is None or kept[:2] != (since, added):
                added_then, tallied = _located(await self._sql.rows(_LOCATED_TALLIED, values))
                if added_then != added:
                    continue  # changes were added to the tallies between the two reads: read both again
                if len(self._located) >= KEPT_LOCATED:
                    self._located.clear()
                kept = self._located[authority_id] = (since, added, tuple(tallied))
            return kept[2], waiting


def _located(rows) -> tuple[int, list[Located]]:
    """How many times changes were added to the tallies (the row keyed ADDED), and the located rows."""
    days: dict[str, date] = {}
    schools: dict[str, int | None] = {}
    added, out = 0, []
    for key, n in rows:
        if key == ADDED:
            added = n
            continue
        closed, school, first = key.split("|")
        out.append(Located(schools.get(school) or schools.setdefault(school, int(school) if school else None),
                           days.get(first) or days.setdefault(first, date.fromisoformat(first)),
                           days.get(closed) or days.setdefault(closed, date.fromisoformat(closed)), n))
    return added, out
