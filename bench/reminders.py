"""Benchmark 3: 500 due reminders into 50 channels, against a stub connector that enforces Teams' limits.

The real job (`run_daily_reminders`) posts through the real gateway to bench.connector with
`limits=True`: per conversation 7 in 1 s, 8 in 2 s, 60 in 30 s (and 1800 an hour), and 50 requests a
second for the app, each judged on arrival, past which it answers 429 with a Retry-After.

The least time the limits allow: each channel's 10 posts fit its windows in 2 s (7 at once, the 8th
1 s later when the first 7 leave the 1 s window, the 9th and 10th 2 s after the first, when they
leave the 2 s window); but the app's 50 a second over 500 posts is the binding limit: 50 at 0 s,
50 more at 1 s, ..., the last 50 at 9 s. So the minimum is 9 s (after which the last answers come back).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp

from bench.common import TODAY, Databases, Server, free_port
from bench.connector import APP_LIMITS, CONVERSATION_LIMITS
from fakes.teams import BOT, TENANT

CHANNELS = 50
PER_CHANNEL = 10
TEAM = "19:bench-team@thread.tacv2"


def least_seconds(total: int, channels: int) -> float:
    """The start of the last post in the fastest schedule the stub's windows allow (all sent at once)."""
    per_channel = -(-total // channels)
    starts: list[float] = []
    for _ in range(per_channel):
        t = 0.0
        while True:
            wait = max(_wait(starts, t, limits) for limits in CONVERSATION_LIMITS)
            if wait <= 0:
                break
            t += wait
        starts.append(t)
    conversation_minimum = starts[-1]
    app_count, app_seconds = APP_LIMITS[0]
    app_minimum = ((total - 1) // app_count) * app_seconds
    return max(conversation_minimum, app_minimum), conversation_minimum


def _wait(starts: list[float], now: float, limit: tuple[int, float]) -> float:
    count, seconds = limit
    inside = [s for s in starts if now - s < seconds]
    return inside[-count] + seconds - now if len(inside) >= count else 0.0


@dataclass
class Posting:
    backend: str
    reminders: int
    channels: int
    claimed: int
    posted: int
    not_posted: int
    refused_429: int
    seconds: float
    minimum: float
    conversation_minimum: float
    first_to_last_arrival: float
    notes: list[str] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum if self.minimum else float("nan")


async def _prepare(url: str, stub_url: str):
    from bot.app import build_services, connect
    from bot.config import DEVELOPMENT, Settings
    from cme.case import Case, Pupil
    from cme.lifecycle import State
    from storage.cases import Actor, NewEvent
    from storage.conversations import CHANNEL
    from storage.migrate import upgrade
    from storage.store import Store

    store = Store.from_url(url)
    await upgrade(store.engine)
    settings = Settings(database_url=url, environment=DEVELOPMENT, today=TODAY, scheduler=False,
                        instance="bench-reminders")
    services = build_services(settings, store)
    connect(services)
    import bot.app

    load_calendars = getattr(bot.app, "load_calendars", None)
    if load_calendars is not None:
        await load_calendars(services)
    actor = Actor("00000000-0000-4000-8000-0000000be0c0", "Bench Staff")
    for n in range(CHANNELS):
        channel = f"19:bench-channel-{n}@thread.tacv2"
        school = await store.schools.add(f"{600000 + n}", f"Bench School {n} (fictional)", "Bench Borough",
                                         actor="bench", reminders_channel_id=channel)
        reference = {"activityId": None, "user": None, "bot": BOT,
                     "conversation": {"id": channel, "conversationType": "channel", "tenantId": TENANT,
                                      "isGroup": True},
                     "channelId": "msteams", "locale": "en-GB", "serviceUrl": stub_url}
        await store.conversations.save(channel, CHANNEL, reference, tenant_id=TENANT, team_id=TEAM)
        calendar = services.calendars.for_school(school)
        day_one = TODAY
        for _ in range(4):  # Day 5 falls today when Day 1 was four school days ago
            day_one = calendar.previous_school_day(day_one)
        for k in range(PER_CHANNEL):
            case = Case(reference="", school_id=school.id, state=State.ENQUIRIES,
                        pupil=Pupil(f"Pupil{k}", f"School{n}"), first_day_absent=day_one, run_start=day_one,
                        last_day_attended=day_one - timedelta(days=1))
            due = case.due_dates(calendar)
            assert min(due.values()) == TODAY, due
            await store.cases.create(case, NewEvent("reported", {}, actor), due)
    return services


async def _run(backend: str, url: str, workdir: Path) -> Posting:
    from bot.daily.reminders import run_daily_reminders

    port = free_port()
    stub = Server([sys.executable, "-m", "bench.connector", "--port", str(port), "--limits"], port,
                  workdir / "connector.log")
    await stub.start(ready_path="/stats")
    try:
        services = await _prepare(url, stub.url + "/")
        try:
            async with aiohttp.ClientSession() as session:
                await (await session.post(stub.url + "/reset")).read()
                begun = time.perf_counter()
                report = await run_daily_reminders(services, TODAY)
                seconds = time.perf_counter() - begun
                stats = await (await session.get(stub.url + "/stats")).json()
        finally:
            await services.messenger.close()
            await services.store.close()
    finally:
        stub.stop()
    minimum, conversation_minimum = least_seconds(CHANNELS * PER_CHANNEL, CHANNELS)
    notes = report.not_posted[:5] + report.uncertain[:5]
    return Posting(backend, CHANNELS * PER_CHANNEL, CHANNELS, report.claimed, len(report.posted),
                   len(report.not_posted) + len(report.uncertain), stats["refused_429"], seconds, minimum,
                   conversation_minimum, stats["first_to_last"], notes, stats["arrivals"])


async def run(databases: Databases, workdir: Path, *, postgres: bool) -> list[Posting]:
    out = [await _run("SQLite", databases.sqlite("reminders"), workdir)]
    if postgres:
        url = await databases.postgresql("reminders")
        try:
            out.append(await _run("PostgreSQL", url, workdir))
        finally:
            await databases.drop(url)
    return out
