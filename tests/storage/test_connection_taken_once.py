"""Prepared statements on SQLite take the pool's one connection straight from its queue (storage/engine/prepared.py):
only when it is idle there, never from under a session using it, and never left in a transaction or broken."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from storage.engine.db import sessionmaker
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import Person
from tests.storage.test_prepared import ADD_PERSON

AT = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
PEOPLE = Prepared(select(func.count()).select_from(Person))


@pytest.fixture
def sql(store):
    return Statements(sessionmaker(store.engine))


async def test_a_statement_waits_while_a_session_holds_the_connection(store, sql):
    sessions = sessionmaker(store.engine)
    async with sessions.begin() as session:
        await session.execute(insert(Person).values(aad_object_id="aad-1", name="In the session", created_at=AT))
        counted = asyncio.create_task(sql.value(PEOPLE))
        for _ in range(5):
            await asyncio.sleep(0)
        # SQLite: waits for the session's connection; PostgreSQL: another connection, which sees nothing uncommitted
        assert not counted.done() or counted.result() == 0
    assert await counted in (0, 1) and await sql.value(PEOPLE) == 1


async def test_a_refused_row_leaves_no_transaction_open(store, sql):
    assert await sql.value(PEOPLE) == 0  # the pool's connection made, and back in its queue
    with pytest.raises(IntegrityError):
        async with sql.prepared_connection() as connection:
            await connection.execute(Prepared(ADD_PERSON), {"aad": "aad-2", "name": "First", "at": AT})
            await connection.execute(Prepared(ADD_PERSON), {"aad": "aad-2", "name": "Second", "at": AT})
    if store.engine.dialect.name == "sqlite":  # another process (a CLI command) writes at once: no lock is held
        other = sqlite3.connect(store.engine.url.database, timeout=0)
        other.execute("INSERT INTO people (aad_object_id, name, created_at) VALUES ('aad-cli', 'CLI', '2026-11-16')")
        other.commit()
        other.close()
    async with sessionmaker(store.engine).begin() as session:
        await session.execute(insert(Person).values(aad_object_id="aad-3", name="Third", created_at=AT))
    assert await sql.value(PEOPLE) >= 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_connection_the_driver_failed_on_is_replaced(store, sql):
    assert await sql.value(PEOPLE) == 0  # the pool's connection made, and back in its queue
    async with sql.prepared_connection() as connection:
        connection._driver.close()  # as if the file had gone: its next statement fails
    with pytest.raises(Exception, match="closed"):
        await sql.value(Prepared(select(literal(1))))
    assert await sql.value(Prepared(select(literal(1)))) == 1
    assert await sql.value(PEOPLE) == 0
