"""The daily job's selection and claim, timed in a process of its own (`python -m bench.daily_job URL DATE`).

It does what `cme-bot remind` does before posting anything: builds the services and the Teams
gateway, works out which schools are open, claims every milestone due (storage's `claim_due`, one
INSERT ... SELECT), loads the claims to send (`to_send`) and groups them by channel. Then it asks
PostgreSQL for the plan of the claim statement (EXPLAIN ANALYZE, rolled back), and prints one JSON
object with the timings, the plan, and its own peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from collections import defaultdict
from datetime import date


async def run(url: str, on_date: date, instance: str) -> dict:
    from sqlalchemy import event

    import bot.app
    from bot.app import build_services, connect
    from bot.config import DEVELOPMENT, Settings
    from bot.sending.channels import channel_of

    settings = Settings(database_url=url, environment=DEVELOPMENT, today=on_date, scheduler=False,
                        instance=instance)
    services = build_services(settings)
    gateway = connect(services)
    store = services.store
    load_calendars = getattr(bot.app, "load_calendars", None)
    if load_calendars is not None:
        await load_calendars(services)
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO REMINDER_CLAIMS"):
            captured.append((statement, parameters))

    event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
    try:
        begun = time.perf_counter()
        schools = {school.id: school for school in await store.schools.all()}
        open_today: list[int | None] = [sid for sid, school in schools.items()
                                        if services.calendars.for_school(school).is_school_day(on_date)]
        open_today.append(None)
        schools_done = time.perf_counter()
        claimed = await store.reminders.claim_due(on_date, instance, school_ids=open_today)
        claim_done = time.perf_counter()
        claims = await store.reminders.to_send(instance)
        to_send_done = time.perf_counter()
        by_channel: dict[str | None, list] = defaultdict(list)
        for claim in claims:
            by_channel[await channel_of(services, schools.get(claim.school_id))].append(claim)
        grouped = time.perf_counter()

        plan = []
        if captured and store.engine.dialect.name == "postgresql":
            statement, parameters = captured[0]
            async with store.engine.connect() as connection:
                transaction = await connection.begin()
                result = await connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = [row[0] for row in result.all()]
                await transaction.rollback()
    finally:
        await gateway.close()
        await store.close()
    return {
        "schools": len(schools), "open_today": len(open_today) - 1, "claimed": claimed, "to_send": len(claims),
        "channels": len(by_channel),
        "seconds": {"open_schools": schools_done - begun, "claim_due": claim_done - schools_done,
                    "to_send": to_send_done - claim_done, "group_by_channel": grouped - to_send_done,
                    "total": grouped - begun},
        "plan": plan,
        "peak_rss_mb": peak_rss_mb(),
    }


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
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("date")
    parser.add_argument("--instance", default="bench-daily-job")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, date.fromisoformat(args.date), args.instance))))


if __name__ == "__main__":
    main()
