"""The daily jobs of `cme-bot serve`: APScheduler starts them on weekdays.

The reminders, and the COPP panel when a sitting's time has come, run in a process of their own (bot/daily/child.py,
built as `cme-bot remind` builds its own): `serve` never holds their peak memory (at 100,000 open cases the job took
`serve` over 150 MB), and a job that crashes or is killed cannot take the bot down. Its report and its exit are
logged here; claims in the database keep each reminder, digest and pack to one post across processes and instances.
Whether a COPP sitting is due is asked here every five minutes: a few small statements, no process started for them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import ROOT, Settings
from bot.daily.child import FAILED, NOT_ALL_POSTED, NOT_RUN
from bot.daily.copp import copp_due
from bot.daily.retention import monthly_retention
from bot.services import Services

log = logging.getLogger(__name__)
CHILD = "bot.daily.child"
WHAT = {"remind": "daily reminder run", "copp": "COPP panel run"}
STOP_SECONDS = 10  # a child still running when `serve` stops gets this long to end after SIGTERM
ENDINGS = {
    0: (logging.INFO, "ended: everything due was posted"),
    NOT_ALL_POSTED: (logging.WARNING, "ended with something not posted (its lines above say what); the next run "
                                      "posts it"),
    NOT_RUN: (logging.ERROR, "could not run (its lines above say why)"),
    FAILED: (logging.ERROR, "failed (its lines above say where); the next run picks up what is left"),
}


async def run_in_child(job: str, settings: Settings) -> int:
    """`python -m bot.daily.child JOB` with these settings: its output logged line by line, its exit code returned
    and logged (a negative code: killed by that signal)."""
    env = settings.as_environment()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))  # `bot` from a checkout too
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", CHILD, job, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    name = f"the {WHAT[job]} (process {process.pid})"
    log.info("%s started", name)
    try:
        async for line in process.stdout:
            log.info("%s: %s", name, line.decode(errors="replace").rstrip())
        code = await process.wait()
    except asyncio.CancelledError:  # serve is stopping: what the child holds is taken over by the next run
        await _stop(process)
        raise
    level, said = ENDINGS.get(code, (logging.ERROR, f"was ended by signal {-code}" if code < 0 else "failed"))
    log.log(level, "%s %s (exit %s)", name, said, code)
    return code


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


async def daily_job(services: Services) -> None:
    try:
        await run_in_child("remind", services.settings)
    except Exception:  # noqa: BLE001 - the next run retries whatever was not posted
        log.exception("the daily reminder run could not be started; the next run picks up what is left")


async def copp_job(services: Services) -> None:
    try:
        if await copp_due(services):
            await run_in_child("copp", services.settings)
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
    log.info("daily reminders at %s %s on school days, each run in a process of its own", at.strftime("%H:%M"),
             settings.timezone)
    return scheduler
