"""Statements on the path of every message, compiled once and run on the database driver itself.

SQLAlchemy's asyncio layer costs 70 µs (SQLite) to 150 µs (PostgreSQL) of CPU a statement, where the
driver alone takes 4 to 30 µs: a greenlet, a dozen event hooks and a result object around every call.
A Prepared statement is compiled by SQLAlchemy once per dialect and run on a pooled connection's
driver, its parameters and results converted by SQLAlchemy's own processors for the column types, so
the values are the ones SQLAlchemy would give. Only statements whose parameters are all bound by name
and none expanding (no `IN` lists) can be prepared.
"""

from __future__ import annotations

from collections import namedtuple

from sqlalchemy import Dialect, Executable
from sqlalchemy.engine import Compiled
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
        self.postgresql = dialect.name == "postgresql"
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


async def run_prepared(engine: AsyncEngine, prepared: Prepared, parameters: dict | None, *,
                       commit: bool) -> tuple[list, int]:
    """(rows, rows changed) of one statement on a pooled connection; committed when asked."""
    compiled = prepared.compiled(engine.dialect)
    arguments = compiled.arguments(parameters)
    pooled = await engine.raw_connection()
    try:
        driver = pooled.driver_connection
        if compiled.postgresql:  # asyncpg, outside a transaction: each statement commits itself
            if compiled.returns_rows:
                raw = await driver.fetch(compiled.sql, *arguments)
                changed = len(raw)
            else:
                status = await driver.execute(compiled.sql, *arguments)
                raw, changed = [], int(status.rpartition(" ")[2] or 0)
        else:  # the sqlite3 connection inside aiosqlite's, whose calls run on this thread (inline_sqlite.py)
            connection = driver._conn
            cursor = connection.execute(compiled.sql, arguments)
            try:
                raw = cursor.fetchall() if compiled.returns_rows else []
                changed = cursor.rowcount
            finally:
                cursor.close()
            if commit:
                connection.commit()
    except BaseException as error:
        # A connection the driver failed on may be broken: the pool makes a new one rather than hand it on.
        pooled.invalidate(error if isinstance(error, Exception) else None)
        raise
    finally:
        await greenlet_spawn(pooled.close)
    return compiled.rows(raw) if compiled.returns_rows else [], changed
