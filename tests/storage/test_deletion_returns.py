"""Deletion returns on SQLite and PostgreSQL: written once per form, acknowledged once, listed by school and as an
authority's outstanding ones, their history append-only; migration 0007 undone and redone."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text

from cme.deletion_return import DeletionReturn, Parent
from storage.cases import Actor, NewEvent
from storage.migrate import upgrade
from tests.storage.test_authorities import _two_authorities
from tests.storage.test_migrations import _differences, _undo_only
from tests.storage.test_storage import REPORTER, new_case

TARA = Actor("aad-tara", "Tara Tracker")
OLLIE = Actor("aad-ollie", "Ollie Officer")
MOVED = DeletionReturn("a", date(2026, 11, 20), "Kit", "Madeup", "3 Nowhere Close, ZZ99 3ZZ",
                       (Parent("Jo Madeup", "3 Nowhere Close, ZZ99 3ZZ", "07700 900333"),),
                       new_school="Faraway Academy (fictional)", new_school_start=date(2026, 11, 23))


async def test_a_return_is_made_once_per_form_and_acknowledged_once(store):
    oak, hill = await _two_authorities(store)
    returns = store.deletion_returns
    made, created = await returns.create(MOVED, school_id=oak.id, authority_id=oak.authority_id, case_id=None,
                                         actor=REPORTER, submission_key="form-1", sent_on=date(2026, 11, 19))
    assert made.sent_on == date(2026, 11, 19) and created and made.reference.startswith("DR-") and made.deletion_return == MOVED
    assert made.sent_by_name == "Sam School" and made.sent_at is not None and not made.acknowledged
    again, created = await returns.create(MOVED, school_id=oak.id, authority_id=oak.authority_id, case_id=None,
                                          actor=REPORTER, submission_key="form-1")
    assert not created and again.id == made.id

    other, _ = await returns.create(MOVED, school_id=hill.id, authority_id=hill.authority_id, case_id=None,
                                    actor=REPORTER, submission_key="form-2")
    assert [r.id for r in await returns.outstanding([oak.authority_id])] == [made.id]
    assert [r.id for r in await returns.of_schools([hill.id])] == [other.id]

    assert await returns.acknowledge(made.id, TARA) is True
    assert await returns.acknowledge(made.id, OLLIE) is False  # the second click, or another officer: nothing
    done = await returns.get(made.id)
    assert done.acknowledged and done.acknowledged_by_name == "Tara Tracker" and done.acknowledged_by == "aad-tara"
    assert await returns.outstanding([oak.authority_id]) == []
    assert [r.id for r in await returns.acknowledged_lately([oak.authority_id])] == [made.id]
    assert [(e.kind, e.actor_name) for e in await returns.history(made.id)] == [
        ("sent", "Sam School"), ("acknowledged", "Tara Tracker")]


async def test_a_return_may_belong_to_a_case_and_its_history_is_append_only(store):
    oak, _ = await _two_authorities(store)
    case, _ = await store.cases.create(new_case(oak.id, authority_id=oak.authority_id),
                                       NewEvent("reported", {}, REPORTER), {})
    made, _ = await store.deletion_returns.create(MOVED, school_id=oak.id, authority_id=oak.authority_id,
                                                  case_id=case.id, actor=REPORTER, submission_key="form-3")
    assert [r.id for r in await store.deletion_returns.of_case(case.id)] == [made.id]
    for statement in ("UPDATE deletion_return_events SET actor_name = 'Someone else'",
                      "DELETE FROM deletion_return_events"):
        with pytest.raises(Exception, match="append-only"):
            async with store.engine.begin() as connection:
                await connection.execute(text(statement))
    assert len(await store.deletion_returns.history(made.id)) == 1


async def test_migration_0007_undoes_and_redoes(store):
    await _undo_only(store, "0007_deletion_returns")
    async with store.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert "deletion_returns" not in tables and "deletion_return_events" not in tables
    await upgrade(store.engine)
    assert await _differences(store) == []
