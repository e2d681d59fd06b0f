"""Benchmark 2: the daily job at national scale, on PostgreSQL.

A fresh database holds 2,000 schools and 100,000 open cases (synthetic, bulk-copied), each with its
Day 5 and Day 20 milestones: 3,000 fall due today; of those already past, most are done and the rest
were claimed by earlier runs (so they are in the open-milestone index but must not be claimed again).
`bench.daily_job` then selects and claims in a process of its own, which reports its peak memory.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.common import ROOT, TODAY, Databases, Server, free_port
from bot.daily.reach import EVERYWHERE, PER_CHANNEL

SCHOOLS = 2_000
CASES = 100_000
DUE_TODAY = 3_000
PAST_NOT_DONE = 0.05  # of the milestones already past: not done yet, claimed by an earlier run
FULL_TARGET_MB = 150.0
UNREACHABLE_BOUND_S = 300.0  # the job with Teams unreachable ends within this


@dataclass
class National:
    schools: int
    cases: int
    milestones: int
    due_today: int
    load_seconds: float
    job: dict
    full: dict = field(default_factory=dict)
    unreachable: dict = field(default_factory=dict)


def _school_days(calendar, before: date, count: int) -> list[date]:
    """`count` school days ending with `before`, newest first."""
    days, day = [before], before
    while len(days) < count:
        day = calendar.previous_school_day(day)
        days.append(day)
    return days


CHANNEL = "19:bench-school-{}@thread.tacv2"
AUTHORITY_CHANNEL = "19:bench-authority-{}@thread.tacv2"
AUTHORITIES = 150
STARTERS = 600  # expected starters whose non-arrival card falls due today
HANDOFFS = 150  # hand-offs between authorities waiting to be accepted


def _reference(channel: str, service_url: str) -> str:
    return json.dumps({"activityId": None, "user": None, "bot": {"id": "28:bench-bot", "name": "CME"},
                       "conversation": {"id": channel, "conversationType": "channel", "tenantId": "bench-tenant",
                                        "isGroup": True},
                       "channelId": "msteams", "locale": "en-GB", "serviceUrl": service_url})


async def _load(url: str, rng: random.Random, service_url: str = "http://127.0.0.1:9/", *, schools: int = SCHOOLS,
                cases: int = CASES, due_today: int = DUE_TODAY) -> tuple[int, int]:
    """Migrate, then bulk-copy 150 authorities and 2,000 schools (each channel a conversation whose Bot Connector is
    `service_url`), the cases and milestones, earlier runs' claims, expected starters and waiting hand-offs."""
    import asyncpg

    from bot.calendars import Calendars
    from bot.config import EXAMPLE_TERM_DATES
    from cme.milestones import Milestone
    from cme.reference import format_reference
    from storage.migrate import upgrade
    from storage.store import Store

    store = Store.from_url(url)
    try:
        await upgrade(store.engine)
    finally:
        await store.close()
    calendar = Calendars.from_file(EXAMPLE_TERM_DATES).for_school(None)
    days = _school_days(calendar, TODAY, 60)  # days[k]: k school days before today
    due = {start: {m: calendar.date_of_day(start, m.day) for m in Milestone} for start in days}
    now = datetime.now(UTC)
    authorities = [(i, f"Authority {i} (synthetic)", AUTHORITY_CHANNEL.format(i), now) for i in range(1, AUTHORITIES + 1)]
    school_count, schools = schools, [(i, f"{700000 + i}", f"School {i} (synthetic)", 1 + i % AUTHORITIES,
                                       CHANNEL.format(i), now) for i in range(1, schools + 1)]
    conversations = [(channel, "channel", "bench-tenant", "19:bench-team@thread.tacv2", _reference(channel, service_url),
                      now) for channel in [row[4] for row in schools] + [row[2] for row in authorities]]
    pupil = json.dumps({"forename": "Pupil", "surname": "Synthetic", "date_of_birth": "2015-01-01", "upn": "",
                        "year_group": "Year 6", "address": "1 Synthetic Street", "postcode": "ZZ99 1ZZ",
                        "carers": [{"name": "Carer Synthetic", "phone": "07700 900000", "relationship": ""}]})
    risk = json.dumps({"child_protection_plan": False, "looked_after": False, "suspected_harm_or_crime": False})
    details = json.dumps({"forwarding_address": "", "new_school": "", "referrer": "", "breaks": [],
                          "enquiry_kinds": []})
    # Day 5 today: Day 1 was 4 school days ago; Day 20 today: 19. Nobody else is due today.
    starts = [days[4]] * (due_today // 2) + [days[19]] * (due_today - due_today // 2)
    others = [d for k, d in enumerate(days) if k not in (4, 19)]
    starts += [rng.choice(others) for _ in range(cases - len(starts))]
    rng.shuffle(starts)
    cases, milestones, claims = [], [], []
    for case_id, start in enumerate(starts, 1):
        school_id = rng.randint(1, school_count)
        cases.append((case_id, format_reference(now.year, case_id), school_id, 1 + school_id % AUTHORITIES, "enquiries",
                      pupil, start, calendar.previous_school_day(start), start, risk, "[]", "", "", details, "bench",
                      now, now, 1))
        for milestone, due_on in due[start].items():
            done_on = None
            if due_on < TODAY:
                if rng.random() < PAST_NOT_DONE:
                    claims.append((case_id, milestone.value, start, due_on, due_on, now, "earlier-run", 1, now,
                                   "sent"))
                else:
                    done_on = due_on
            milestones.append((case_id, milestone.value, start, due_on, done_on))
    starters = [(n, 1 + n % school_count, f"bench-{n}", pupil, "", days[6], "expected", "", "bench", now, now, 1)
                for n in range(1, STARTERS + 1)]
    handoffs = [(n, n, 1 + n % AUTHORITIES, "Authority", 1 + (n + 1) % AUTHORITIES, "Authority", days[5], "bench",
                 "Bench Officer", f"bench-{n}") for n in range(1, HANDOFFS + 1)]
    parsed = make_url(url)
    connection = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                       password=parsed.password, database=parsed.database)
    try:
        async with connection.transaction():
            for table, records, columns in (
                    ("authorities", authorities, ["id", "name", "channel_id", "created_at"]),
                    ("schools", schools, ["id", "urn", "name", "authority_id", "reminders_channel_id", "created_at"]),
                    ("conversations", conversations,
                     ["conversation_id", "kind", "tenant_id", "team_id", "reference", "updated_at"]),
                    ("cases", cases,
                     ["id", "reference", "school_id", "authority_id", "state", "pupil", "first_day_absent",
                      "last_day_attended", "run_start", "risk", "risk_groups", "reason", "known_so_far", "details",
                      "created_by", "created_at", "updated_at", "version"]),
                    ("milestones", milestones, ["case_id", "milestone", "run_start", "due_on", "done_on"]),
                    ("reminder_claims", claims,
                     ["case_id", "milestone", "run_start", "due_on", "claimed_on", "claimed_at", "claimed_by",
                      "attempts", "sent_at", "outcome"]),
                    ("expected_starters", starters,
                     ["id", "school_id", "pupil_key", "pupil", "previous_school", "first_day", "status", "case_reference",
                      "created_by", "created_at", "updated_at", "version"]),
                    ("handoffs", handoffs,
                     ["id", "case_id", "from_authority_id", "from_name", "to_authority_id", "to_name", "sent_on",
                      "sent_by", "sent_by_name", "sent_key"])):
                await connection.copy_records_to_table(table, records=records, columns=columns)
            # The references' counter, as the bot keeps it: a case reported now takes the next number.
            await connection.execute("INSERT INTO counters (name, value) VALUES ($1, $2)", f"case-{now.year}",
                                     len(cases))
            for table in ("authorities", "schools", "cases", "expected_starters", "handoffs"):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        store = Store.from_url(url)
        try:  # as the COPP run does every few minutes: the load's changes are not the job's to add
            await store.copp.add_tally_changes()
        finally:
            await store.close()
        await connection.execute("VACUUM ANALYZE")
        due_today = await connection.fetchval(
            "SELECT count(*) FROM milestones WHERE due_on = $1 AND done_on IS NULL", TODAY)
    finally:
        await connection.close()
    return len(milestones), due_today


async def _copy(databases: Databases, template_url: str, name: str) -> str:
    """A new database copied from the loaded one, so each run of the job starts from the same morning."""
    template = make_url(template_url).database
    url = await databases.postgresql(name)
    admin = await databases._admin()
    try:
        await admin.execute(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{make_url(url).database}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return url


async def _job(url: str, *flags: str) -> dict:
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bench.daily_job", url, TODAY.isoformat(), *flags], cwd=ROOT,
        capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"bench.daily_job failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def _stub(session, stub_url: str, failing: int | None) -> None:
    await (await session.post(stub_url + "/reset")).read()
    await (await session.post(stub_url + "/fail" + (f"?status={failing}" if failing else ""))).read()


async def run(databases: Databases, workdir: Path | None = None) -> National:
    """Load once; then, each on a copy of that morning: the claim with its plans, the whole job posting to a stub
    Bot Connector, and the whole job with the stub answering every call 503 (Teams unreachable)."""
    import aiohttp

    workdir = workdir or databases.workdir
    port = free_port()
    stub = Server([sys.executable, "-m", "bench.connector", "--port", str(port)], port, workdir / "national-stub.log")
    await stub.start(ready_path="/stats")
    url = await databases.postgresql("national")
    try:
        begun = time.perf_counter()
        milestones, due_today = await _load(url, random.Random(20261116), stub.url + "/")
        loaded = time.perf_counter() - begun
        copies = []
        async with aiohttp.ClientSession() as session:
            copies.append(await _copy(databases, url, "national_claim"))
            job = await _job(copies[-1])
            job["plan"] = job["plans"].get("select", []) + [""] + job["plans"].get("insert", [])
            outcomes = {}
            for name, failing in (("full", None), ("unreachable", 503)):
                copies.append(await _copy(databases, url, f"national_{name}"))
                await _stub(session, stub.url, failing)
                outcomes[name] = await _job(copies[-1], "--full")
                outcomes[name]["connector"] = {k: v for k, v in (await (await session.get(
                    stub.url + "/stats")).json()).items() if k != "arrivals"}
            await _stub(session, stub.url, None)
    finally:
        stub.stop()
        for each in [url, *copies]:
            await databases.drop(each)
    return National(SCHOOLS, CASES, milestones, due_today, loaded, job, outcomes["full"], outcomes["unreachable"])


def summary_rows(n: National) -> list[tuple[str, str, str, bool | None]]:
    """Rows for the performance report's summary: (benchmark, figure, target, met)."""
    full, cut = n.full, n.unreachable
    return [
        ("2. whole daily job + COPP, peak memory", f"{full['peak_rss_mb']:.0f} MB RSS ({full['ready_rss_mb']:.0f} MB "
         f"before the job)", f"< {FULL_TARGET_MB:.0f} MB", full["peak_rss_mb"] < FULL_TARGET_MB),
        ("2. whole daily job + COPP, posted", f"{full['posted'] + full['digests'] + full['copp_posted']:,} cards in "
         f"{full['seconds']['total']:.0f} s, {full['not_posted'] + full['uncertain']} not posted", "reported", None),
        ("2. whole job, Teams unreachable", f"{cut['seconds']['total']:.0f} s, {cut['connector']['failed']:,} calls; "
         f"{cut['unsent']:,} reminders recorded unsent", "bounded", cut["seconds"]["total"] < UNREACHABLE_BOUND_S),
    ]


def section(n: National) -> list[str]:
    """The report's part on the whole job (after the claim's)."""
    full, cut = n.full, n.unreachable
    return [
        "", "The whole job as `cme-bot serve` runs it on a school day, in a process built as `cme-bot remind` builds "
        "it (`bench/daily_job.py --full`, bot/daily/standalone.py: not the web app and handlers `serve` also holds; "
        "the reminders, "
        "overdue digests, term dates warning, non-arrival cards and hand-off reminders, then the COPP panel's "
        f"sittings), on a copy of the same morning with {STARTERS} expected starters due a non-arrival card and "
        f"{HANDOFFS} hand-offs waiting, posting through the real gateway to a stub Bot Connector (the bot's own "
        "pacing within Teams' limits applies):", "",
        "| run | reminders and cards posted | digests and hand-off reminders | COPP posts | not posted | uncertain "
        "| seconds | peak RSS MB (before the job) |", "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(f"| {label} | {r['posted']:,} | {r['digests']:,} | {r['copp_posted']:,} | "
          f"{r['not_posted'] + r['copp_not_posted']:,} | {r['uncertain']:,} | {r['seconds']['total']:.0f} | "
          f"{r['peak_rss_mb']:.0f} ({r['ready_rss_mb']:.0f}) |"
          for label, r in (("Teams answering", full), ("every call answered 503", cut))), "",
        f"With every call refused the job made {cut['connector']['failed']:,} calls and ended in "
        f"{cut['seconds']['total']:.0f} s: each post is retried with backoff (about 15 s), a channel is given up "
        f"after {PER_CHANNEL} failed posts in a row and every channel after {EVERYWHERE} failures in a row "
        "(bot/daily/reach.py: the reminders, posted to 50 channels at once, stop after one round of retries; the "
        "COPP run, one authority after another, after about 10 x 12 s); "
        f"{cut['unsent']:,} reminders were left recorded unsent for the next run, {cut['given_up_channels']} "
        "channel(s) given up.",
    ]
