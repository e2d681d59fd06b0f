"""The counts `stats` and the COPP panel read (register_tallies, kept by triggers on cases, migration 0016) are what
counting every case would give, on SQLite and PostgreSQL, after any mix of writes: reports, steps, closing,
reopening, removal from roll, a hand-off to another authority, milestones done, erasure and deletion."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from cme.case import Case, Pupil
from cme.lifecycle import Outcome, State
from cme.reference import format_reference
from cme.stats import LOCATED
from storage.engine.db import sessionmaker
from storage.mapping import row_values
from storage.models import CaseRow, MilestoneRow, RegisterTally, RegisterTallyChange
from storage.tallies import Tallies
from tests.storage.test_authorities import _two_authorities

TRACKING = {State.OUT_OF_PROVISION.value, State.NOT_LOCATED.value}
GROUPS = ("runaways", "young_carers", "refuges", "gypsy_roma_traveller")
REASONS = ("", "moved_no_school", "hard_to_place", "unknown", "never_started")
START = datetime(2026, 1, 1, tzinfo=UTC)


def expected(rows) -> Counter:
    """Every (authority, kind, key) and its count, from the cases themselves."""
    counted: Counter = Counter()
    for row in rows:
        if row.authority_id is None:
            continue
        keys = [("opened", f"{row.created_at:%Y-%m}"), ("created", f"{row.created_at:%Y-%m-%d %H}")]
        if row.closed_at is None or row.state in TRACKING:
            keys += [("state", row.state), ("reason", row.reason or "unknown"),
                     ("first_day", row.first_day_absent.isoformat()),
                     ("created_on_register", f"{row.created_at:%Y-%m-%d %H}")]
            keys += [("group", group) for group in row.risk_groups]
        if row.closed_at is not None:
            keys.append(("closed", f"{row.closed_at:%Y-%m}"))
            if row.outcome in {o.value for o in LOCATED}:
                keys.append(("located", f"{row.closed_at:%Y-%m-%d}|{row.school_id or ''}|{row.first_day_absent}"))
        elif row.open_due_on is not None:
            keys.append(("due", row.open_due_on.isoformat()))
        counted.update((row.authority_id, kind, key) for kind, key in keys)
    return counted


async def tallies_match_the_cases(store) -> Counter:
    """The tallies with the changes waiting, then with the changes added to them, are what counting the cases gives."""
    async with store.engine.connect() as connection:
        rows = (await connection.execute(select(CaseRow))).all()
    tallied = await _tallied(store)
    assert tallied == expected(rows)
    await Tallies(sessionmaker(store.engine)).add_changes(when_many=False)
    assert await _tallied(store) == tallied
    async with store.engine.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(RegisterTallyChange))).scalar() == 0
    return tallied


async def _tallied(store) -> Counter:
    tallied: Counter = Counter()
    async with store.engine.connect() as connection:
        for table in (RegisterTally, RegisterTallyChange):
            rows = await connection.execute(select(table.authority_id, table.kind, table.key, table.n)
                                            .where(table.authority_id != 0))  # 0: how many times changes were added
            for row in rows.all():
                tallied[(row.authority_id, row.kind, row.key)] += row.n
    return +tallied  # none counted zero


def a_case(n: int, rng: random.Random, school_id: int | None, authority_id: int) -> dict:
    first = date(2026, 9, 1) + timedelta(days=rng.randrange(80))
    case = Case(reference="", school_id=school_id, state=rng.choice([State.REPORTED, State.ENQUIRIES]),
                pupil=Pupil(f"Child{n}", "Fictional"), first_day_absent=first, run_start=first,
                authority_id=authority_id, reason=rng.choice(REASONS),
                risk_groups=tuple(rng.sample(GROUPS, rng.randrange(3))))
    at = START + timedelta(hours=rng.randrange(24 * 330))
    return {**row_values(case), "reference": format_reference(2026, n), "submission_key": None, "created_by": "test",
            "created_at": at, "updated_at": at, "version": 1, "closed_at": None}


def a_change(rng: random.Random, authorities: list[int], schools: list[int]) -> dict:
    """One step's change of a case: what the procedure's steps, the tracking officer and hand-offs write."""
    closed = START + timedelta(days=rng.randrange(330), hours=rng.randrange(24))
    return rng.choice([
        {"state": State.ENQUIRIES.value},
        {"state": State.CME_REFERRAL.value, "reason": rng.choice(REASONS)},
        {"risk_groups": list(rng.sample(GROUPS, rng.randrange(4)))},
        {"state": State.CLOSED.value, "outcome": rng.choice(list(Outcome)).value, "closed_at": closed},
        {"state": State.REPORTED.value, "outcome": None, "closed_at": None},  # reopened
        {"state": State.OUT_OF_PROVISION.value, "outcome": Outcome.REMOVED_FROM_ROLL.value, "closed_at": closed},
        {"state": State.NOT_LOCATED.value, "outcome": Outcome.NOT_LOCATED.value},
        {"authority_id": rng.choice(authorities), "school_id": rng.choice(schools + [None])},  # handed over
        {"first_day_absent": date(2026, 9, 1) + timedelta(days=rng.randrange(80))},
        {"pupil": {}, "risk_groups": [], "reason": "", "known_so_far": ""},  # erased
    ])


async def test_the_tallies_are_the_counts_of_the_cases_after_any_mix_of_writes(store):
    oak, hill = await _two_authorities(store)
    authorities, schools = [oak.authority_id, hill.authority_id], [oak.id, hill.id]
    rng = random.Random(18)
    ids: list[int] = []
    for n in range(1, 121):
        async with store.engine.begin() as connection:
            if not ids or rng.random() < 0.4:
                school = rng.choice(schools + [None])
                authority = hill.authority_id if school == hill.id else oak.authority_id
                result = await connection.execute(insert(CaseRow).returning(CaseRow.id),
                                                  [a_case(n, rng, school, authority)])
                ids.append(result.scalar_one())
                due = date(2026, 9, 1) + timedelta(days=rng.randrange(100))
                await connection.execute(insert(MilestoneRow), [
                    {"case_id": ids[-1], "milestone": milestone, "run_start": due, "due_on": due + timedelta(days=d)}
                    for milestone, d in (("day5", 0), ("day20", 20))])
            elif rng.random() < 0.1:
                gone = ids.pop(rng.randrange(len(ids)))
                await connection.execute(delete(MilestoneRow).where(MilestoneRow.case_id == gone))
                await connection.execute(delete(CaseRow).where(CaseRow.id == gone))
            elif rng.random() < 0.2:
                await connection.execute(update(MilestoneRow).where(MilestoneRow.case_id == rng.choice(ids),
                                                                    MilestoneRow.milestone == "day_5")
                                         .values(done_on=date(2026, 11, 1)))
            else:
                await connection.execute(update(CaseRow).where(CaseRow.id == rng.choice(ids))
                                         .values(a_change(rng, authorities, schools)))
    tallied = await tallies_match_the_cases(store)
    assert {kind for _, kind, _ in tallied} == {"state", "reason", "group", "first_day", "created_on_register",
                                                 "opened", "created", "closed", "located", "due"}
    assert {authority for authority, _, _ in tallied} == set(authorities)


async def test_a_tally_row_is_a_day_school_or_key_not_a_case(store):
    oak, _ = await _two_authorities(store)
    rng = random.Random(5)
    rows = [a_case(n, rng, oak.id, oak.authority_id) for n in range(1, 201)]
    for row in rows:
        row.update(first_day_absent=date(2026, 11, 2), run_start=date(2026, 11, 2), reason="hard_to_place",
                   created_at=START, risk_groups=["runaways"])
    async with store.engine.begin() as connection:
        await connection.execute(insert(CaseRow), rows)
    tallied = await tallies_match_the_cases(store)
    assert len(tallied) == 8 and tallied[(oak.authority_id, "state", "reported")] + tallied[
        (oak.authority_id, "state", "enquiries")] == 200


async def test_once_many_changes_wait_a_read_adds_them_to_the_tallies_and_counts_the_same(store):
    oak, _ = await _two_authorities(store)
    rng = random.Random(7)
    async with store.engine.begin() as connection:  # more than ADD_AFTER changes in one transaction
        await connection.execute(insert(CaseRow), [a_case(n, rng, oak.id, oak.authority_id) for n in range(1, 301)])
    counts = await store.stats.counts(oak.authority_id, date(2026, 11, 30))
    async with store.engine.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(RegisterTallyChange))).scalar() == 0
    assert sum(counts.by_state.values()) == sum(counts.opened.values()) == 300  # all reported in the last 12 months
    await tallies_match_the_cases(store)
