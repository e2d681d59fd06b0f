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
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.engine import make_url

from bench.common import ROOT, TODAY, Databases

SCHOOLS = 2_000
CASES = 100_000
DUE_TODAY = 3_000
PAST_NOT_DONE = 0.05  # of the milestones already past: not done yet, claimed by an earlier run


@dataclass
class National:
    schools: int
    cases: int
    milestones: int
    due_today: int
    load_seconds: float
    job: dict


def _school_days(calendar, before: date, count: int) -> list[date]:
    """`count` school days ending with `before`, newest first."""
    days, day = [before], before
    while len(days) < count:
        day = calendar.previous_school_day(day)
        days.append(day)
    return days


async def _load(url: str, rng: random.Random) -> tuple[int, int]:
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
    schools = [(i, f"{700000 + i}", f"School {i} (synthetic)", f"Authority {i % 150}",
                f"19:bench-school-{i}@thread.tacv2", now) for i in range(1, SCHOOLS + 1)]
    pupil = json.dumps({"forename": "Pupil", "surname": "Synthetic", "date_of_birth": "2015-01-01", "upn": "",
                        "year_group": "Year 6", "address": "1 Synthetic Street", "postcode": "ZZ99 1ZZ",
                        "carers": [{"name": "Carer Synthetic", "phone": "07700 900000", "relationship": ""}]})
    risk = json.dumps({"child_protection_plan": False, "looked_after": False, "suspected_harm_or_crime": False})
    details = json.dumps({"forwarding_address": "", "new_school": "", "referrer": "", "breaks": [],
                          "enquiry_kinds": []})
    # Day 5 today: Day 1 was 4 school days ago; Day 20 today: 19. Nobody else is due today.
    starts = [days[4]] * (DUE_TODAY // 2) + [days[19]] * (DUE_TODAY - DUE_TODAY // 2)
    others = [d for k, d in enumerate(days) if k not in (4, 19)]
    starts += [rng.choice(others) for _ in range(CASES - len(starts))]
    rng.shuffle(starts)
    cases, milestones, claims = [], [], []
    for case_id, start in enumerate(starts, 1):
        cases.append((case_id, format_reference(2026, case_id), rng.randint(1, SCHOOLS), "enquiries", pupil, start,
                      calendar.previous_school_day(start), start, risk, "[]", "", "", details, "bench", now, now, 1))
        for milestone, due_on in due[start].items():
            done_on = None
            if due_on < TODAY:
                if rng.random() < PAST_NOT_DONE:
                    claims.append((case_id, milestone.value, start, due_on, due_on, now, "earlier-run", 1, now,
                                   "sent"))
                else:
                    done_on = due_on
            milestones.append((case_id, milestone.value, start, due_on, done_on))
    parsed = make_url(url)
    connection = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                       password=parsed.password, database=parsed.database)
    try:
        async with connection.transaction():
            await connection.copy_records_to_table(
                "schools", records=schools,
                columns=["id", "urn", "name", "authority", "reminders_channel_id", "created_at"])
            await connection.copy_records_to_table(
                "cases", records=cases,
                columns=["id", "reference", "school_id", "state", "pupil", "first_day_absent", "last_day_attended",
                         "run_start", "risk", "risk_groups", "reason", "known_so_far", "details", "created_by",
                         "created_at", "updated_at", "version"])
            await connection.copy_records_to_table(
                "milestones", records=milestones, columns=["case_id", "milestone", "run_start", "due_on", "done_on"])
            await connection.copy_records_to_table(
                "reminder_claims", records=claims,
                columns=["case_id", "milestone", "run_start", "due_on", "claimed_on", "claimed_at", "claimed_by",
                         "attempts", "sent_at", "outcome"])
            for table in ("schools", "cases"):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await connection.execute("ANALYZE")
        due_today = await connection.fetchval(
            "SELECT count(*) FROM milestones WHERE due_on = $1 AND done_on IS NULL", TODAY)
    finally:
        await connection.close()
    return len(milestones), due_today


async def run(databases: Databases) -> National:
    url = await databases.postgresql("national")
    try:
        begun = time.perf_counter()
        milestones, due_today = await _load(url, random.Random(20261116))
        loaded = time.perf_counter() - begun
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bench.daily_job", url, TODAY.isoformat()], cwd=ROOT,
            capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"bench.daily_job failed:\n{done.stderr[-3000:]}")
        job = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        await databases.drop(url)
    return National(SCHOOLS, CASES, milestones, due_today, loaded, job)
