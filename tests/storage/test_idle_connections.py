"""PostgreSQL closes a connection the bot left idle (a restart, a failover, an idle timeout):
the next message is answered as usual, on a new connection."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from cme.roles import Role
from storage.store import Store


async def _close_every_other_connection(url: str) -> int:
    parsed = make_url(url)
    admin = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                  database=parsed.database)
    try:
        return len(await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        await admin.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has no server to close a connection
async def test_a_connection_the_server_closed_while_idle_is_replaced(database_url):
    store = Store.from_url(database_url, ping_after=0.2)
    try:
        await store.people.grant("aad-idle", Role.ADMIN, actor="test", name="Ida Idle")
        assert (await store.people.roles_of("aad-idle")).has(Role.ADMIN)
        assert await _close_every_other_connection(database_url) >= 1
        await asyncio.sleep(0.3)  # idle past ping_after
        assert (await store.people.roles_of("aad-idle")).has(Role.ADMIN)
        assert await store.seen.first_time("activity-after-the-restart")
    finally:
        await store.close()
