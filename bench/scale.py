"""Benchmark 5: pages whose cost must not depend on how many cases there are (issue 18 item 1).

One authority of 100 schools holds 50, 5,000 or 50,000 open cases (and a tenth as many closed, located,
and a fiftieth out of provision), bulk-inserted; a tenth of the open cases are at one school, one in seven is
in the at-risk group GROUP, one in ten at the stage STAGE. Each case was reported on its first day of absence, in
the 120 days before TODAY; each has its Day 5 and Day 20 milestones, and of those already past 5% are not done
(overdue), so about one case in ten has an overdue milestone, anywhere in the register's order. A
`cme-bot serve` for each size and database stays up across the rounds; each round asks every page of every
server in turn, so a page at 50,000 is compared with the same page at 50 measured seconds before it:

- `my cases` by a member of that school's staff, and by an EWS officer (the whole authority);
- `register`, and the register filtered (overdue only with one at-risk group; each alone; one stage) as its
  Apply button sends it;
- `copp` (the COPP panel pack on demand) by a tracking officer;
- `stats` by an EWS officer.

What is compared is like for like: each page shows as many lines at 50 as at 50,000 (20 a page, 40 a COPP list), so
a ratio is the cost of finding them among more cases, not of drawing a longer card. At 5,000 and 50,000 the
proportions above give many more than a page of each; at 50 they would not (5 cases at the staff's school, none or
one overdue in the group, 5 closed), so the small seed is topped up (`_like_for_like`): at least SHOWN open cases at
the staff's school, SHOWN overdue in GROUP and SHOWN at STAGE, COPP_SHOWN reported and COPP_SHOWN located since the
last sitting, chosen at random. The top-up changes nothing at 5,000 and 50,000, where overdue children stay as rare
and as spread out as above: a filter the index cannot answer still reads many rows for each line it shows there (13
for overdue only), against two at 50. Before this (the figures up to 4 December 2026) the small pages were shorter:
my cases of the school's staff 5 lines, the register filtered 0 to 8, the COPP pack about 83 lines against 120,
which made those pages look up to 2x dearer at 50,000. `python -m bench.scale` runs some pages at some sizes quickly
and prints each page's length, throughput, p99 and the server's CPU per message.
"""

from __future__ import annotations

import random
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
from cards.copp import LIMIT
from cme.register import PAGE
from fakes.teams import User, activity

SIZES = (50, 5_000, 50_000)
SCHOOLS = 100
PAST_NOT_DONE = 0.05  # of the milestones already past: still not done (overdue), as in bench/national.py
USERS = 5  # closed loop: a slow page at 50,000 must not hold the run for minutes
AUTHORITY = "Scale Borough (fictional)"
GROUP = "runaways"
STAGE = "reported"
SHOWN = PAGE + 4  # open cases at least, at every size: at the staff's school, in GROUP overdue, in STAGE
COPP_SHOWN = LIMIT + 8  # at least, at every size: reported since the last sitting and open, located since
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
    ("register, stage", "ews", {"value": {**FILTERED, "group": "", "overdue_only": "false", "stage": STAGE},
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
    shown: dict[str, tuple[int, int]] | None = None  # page: (case references in its reply, the reply's bytes)


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
    from cme.copp import FORTNIGHT, PanelSchedule, latest_panel
    from cme.lifecycle import State
    from cme.milestones import known_due_dates
    from storage.migrate import upgrade
    from storage.models import CaseRow, MilestoneRow
    from storage.store import Store

    store = Store.from_url(url)
    try:
        await upgrade(store.engine)
        schools, users = await _people(store)
        authority_id = schools[0].authority_id
        calendar = Calendars.from_file(EXAMPLE_TERM_DATES).for_school(None)
        starts = [d for d in (TODAY - timedelta(days=n) for n in range(1, 120)) if calendar.is_school_day(d)]
        due = {start: known_due_dates(calendar, start) for start in starts}
        last = latest_panel(PanelSchedule(), calendar, TODAY - timedelta(days=1))  # what `copp` counts from
        since = last.day if last else TODAY - FORTNIGHT
        midday = datetime.combine(TODAY, time(12), UTC)  # the bot's today, not the wall clock's
        closed, tracking = max(size // 10, COPP_SHOWN), size // 50
        cases, milestones = [], {}
        for case_id in range(1, size + closed + tracking + 1):
            state = (State(_states(case_id)) if case_id <= size else State.CLOSED if case_id <= size + closed
                     else State.OUT_OF_PROVISION)
            school = schools[0] if case_id % 10 == 0 else rng.choice(schools[1:])
            row, milestones[case_id] = _one_case(rng, case_id, state, school.id, authority_id, starts, due)
            cases.append({**row, "closed_at": midday - timedelta(days=rng.randint(1, 90)) if case_id > size else None})
        _like_for_like(random.Random(size + 1), cases[:size], cases[size:size + closed], milestones,
                       schools[0].id, datetime.combine(since, time(12), UTC))
        rows = [row for of_case in milestones.values() for row in of_case]
        async with store.engine.begin() as connection:
            for begin in range(0, len(cases), 5_000):
                await connection.execute(insert(CaseRow), cases[begin:begin + 5_000])
            for begin in range(0, len(rows), 10_000):
                await connection.execute(insert(MilestoneRow), rows[begin:begin + 10_000])
            if store.engine.dialect.name == "postgresql":
                await connection.execute(text(
                    "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
        await store.copp.add_tally_changes()  # as the COPP run does every few minutes: not the first page's cost
        return users
    finally:
        await store.close()


async def _people(store) -> tuple[list, dict[str, list[User]]]:
    """The authority's schools, and the users of each group: the staff of the first school, the officers."""
    from cme.roles import Role

    schools = [await store.schools.add(f"{810000 + n}", f"Scale School {n} (fictional)", AUTHORITY, actor="bench",
                                       reminders_channel_id=f"19:scale-{n}@thread.tacv2") for n in range(SCHOOLS)]
    users = {group: [bench_user(group, n) for n in range(USERS)] for group in ("staff", "ews", "tracking")}
    for user in users["staff"]:
        await store.people.grant(user.aad_object_id, Role.SCHOOL_STAFF, actor="bench", name=user.name,
                                 school_id=schools[0].id)
    for group, role in (("ews", Role.EWS_OFFICER), ("tracking", Role.TRACKING_OFFICER)):
        for user in users[group]:
            await store.people.grant(user.aad_object_id, role, actor="bench", name=user.name,
                                     authority_id=schools[0].authority_id)
    return schools, users


def _one_case(rng: random.Random, case_id: int, state, school_id: int, authority_id: int, starts: list[date],
              due: dict) -> tuple[dict, list[dict]]:
    """One case's row (reported on its first day of absence) and its milestones' rows, 5% of those past not done."""
    from cme.case import Carer, Case, Pupil
    from cme.lifecycle import Outcome, State
    from cme.reference import format_reference
    from storage.mapping import row_values

    start = rng.choice(starts)
    pupil = Pupil(f"Pupil{case_id}", "Fictional", None, address=f"{case_id} Imaginary Road",
                  postcode="ZZ99 1ZZ", year_group="Year 6", carers=(Carer("Carer Fictional", "07700 900000"),))
    case = Case(reference="", school_id=school_id, state=state, pupil=pupil, first_day_absent=start,
                run_start=start, authority_id=authority_id, reason=rng.choice(("unknown", "never_started")),
                risk_groups=(GROUP,) if case_id % 7 == 0 else (),
                cme_referral_on=TODAY if state is State.CME_REFERRAL else None,
                outcome=Outcome.LOCATED_IN_AREA if state is State.CLOSED else None)
    reported = datetime.combine(start, time(16), UTC)
    row = {**row_values(case), "id": case_id, "reference": format_reference(2026, case_id), "submission_key": None,
           "created_by": "bench", "created_at": reported, "updated_at": reported, "version": 1}
    return row, [{"case_id": case_id, "milestone": milestone.value, "run_start": start, "due_on": due_on,
                  "done_on": due_on if due_on < TODAY and rng.random() >= PAST_NOT_DONE else None}
                 for milestone, due_on in due[start].items() if due_on is not None]


def _overdue(of_case: list[dict]) -> bool:
    return any(row["done_on"] is None and row["due_on"] < TODAY for row in of_case)


def _at_least(rng: random.Random, rows: list[dict], has, give, wanted: int) -> None:
    """Give `give` to rows chosen at random until `wanted` of them `has` it: a top-up that only the small seeds need
    (at 5,000 and 50,000 the proportions give many more, and nothing is changed)."""
    missing = wanted - sum(1 for row in rows if has(row))
    if missing > 0:
        for row in rng.sample([row for row in rows if not has(row)], missing):
            give(row)


def _like_for_like(rng: random.Random, open_cases: list[dict], closed: list[dict], milestones: dict[int, list[dict]],
                   school_id: int, since: datetime) -> None:
    """Enough cases for every measured page to be as long at 50 open cases as at 50,000 (see the docstring)."""
    def in_group(row: dict) -> bool:
        return GROUP in row["risk_groups"]

    def overdue_in_group(row: dict) -> bool:
        return in_group(row) and _overdue(milestones[row["id"]])

    def make_overdue_in_group(row: dict) -> None:
        row["risk_groups"] = [*row["risk_groups"], GROUP] if not in_group(row) else row["risk_groups"]
        if not _overdue(milestones[row["id"]]):
            next(m for m in milestones[row["id"]] if m["due_on"] < TODAY)["done_on"] = None

    past = [row for row in open_cases if any(m["due_on"] < TODAY for m in milestones[row["id"]])]
    _at_least(rng, past, overdue_in_group, make_overdue_in_group, SHOWN)
    _at_least(rng, open_cases, lambda row: row["school_id"] == school_id,
              lambda row: row.update(school_id=school_id), SHOWN)
    _at_least(rng, [row for row in open_cases if row["state"] in ("enquiries", STAGE)],
              lambda row: row["state"] == STAGE, lambda row: row.update(state=STAGE), SHOWN)
    _at_least(rng, open_cases, lambda row: row["created_at"] >= since,
              lambda row: row.update(created_at=since, updated_at=since), COPP_SHOWN)
    _at_least(rng, closed, lambda row: row["closed_at"] >= since, lambda row: row.update(closed_at=since), COPP_SHOWN)


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


class _Replies(StubConnector):
    """The stub connector keeping the last reply the bot sent, to tell how long a page was."""

    last = b""

    def received(self, method: str, conversation_id: str, activity_id: str, body: bytes) -> None:
        self.last = body


async def _shown(stub: _Replies, one: Seeded, group: str, what: dict) -> tuple[int, int]:
    """One request: the case references its reply names (a page's lines, a child listed twice counted twice), and
    the reply's bytes."""
    import json

    import aiohttp

    stub.last = b""
    async with aiohttp.ClientSession() as session, session.post(
            one.server.url + "/api/messages", data=json.dumps(_maker(stub, what)(one.users[group][0], 0)),
            headers={"Content-Type": "application/json"}) as response:
        await response.read()
    return len(re.findall(rb"CME-\d{4}-\d{4,}", stub.last)), len(stub.last)


async def run(databases: Databases, workdir: Path, *, seconds: float, warmup: float, postgres: bool,
              rounds: int, say=print, sizes: tuple[int, ...] = SIZES, workloads=WORKLOADS,
              sqlite: bool = True) -> tuple[list[Seeded], list[list[ScaleMeasured]]]:
    import time

    stub = _Replies()
    await stub.start()
    seeded: list[Seeded] = []
    try:
        for backend in ("SQLite",) * sqlite + ("PostgreSQL",) * postgres:
            for size in sizes:
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
                seeded[-1].shown = {name: await _shown(stub, seeded[-1], group, what)
                                    for name, group, what in workloads}
        out = []
        for number in range(1, rounds + 1):
            say(f"   round {number} of {rounds}")
            measured = []
            for name, group, what in workloads:
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


def _parse(argv: list[str] | None = None):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.scale", description="Some pages at some sizes, quickly: "
                                     "lines shown, msg/s, p99 and the server's CPU per message (nothing written).")
    parser.add_argument("--pages", nargs="+", default=[], help="pages whose name contains one of these (default all)")
    parser.add_argument("--sizes", nargs="+", type=int, default=[SIZES[0], SIZES[-1]])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=1)
    return parser.parse_args(argv)


async def _main(args) -> None:
    import tempfile

    workloads = tuple(w for w in WORKLOADS if not args.pages or any(part in w[0] for part in args.pages))
    workdir = Path(tempfile.mkdtemp(prefix="cme-bench-scale-"))
    databases = Databases(workdir)
    try:
        seeded, rounds = await run(databases, workdir, seconds=args.seconds, warmup=0.5, rounds=args.rounds,
                                   postgres="postgresql" in args.databases, sqlite="sqlite" in args.databases,
                                   sizes=tuple(args.sizes), workloads=workloads)
    finally:
        await databases.drop_all()
    print("page | database | size | lines | reply bytes | msg/s | p99 ms | server CPU ms/msg")
    for number, measured in enumerate(rounds, 1):
        for m in measured:
            lines, size = next(one.shown[m.name] for one in seeded if (one.backend, one.size) == (m.backend, m.size))
            print(f"{m.name} | {m.backend} | {m.size:,} | {lines} | {size:,} | {m.result.per_second:.1f} | "
                  f"{m.result.p99:.0f} | {m.result.cpu_ms_per_message:.2f}   (round {number})")


if __name__ == "__main__":
    import asyncio

    asyncio.run(_main(_parse()))
