"""The daily jobs in a process of their own (`cme-bot remind`, `cme-bot copp run`, and the benchmark of the job): the
bot's services with a connection to Teams that only sends.

`bot.app` would also load what serving Teams needs and a job never uses: the web application, the handlers of every
command and card, the scheduler and the migrations (about 10 MB of the 150 MB the job at national scale may take).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.calendars import Calendars
from bot.config import Settings
from bot.services import Services
from bot.teams import TeamsGateway
from storage.store import Store


async def _answers_nothing(_turn, _outbox) -> None:
    raise RuntimeError("a daily job's process takes no activities from Teams")


def job_services(settings: Settings) -> Services:
    """The services of a job, not connected to Teams yet (see `connected`); a SQLite file's directory made, as
    `bot.app` makes it, so that a database never created is reported as not migrated."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
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
