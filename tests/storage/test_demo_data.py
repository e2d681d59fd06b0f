"""The demonstration data gives every Agents Playground identity a role, as `make run` promises."""

from __future__ import annotations

import yaml

from bot.config import ROOT
from bot.ops.demo import load_demo
from cme.roles import Role


async def test_every_playground_identity_has_its_role(store):
    await load_demo(store)
    config = yaml.safe_load((ROOT / "demo" / "playground.yml").read_text())
    current = await store.people.roles_of(config["currentUser"]["aadObjectId"])
    assert current.roles == {Role.SCHOOL_STAFF}, "the current user, the only one with a personal chat, reports"
    others = [await store.people.roles_of(user["aadObjectId"]) for user in config["users"]]
    assert [sorted(p.roles) for p in others] == [[Role.SCHOOL_STAFF], [Role.EWS_OFFICER], [Role.TRACKING_OFFICER],
                                                 [Role.AGENCY_REFERRER], [Role.ADMIN]]
    assert current.school_ids() != others[0].school_ids(), "the second school's staff are at another school"
    for school in await store.schools.all():
        assert "fictional" in school.name and school.reminders_channel_id
    borough = await store.schools.authority("Example Borough Council")
    assert await store.schools.authority_channel(borough.id) == config["team"]["id"]


async def test_a_second_authority_with_one_school_and_its_own_tracking_officer(store):
    await load_demo(store)
    borough, northfield = [await store.schools.authority(name) for name in
                           ("Example Borough Council", "Northfield Council (fictional)")]
    assert [s.name for s in await store.schools.all(northfield.id)] == ["Hillside Primary School (fictional)"]
    assert northfield.channel_id and northfield.channel_id != borough.channel_id
    officers = await store.people.with_role(Role.TRACKING_OFFICER, authority_id=northfield.id)
    assert [(p.name, p.authority_ids()) for p in officers] == [("Nadia North", [northfield.id])]
    assert [p.name for p in await store.people.with_role(Role.TRACKING_OFFICER, authority_id=borough.id)] == [
        "Tara Tracker"]
