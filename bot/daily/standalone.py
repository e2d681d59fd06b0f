"""The daily jobs in a process of their own (`cme-bot remind`, `cme-bot copp run`, and the benchmark of the job): the
bot's services with a connection to Teams that only sends.

`bot.app` would also load what serving Teams needs and a job never uses: the web application, the handlers of every
command and card, the scheduler; and alembic, which a job needs only to know that the schema is current
(`pending_heads` reads that without it). Together 11 MB of the 150 MB the job at national scale may take.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import storage
from bot.calendars import Calendars
from bot.config import Settings
from bot.services import Services
from bot.teams import TeamsGateway
from storage.sqlite_file import ensure_sqlite_directory
from storage.store import Store


async def _answers_nothing(_turn, _outbox) -> None:
    raise RuntimeError("a daily job's process takes no activities from Teams")


def job_services(settings: Settings) -> Services:
    """The services of a job, not connected to Teams yet (see `connected`); a SQLite file's directory made, as
    `bot.app` makes it, so that a database never created is reported as not migrated."""
    ensure_sqlite_directory(settings.database_url)
    return Services(settings, Store.from_url(settings.database_url), Calendars.from_file(settings.term_dates))


@asynccontextmanager
async def connected(services: Services) -> AsyncIterator[Services]:
    """The services with their messenger to Teams and the term dates in force (CalendarError when there are none);
    the connections to Teams closed after."""
    gateway = TeamsGateway(services.settings, _answers_nothing)
    services.messenger = gateway
    try:
        await services.calendars.refresh(services.store)
        services.calendars.term_dates  # noqa: B018 - raises when neither the database nor the file has any
        yield services
    finally:
        await gateway.close()


VERSIONS = Path(storage.__file__).parent / "migrations" / "versions"


def migration_heads() -> set[str]:
    """The newest revisions of storage's migrations, those no other revision follows (alembic's heads)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["revision"]:
                revisions.add(ast.literal_eval(node.value))
            elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["down_revision"]:
                before = ast.literal_eval(node.value)
                followed |= {before} if isinstance(before, str) else set(before or ())
    return revisions - followed


async def pending_heads(engine: AsyncEngine) -> list[str]:
    """The migrations' heads the database is not at (empty when its schema is current), as
    `storage.migrate.pending_revisions` tells it, without loading alembic."""
    async with engine.connect() as connection:
        if not await connection.run_sync(lambda sync: sync.dialect.has_table(sync, "alembic_version")):
            return sorted(migration_heads())
        applied = set((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    heads = migration_heads()
    return [] if applied == heads else sorted(heads - applied) or sorted(applied)
