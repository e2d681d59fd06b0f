"""Benchmark 6: the Monday-morning report storm of a national deployment, on PostgreSQL (`python -m bench --only storm`).

A national deployment: 150 authorities, 500 schools (each with a member of staff and a reminders channel) and
35,000 open cases (bulk-copied as in benchmark 2). The storm: 2,000 report card submits, each creating a case, four
from each school, which in life come within ten minutes; here they are fired as fast as `cme-bot serve` takes them
(50 staff at a time, each sending the next report as soon as the last is answered), so the run shows how long 2,000
take against the ten minutes, the throughput and the p99, with CME_WORKERS 1 and 2 (each on a copy of the same
database). Then the database's size (pg_database_size) and the 2,000 new cases are counted.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bench.common import TODAY, Databases, LoadResult, Server, bench_user, cme_bot_command, free_port
from bench.connector import StubConnector
from bench.messages import submit_value
from fakes.teams import User, activity

AUTHORITIES = 150
SCHOOLS = 500
OPEN_CASES = 35_000
REPORTS = 2_000
AT_ONCE = 50  # staff submitting at the same moment
STORM_SECONDS = 600.0  # 2,000 reports in ten minutes


@dataclass
class StormRun:
    workers: int
    result: LoadResult
    created: int
    database_mb: float
    server_rss_mb: float
    replies: int

    @property
    def seconds(self) -> float:
        return self.result.seconds


@dataclass
class Storm:
    authorities: int
    schools: int
    open_cases: int
    reports: int
    load_seconds: float
    seeded_mb: float
    runs: list[StormRun] = field(default_factory=list)


async def _staff(url: str) -> list[tuple[User, int]]:
    """One member of staff per school, granted by bulk copy: (user, school id)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    users = [(bench_user("storm", n), n) for n in range(1, SCHOOLS + 1)]
    now = datetime.now(UTC)
    parsed = make_url(url)
    connection = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                       password=parsed.password, database=parsed.database)
    try:
        async with connection.transaction():
            await connection.copy_records_to_table("people", records=[
                (school, user.aad_object_id, user.name, now) for user, school in users],
                columns=["id", "aad_object_id", "name", "created_at"])
            await connection.copy_records_to_table("roles", records=[
                (school, "school_staff", school, None, "bench", now) for _user, school in users],
                columns=["person_id", "role", "school_id", "authority_id", "granted_by", "granted_at"])
            await connection.execute("SELECT setval(pg_get_serial_sequence('people', 'id'), (SELECT max(id) FROM people))")
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return users


async def _size_mb(databases: Databases, url: str) -> float:
    from sqlalchemy.engine import make_url

    admin = await databases._admin()
    try:
        return await admin.fetchval("SELECT pg_database_size($1)", make_url(url).database) / 1024 / 1024
    finally:
        await admin.close()


async def _cases(url: str) -> int:
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    connection = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                       password=parsed.password, database=parsed.database)
    try:
        cases = await connection.fetchval("SELECT count(*) FROM cases")
    finally:
        await connection.close()
    return cases


def _letters(n: int) -> str:
    """A name part of letters only for report `n` (names take no digits): 0 -> "a", 26 -> "ba"."""
    out = ""
    while True:
        n, k = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[k] + out
        if n == 0:
            return out


async def fire(server_url: str, stub_url: str, staff: list[tuple[User, int]], reports: int, at_once: int, *,
               first: int = 0) -> LoadResult:
    """`reports` submits, each school's staff in turn, `at_once` in flight, each a child of its own (numbered from
    `first`): how long they took, each's latency."""
    queue: asyncio.Queue = asyncio.Queue()
    values = {school: submit_value(school) for _user, school in staff}
    for n in range(first, first + reports):
        queue.put_nowait((*staff[n % len(staff)], n))
    result = LoadResult()
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def sender() -> None:
            while not queue.empty():
                user, school, n = queue.get_nowait()
                child = {"forename": "Storm" + _letters(n), "surname": "Example" + _letters(n // 7)}
                body = json.dumps(activity(stub_url, user, value={**values[school], **child, "form": uuid.uuid4().hex},
                                           replyToId=f"form-card-{user.teams_id}-{uuid.uuid4().hex[:6]}"))
                begun = time.perf_counter()
                try:
                    async with session.post(server_url + "/api/messages", data=body, headers=headers) as response:
                        await response.read()
                        status = response.status
                except aiohttp.ClientError:
                    status = 0
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status in (200, 201, 202):
                    result.messages += 1
                    result.total_ok += 1
                    result.latencies.append(time.perf_counter() - begun)
                else:
                    result.errors += 1

        begun = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(at_once)))
        result.seconds = time.perf_counter() - begun
    return result


async def _one(databases: Databases, template: str, workers: int, workdir: Path, stub: StubConnector,
               staff: list[tuple[User, int]]) -> StormRun:
    from bench.national import _copy

    url = await _copy(databases, template, f"storm_{workers}")
    port = free_port()
    env = {"DATABASE_URL": url, "CME_TODAY": TODAY.isoformat(), "CME_SCHEDULER": "off", "CME_ENV": "development",
           "CME_WORKERS": str(workers)}
    server = Server([*cme_bot_command(), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)], port,
                    workdir / f"storm-serve-{workers}.log", env)
    try:
        await server.start()
        stub.reset()
        await fire(server.url, stub.url, staff, AT_ONCE, AT_ONCE, first=10 ** 6)  # first turns: connections, caches
        stub.reset()
        before = await _cases(url)
        cpu = server.cpu_seconds()
        result = await fire(server.url, stub.url, staff, REPORTS, AT_ONCE)
        result.server_cpu = server.cpu_seconds() - cpu
        rss = server.rss_mb()
        replies = stub.requests
    finally:
        server.stop()
    created = await _cases(url) - before
    size_mb = await _size_mb(databases, url)
    await databases.drop(url)
    return StormRun(workers, result, created, size_mb, rss, replies)


async def run(databases: Databases, workdir: Path, *, say=print) -> Storm:
    from bench import national

    url = await databases.postgresql("storm")
    stub = StubConnector()
    await stub.start()
    try:
        begun = time.perf_counter()
        await national._load(url, random.Random(20261207), stub.url, schools=SCHOOLS, cases=OPEN_CASES,
                             due_today=OPEN_CASES * 3 // 100)
        staff = await _staff(url)
        loaded = time.perf_counter() - begun
        seeded_mb = await _size_mb(databases, url)
        storm = Storm(AUTHORITIES, SCHOOLS, OPEN_CASES, REPORTS, loaded, seeded_mb)
        for workers in (1, 2):
            say(f"6. the storm: {REPORTS:,} report submits, CME_WORKERS={workers}")
            storm.runs.append(await _one(databases, url, workers, workdir, stub, staff))
    finally:
        await stub.stop()
        await databases.drop(url)
    return storm


def summary_rows(storm: Storm) -> list[tuple[str, str, str, bool | None]]:
    return [(f"6. storm, CME_WORKERS={r.workers}: {storm.reports:,} report submits",
             f"{r.seconds:.0f} s ({r.result.per_second:.0f}/s) = {STORM_SECONDS / r.seconds:.0f}x faster than the "
             f"storm; p99 {r.result.p99:.0f} ms", f"< {STORM_SECONDS:.0f} s", r.seconds < STORM_SECONDS
             and r.result.errors == 0) for r in storm.runs]


def section(storm: Storm) -> list[str]:
    out = ["", "## 6. The Monday-morning report storm, national scale (PostgreSQL)", "",
           f"{storm.authorities} authorities, {storm.schools} schools with a member of staff each, {storm.open_cases:,} "
           f"open cases, bulk-copied in {storm.load_seconds:.0f} s ({storm.seeded_mb:.0f} MB with indexes). Then "
           f"{storm.reports:,} report card submits, each creating a case, {AT_ONCE} staff at a time each sending the "
           "next as soon as the last was answered (the storm compressed: in life they come over ten minutes), "
           "against `cme-bot serve` with CME_WORKERS 1 and 2 on a copy of the same database each:", "",
           f"| CME_WORKERS | seconds for {storm.reports:,} | vs 10 minutes | submits/s | p50 ms | p99 ms | errors | server CPU ms "
           "per submit | cases created | database MB after | serve RSS MB |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    out += [f"| {r.workers} | {r.seconds:.1f} | {100 * r.seconds / STORM_SECONDS:.1f}% | {r.result.per_second:.0f} | "
            f"{r.result.p50:.0f} | {r.result.p99:.0f} | {r.result.errors} | {r.result.cpu_ms_per_message:.1f} | "
            f"{r.created:,} | {r.database_mb:.0f} | {r.server_rss_mb:.0f} |" for r in storm.runs]
    return out
