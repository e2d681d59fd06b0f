"""Benchmark 1: messages over loopback, 20 concurrent users, replies to a local stub connector.

On a machine others share, one run says little: so the benchmark runs in rounds. Each round measures
the echo sample (bench/echo.py), the bare aiohttp ceiling (bench/bare.py), then `cme-bot serve` (the
real command, in development mode) on SQLite and on PostgreSQL answering (a) `help`, (c) `my cases`
at a school with 500 open cases, (b) a report card submit that creates a case and (d) the same with a
Day 1 risk (its urgent alert posted to the school's channel too), each in turn. Every server is started
once and stays up, idle but for its turn; each workload is judged against the echo of its own round.
"""

from __future__ import annotations

import os
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
ROUNDS = 3
HELP = "(a) help"
SUBMIT = "(b) card submit creating a case"
MY_CASES = f"(c) my cases ({OPEN_CASES} open)"
AT_RISK = "(d) card submit, Day 1 risk (+ channel alert)"


@dataclass
class Measured:
    name: str
    backend: str
    result: LoadResult
    replies_per_message: float


@dataclass
class Round:
    number: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    measured: list[Measured]


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


async def start_reference(module: str, workdir: Path) -> Server:
    """The echo sample (bench.echo) or the bare aiohttp ceiling (bench.bare), in a process of its own."""
    port = free_port()
    server = Server([sys.executable, "-m", module, "--port", str(port)], port, workdir / f"{module}.log")
    await server.start(ready_path=None)
    return server


async def analyse(url: str) -> None:
    """PostgreSQL's planner statistics, as autovacuum keeps them: a round before may have added thousands of
    cases at one school. (The bot never analyses SQLite, whose planner then prefers the indexes.)"""
    from storage.engine.db import create_engine

    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


@dataclass
class Ours:
    """One `cme-bot serve` kept running across the rounds, and what it is asked."""

    backend: str
    url: str
    server: Server
    workloads: list[tuple[str, list[User], object]]


async def start_ours(backend: str, url: str, workdir: Path, stub: StubConnector, data: dict,
                     workers: int = 1) -> Ours:
    users = data["users"]
    school_id = data["report_school_id"]
    submit, at_risk = submit_value(school_id), {**submit_value(school_id), "risk_cp_plan": "yes"}
    port = free_port()
    env = {"DATABASE_URL": url, "CME_TODAY": TODAY.isoformat(), "CME_SCHEDULER": "off", "CME_ENV": "development",
           "CME_WORKERS": str(workers)}
    server = Server([*cme_bot_command(), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)], port,
                    workdir / f"serve-{backend}-{workers}.log".replace(" ", "_").replace(",", ""), env)
    await server.start()
    # (c) before (b) and (d): the cases they create would otherwise be new to the planner's statistics.
    workloads = [
        (HELP, users["help"], lambda user, n: activity(stub.url, user, text="help")),
        (MY_CASES, users["list"], lambda user, n: activity(stub.url, user, text="my cases")),
        (SUBMIT, users["report"],
         lambda user, n: activity(stub.url, user, value={**submit, "form": uuid.uuid4().hex},
                                  replyToId=f"form-card-{user.teams_id}")),
        (AT_RISK, users["report"],
         lambda user, n: activity(stub.url, user, value={**at_risk, "form": uuid.uuid4().hex},
                                  replyToId=f"form-card-{user.teams_id}")),
    ]
    return Ours(backend, url, server, workloads)


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


async def one_round(number: int, echo: Server, bare: Server, ours: list[Ours], stub: StubConnector, *,
                    seconds: float, warmup: float) -> Round:
    """Echo, ceiling, then each of our workloads in turn: every ratio is to this round's echo."""
    begun = _load()
    echo_users = [bench_user("echo", n) for n in range(USERS)]
    hello = lambda user, n: activity(stub.url, user, text="hello")  # noqa: E731
    measured = []
    for name, server in ((ECHO, echo), (BARE, bare)):
        result, ratio = await measure(server.url, stub, echo_users, hello, seconds=seconds, warmup=warmup,
                                      server=server)
        measured.append(Measured(name, "-", result, ratio))
    for one in ours:
        await analyse(one.url)
        for name, group, make in one.workloads:
            result, ratio = await measure(one.server.url, stub, group, make, seconds=seconds, warmup=warmup,
                                          server=one.server)
            measured.append(Measured(name, one.backend, result, ratio))
    return Round(number, begun, _load(), measured)


async def run(databases: Databases, workdir: Path, *, seconds: float, warmup: float, postgres: bool,
              rounds: int = ROUNDS, workers: bool = True, say=print) -> list[Round]:
    """`rounds` rounds, every server started once and kept (idle between its turns)."""
    stub = StubConnector()
    await stub.start()
    servers: list[Server] = []
    urls: list[str] = []
    try:
        echo = await start_reference("bench.echo", workdir)
        servers.append(echo)
        bare = await start_reference("bench.bare", workdir)
        servers.append(bare)
        url = databases.sqlite("messages")
        ours = [await start_ours("SQLite", url, workdir, stub, await prepare(url))]
        if postgres:
            url = await databases.postgresql("messages")
            urls.append(url)
            data = await prepare(url)
            ours.append(await start_ours("PostgreSQL", url, workdir, stub, data))
            if workers:
                ours.append(await start_ours(f"PostgreSQL, {WORKERS} workers", url, workdir, stub, data,
                                             workers=WORKERS))
        servers += [one.server for one in ours]
        out = []
        for number in range(1, rounds + 1):
            say(f"   round {number} of {rounds}")
            out.append(await one_round(number, echo, bare, ours, stub, seconds=seconds, warmup=warmup))
        return out
    finally:
        for server in servers:
            server.stop()
        await stub.stop()
        for url in urls:
            await databases.drop(url)
