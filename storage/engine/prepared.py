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
from collections import namedtuple
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import asyncpg
from sqlalchemy import Dialect, Executable
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn


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
    """A connection from the engine's pool, for prepared statements; back to the pool after the block."""
    pooled = await engine.raw_connection()
    try:
        yield DriverConnection(pooled.driver_connection, engine.dialect)
    except IntegrityError:
        raise  # a constraint refused a row (a double click): the connection is as good as before
    except BaseException as error:
        # A connection the driver failed on may be broken: the pool makes a new one rather than hand it on.
        pooled.invalidate(error if isinstance(error, Exception) else None)
        raise
    finally:
        await greenlet_spawn(pooled.close)


@contextmanager
def _refusals_named_as_sqlalchemy(sql: str) -> Iterator[None]:
    """A constraint the database refused, raised as SQLAlchemy's IntegrityError (which callers catch)."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError) as error:
        raise IntegrityError(sql, None, error) from error
