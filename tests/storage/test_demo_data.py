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


async def test_the_demo_child_is_out_of_provision_on_example_boroughs_register_only(store):
    """`make run` (cme-bot demo load --with-child): a child removed from roll by the real steps, ready for Tara to
    hand over to Northfield; loading again adds nothing."""
    from datetime import date

    from bot.calendars import Calendars
    from bot.config import EXAMPLE_TERM_DATES
    from bot.ops.demo_child import add_demo_child
    from cme.handoff import hand_off
    from cme.lifecycle import State

    today = date(2026, 11, 16)  # a Monday of the example autumn term
    await load_demo(store)
    calendars = Calendars.from_file(EXAMPLE_TERM_DATES)
    [said] = await add_demo_child(store, calendars, today)
    borough, northfield = [await store.schools.authority(name) for name in
                           ("Example Borough Council", "Northfield Council (fictional)")]
    [line] = (await store.register.page([borough.id], today)).lines
    case = line.case
    assert case.reference in said and case.state is State.OUT_OF_PROVISION and case.authority_id == borough.id
    assert case.off_roll_date == date(2026, 11, 12) and case.handoff is None and case.pupil.surname == "Fictional-Demo"
    assert (await store.register.page([northfield.id], today)).lines == []
    entries = await store.cases.history(case.id)
    assert [(e.kind, e.actor_name) for e in entries] == [
        ("reported", "Sam Staff"), ("enquiry_logged", "Sam Staff"), ("enquiry_logged", "Sam Staff"),
        ("ews_contacted", "Sam Staff"), ("checklist_completed", "Sam Staff"), ("day20_reviewed", "Sam Staff"),
        ("cme_referral_completed", "Sam Staff"), ("removal_requested", "Sam Staff"), ("removal_agreed", "Tara Tracker"),
        ("removed_from_roll", "Sam Staff")]
    assert calendars.for_school(await store.schools.get(case.school_id)).day_number(
        case.first_day_absent, case.off_roll_date) == 21, "agreed on Day 21, as the law allows"
    assert hand_off(case, northfield.id, northfield.name, borough.name, "2 Elsewhere Road", today).case.handoff

    assert "there already" in (await add_demo_child(store, calendars, today))[0]
    assert len((await store.register.page([borough.id], today)).lines) == 1
    assert await store.cases.history(case.id) == entries
