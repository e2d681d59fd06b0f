"""Benchmark 5: pages whose cost must not depend on how many cases there are (issue 18 item 1).

One authority of 100 schools holds 50, 5,000 or 50,000 open cases (and a tenth as many closed, located,
and a fiftieth out of provision), bulk-inserted; a tenth of the open cases are at one school. Each has its
Day 5 and Day 20 milestones; of those already past, 5% are not done (overdue), so about one case in ten has
an overdue milestone. A
`cme-bot serve` for each size and database stays up across the rounds; each round asks every page of every
server in turn, so a page at 50,000 is compared with the same page at 50 measured seconds before it:

- `my cases` by a member of that school's staff, and by an EWS officer (the whole authority);
- `register`, and the register filtered (overdue only with one at-risk group; each alone; one stage) as its
  Apply button sends it;
- `copp` (the COPP panel pack on demand) by a tracking officer;
- `stats` by an EWS officer.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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

SIZES = (50, 5_000, 50_000)
SCHOOLS = 100
PAST_NOT_DONE = 0.05  # of the milestones already past: still not done (overdue), as in bench/national.py
USERS = 5  # closed loop: a slow page at 50,000 must not hold the run for minutes
AUTHORITY = "Scale Borough (fictional)"
GROUP = "runaways"
FILTERED = {"verb": "register.page", "stage": "", "school": "", "group": GROUP, "reason": "",
            "overdue_only": "true", "min_weeks": ""}
# (name, whose users, what they send)
WORKLOADS = (
    ("my cases, school staff", "staff", {"text": "my cases"}),
    ("my cases, EWS officer (authority)", "ews", {"text": "my cases"}),
    ("register", "ews", {"text": "register"}),
    ("register, overdue + at-risk group", "ews", {"value": FILTERED, "replyToId": "register-card"}),
    ("register, at-risk group", "ews", {"value": {**FILTERED, "overdue_only": "false"}, "replyToId": "register-card"}),
    ("register, overdue only", "ews", {"value": {**FILTERED, "group": ""}, "replyToId": "register-card"}),
    ("register, stage", "ews", {"value": {**FILTERED, "group": "", "overdue_only": "false", "stage": "reported"},
                                "replyToId": "register-card"}),
    ("copp (pack on demand)", "tracking", {"text": "copp"}),
    ("stats", "ews", {"text": "stats"}),
)


@dataclass
class ScaleMeasured:
    name: str
    backend: str
    size: int
    result: LoadResult


@dataclass
class Seeded:
    backend: str
    size: int
    url: str
    users: dict[str, list[User]]
    seconds: float
    server: Server | None = None
    plans: dict[str, list[str]] | None = None  # PostgreSQL's, of `my cases`' statements


async def explain(url: str) -> dict[str, list[str]]:
    """`EXPLAIN (ANALYZE, BUFFERS)` of `my cases`' statements for the big school's staff and the whole authority."""
    from sqlalchemy import select

    from storage.cases import _open_page
    from storage.engine.db import create_engine
    from storage.models import School

    engine = create_engine(url)
    plans = {}
    try:
        async with engine.connect() as connection:
            school, authority = (await connection.execute(select(School.id, School.authority_id)
                                                          .order_by(School.id).limit(1))).one()
            values = {"today": TODAY, "offset": 0, "limit": 20, "skip": 0, "rest": 20, "school_id": school,
                      "authority_id": authority}
            for label, kind, authorities in (("school staff", "school", 0), ("EWS officer", "all", 1)):
                statements = _open_page(kind, False, authorities)
                for part in ("overdue", "rest"):
                    compiled = getattr(statements, part).statement.compile(dialect=engine.dialect)
                    result = await connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + compiled.string,
                        tuple(compiled.construct_params(values)[name] for name in compiled.positiontup))
                    plans[f"my cases, {label}: {part}"] = [row[0] for row in result.all()]
    finally:
        await engine.dispose()
    return plans


def _states(n: int) -> str:
    return ("enquiries", "enquiries", "enquiries", "enquiries", "reported", "referred_to_ews", "cme_referral",
            "removal_requested", "enquiries", "referred_to_ews")[n % 10]


async def seed(url: str, size: int, rng: random.Random) -> dict[str, list[User]]:
    """Migrate; the authority, its schools and people; then the cases and milestones in bulk, one transaction."""
    from sqlalchemy import insert, text

    from bot.calendars import Calendars
    from bot.config import EXAMPLE_TERM_DATES
    from cme.case import Carer, Case, Pupil
    from cme.lifecycle import Outcome, State
    from cme.milestones import known_due_dates
    from cme.reference import format_reference
    from cme.roles import Role
    from storage.mapping import row_values
    from storage.migrate import upgrade
    from storage.models import CaseRow, MilestoneRow
    from storage.store import Store

    store = Store.from_url(url)
    try:
        await upgrade(store.engine)
        schools = [await store.schools.add(f"{810000 + n}", f"Scale School {n} (fictional)", AUTHORITY, actor="bench",
                                           reminders_channel_id=f"19:scale-{n}@thread.tacv2") for n in range(SCHOOLS)]
        authority_id = schools[0].authority_id
        users = {group: [bench_user(group, n) for n in range(USERS)] for group in ("staff", "ews", "tracking")}
        for user in users["staff"]:
            await store.people.grant(user.aad_object_id, Role.SCHOOL_STAFF, actor="bench", name=user.name,
                                     school_id=schools[0].id)
        for group, role in (("ews", Role.EWS_OFFICER), ("tracking", Role.TRACKING_OFFICER)):
            for user in users[group]:
                await store.people.grant(user.aad_object_id, role, actor="bench", name=user.name,
                                         authority_id=authority_id)
        calendar = Calendars.from_file(EXAMPLE_TERM_DATES).for_school(None)
        starts = [d for d in (TODAY - timedelta(days=n) for n in range(1, 120)) if calendar.is_school_day(d)]
        due = {start: known_due_dates(calendar, start) for start in starts}
        now = datetime.now(UTC)
        closed, tracking = size // 10, size // 50
        cases, milestones = [], []
        for case_id in range(1, size + closed + tracking + 1):
            start = rng.choice(starts)
            school = schools[0] if case_id % 10 == 0 else rng.choice(schools[1:])
            state = (State(_states(case_id)) if case_id <= size else State.CLOSED if case_id <= size + closed
                     else State.OUT_OF_PROVISION)
            pupil = Pupil(f"Pupil{case_id}", "Fictional", None, address=f"{case_id} Imaginary Road",
                          postcode="ZZ99 1ZZ", year_group="Year 6", carers=(Carer("Carer Fictional", "07700 900000"),))
            case = Case(reference="", school_id=school.id, state=state, pupil=pupil, first_day_absent=start,
                        run_start=start, authority_id=authority_id, reason=rng.choice(("unknown", "never_started")),
                        risk_groups=(GROUP,) if case_id % 7 == 0 else (),
                        cme_referral_on=TODAY if state is State.CME_REFERRAL else None,
                        outcome=Outcome.LOCATED_IN_AREA if state is State.CLOSED else None)
            cases.append({**row_values(case), "id": case_id, "reference": format_reference(2026, case_id),
                          "submission_key": None, "created_by": "bench", "created_at": now - timedelta(days=30),
                          "updated_at": now, "version": 1,
                          "closed_at": now - timedelta(days=rng.randint(1, 90)) if case_id > size else None})
            for milestone, due_on in due[start].items():
                if due_on is None:
                    continue
                done = due_on if due_on < TODAY and rng.random() >= PAST_NOT_DONE else None
                milestones.append({"case_id": case_id, "milestone": milestone.value, "run_start": start,
                                   "due_on": due_on, "done_on": done})
        async with store.engine.begin() as connection:
            for begin in range(0, len(cases), 5_000):
                await connection.execute(insert(CaseRow), cases[begin:begin + 5_000])
            for begin in range(0, len(milestones), 10_000):
                await connection.execute(insert(MilestoneRow), milestones[begin:begin + 10_000])
            if store.engine.dialect.name == "postgresql":
                await connection.execute(text(
                    "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
        await store.copp.add_tally_changes()  # as the COPP run does every few minutes: not the first page's cost
        return users
    finally:
        await store.close()


async def vacuum(url: str) -> None:
    """After the bulk load, what autovacuum does soon after one on PostgreSQL: the statistics, and the visibility map
    that lets a count be read from an index alone. (SQLite is left as the bot leaves it.)"""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    connection = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                       password=parsed.password, database=parsed.database)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def _start(one: Seeded, workdir: Path) -> None:
    port = free_port()
    env = {"DATABASE_URL": one.url, "CME_TODAY": TODAY.isoformat(), "CME_SCHEDULER": "off",
           "CME_ENV": "development", "CME_WORKERS": "1"}
    one.server = Server([*cme_bot_command(), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)], port,
                        workdir / f"scale-{one.backend}-{one.size}.log", env)
    await one.server.start()


def _maker(stub: StubConnector, what: dict):
    return lambda user, n: activity(stub.url, user, **what)


async def run(databases: Databases, workdir: Path, *, seconds: float, warmup: float, postgres: bool,
              rounds: int, say=print) -> tuple[list[Seeded], list[list[ScaleMeasured]]]:
    import time

    stub = StubConnector()
    await stub.start()
    seeded: list[Seeded] = []
    try:
        for backend in ("SQLite", "PostgreSQL") if postgres else ("SQLite",):
            for size in SIZES:
                name = f"scale_{size}"
                url = databases.sqlite(name) if backend == "SQLite" else await databases.postgresql(name)
                begun = time.perf_counter()
                users = await seed(url, size, random.Random(size))
                await vacuum(url)
                seeded.append(Seeded(backend, size, url, users, time.perf_counter() - begun))
                if backend == "PostgreSQL" and size == SIZES[-1]:
                    seeded[-1].plans = await explain(url)
                say(f"   {backend}: {size:,} open cases seeded in {seeded[-1].seconds:.1f} s")
                await _start(seeded[-1], workdir)
        out = []
        for number in range(1, rounds + 1):
            say(f"   round {number} of {rounds}")
            measured = []
            for name, group, what in WORKLOADS:
                for one in seeded:
                    stub.reset()
                    result = await closed_loop(one.server.url + "/api/messages", one.users[group], _maker(stub, what),
                                               seconds=seconds, warmup=warmup, server=one.server)
                    measured.append(ScaleMeasured(name, one.backend, one.size, result))
            out.append(measured)
        return seeded, out
    finally:
        for one in seeded:
            if one.server:
                one.server.stop()
            await databases.drop(one.url)
        await stub.stop()


@dataclass(frozen=True)
class ScaleSummary:
    name: str
    backend: str
    per_second: dict[int, float]  # size: median msg/s
    p99: dict[int, float]  # size: median p99 ms
    slower: float  # median over rounds of msg/s at the smallest / msg/s at the largest
    p99_ratio: float  # median over rounds of p99 at the largest / p99 at the smallest
    slower_range: tuple[float, float]
    p99_range: tuple[float, float]
    errors: int


def summarise(rounds: list[list[ScaleMeasured]]) -> list[ScaleSummary]:
    keys = list(dict.fromkeys((m.name, m.backend) for m in rounds[0])) if rounds else []
    small, large = SIZES[0], SIZES[-1]
    out = []
    for name, backend in keys:
        def runs(size: int, name=name, backend=backend) -> list[LoadResult]:
            return [m.result for one in rounds for m in one if (m.name, m.backend, m.size) == (name, backend, size)]
        slower, p99 = [], []
        for one in rounds:
            by_size = {m.size: m.result for m in one if (m.name, m.backend) == (name, backend)}
            a, b = by_size.get(small), by_size.get(large)
            if a and b:
                slower.append(a.per_second / b.per_second if b.per_second else float("inf"))
                p99.append(b.p99 / a.p99 if a.p99 == a.p99 and a.p99 else float("nan"))
        out.append(ScaleSummary(
            name, backend,
            {size: statistics.median(r.per_second for r in runs(size)) for size in SIZES},
            {size: _median([r.p99 for r in runs(size)]) for size in SIZES},
            _median(slower), _median(p99), (min(slower, default=float("nan")), max(slower, default=float("nan"))),
            (min(p99, default=float("nan")), max(p99, default=float("nan"))),
            sum(r.errors for size in SIZES for r in runs(size))))
    return out


def _median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")
