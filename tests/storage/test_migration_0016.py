"""Revision 0016: the tallies of a deployment's existing cases are counted when it upgrades, kept by triggers after,
and gone (with their triggers) when it downgrades; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from sqlalchemy import insert, inspect, update

from cme.lifecycle import Outcome, State
from storage.migrate import upgrade
from storage.models import CaseRow
from tests.storage.test_authorities import _two_authorities
from tests.storage.test_migrations import _undo_only
from tests.storage.test_tallies import a_case, tallies_match_the_cases

REVISION = "0016_register_tallies"


async def _tables(store) -> set[str]:
    async with store.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def _write(store, rows: list[dict], changes: dict[int, dict]) -> None:
    async with store.engine.begin() as connection:
        ids = [(await connection.execute(insert(CaseRow).returning(CaseRow.id), [row])).scalar_one() for row in rows]
        for n, values in changes.items():
            await connection.execute(update(CaseRow).where(CaseRow.id == ids[n]).values(values))


async def test_the_existing_cases_are_tallied_on_upgrade_and_the_tallies_go_on_downgrade(store):
    oak, hill = await _two_authorities(store)
    await _undo_only(store, REVISION)
    assert "register_tallies" not in await _tables(store)
    rng = random.Random(16)
    closed = datetime(2026, 11, 20, 10, tzinfo=UTC)
    rows = [a_case(n, rng, *((oak.id, oak.authority_id) if n % 3 else (hill.id, hill.authority_id)))
            for n in range(1, 31)]
    await _write(store, rows, {
        0: {"state": State.CLOSED.value, "outcome": Outcome.LOCATED_IN_AREA.value, "closed_at": closed},
        1: {"state": State.OUT_OF_PROVISION.value, "outcome": Outcome.REMOVED_FROM_ROLL.value, "closed_at": closed},
        2: {"state": State.CLOSED.value, "outcome": Outcome.RETURNED.value, "closed_at": closed,
            "open_due_on": date(2026, 11, 6)},
        3: {"open_due_on": date(2026, 11, 6)}})

    await upgrade(store.engine)
    tallied = await tallies_match_the_cases(store)
    assert tallied[(oak.authority_id, "located", f"2026-11-20|{oak.id}|{rows[0]['first_day_absent']}")] == 1
    assert tallied[(hill.authority_id, "located", f"2026-11-20|{hill.id}|{rows[2]['first_day_absent']}")] == 1
    assert tallied[(oak.authority_id, "state", State.OUT_OF_PROVISION.value)] == 1
    counts = await store.stats.counts(oak.authority_id, date(2026, 11, 30))
    assert sum(counts.by_state.values()) == sum(1 for n in range(1, 31) if n % 3) - 1  # one closed, one out of it
    await _write(store, [a_case(31, rng, oak.id, oak.authority_id)], {0: {"reason": "hard_to_place"}})
    await tallies_match_the_cases(store)  # kept by the triggers from here on

    await _undo_only(store, REVISION)
    assert "register_tallies" not in await _tables(store)
    await _write(store, [a_case(32, rng, oak.id, oak.authority_id)], {0: {"state": State.CLOSED.value}})
    await upgrade(store.engine)
    await tallies_match_the_cases(store)
