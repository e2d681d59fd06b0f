"""SQLite through aiosqlite's interface, its calls made on the event loop's thread."""

from __future__ import annotations

import sqlite3
from functools import partial

import aiosqlite


class InlineSqlite(aiosqlite.Connection):
    """aiosqlite's connection, running each call on the event loop's thread once connected.

    aiosqlite hands every call (cursor, execute, fetch, commit) to a worker thread and waits for it to
    come back: four or five thread round trips a SELECT, costing more than SQLite's own work on a
    local file, which in WAL mode takes microseconds and never waits for readers. A write waits only
    for another process's write (a CLI command), for as long as that transaction lasts.
    """

    async def _execute(self, fn, *args, **kwargs):
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_sqlite(database, **kwargs) -> InlineSqlite:
    """What aiosqlite.connect does, for InlineSqlite (the connection is opened in aiosqlite's thread)."""
    location = database.decode() if isinstance(database, bytes) else str(database)
    kwargs["check_same_thread"] = False
    connection = InlineSqlite(partial(sqlite3.connect, location, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True
    return connection
