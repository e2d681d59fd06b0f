"""Engine and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import json
import time

import orjson
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.engine.fair_pool import FairPool
from storage.engine.inline_sqlite import inline_sqlite
from storage.engine.prepared import park_connections

# How long a connection may wait between prepared statements outside the pool (storage/engine/prepared.py).
PARK_FOR = 1.0


def async_url(url: str) -> str:
    """Accept the URLs people write (postgresql://, sqlite:///) and name the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, ping_after: float = 5.0, **kwargs) -> AsyncEngine:
    url = async_url(url)
    kwargs.setdefault("hide_parameters", True)  # a logged database error never carries a child's details
    kwargs.setdefault("json_serializer", _json_text)
    if make_url(url).get_backend_name() == "sqlite":
        if make_url(url).database not in (None, "", ":memory:"):
            # One connection, handed out in turn: SQLite has one writer at a time, and its calls run on
            # the event loop's thread (storage/engine/inline_sqlite.py), where a second connection waiting in
            # SQLite's busy handler would stop the loop the first one needs to finish.
            kwargs.setdefault("poolclass", FairPool)
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, connect_args={"timeout": 30, "async_creator_fn": inline_sqlite}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Kept open: more connections than the turns one process runs at once. An overflow connection is
    # closed when returned, and opening one (TLS attempt, authentication) costs more than a turn.
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("poolclass", FairPool)
    engine = create_async_engine(url, **kwargs)
    _ping_when_idle(engine, ping_after)
    park_connections(engine, min(PARK_FOR, ping_after / 2))
    return engine


def _json_text(value) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # keys that are not text, integers past 64 bits: written as the json module writes them
        return json.dumps(value)


def _ping_when_idle(engine: AsyncEngine, seconds: float) -> None:
    """Check a pooled connection that sat idle (the server may have closed it) before handing it out.

    SQLAlchemy's pool_pre_ping checks every checkout, a round trip before each statement of a busy
    bot; a connection used a moment ago is as alive as one can know without using it. A dead one is
    replaced: the pool reconnects when checkout raises DisconnectionError.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info.setdefault("idle_since", time.monotonic())  # or when last used, if it was parked (prepared.py)

    @event.listens_for(engine.sync_engine, "checkout")
    def _handed_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: not usable
            raise DisconnectionError("the database closed an idle connection") from error
        if alive is False:
            raise DisconnectionError("the database closed an idle connection")


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def engine_of(sessions: async_sessionmaker) -> AsyncEngine:
    """The engine behind a sessionmaker: statements that need no ORM session (about 1 ms less a call)."""
    return sessions.kw["bind"]


def insert_for(engine: AsyncEngine):
    """INSERT with ON CONFLICT, in the dialect of the engine."""
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The temporary b-trees of a statement (the tally triggers' GROUP BY on every write of a case) in memory, not in
    # a temporary file: 6 to 8% of a report submit's CPU. They are as large as what one statement sorts.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()
