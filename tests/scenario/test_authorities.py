"""Authorities as tenants: an officer of one local authority is sent, sees and decides nothing of another's,
and each authority's nameless lines go to its own channel (demo data: Example Borough and Northfield)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from bot.daily.reminders import run_daily_reminders
from bot.sending.channels import channel_reference
from bot.verbs import Verb
from cme.roles import Role
from storage.engine.db import sessionmaker
from storage.models import Authority
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, AGGIE, TARA, TEAM, User

NADIA = User("00000000-0000-4000-8000-000000000a07", "Nadia North", "29:nadia-north")  # Northfield's officer
NORA = User("00000000-0000-4000-8000-000000000b05", "Nora Nurse", "29:nora-nurse")  # a Northfield referrer
NORTH = "19:cme-northfield@thread.tacv2"


async def _refer(teams, connector, referrer: User, forename: str) -> None:
    await teams.say(referrer, "refer")
    form = connector.to(referrer.personal_chat)[-1]
    await teams.submit(referrer, press(form.card, "Send referral", forename=forename, surname="Placeholder",
                                       known_so_far="Not seen since half term", agency="health",
                                       referrer_name=referrer.name, referrer_phone="07700 900456"),
                       reply_to=form.activity_id)


async def _setting_up(teams, store) -> None:
    for officer in (TARA, NADIA):
        await teams.install_personal(officer)
    await teams.install_team(TARA)
    team = await store.conversations.get(TEAM)
    await store.conversations.save(NORTH, team.kind, channel_reference(team.reference, NORTH),
                                   tenant_id=team.reference.get("conversation", {}).get("tenantId"), team_id=team.team_id)
    northfield = await store.schools.authority("Northfield Council (fictional)")
    await store.people.grant(NORA.aad_object_id, Role.AGENCY_REFERRER, actor="test", name=NORA.name,
                             authority_id=northfield.id)


async def test_a_case_of_one_authority_reaches_only_its_officers_and_its_channel(teams, connector, store):
    await _setting_up(teams, store)
    mark = connector.mark()
    await _refer(teams, connector, AGGIE, "Bo")  # Example Borough's referrer
    borough_case = (await store.cases.open_cases(without_school=True))[0]
    sent = connector.since(mark)
    assert any("Bo Placeholder" in card_text(s.card) for s in sent if s.conversation_id == TARA.personal_chat)
    assert not [s for s in sent if s.conversation_id == NADIA.personal_chat]
    assert [s for s in sent if s.conversation_id.startswith(TEAM) and borough_case.reference in card_text(s.card)]
    assert not [s for s in sent if s.conversation_id.startswith(NORTH)]

    mark = connector.mark()
    await _refer(teams, connector, NORA, "Cy")  # Northfield's referrer
    sent = connector.since(mark)
    north_case = next(c for c in await store.cases.open_cases(without_school=True) if c.pupil.forename == "Cy")
    assert any("Cy Placeholder" in card_text(s.card) for s in sent if s.conversation_id == NADIA.personal_chat)
    assert not [s for s in sent if s.conversation_id == TARA.personal_chat]
    assert [s for s in sent if s.conversation_id.startswith(NORTH) and north_case.reference in card_text(s.card)]
    assert not [s for s in sent if s.conversation_id.startswith(TEAM)]

    await teams.say(NADIA, f"case {borough_case.reference}")
    assert "cannot find a case" in connector.to(NADIA.personal_chat)[-1].text
    await teams.say(NADIA, "my cases")
    listing = card_text(connector.to(NADIA.personal_chat)[-1].card)
    assert north_case.reference in listing and borough_case.reference not in listing
    await teams.say(TARA, "my cases")
    listing = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert borough_case.reference in listing and north_case.reference not in listing


async def test_an_officer_of_another_authority_cannot_decide_on_a_removal(teams, connector, store):
    await _setting_up(teams, store)
    await _refer(teams, connector, AGGIE, "Bo")
    case = (await store.cases.open_cases(without_school=True))[0]
    history = await store.cases.history(case.id)
    _, answer = await teams.invoke(NADIA, Verb.REMOVAL_AGREE, {"case": case.reference, "request": "any"},
                                   conversation=NADIA.personal_chat)
    assert "cannot find a case" in card_text(answer["value"])
    assert await store.cases.history(case.id) == history, "nothing was recorded"


NED = User("00000000-0000-4000-8000-000000000b06", "Ned Northadmin", "29:ned-northadmin")  # Northfield's admin
REFERRED_DAY_5 = date(2026, 11, 20)  # the referrals are made on Monday 16 November: Day 1


async def _two_referrals(teams, connector, store):
    await _setting_up(teams, store)
    for admin in (ADAM, NED):
        await teams.install_personal(admin)
    northfield = await store.schools.authority("Northfield Council (fictional)")
    await store.people.grant(NED.aad_object_id, Role.ADMIN, actor="test", name=NED.name, authority_id=northfield.id)
    await _refer(teams, connector, AGGIE, "Bo")
    await _refer(teams, connector, NORA, "Cy")
    cases = {c.pupil.forename: c for c in await store.cases.open_cases(without_school=True)}
    return cases["Bo"], cases["Cy"], northfield


async def test_reminders_of_cases_with_no_school_go_to_their_own_authority_s_channel(teams, connector, services,
                                                                                    store):
    borough, north, _ = await _two_referrals(teams, connector, store)
    mark = connector.mark()
    report = await run_daily_reminders(services, REFERRED_DAY_5)
    posts = [p for p in connector.since(mark) if p.method == "POST"]
    in_borough = " ".join(card_text(p.card) for p in posts if p.conversation_id.startswith(TEAM))
    in_north = " ".join(card_text(p.card) for p in posts if p.conversation_id.startswith(NORTH))
    assert f"Day 5: {borough.reference}" in in_borough and north.reference not in in_borough, report.lines()
    assert f"Day 5: {north.reference}" in in_north and borough.reference not in in_north
    assert report.unsent == [] and report.not_posted == []


async def test_an_authority_with_no_channel_keeps_its_reminders_unsent_and_its_admins_are_told(teams, connector,
                                                                                              services, store):
    borough, north, northfield = await _two_referrals(teams, connector, store)
    async with sessionmaker(store.engine).begin() as session:
        await session.execute(update(Authority).where(Authority.id == northfield.id).values(channel_id=None))
    mark = connector.mark()
    await run_daily_reminders(services, REFERRED_DAY_5)
    sent = connector.since(mark)
    assert not [s for s in sent if s.conversation_id.startswith(NORTH)]
    assert any(f"Day 5: {borough.reference}" in card_text(s.card) for s in sent if s.conversation_id.startswith(TEAM))
    assert not [s for s in sent if s.conversation_id.startswith(TEAM) and north.reference in card_text(s.card)], \
        "never into another authority's channel"
    unsent = await store.reminders.unsent()
    assert [(u.reference, u.why.startswith("channel unavailable")) for u in unsent] == [(north.reference, True)]
    told = [s.text for s in sent if s.conversation_id == NED.personal_chat]
    assert told and "Northfield Council (fictional)'s channel" in told[0] and "set reminders channel authority" in told[0]
    assert not [s for s in sent if s.conversation_id == ADAM.personal_chat], "Example Borough's admin is not told"

    await teams.say(NED, "roles")
    assert f"{north.reference} Day 5 (not posted)" in card_text(connector.to(NED.personal_chat)[-1].card)
    await teams.say(ADAM, "roles")
    assert north.reference not in card_text(connector.to(ADAM.personal_chat)[-1].card), \
        "another authority's references are not on the card"


async def test_an_authority_s_admin_sets_its_channel_and_the_waiting_reminder_is_posted_there(teams, connector,
                                                                                             services, store):
    borough, north, northfield = await _two_referrals(teams, connector, store)
    async with sessionmaker(store.engine).begin() as session:
        await session.execute(update(Authority).where(Authority.id == northfield.id).values(channel_id=None))
    await run_daily_reminders(services, REFERRED_DAY_5)
    assert [u.reference for u in await store.reminders.unsent()] == [north.reference]

    await teams.say(ADAM, "set reminders channel authority Northfield Council (fictional)", channel=NORTH)
    assert "You administer Example Borough Council only." in connector.to(NORTH)[-1].text
    assert (await store.schools.authority(northfield.id)).channel_id is None
    await teams.say(NED, "set reminders channel authority", channel=NORTH)
    assert "This channel now gets Northfield Council (fictional)'s lines" in connector.to(NORTH)[-1].text
    assert (await store.schools.authority(northfield.id)).channel_id == NORTH

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 23))
    posted = [card_text(s.card) for s in connector.since(mark) if s.method == "POST" and s.conversation_id.startswith(NORTH)]
    assert any(f"Day 5: {north.reference}" in text for text in posted), posted
    assert await store.reminders.unsent() == []
