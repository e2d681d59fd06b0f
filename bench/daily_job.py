"""The daily job in a process of its own (`python -m bench.daily_job URL DATE [--full]`), its peak memory measured.

Without --full it does what `cme-bot remind` does before posting anything: builds the services and the Teams
gateway, works out which schools are open, claims every milestone due (storage's `claim_due`, in batches), loads
the first batch of claims to send (`to_send`) and groups it by channel. Then it asks PostgreSQL for the plans of
the claim's two statements on its first batch (EXPLAIN ANALYZE in a transaction rolled back, the batch's claims
taken back first, so the plans show the real work).

With --full it runs the whole job as `cme-bot serve` does on a school day: the reminders, overdue digests, term
dates warning, non-arrival cards and hand-off reminders (`run_daily_reminders`), then the COPP panel's sittings
(`run_copp`), posting through the real gateway to whatever Bot Connector the database's conversations name.

With --full --serve it starts a process built as `cme-bot serve` builds its own (`bot.app.create_app` and the
collector's settings: the web application, the handlers of every command and card, the scheduler, the migrations
checked at start), listening on a free port, and runs the jobs of its scheduler (bot/daily/scheduler.py) as they
fire: the reminders, and the COPP run when a sitting is due, each in a child process. With --in-process as well,
the same whole job runs inside that process, as `serve` ran it before (157 MB at 100,000 open cases).

Either way it prints one JSON object with the timings, what was posted, and its peak resident memory, and its
memory once its services are built, as `cme-bot remind` builds them (bot/daily/standalone.py: not the web app and
handlers `serve` holds), its schema checked, before the job starts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date


@asynccontextmanager
async def _services(url: str, on_date: date, instance: str) -> AsyncIterator:
    """The job's services as `cme-bot remind` builds them (bot/daily/standalone.py), its schema check included."""
    from bot.config import DEVELOPMENT, Settings
    from bot.daily.standalone import connected, job_services, pending_heads

    settings = Settings(database_url=url, environment=DEVELOPMENT, today=on_date, scheduler=False,
                        instance=instance)
    services = job_services(settings)
    try:
        if await pending_heads(services.store.engine):
            raise SystemExit("bench.daily_job: the database is not migrated")
        async with connected(services):
            yield services
    finally:
        await services.store.close()


async def claim(url: str, on_date: date, instance: str) -> dict:
    from sqlalchemy import event

    from bot.sending.channels import channel_of

    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        text = statement.lstrip().upper()
        if text.startswith("INSERT INTO REMINDER_CLAIMS") or text.startswith("SELECT MILESTONES.DUE_ON"):
            captured.append((statement, parameters))

    async with _services(url, on_date, instance) as services:
        store = services.store
        ready_mb = peak_rss_mb()
        event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
        begun = time.perf_counter()
        schools = {school.id: school for school in await store.schools.all()}
        open_today: list[int | None] = [sid for sid, school in schools.items()
                                        if services.calendars.for_school(school).is_school_day(on_date)]
        open_today.append(None)
        schools_done = time.perf_counter()
        # As the job asks on a day every school is open: every case, no list of schools (bot/daily/reminders.py).
        claimed = await store.reminders.claim_due(on_date, instance, school_ids=None if len(open_today) == len(
            schools) + 1 else open_today)
        claim_done = time.perf_counter()
        claims = await store.reminders.to_send(instance)
        to_send_done = time.perf_counter()
        by_channel: dict[str | None, list] = defaultdict(list)
        for each in claims:
            school = schools.get(each.school_id)
            by_channel[await channel_of(services, school, school.authority_id if school else None)].append(each)
        grouped = time.perf_counter()
        plans = await _plans(store, captured) if store.engine.dialect.name == "postgresql" else {}
    return {
        "schools": len(schools), "open_today": len(open_today) - 1, "claimed": claimed, "to_send": len(claims),
        "channels": len(by_channel), "statements": len(captured),
        "seconds": {"open_schools": schools_done - begun, "claim_due": claim_done - schools_done,
                    "to_send": to_send_done - claim_done, "group_by_channel": grouped - to_send_done,
                    "total": grouped - begun},
        "plans": plans, "ready_rss_mb": ready_mb, "peak_rss_mb": peak_rss_mb(),
    }


async def _plans(store, captured: list[tuple[str, object]]) -> dict[str, list[str]]:
    """The first batch's SELECT of unclaimed milestones and its INSERT ... SELECT, with that batch unclaimed again."""
    select = next((c for c in captured if c[0].lstrip().upper().startswith("SELECT")), None)
    insert = next((c for c in captured if c[0].lstrip().upper().startswith("INSERT")), None)
    plans: dict[str, list[str]] = {}
    async with store.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.exec_driver_sql("DELETE FROM reminder_claims WHERE claimed_at = "
                                         "(SELECT min(claimed_at) FROM reminder_claims WHERE outcome IS NULL)")
        for name, found in (("select", select), ("insert", insert)):
            if found is not None:
                result = await connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + found[0], found[1])
                plans[name] = [row[0] for row in result.all()]
        await transaction.rollback()
    return plans


@asynccontextmanager
async def _serving(url: str, on_date: date, instance: str) -> AsyncIterator:
    """The services of a started `cme-bot serve` (bot.app.create_app, its start-up run, listening on a free port),
    its scheduler off so that only the measured job runs."""
    from aiohttp import web

    from bot.app import SERVICES, create_app
    from bot.config import DEVELOPMENT, Settings
    from bot.ops.garbage import settle

    settings = Settings(database_url=url, environment=DEVELOPMENT, today=on_date, scheduler=False,
                        instance=instance, host="127.0.0.1", port=0)
    app = create_app(settings)
    app.on_startup.append(settle)  # as `cme-bot serve` adds it: its collector's thresholds apply to the job too
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, 0)
    await site.start()
    try:
        yield app[SERVICES]
    finally:
        await runner.cleanup()


async def full(url: str, on_date: date, instance: str, *, serve: bool = False) -> dict:
    from bot.daily.copp import run_copp
    from bot.daily.reminders import run_daily_reminders

    async with (_serving if serve else _services)(url, on_date, instance) as services:
        await asyncio.sleep(2 if serve else 0)  # as serve idles before its run time
        ready_mb, ready_now_mb = peak_rss_mb(), rss_mb()
        begun = time.perf_counter()
        report = await run_daily_reminders(services, on_date)
        reminders_done = time.perf_counter()
        copp = await run_copp(services, on_date=on_date)
        copp_done = time.perf_counter()
    return {
        "claimed": report.claimed, "posted": len(report.posted), "digests": len(report.digests),
        "not_posted": len(report.not_posted), "uncertain": len(report.uncertain), "unsent": len(report.unsent),
        "given_up_channels": len(report.reach.given_up),
        "copp_posted": len(copp.posted), "copp_not_posted": len(copp.not_posted) + len(copp.uncertain),
        "seconds": {"reminders": reminders_done - begun, "copp": copp_done - reminders_done,
                    "total": copp_done - begun},
        "built_as": "serve" if serve else "remind", "ready_rss_mb": ready_mb, "ready_now_rss_mb": ready_now_mb,
        "peak_rss_mb": peak_rss_mb(),
    }


async def in_serve(url: str, on_date: date, instance: str) -> dict:
    """The whole job as `serve`'s scheduler runs it now (bot/daily/scheduler.py's jobs): each run in a process of its
    own; the figures are the serving process's, and its children's largest high-water mark."""
    from bot.daily.scheduler import copp_job, daily_job

    async with _serving(url, on_date, instance) as services:
        await asyncio.sleep(2)  # as serve idles before its run time
        ready_mb, ready_now_mb = peak_rss_mb(), rss_mb()
        begun = time.perf_counter()
        await daily_job(services)
        reminders_done = time.perf_counter()
        await copp_job(services)
        copp_done = time.perf_counter()
    return {
        "seconds": {"reminders": reminders_done - begun, "copp": copp_done - reminders_done,
                    "total": copp_done - begun},
        "built_as": "serve, the job in a child", "ready_rss_mb": ready_mb, "ready_now_rss_mb": ready_now_mb,
        "peak_rss_mb": peak_rss_mb(),
        # Linux's ru_maxrss of a child counts what it held before its exec too: at least serve's size at the fork.
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def rss_mb() -> float:
    """This process's resident memory now (VmRSS)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    Linux keeps getrusage's ru_maxrss across exec, so a child forked from a big parent would report the
    parent's size; the kernel's high-water mark (VmHWM) belongs to the new image alone.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("date")
    parser.add_argument("--instance", default="bench-daily-job")
    parser.add_argument("--full", action="store_true", help="the whole job, posting, and the COPP panel")
    parser.add_argument("--serve", action="store_true", help="with --full: in a process built as `serve` builds it, "
                                                             "as its scheduler runs the job (in a child process)")
    parser.add_argument("--in-process", action="store_true", help="with --serve: the job inside serve's process")
    args = parser.parse_args()
    on_date = date.fromisoformat(args.date)
    if args.serve:
        from bot.ops.cli import _event_loop

        loop = _event_loop()  # serve's (uvloop)
        run = full(args.url, on_date, args.instance, serve=True) if args.in_process else in_serve(
            args.url, on_date, args.instance)
        print(json.dumps(loop.run_until_complete(run)))
        return
    run = full if args.full else claim
    print(json.dumps(asyncio.run(run(args.url, on_date, args.instance))))


if __name__ == "__main__":
    main()
