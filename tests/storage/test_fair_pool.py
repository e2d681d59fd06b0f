"""Under load, a message waits for a database connection in its turn, never behind later arrivals."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from storage.engine.db import create_engine


async def test_connections_go_to_waiters_in_the_order_they_asked(database_url):
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    served: list[str] = []

    async def use(name: str) -> None:
        connection = await engine.connect()
        served.append(name)
        await connection.execute(text("SELECT 1"))
        await asyncio.sleep(0)  # holds the connection across a turn of the event loop, as a session's close does
        await connection.close()

    try:
        held = await engine.connect()
        waiting = [asyncio.create_task(use(f"waiter {n}")) for n in range(3)]
        await asyncio.sleep(0.05)  # all three are queued for the one connection
        newcomer = asyncio.create_task(use("newcomer"))  # arrives just as the connection comes back
        await held.close()
        await asyncio.gather(*waiting, newcomer)
    finally:
        await engine.dispose()
    assert served == ["waiter 0", "waiter 1", "waiter 2", "newcomer"]
