"""The COPP panel's settings per authority, and its claims: once per sitting, taken over when a run stops."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from cme.copp import PanelSchedule
from storage.copp import digest_key, pack_key
from tests.storage.test_reminder_claims import heartbeat_stops, two_cases_due

SITTING = date(2026, 11, 16)


async def test_each_authority_keeps_its_own_schedule_with_defaults(store):
    borough = await store.schools.add_authority("Example Borough Council", actor="test")
    north = await store.schools.add_authority("Northfield Council (fictional)", actor="test")
    assert await store.copp.schedule(borough.id) == PanelSchedule(0, time(9, 0), None)
    wednesdays = PanelSchedule(2, time(14, 30), date(2026, 11, 18))
    await store.copp.set_schedule(north.id, wednesdays, actor="Adam Admin")
    await store.copp.set_schedule(north.id, wednesdays, actor="Adam Admin")
    assert await store.copp.schedule(north.id) == wednesdays
    assert await store.copp.schedule(borough.id) == PanelSchedule()
    assert [e.data["authority_id"] for e in await store.audit.recent(("copp_schedule_set",))] == [north.id] * 2


async def test_a_sitting_is_claimed_by_one_run_and_taken_over_when_it_stops(store):
    first, second = await store.reminders.start_run("host:1"), await store.reminders.start_run("host:2")
    key = digest_key(1)
    taken = await store.reminders.claim_digest(key, SITTING, first)
    assert taken is not None and not taken.maybe_posted
    assert await store.reminders.claim_digest(key, SITTING, second) is None, "a live run holds it"
    assert await store.reminders.claim_digest(pack_key(1, "officer"), SITTING, second) is not None, "packs apart"

    await store.reminders.digest_attempt(taken.id)  # killed during the POST
    await heartbeat_stops(store, first)
    again = await store.reminders.claim_digest(key, SITTING, second)
    assert again is not None and again.id == taken.id and again.maybe_posted, "posted again, marked a repeat"
    assert await store.copp.sent([key], SITTING) == set()
    await store.reminders.digest_done(again.id, "activity-1")
    assert await store.copp.sent([key, pack_key(1, "officer")], SITTING) == {key}
    await store.reminders.end_run(second)
    third = await store.reminders.start_run("host:3")
    assert await store.reminders.claim_digest(key, SITTING, third) is None, "posted: never again"


async def test_the_panel_sees_the_authoritys_open_cases_and_those_closed_since(store):
    await two_cases_due(store)
    authority = await store.schools.authority("Example Borough Council")
    reported = datetime.combine(SITTING, time(), tzinfo=UTC) - timedelta(days=60)
    lists = await store.copp.lists(authority.id, reported, SITTING, SITTING, 40)
    assert [case.pupil.forename for case in lists.open] == ["Eli", "Fen"] and lists.located == []
    assert {case.id: [due.label for due in items] for case in lists.overdue
            for items in [lists.overdue_items[case.id]]} == {case.id: ["Day 5"] for case in lists.open}
    counted = await store.copp.tallies(authority.id, reported, SITTING, SITTING)
    assert (counted.open_by_state, counted.new, counted.new_on_register, counted.overdue) == ({"enquiries": 2}, 2, 2, 2)
    assert len((await store.copp.lists(authority.id, reported, SITTING, SITTING, 1)).open) == 1, "no more than asked"
    other = await store.schools.add_authority("Northfield Council (fictional)", actor="test")
    assert (await store.copp.lists(other.id, reported, SITTING, SITTING, 40)).open == []
    assert (await store.copp.tallies(other.id, reported, SITTING, SITTING)).open_by_state == {}
