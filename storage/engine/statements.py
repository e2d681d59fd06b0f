"""Statements on a pooled connection, without an ORM session.

An AsyncSession costs about a millisecond of CPU more than the statement it runs; the reads on the
path of every message need none of what it adds. Rows come back with the columns as attributes,
so `select(School)` gives rows that read like School objects. Building a statement costs more than
running it: on the path of every message, statements are built once with bound parameters, and
those wrapped in Prepared (storage/engine/prepared.py) run on the driver without SQLAlchemy's asyncio layer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Executable, Row, Select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.db import engine_of
from storage.engine.prepared import DriverConnection, Prepared, driver_connection


class Statements:
    def __init__(self, sessions: async_sessionmaker) -> None:
        engine = self._transactional = engine_of(sessions)
        # PostgreSQL: each statement is its own transaction, without a BEGIN and a ROLLBACK or COMMIT
        # round trip around it. (SQLite's are calls in this process; its driver's autocommit costs more.)
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" \
            else engine

    async def rows(self, query: Select | Prepared, parameters: dict | None = None) -> list[Row]:
        if isinstance(query, Prepared):
            return (await self._prepared(query, parameters))[0]
        # Closed directly: `async with` closes in a task of its own, holding the connection (the only
        # one, on SQLite) across a turn of the event loop.
        connection = await self._engine.connect()
        try:
            return list((await connection.execute(query, parameters)).all())
        finally:
            await connection.close()

    async def first(self, query: Select | Prepared, parameters: dict | None = None) -> Row | None:
        rows = await self.rows(query, parameters)
        return rows[0] if rows else None

    async def value(self, query: Select | Prepared, parameters: dict | None = None) -> Any:
        rows = await self.rows(query, parameters)
        return rows[0][0] if rows else None

    async def values(self, query: Select | Prepared, parameters: dict | None = None) -> list[Any]:
        return [row[0] for row in await self.rows(query, parameters)]

    async def run(self, statement: Executable | Prepared, parameters: dict | None = None) -> int:
        """One statement in a transaction of its own; how many rows it changed."""
        if isinstance(statement, Prepared):
            return (await self._prepared(statement, parameters))[1]
        connection = await self._engine.connect()
        try:
            result = await connection.execute(statement, parameters)
            await connection.commit()
            return result.rowcount
        finally:
            await connection.close()

    async def returned(self, statement: Executable | Prepared, parameters: dict | None = None) -> Any:
        """One statement with RETURNING in a transaction of its own; the value it returned."""
        if isinstance(statement, Prepared):
            rows = (await self._prepared(statement, parameters))[0]
            if len(rows) != 1:
                raise ValueError(f"one row was to be returned, not {len(rows)}")
            return rows[0][0]
        connection = await self._engine.connect()
        try:
            value = (await connection.execute(statement, parameters)).scalar_one()
            await connection.commit()
            return value
        finally:
            await connection.close()

    async def _prepared(self, statement: Prepared, parameters: dict | None) -> tuple[list, int]:
        async with driver_connection(self._transactional) as connection:
            return await connection.execute(statement, parameters)

    @asynccontextmanager
    async def prepared_connection(self) -> AsyncIterator[DriverConnection]:
        """Prepared statements on one connection taken once, each its own transaction (on SQLite, where taking the
        pool's one connection costs more than a statement, several statements of a turn in a row)."""
        async with driver_connection(self._transactional) as connection:
            yield connection

    @asynccontextmanager
    async def prepared_transaction(self) -> AsyncIterator[DriverConnection]:
        """Prepared statements in one transaction on the driver: committed if the block ends normally."""
        async with driver_connection(self._transactional) as connection, connection.transaction():
            yield connection
