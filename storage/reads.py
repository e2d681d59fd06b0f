"""SELECTs on a pooled connection, without an ORM session.

An AsyncSession costs about a millisecond of CPU more than the statement it runs; the reads on the
path of every message need none of what it adds. Rows come back with the columns as attributes,
so `select(School)` gives rows that read like School objects.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.db import engine_of


class Reads:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._engine = engine_of(sessions)

    async def first(self, query: Select) -> Row | None:
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).first()

    async def rows(self, query: Select) -> list[Row]:
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).all())

    async def value(self, query: Select) -> Any:
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).scalar()

    async def values(self, query: Select) -> list[Any]:
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).scalars().all())
