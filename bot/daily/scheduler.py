"""The daily reminder job inside `cme-bot serve`: APScheduler runs one plain coroutine on weekdays."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.daily.copp import run_copp
from bot.daily.reminders import run_daily_reminders
from bot.daily.retention import monthly_retention
from bot.services import Services

log = logging.getLogger(__name__)


async def daily_job(services: Services) -> None:
    try:
        await run_daily_reminders(services, services.today())
    except Exception:  # noqa: BLE001 - the next run retries whatever was not posted
        log.exception("the daily reminder run failed; the next run picks up what is left")


async def copp_job(services: Services) -> None:
    try:
        await run_copp(services)
    except Exception:  # noqa: BLE001 - the next run (minutes later) posts what was not
        log.exception("the COPP panel run failed; the next run picks up what is left")


async def retention_job(services: Services) -> None:
    try:
        await monthly_retention(services)
    except Exception:  # noqa: BLE001 - the next day's run claims the month again if this one did not finish
        log.exception("the monthly retention run failed; the next day's run tries again")


def start_scheduler(services: Services) -> AsyncIOScheduler:
    settings = services.settings
    scheduler = AsyncIOScheduler(timezone=settings.zone)
    at = settings.reminder_time
    scheduler.add_job(daily_job, CronTrigger(day_of_week="mon-fri", hour=at.hour, minute=at.minute,
                                             timezone=settings.zone),
                      args=[services], id="daily-reminders", coalesce=True, max_instances=1,
                      misfire_grace_time=12 * 3600)
    # Each authority sets its panel's day and time: a run every few minutes posts the sittings whose time has come.
    scheduler.add_job(copp_job, CronTrigger(day_of_week="mon-fri", minute="*/5", timezone=settings.zone),
                      args=[services], id="copp-panel", coalesce=True, max_instances=1, misfire_grace_time=3600)
    # Each night; the first run of a calendar month erases what is past retention, the others find it claimed.
    scheduler.add_job(retention_job, CronTrigger(hour=2, minute=30, timezone=settings.zone), args=[services],
                      id="monthly-retention", coalesce=True, max_instances=1, misfire_grace_time=12 * 3600)
    scheduler.start()
    now = datetime.now(settings.zone)
    if now.weekday() < 5 and now.time() >= at:
        # Started after today's run time (a restart, a deployment): catch up now; claims stop doubles.
        asyncio.get_running_loop().create_task(daily_job(services))
    log.info("daily reminders at %s %s on school days", at.strftime("%H:%M"), settings.timezone)
    return scheduler
