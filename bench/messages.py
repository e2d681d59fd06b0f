"""Benchmark 1: messages over loopback, 20 concurrent users, replies to a local stub connector.

The echo sample (bench/echo.py) is measured in the same run as the reference; then `cme-bot serve`
(the real command, in development mode) on SQLite and on PostgreSQL answers (a) `help`, (b) a report
card submit that creates a case, and (c) `my cases` at a school with 500 open cases.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.common import (
    TODAY,
    Databases,
    LoadResult,
    Server,
    bench_user,
    closed_loop,
    cme_bot_command,
    free_port,
)
from bench.connector import StubConnector
from fakes.teams import User, activity

USERS = 20
WORKERS = 2  # `cme-bot serve --workers 2`, one a core here
ECHO = "echo sample (botbuilder)"
BARE = "bare aiohttp (ceiling)"
OPEN_CASES = 500
LIST_URN, REPORT_URN = "800001", "800002"


@dataclass
class Measured:
    name: str
    backend: str
    result: LoadResult
    replies_per_message: float


async def prepare(url: str) -> dict:
    """Migrate, then two schools, staff for each workload, and 500 open cases at the listing school."""
    from bot.app import build_services
    from bot.config import DEVELOPMENT, Settings
    from cme.case import Carer, Case, Pupil
    from cme.lifecycle import State
    from cme.roles import Role
    from storage.cases import Actor, NewEvent
    from storage.migrate import upgrade
    from storage.store import Store

    store = Store.from_url(url)
    try:
        await upgrade(store.engine)
        services = build_services(Settings(database_url=url, environment=DEVELOPMENT, today=TODAY, scheduler=False),
                                  store)
        listing = await store.schools.add(LIST_URN, "Benchmark Primary School (fictional)", "Bench Borough",
                                          actor="bench", reminders_channel_id="19:bench-a@thread.tacv2")
        reporting = await store.schools.add(REPORT_URN, "Benchmark Academy (fictional)", "Bench Borough",
                                            actor="bench", reminders_channel_id="19:bench-b@thread.tacv2")
        users = {"help": [bench_user("help", n) for n in range(USERS)],
                 "list": [bench_user("list", n) for n in range(USERS)],
                 "report": [bench_user("report", n) for n in range(USERS)]}
        for group, school in (("help", listing), ("list", listing), ("report", reporting)):
            for user in users[group]:
                await store.people.grant(user.aad_object_id, Role.SCHOOL_STAFF, actor="bench", name=user.name,
                                         school_id=school.id)
        calendar = services.calendars.for_school(listing)
        actor = Actor(users["list"][0].aad_object_id, users["list"][0].name)
        first_days = [d for d in (TODAY - timedelta(days=n) for n in range(1, 60)) if calendar.is_school_day(d)]
        for n in range(OPEN_CASES):
            first = first_days[n % len(first_days)]
            pupil = Pupil(f"Pupil{n}", "Example", None, address=f"{n} Imaginary Road", postcode="ZZ99 1ZZ",
                          year_group="Year 4", carers=(Carer(f"Carer {n}", "07700 900000"),))
            case = Case(reference="", school_id=listing.id, state=State.ENQUIRIES, pupil=pupil,
                        first_day_absent=first, run_start=first)
            await store.cases.create(case, NewEvent("reported", {}, actor), case.due_dates(calendar))
        assert await store.cases.count_open([listing.id]) == OPEN_CASES
        return {"users": users, "report_school_id": reporting.id}
    finally:
        await store.close()


def submit_value(school_id: int) -> dict:
    """What Teams sends when "Submit report" is pressed on step 3 of the report card (form id replaced)."""
    from cards.report_form import ReportForm, report_form_card

    values = {"school_id": str(school_id), "forename": "Ada", "surname": "Example", "date_of_birth": "2016-03-14",
              "sex": "female",
              "year_group": "Year 5", "address": "1 Imaginary Lane, Exampleton", "postcode": "ZZ99 9ZZ",
              "carer1_name": "Pat Example", "carer1_phone": "07700 900123", "first_day_absent": "2026-11-11",
              "last_day_attended": "2026-11-10", "known_so_far": "Neighbours think the family moved away."}
    card = report_form_card(ReportForm("form", 3, values, [(school_id, "Benchmark Academy (fictional)")], TODAY))
    action = next(a for a in card["actions"] if a.get("title") == "Submit report")
    return {**action["data"], "risk_cp_plan": "no", "risk_looked_after": "no", "risk_harm": "no"}


async def measure(server_url: str, stub: StubConnector, users: list[User], make, *, seconds: float,
                  warmup: float, server: Server) -> tuple[LoadResult, float]:
    stub.reset()
    result = await closed_loop(server_url + "/api/messages", users, make, seconds=seconds, warmup=warmup,
                               server=server)
    answered = result.total_ok or 1
    return result, stub.requests / answered


async def run_reference(module: str, name: str, workdir: Path, stub: StubConnector, *, seconds: float,
                        warmup: float) -> Measured:
    """The echo sample (bench.echo) or the bare aiohttp ceiling (bench.bare), in a process of its own."""
    port = free_port()
    server = Server([sys.executable, "-m", module, "--port", str(port)], port, workdir / f"{module}.log")
    await server.start(ready_path=None)
    try:
        users = [bench_user("echo", n) for n in range(USERS)]
        result, ratio = await measure(server.url, stub, users, lambda user, n: activity(stub.url, user, text="hello"),
                                      seconds=seconds, warmup=warmup, server=server)
    finally:
        server.stop()
    return Measured(name, "-", result, ratio)


async def analyse(url: str) -> None:
    """PostgreSQL's planner statistics, as autovacuum keeps them: a run before may have added thousands of
    cases at one school. (The bot never analyses SQLite, whose planner then prefers the indexes.)"""
    from storage.engine.db import create_engine

    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


async def run_ours(backend: str, url: str, workdir: Path, stub: StubConnector, *, seconds: float,
                   warmup: float, workers: int = 1, data: dict | None = None) -> list[Measured]:
    data = data or await prepare(url)
    await analyse(url)
    users = data["users"]
    submit = submit_value(data["report_school_id"])
    port = free_port()
    env = {"DATABASE_URL": url, "CME_TODAY": TODAY.isoformat(), "CME_SCHEDULER": "off", "CME_ENV": "development",
           "CME_WORKERS": str(workers)}
    server = Server([*cme_bot_command(), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)], port,
                    workdir / f"serve-{backend}-{workers}.log", env)
    await server.start()
    out = []
    try:
        # (c) before (b): the thousands of cases (b) creates would otherwise be new to the planner's statistics.
        workloads = (
            ("(a) help", users["help"], lambda user, n: activity(stub.url, user, text="help")),
            (f"(c) my cases ({OPEN_CASES} open)", users["list"], lambda user, n: activity(stub.url, user,
                                                                                          text="my cases")),
            ("(b) card submit creating a case", users["report"],
             lambda user, n: activity(stub.url, user, value={**submit, "form": uuid.uuid4().hex},
                                      replyToId=f"form-card-{user.teams_id}")),
        )
        for name, group, make in workloads:
            result, ratio = await measure(server.url, stub, group, make, seconds=seconds, warmup=warmup, server=server)
            out.append(Measured(name, backend, result, ratio))
    finally:
        server.stop()
    return sorted(out, key=lambda measured: measured.name)  # reported as (a), (b), (c)


async def run(databases: Databases, workdir: Path, *, seconds: float, warmup: float,
              postgres: bool) -> list[Measured]:
    stub = StubConnector()
    await stub.start()
    try:
        measured = [await run_reference("bench.echo", ECHO, workdir, stub, seconds=seconds, warmup=warmup),
                    await run_reference("bench.bare", BARE, workdir, stub, seconds=seconds, warmup=warmup)]
        measured += await run_ours("SQLite", databases.sqlite("messages"), workdir, stub, seconds=seconds,
                                   warmup=warmup)
        if postgres:
            url = await databases.postgresql("messages")
            try:
                data = await prepare(url)
                measured += await run_ours("PostgreSQL", url, workdir, stub, seconds=seconds, warmup=warmup,
                                           data=data)
                measured += await run_ours(f"PostgreSQL, {WORKERS} workers", url, workdir, stub, seconds=seconds,
                                           warmup=warmup, workers=WORKERS, data=data)
            finally:
                await databases.drop(url)
    finally:
        await stub.stop()
    return measured
