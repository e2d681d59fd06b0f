"""Statements on the path of every message, compiled once and run on the database driver itself.

SQLAlchemy's asyncio layer costs 70 µs (SQLite) to 150 µs (PostgreSQL) of CPU a statement, where the
driver alone takes 4 to 30 µs: a greenlet, a dozen event hooks and a result object around every call.
A Prepared statement is compiled by SQLAlchemy once per dialect and run on a pooled connection's
driver, its parameters and results converted by SQLAlchemy's own processors for the column types, so
the values are the ones SQLAlchemy would give. Only statements whose parameters are all bound by name
and none expanding (no `IN` lists) can be prepared.
"""

from __future__ import annotations

import sqlite3
import time
import weakref
from collections import deque, namedtuple
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import asyncpg
from sqlalchemy import Dialect, Executable, event
from sqlalchemy.engine import Compiled, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.pool.base import _ConnectionRecord
from sqlalchemy.util import greenlet_spawn

from storage.engine.fair_pool import FairQueue


class Prepared:
    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _Compiled(self.statement.compile(dialect=dialect), dialect)
        return found


class _Compiled:
    def __init__(self, compiled: Compiled, dialect: Dialect) -> None:
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a statement with expanding parameters cannot be prepared")
        self.sql = compiled.string
        processors = compiled._bind_processors
        self._binds = [(name, processors.get(name)) for name in compiled.positiontup or ()]
        # Values written into the statement (`value=1`) are bound too, under names of SQLAlchemy's making.
        self._fixed = {name: bind.value for name, bind in compiled.binds.items()
                       if not bind.required and bind.callable is None}
        columns = compiled._result_columns
        self.returns_rows = bool(columns)
        self._results = [column[3]._cached_result_processor(dialect, None) for column in columns]
        self._row = namedtuple("Row", [column[0] for column in columns]) if columns else None

    def arguments(self, parameters: dict | None) -> tuple:
        values = {**self._fixed, **parameters} if parameters else self._fixed
        return tuple(process(values[name]) if process else values[name] for name, process in self._binds)

    def rows(self, raw: list) -> list:
        results, make = self._results, self._row._make
        if not any(results):
            return [make(row) for row in raw]
        return [make([process(value) if process else value for process, value in zip(results, row, strict=True)])
                for row in raw]


class DriverConnection:
    """A pooled connection's driver, running prepared statements (see `driver_connection`)."""

    def __init__(self, driver, dialect: Dialect) -> None:
        self._dialect = dialect
        self._postgresql = dialect.name == "postgresql"
        # asyncpg's connection; for SQLite, the sqlite3 connection inside aiosqlite's, whose calls run on
        # this thread (storage/engine/inline_sqlite.py).
        self._driver = driver if self._postgresql else driver._conn
        self._transaction = None

    async def execute(self, prepared: Prepared, parameters: dict | None = None) -> tuple[list, int]:
        """(rows, rows changed) of one statement. Outside a transaction, it commits itself."""
        compiled = prepared.compiled(self._dialect)
        arguments = compiled.arguments(parameters)
        with _refusals_named_as_sqlalchemy(compiled.sql):
            if self._postgresql:
                if compiled.returns_rows:
                    raw = await self._driver.fetch(compiled.sql, *arguments)
                    return compiled.rows(raw), len(raw)
                status = await self._driver.execute(compiled.sql, *arguments)
                return [], int(status.rpartition(" ")[2] or 0)
            cursor = self._driver.execute(compiled.sql, arguments)
            try:
                raw = cursor.fetchall() if compiled.returns_rows else []
                changed = cursor.rowcount
            finally:
                cursor.close()
            if self._transaction is None and self._driver.in_transaction:
                self._driver.commit()
            return (compiled.rows(raw) if compiled.returns_rows else []), changed

    async def execute_many(self, prepared: Prepared, parameters: list[dict]) -> None:
        compiled = prepared.compiled(self._dialect)
        arguments = [compiled.arguments(each) for each in parameters]
        with _refusals_named_as_sqlalchemy(compiled.sql):
            if self._postgresql:
                await self._driver.executemany(compiled.sql, arguments)
            else:
                self._driver.executemany(compiled.sql, arguments)
                if self._transaction is None and self._driver.in_transaction:
                    self._driver.commit()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DriverConnection]:
        """The statements in the block, committed together if it ends normally, else rolled back."""
        if self._postgresql:
            self._transaction = self._driver.transaction()
            await self._transaction.start()
        else:
            self._driver.execute("BEGIN")
            self._transaction = True
        try:
            yield self
        except BaseException:
            await self._end(commit=False)
            raise
        await self._end(commit=True)

    def rolled_back(self) -> None:
        """SQLite: what is not committed, undone."""
        self._transaction = None
        self._driver.rollback()

    async def _end(self, *, commit: bool) -> None:
        transaction, self._transaction = self._transaction, None
        if self._postgresql:
            await (transaction.commit() if commit else transaction.rollback())
        elif commit:
            self._driver.commit()
        else:
            self._driver.rollback()


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[DriverConnection]:
    """A connection from the engine's pool (on PostgreSQL, from its parked ones), for prepared statements."""
    parked = _parking(engine)
    if parked is None and (record := _idle_sqlite(engine.sync_engine.pool)) is not None:
        async with _taken_from_the_queue(engine, engine.sync_engine.pool._pool, record) as connection:
            yield connection
        return
    pooled = await (parked.take(engine) if parked else engine.raw_connection())
    try:
        yield DriverConnection(pooled.driver_connection, engine.dialect)
    except IntegrityError:
        await _give_back(parked, pooled)  # a constraint refused a row (a double click): the connection is as good
        raise
    except BaseException as error:
        # A connection the driver failed on may be broken: the pool makes a new one rather than hand it on.
        pooled.invalidate(error if isinstance(error, Exception) else None)
        await greenlet_spawn(pooled.close)
        raise
    await _give_back(parked, pooled)


def _idle_sqlite(pool) -> _ConnectionRecord | None:
    """SQLite's one connection, taken from the pool's queue when it is there and nobody waits for it; else None.

    Checking a connection out of SQLAlchemy's pool and in again (a greenlet each way, the pool's events, the reset's
    rollback) costs about 40 µs, more than most statements: a report submit took it three times. A connection in the
    queue is connected, idle and out of any transaction, and only this event loop's thread uses it (SQLite's calls run
    on it, storage/engine/inline_sqlite.py): taken out of the queue, it is ours until put back, as a checkout's is.
    """
    queue = getattr(pool, "_pool", None)
    if not isinstance(queue, FairQueue) or queue.empty() or queue.waiting():
        return None
    record = queue.get_nowait()
    if record.dbapi_connection is None or record.starttime < max(pool._invalidate_time, record._soft_invalidate_time) \
            or pool._recycle > -1:
        queue.put_nowait(record)  # to be reconnected by a checkout, the pool's way
        return None
    return record


@asynccontextmanager
async def _taken_from_the_queue(engine: AsyncEngine, queue: FairQueue,
                                record: _ConnectionRecord) -> AsyncIterator[DriverConnection]:
    """`driver_connection` for SQLite's idle connection (`_idle_sqlite`), put back in the queue however it ends."""
    connection = DriverConnection(record.driver_connection, engine.dialect)
    try:
        yield connection
    except IntegrityError:
        # A constraint refused a row (a double click): the connection is as good, once out of the transaction
        # SQLite's driver began for the statement, as the pool's reset on checkin would.
        connection.rolled_back()
        raise
    except BaseException as error:
        # A connection the driver failed on may be broken: closed, so the next checkout connects again.
        await greenlet_spawn(record.invalidate, error if isinstance(error, Exception) else None)
        raise
    finally:
        queue.put_nowait(record)


async def _give_back(parked: _Parked | None, pooled: PoolProxiedConnection) -> None:
    if parked is None or not parked.keep(pooled):
        await greenlet_spawn(pooled.close)


class _Parked:
    """PostgreSQL connections kept between prepared statements, out of the pool, for a moment.

    Taking a connection from SQLAlchemy's pool and giving it back costs two greenlet switches and the pool's
    events, about 100 µs of CPU, more than a prepared statement's own work on the driver; a submit runs ten. A
    parked connection was used within `seconds` (less than the pool's ping_after), so it needs no ping; one
    parked longer goes back to the pool stamped with the time it was last used, so the pool pings it before
    use (storage/engine/db.py). At most AT_MOST are parked, the rest of the pool stays for sessions; the
    engine's dispose closes them.
    """

    AT_MOST = 8

    def __init__(self, engine: Engine, seconds: float) -> None:
        self._seconds = seconds
        self._idle: deque[tuple[PoolProxiedConnection, float]] = deque()
        event.listen(engine, "engine_disposed", self._close_all)

    async def take(self, engine: AsyncEngine) -> PoolProxiedConnection:
        now = time.monotonic()
        while self._idle and now - self._idle[0][1] >= self._seconds:
            stale, used_at = self._idle.popleft()
            stale.info["idle_since"] = used_at
            await greenlet_spawn(stale.close)
        if self._idle:
            return self._idle.pop()[0]
        return await engine.raw_connection()

    def keep(self, pooled: PoolProxiedConnection) -> bool:
        if len(self._idle) >= self.AT_MOST or pooled.dbapi_connection is None:
            return False
        self._idle.append((pooled, time.monotonic()))
        return True

    def _close_all(self, _engine) -> None:
        """In the engine's dispose (a greenlet when the AsyncEngine's): parked connections closed, not pooled."""
        while self._idle:
            pooled, _ = self._idle.pop()
            pooled.invalidate()
            pooled.close()


_PARKING: weakref.WeakKeyDictionary[Engine, _Parked] = weakref.WeakKeyDictionary()


def park_connections(engine: AsyncEngine, seconds: float) -> None:
    """Prepared statements on this (PostgreSQL) engine keep their connections for up to `seconds` between them."""
    if seconds > 0:
        _PARKING[engine.sync_engine] = _Parked(engine.sync_engine, seconds)


def _parking(engine: AsyncEngine) -> _Parked | None:
    return _PARKING.get(engine.sync_engine)


@contextmanager
def _refusals_named_as_sqlalchemy(sql: str) -> Iterator[None]:
    """A constraint the database refused, raised as SQLAlchemy's IntegrityError (which callers catch)."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError) as error:
        raise IntegrityError(sql, None, error) from error
