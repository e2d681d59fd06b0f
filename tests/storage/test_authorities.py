"""Authorities as tenants, on SQLite and PostgreSQL: officers, referrers and cases belong to one authority, and
queries for one authority return nothing of another's."""

from __future__ import annotations

from datetime import date

import pytest

from cme.roles import Role
from storage.cases import NewEvent
from storage.schools import WhichAuthority
from tests.storage.test_storage import DUE, REPORTER, new_case

TODAY = date(2026, 11, 16)


async def _two_authorities(store):
    oak = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                  actor="test")
    hill = await store.schools.add("900003", "Hillside Primary School (fictional)",
                                   "Northfield Council (fictional)", actor="test")
    return oak, hill


async def test_an_officer_is_of_one_authority_and_a_school_of_its_own(store):
    oak, hill = await _two_authorities(store)
    assert oak.authority_id != hill.authority_id and hill.authority == "Northfield Council (fictional)"
    with pytest.raises(ValueError, match="say which"):
        await store.people.grant("aad-tara", Role.TRACKING_OFFICER, actor="test")
    with pytest.raises(WhichAuthority, match="Say which local authority"):
        await store.schools.authority()
    await store.people.grant("aad-tara", Role.TRACKING_OFFICER, actor="test", name="Tara",
                             authority_id=oak.authority_id)
    await store.people.grant("aad-nadia", Role.TRACKING_OFFICER, actor="test", name="Nadia",
                             authority_id=hill.authority_id)
    await store.people.grant("aad-sam", Role.SCHOOL_STAFF, actor="test", name="Sam", school_id=oak.id)
    await store.people.grant("aad-adam", Role.ADMIN, actor="test", name="Adam")

    def names(people):
        return [p.name for p in people]

    assert names(await store.people.with_role(Role.TRACKING_OFFICER, authority_id=oak.authority_id)) == ["Tara"]
    assert names(await store.people.with_role(Role.TRACKING_OFFICER, authority_id=hill.authority_id)) == ["Nadia"]
    assert names(await store.people.with_role(Role.SCHOOL_STAFF, authority_id=hill.authority_id)) == []
    assert names(await store.people.with_role(Role.SCHOOL_STAFF, authority_id=oak.authority_id)) == ["Sam"]
    assert names(await store.people.with_role(Role.ADMIN, authority_id=hill.authority_id)) == ["Adam"]
    assert (await store.people.roles_of("aad-sam")).authority_ids(frozenset({Role.SCHOOL_STAFF})) == [
        oak.authority_id]
    assert (await store.people.roles_of("aad-nadia")).authority_ids() == [hill.authority_id]


async def test_an_authority_page_of_open_cases_holds_only_its_own(store):
    oak, hill = await _two_authorities(store)
    ours, _ = await store.cases.create(new_case(oak.id, authority_id=oak.authority_id),
                                       NewEvent("reported", {}, REPORTER), DUE)
    referred, _ = await store.cases.create(new_case(None, authority_id=oak.authority_id),
                                           NewEvent("referred_by_agency", {}, REPORTER), DUE)
    theirs, _ = await store.cases.create(new_case(hill.id, authority_id=hill.authority_id),
                                         NewEvent("reported", {}, REPORTER), DUE)
    total, page = await store.cases.open_page(TODAY, authority_ids=[oak.authority_id])
    assert total == 2 and {c.reference for c in page} == {ours.reference, referred.reference}
    total, page = await store.cases.open_page(TODAY, authority_ids=[hill.authority_id])
    assert total == 1 and [c.reference for c in page] == [theirs.reference]
    total, page = await store.cases.open_page(TODAY, authority_ids=[oak.authority_id, hill.authority_id])
    assert total == 3
    assert await store.cases.open_page(TODAY, authority_ids=[]) == (0, [])
    assert (await store.cases.get(theirs.reference)).authority_id == hill.authority_id


async def test_each_authority_has_its_own_channel(store):
    oak, hill = await _two_authorities(store)
    await store.schools.set_authority_channel("19:borough@thread.tacv2", actor="test", authority_id=oak.authority_id)
    await store.schools.set_authority_channel("19:north@thread.tacv2", actor="test", authority_id=hill.authority_id)
    assert await store.schools.authority_channel(oak.authority_id) == "19:borough@thread.tacv2"
    assert await store.schools.authority_channel(hill.authority_id) == "19:north@thread.tacv2"
    assert await store.schools.authority_channel() is None, "with two authorities, no channel is anyone's"
