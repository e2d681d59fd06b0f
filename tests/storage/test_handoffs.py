"""Hand-offs between authorities on SQLite and PostgreSQL (storage/handoffs.py, migration 0006): the row is written
in the transaction of the step on the case, a double click writes nothing twice, acceptance moves the case to the
receiving authority's register, and only pending hand-offs to authorities of this deployment await acceptance."""

from __future__ import annotations

from datetime import date

import pytest

from cme.handoff import accept, hand_off, notification_sent
from cme.lifecycle import ProcedureError, State
from storage.cases import NewEvent, Recorded
from storage.handoffs import Handoffs
from tests.storage.test_authorities import _two_authorities
from tests.storage.test_storage import REPORTER, new_case

TODAY = date(2026, 12, 14)


async def _out_of_provision(store, school_id: int):
    made, _ = await store.cases.create(new_case(school_id, state=State.OUT_OF_PROVISION,
                                                first_day_absent=date(2026, 10, 5), run_start=date(2026, 10, 5)),
                                       NewEvent("reported", {}, REPORTER), {})
    return made


async def _send(store, case, to_id, to_name, key="handoff.send:k1"):
    change = hand_off(case, to_id, to_name, "Example Borough Council", "2 Elsewhere Road", TODAY)
    return await store.cases.record(change.case, NewEvent(change.event, change.data, REPORTER, key=key),
                                    also=Handoffs.sending(case.authority_id, "Example Borough Council", to_id,
                                                          to_name, TODAY, REPORTER, key))


async def test_a_hand_off_is_saved_with_its_step_once_and_accepted_onto_the_other_register(store):
    oak, hill = await _two_authorities(store)
    case = await _out_of_provision(store, oak.id)
    assert await _send(store, case, hill.authority_id, "Northfield") is Recorded.DONE
    with pytest.raises(ProcedureError, match="already"):
        await _send(store, await store.cases.get(case.reference), hill.authority_id, "Northfield")
    stale = await _out_of_provision(store, oak.id)
    await _send(store, stale, hill.authority_id, "Northfield", key="k2")
    assert await _send(store, stale, hill.authority_id, "Northfield", key="k2") is Recorded.ALREADY_DONE

    sent = await store.cases.get(case.reference)
    assert sent.handoff.to_authority_id == hill.authority_id and sent.handoff.since == TODAY
    assert sent.authority_id == oak.authority_id and sent.state is State.OUT_OF_PROVISION
    [row] = await store.handoffs.of_case(case.id)
    assert (row.to_authority_id, row.from_authority_id, row.sent_on, row.pending) == (
        hill.authority_id, oak.authority_id, TODAY, True)
    assert [h.reference for h in await store.handoffs.awaiting_acceptance()] == [case.reference, stale.reference]
    borough = await store.register.page([oak.authority_id], TODAY)
    assert case.reference in [line.case.reference for line in borough.lines]

    change = accept(sent, [hill.authority_id], TODAY)
    assert await store.cases.record(change.case, NewEvent(change.event, change.data, REPORTER, key="accept:1"),
                                    also=Handoffs.accepting(TODAY, REPORTER)) is Recorded.DONE
    accepted = await store.cases.get(case.reference)
    assert accepted.authority_id == hill.authority_id and accepted.handoff is None
    [row] = await store.handoffs.of_case(case.id)
    assert row.accepted_on == TODAY and row.accepted_by_name == REPORTER.name and not row.pending
    assert [h.reference for h in await store.handoffs.awaiting_acceptance()] == [stale.reference]
    north = await store.register.page([hill.authority_id], TODAY)
    assert case.reference in [line.case.reference for line in north.lines]
    borough = await store.register.page([oak.authority_id], TODAY)
    assert case.reference not in [line.case.reference for line in borough.lines]
    assert [e.kind for e in await store.cases.history(case.id)][-2:] == ["handoff_sent", "handoff_accepted"]


async def test_a_hand_off_outside_the_deployment_never_awaits_acceptance_and_closes_when_notified(store):
    oak, _ = await _two_authorities(store)
    case = await _out_of_provision(store, oak.id)
    await _send(store, case, None, "Faraway Council (fictional)")
    assert await store.handoffs.awaiting_acceptance() == []
    sent = await store.cases.get(case.reference)
    change = notification_sent(sent, TODAY, TODAY)
    await store.cases.record(change.case, NewEvent(change.event, change.data, REPORTER, key="notified:1"),
                             change.milestones, change.done, also=Handoffs.notifying(TODAY, TODAY))
    closed = await store.cases.get(case.reference)
    assert closed.state is State.CLOSED and closed.handoff is None
    [row] = await store.handoffs.of_case(case.id)
    assert row.notified_on == TODAY and row.to_authority_id is None and not row.pending


async def test_migration_0006_undoes_and_redoes_alone(store):
    from sqlalchemy import inspect

    from storage.migrate import upgrade
    from tests.storage.test_migrations import _differences, _undo_only

    async def tables():
        async with store.engine.connect() as connection:
            return await connection.run_sync(lambda sync: inspect(sync).get_table_names())

    await _undo_only(store, "0006_handoffs")
    assert "handoffs" not in await tables() and "cases" in await tables()
    await upgrade(store.engine)
    assert "handoffs" in await tables() and await _differences(store) == []
