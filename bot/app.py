"""The aiohttp application: /api/messages for Teams, /healthz for the load balancer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.calendars import Calendars
from bot.config import Settings
from bot.daily.scheduler import start_scheduler
from bot.dispatch import Dispatcher
from bot.exports.web import add_export_routes
from bot.handlers import all_routes
from bot.services import Services
from bot.teams import TeamsGateway
from bot.teams.gateway import LINGER_SECONDS, MAX_BODY_BYTES
from storage.migrate import upgrade
from storage.sqlite_file import ensure_sqlite_directory
from storage.store import Store

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)
CALENDAR_REFRESH_SECONDS = 60


def build_services(settings: Settings, store: Store | None = None) -> Services:
    if store is None:
        ensure_sqlite_directory(settings.database_url)
        store = Store.from_url(settings.database_url)
    return Services(settings, store, Calendars.from_file(settings.term_dates))


async def load_calendars(services: Services) -> None:
    """Put the term dates imported into the database in force; CalendarError if there are none at all."""
    await services.calendars.refresh(services.store)
    services.calendars.term_dates  # noqa: B018 - raises when neither the database nor the file has any


async def _refresh_calendars(services: Services) -> None:
    """A `cme-bot calendar import` on any machine reaches this instance within a minute."""
    while True:
        await asyncio.sleep(CALENDAR_REFRESH_SECONDS)
        try:
            await services.calendars.refresh(services.store)
        except Exception as error:  # noqa: BLE001 - keep the dates in force, try again later
            log.warning("could not read the imported term dates: %s", error)


def connect(services: Services) -> TeamsGateway:
    """The gateway to Teams, which is also the services' messenger for proactive messages."""
    gateway = TeamsGateway(services.settings, Dispatcher(services, all_routes()))
    services.messenger = gateway
    return gateway


def create_app(settings: Settings, services: Services | None = None, *, migrate: bool = True) -> web.Application:
    services = services or build_services(settings)
    gateway = connect(services)

    app = web.Application(client_max_size=MAX_BODY_BYTES, handler_args={"lingering_time": LINGER_SECONDS})
    app[SERVICES] = services
    app.router.add_post("/api/messages", gateway.process)
    app.router.add_get("/healthz", healthz)
    add_export_routes(app, services)

    background: list[asyncio.Task] = []

    async def start(_app: web.Application) -> None:
        if migrate:
            await upgrade(services.store.engine)
        await load_calendars(services)
        background.append(asyncio.get_running_loop().create_task(_refresh_calendars(services)))
        if settings.scheduler:
            app[SCHEDULER] = start_scheduler(services)

    async def stop(_app: web.Application) -> None:
        if SCHEDULER in app:
            app[SCHEDULER].shutdown(wait=False)
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await gateway.close()
        await services.store.close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[SERVICES].store.ping()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        log.warning("health check: database unreachable: %s", type(error).__name__)
        return web.json_response({"status": "unhealthy", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "worker": os.getpid()})
