"""Erasure at the end of retention: the one change the history's append-only rule lets through (migration 0011),
on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cme.case import Risk
from cme.lifecycle import Outcome, State
from storage.cases import NewEvent, Recorded
from storage.models import CaseRow
from storage.retention import KEPT, SCRUBBED, TOMBSTONE
from tests.storage.test_storage import DUE, REPORTER, new_case

LATER = datetime(2100, 1, 1, tzinfo=UTC)


async def _closed(store, school_id: int, **changes):
    case, _ = await store.cases.create(new_case(school_id, **changes), NewEvent("reported", {"day": 1}, REPORTER),
                                       DUE)
    assert await store.cases.record(case, NewEvent("enquiry_logged", {"outcome": "Ada seen at 1 Imaginary Lane"},
                                                   REPORTER, key="e1")) is Recorded.DONE
    closed = replace(case, state=State.CLOSED, outcome=Outcome.RETURNED)
    assert await store.cases.record(closed, NewEvent("outcome_recorded", {"outcome": "returned_to_school"},
                                                     REPORTER, key="o1")) is Recorded.DONE
    return closed


async def _rows(store, sql: str, **params) -> list:
    async with store.engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]


async def test_an_erased_case_keeps_a_tombstone_and_nothing_else_changes(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    gone = await _closed(store, oak.id)
    kept = await _closed(store, oak.id)
    still_open, _ = await store.cases.create(new_case(oak.id), NewEvent("reported", {}, REPORTER), DUE)
    before_history = await store.cases.history(gone.id)
    untouched = {table: await _rows(store, f"SELECT * FROM {table} ORDER BY 1")
                 for table in ("milestones", "card_messages", "audit_events")}
    others = await _rows(store, "SELECT * FROM case_events WHERE case_id <> :id ORDER BY id", id=gone.id)
    other_cases = await _rows(store, "SELECT * FROM cases WHERE id <> :id ORDER BY id", id=gone.id)

    assert [c.reference for c in await store.retention.closed_before(LATER)] == [gone.reference, kept.reference]
    assert await store.retention.erase(gone.id, actor="cme-bot retention run", rule="six_years",
                                       retained_until=date(2032, 11, 16))

    history = await store.cases.history(gone.id)
    assert [(e.at, e.actor_name, e.kind) for e in history[:-1]] == [(e.at, e.actor_name, e.kind)
                                                                     for e in before_history]
    assert all(e.data == TOMBSTONE for e in history[:-1])
    assert history[-1].kind == "erased" and history[-1].data == {"rule": "six_years", "retained_until": "2032-11-16"}
    erased = await store.cases.get(gone.reference)
    assert erased.pupil.full_name == "" and erased.pupil.date_of_birth is None and not erased.pupil.carers
    assert erased.risk == Risk() and erased.risk_groups == () and erased.reason == ""
    assert (erased.school_id, erased.state, erased.outcome, erased.first_day_absent) == (
        oak.id, State.CLOSED, Outcome.RETURNED, gone.first_day_absent)
    stone = await store.retention.tombstone(gone.id)
    assert (stone.reference, stone.erased_by, stone.rule) == (gone.reference, "cme-bot retention run", "six_years")

    assert await _rows(store, "SELECT * FROM case_events WHERE case_id <> :id ORDER BY id", id=gone.id) == others
    assert await _rows(store, "SELECT * FROM cases WHERE id <> :id ORDER BY id", id=gone.id) == other_cases
    for table in ("milestones", "card_messages"):
        assert await _rows(store, f"SELECT * FROM {table} ORDER BY 1") == untouched[table]
    audit = await store.audit.recent(("case_erased",))
    assert [(a.actor, a.data) for a in audit] == [("cme-bot retention run", {
        "reference": gone.reference, "rule": "six_years", "retained_until": "2032-11-16"})]
    assert len(await _rows(store, "SELECT * FROM audit_events")) == len(untouched["audit_events"]) + 1

    # A second erasure erases nothing more; an open case is never erased; nor is one unknown.
    assert not await store.retention.erase(gone.id, actor="again", rule="six_years", retained_until=date(2032, 1, 1))
    assert not await store.retention.erase(still_open.id, actor="x", rule="six_years", retained_until=date(2032, 1, 1))
    assert (await store.cases.get(still_open.reference)).pupil.full_name == "Ada Example"
    assert [c.reference for c in await store.retention.closed_before(LATER)] == [kept.reference]
    total, stones = await store.retention.erased()
    assert total == 1 and [s.reference for s in stones] == [gone.reference]
    assert await store.retention.erased([oak.authority_id + 1000]) == (0, [])


async def test_history_stays_append_only_but_for_the_erasure(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case = await _closed(store, oak.id)
    refused = [
        "UPDATE case_events SET kind = 'edited'",
        "DELETE FROM case_events",
        # Even the tombstone's payload is refused while the case has no erasure row.
        "UPDATE case_events SET data = '{\"erased\": true}'",
        "INSERT INTO case_erasures (case_id, erased_at, erased_by, rule, retained_until) VALUES "
        "(:id, '2030-01-01 00:00:00+00:00', 'x', 'six_years', '2030-01-01')",
    ]
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"):
            async with store.engine.begin() as connection:
                await connection.execute(text(statement), {"id": case.id})
                if statement.startswith("INSERT"):  # an erasure row does not let anything but the tombstone in
                    await connection.execute(text("UPDATE case_events SET data = '{\"erased\": false}'"))
    assert await store.retention.erase(case.id, actor="t", rule="six_years", retained_until=date(2030, 1, 1))
    for statement in ("UPDATE case_events SET data = '{\"note\": \"rewritten\"}'",
                      "UPDATE case_events SET actor_name = 'someone else', data = '{\"erased\": true}'",
                      "DELETE FROM case_events", "DELETE FROM case_erasures", "UPDATE case_erasures SET rule = 'x'"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with store.engine.begin() as connection:
                await connection.execute(text(statement))


async def test_views_are_recorded_once_an_activity_and_kept(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case, _ = await store.cases.create(new_case(oak.id), NewEvent("reported", {}, REPORTER), DUE)
    seen = dict(aad_object_id="aad-ewan", name="Ewan Welfare", role="EWS officer", inside_school=False,
                place="personal")
    assert await store.case_views.record(case.id, activity_id="a1", **seen)
    assert not await store.case_views.record(case.id, activity_id="a1", **seen)
    assert await store.case_views.record(case.id, activity_id="a2", **{**seen, "aad_object_id": "aad-sam",
                                                                      "name": "Sam", "inside_school": True})
    assert [v.viewer_name for v in await store.case_views.of_case(case.id)] == ["Sam", "Ewan Welfare"]
    assert [v.viewer_name for v in await store.case_views.of_case(case.id, outside_school_only=True)] == [
        "Ewan Welfare"]
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as connection:
            await connection.execute(text("DELETE FROM case_views"))


def test_every_column_of_a_case_is_kept_or_scrubbed_on_erasure():
    """A new column of `cases` must be decided: part of the tombstone, or a child's details erased."""
    columns = set(CaseRow.__table__.c.keys())
    assert columns <= KEPT | set(SCRUBBED), columns - KEPT - set(SCRUBBED)
    assert not KEPT & set(SCRUBBED)


async def test_only_closed_cases_long_enough_ago_are_candidates(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    await _closed(store, oak.id, risk=Risk())
    at_risk = await _closed(store, oak.id)
    out, _ = await store.cases.create(new_case(oak.id, state=State.OUT_OF_PROVISION), NewEvent("x", {}, REPORTER),
                                      DUE)
    assert await store.retention.closed_before(datetime.now(UTC) - timedelta(days=1)) == []
    found = await store.retention.closed_before(LATER)
    assert [(c.reference, c.at_risk, c.date_of_birth) for c in found][1] == (at_risk.reference, True,
                                                                            date(2015, 3, 14))
    assert not found[0].at_risk and out.reference not in [c.reference for c in found]


MINE = "0011_retention_views"


async def _current(store) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    async with store.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))


async def test_migration_0011_undoes_and_redoes(store):
    """Downgraded, the history is append-only without exception (the tombstones stay); upgraded again, erasure works."""
    from storage.migrate import upgrade
    from tests.storage.test_migrations import _differences, _downgrade

    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    erased, kept = await _closed(store, oak.id), await _closed(store, oak.id)
    assert await store.retention.erase(erased.id, actor="t", rule="six_years", retained_until=date(2030, 1, 1))
    await _downgrade(store, MINE)  # whatever was chained above 0011 first (a merge revision, later ones)
    assert MINE in await _current(store)
    await _downgrade(store, f"{MINE}@-1")
    assert MINE not in await _current(store)
    assert await _differences(store) != []  # its tables are gone
    assert all(e.data == TOMBSTONE for e in (await store.cases.history(erased.id))[:-1])
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as connection:
            await connection.execute(text("UPDATE case_events SET data = '{\"erased\": true}' WHERE case_id = :id"),
                                     {"id": kept.id})
    await upgrade(store.engine)
    assert await _differences(store) == []
    assert await store.retention.erase(kept.id, actor="t", rule="six_years", retained_until=date(2030, 1, 1))


async def test_the_childs_details_held_with_the_case_elsewhere_are_erased_too(store):
    """The case's deletion return (pupil and parents) and the expected starter it was made from."""
    from sqlalchemy import JSON, Date, DateTime, bindparam

    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case, other = await _closed(store, oak.id), await _closed(store, oak.id)
    now = datetime(2019, 1, 7, 9, tzinfo=UTC)
    details = {"ground": "a", "deletion_on": "2019-01-07", "sent_on": "2019-01-07", "forename": "Ada",
               "surname": "Example", "address": "1 Imaginary Lane", "parents": [
                   {"name": "Pat Example", "address": "1 Imaginary Lane", "phone": "07700 900123"}]}
    returns = text(
        "INSERT INTO deletion_returns (school_id, authority_id, case_id, ground, deletion_on, details, submission_key, "
        "sent_at, sent_by, sent_by_name) VALUES (:school, :authority, :case, 'a', :on, :details, :key, :now, 'aad', "
        "'Sam')").bindparams(bindparam("details", type_=JSON), bindparam("now", type_=DateTime(timezone=True)),
                             bindparam("on", type_=Date))
    starters = text(
        "INSERT INTO expected_starters (school_id, pupil_key, pupil, previous_school, first_day, status, case_id, "
        "case_reference, created_by, created_at, updated_at, version) VALUES (:school, :key, :pupil, 'Elm School', "
        ":on, 'not_arrived', :case, '', 'aad', :now, :now, 1)").bindparams(
        bindparam("pupil", type_=JSON), bindparam("now", type_=DateTime(timezone=True)), bindparam("on", type_=Date))
    async with store.engine.begin() as connection:
        for each in (case, other):
            await connection.execute(returns, {"school": oak.id, "authority": oak.authority_id, "case": each.id,
                                               "on": date(2019, 1, 7), "details": details, "key": each.reference,
                                               "now": now})
            await connection.execute(starters, {"school": oak.id, "key": f"k{each.id}", "case": each.id,
                                                "pupil": {"forename": "Ada", "surname": "Example"},
                                                "on": date(2019, 1, 7), "now": now})
    assert await store.retention.erase(case.id, actor="t", rule="six_years", retained_until=date(2030, 1, 1))
    rows = await _rows(store, "SELECT case_id, details FROM deletion_returns ORDER BY case_id")
    scrubbed, kept = [r[1] if isinstance(r[1], dict) else __import__("json").loads(r[1]) for r in rows]
    assert scrubbed == {"ground": "a", "deletion_on": "2019-01-07", "sent_on": "2019-01-07", "forename": "",
                        "surname": "", "address": "", "parents": []}
    assert kept == details
    starters_now = await _rows(store, "SELECT case_id, pupil, previous_school, pupil_key FROM expected_starters "
                                      "ORDER BY case_id")
    assert "Ada" not in str(starters_now[0]) and "Elm School" not in str(starters_now[0])
    assert "Ada" in str(starters_now[1]) and starters_now[1][3] == f"k{other.id}"
