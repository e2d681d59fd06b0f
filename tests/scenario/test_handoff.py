"""Hand-offs between authorities (policy 8.4.2): Tara (Example Borough) locates a child out of provision in
Northfield's area. Nadia (Northfield's tracking officer) is sent the named case in her personal chat and a nameless
line with Accept in Northfield's channel; until she accepts, Tara's register marks the child as awaiting acceptance;
nobody else may accept, and a second click records nothing twice. To an authority not on this deployment, Tara is
given the notification to send by secure e-mail and records that it was sent (today is Monday 16 November 2026)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.daily.reminders import run_daily_reminders
from bot.sending.channels import channel_reference
from cme.lifecycle import Outcome, State
from tests.scenario.cards import actions_of, shown
from tests.scenario.conftest import TODAY
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA, TEAM
from tests.scenario.test_authorities import NADIA, NORTH
from tests.scenario.test_register import removed
from tests.scenario.test_removal import by_verb, open_case

HANDED = "handed to Northfield Council (fictional), awaiting acceptance since 16 November 2026"


async def _north_channel(store) -> None:
    team = await store.conversations.get(TEAM)
    await store.conversations.save(NORTH, team.kind, channel_reference(team.reference, NORTH),
                                   tenant_id=team.reference.get("conversation", {}).get("tenantId"), team_id=team.team_id)


async def _handed_to_northfield(teams, connector, services, store):
    case = await removed(teams, connector, services, store)
    await _north_channel(store)
    northfield = await store.schools.authority("Northfield Council (fictional)")
    card = await open_case(teams, connector, TARA, case)
    form = shown(card.card, "Outside the area")
    assert "Northfield Council (fictional)" in card_text(form) and "Another authority (type its name)" in card_text(form)
    mark = connector.mark()
    await teams.submit(TARA, by_verb(card.card, "handoff.send", receiving_authority_id=str(northfield.id),
                                     forwarding_address="2 Elsewhere Road, Northfield"), reply_to=card.activity_id)
    return await store.cases.get(case.reference), connector.since(mark), northfield


async def test_a_child_handed_to_northfield_is_accepted_by_its_officer_once(teams, connector, services, store):
    case, sent, northfield = await _handed_to_northfield(teams, connector, services, store)
    assert case.handoff.to_authority_id == northfield.id and case.state is State.OUT_OF_PROVISION
    assert case.authority_id != northfield.id

    to_nadia = [s for s in sent if s.conversation_id == NADIA.personal_chat]
    assert len(to_nadia) == 1 and "Noor Madeup" in card_text(to_nadia[0].card)
    assert "Handed over by Example Borough Council" in card_text(to_nadia[0].card)
    assert "Accept" in actions_of(to_nadia[0].card)
    [line] = [s for s in sent if s.conversation_id.startswith(NORTH)]
    assert case.reference in card_text(line.card) and "Noor" not in card_text(line.card)
    assert "Madeup" not in card_text(line.card) and "handed over by Example Borough Council" in card_text(line.card)
    assert not [s for s in sent if s.conversation_id.startswith(TEAM) and s.method == "POST"]

    tara_card = connector.to(TARA.personal_chat)[-1]
    assert "awaiting acceptance" in card_text(tara_card.cards) and "On roll at a school" not in actions_of(
        tara_card.card)
    await teams.say(TARA, "register")
    assert HANDED in card_text(connector.to(TARA.personal_chat)[-1].card)
    await teams.say(NADIA, "register")
    assert case.reference not in card_text(connector.to(NADIA.personal_chat)[-1].card)

    # Tara cannot accept her own hand-off, nor record another outcome meanwhile
    history = await store.cases.history(case.id)
    _, answer = await teams.invoke(TARA, "handoff.accept", {"case": case.reference}, reply_to=line.activity_id,
                                   channel=NORTH)
    assert "Only a tracking officer of Northfield Council (fictional) can accept" in card_text(answer["value"])
    assert "Noor" not in card_text(answer["value"])
    await teams.submit(TARA, {"verb": "tracking.school", "case": case.reference, "school_named": "Anywhere",
                              "start_date": TODAY.isoformat()})
    assert await store.cases.history(case.id) == history, "nothing was recorded"

    mark = connector.mark()
    _, answer = await teams.invoke(NADIA, "handoff.accept", {"case": case.reference}, reply_to=line.activity_id,
                                   channel=NORTH)
    accepted = await store.cases.get(case.reference)
    assert accepted.authority_id == northfield.id and accepted.handoff is None
    assert accepted.state is State.OUT_OF_PROVISION
    words = card_text(answer["value"])
    assert "Accepted by Nadia North on 16 November 2026" in words and "Noor" not in words
    told = [s for s in connector.since(mark) if s.conversation_id == TARA.personal_chat and s.method == "POST"]
    assert len(told) == 1 and "accepted by Northfield Council (fictional) (Nadia North)" in told[0].text
    updated = {s.conversation_id: card_text(s.cards) for s in connector.since(mark) if s.method == "PUT"}
    assert "no longer available to you" in updated[TARA.personal_chat]
    assert "Record where the child is" in updated[NADIA.personal_chat] and "Noor Madeup" in updated[NADIA.personal_chat]
    entries = await store.cases.history(case.id)
    assert [(e.kind, e.actor_name) for e in entries[-2:]] == [("handoff_sent", TARA.name),
                                                             ("handoff_accepted", NADIA.name)]

    # A second click, on the line or on the case card in her personal chat: nothing twice
    mark = connector.mark()
    _, again = await teams.invoke(NADIA, "handoff.accept", {"case": case.reference}, reply_to=line.activity_id,
                                  channel=NORTH)
    assert "Already accepted by Nadia North on 16 November 2026" in card_text(again["value"])
    await teams.submit(NADIA, by_verb(to_nadia[0].card, "handoff.accept"), reply_to=to_nadia[0].activity_id)
    assert await store.cases.history(case.id) == entries
    assert not [s for s in connector.since(mark) if s.conversation_id == TARA.personal_chat]
    assert [h.accepted_on for h in await store.handoffs.of_case(case.id)] == [TODAY]

    await teams.say(NADIA, "register")
    assert f"**{case.reference}** Noor Madeup" in card_text(connector.to(NADIA.personal_chat)[-1].card)
    await teams.say(TARA, "register")
    assert case.reference not in card_text(connector.to(TARA.personal_chat)[-1].card)
    nadias = card_text((await open_case(teams, connector, NADIA, case)).card)
    assert "Record where the child is" in nadias
    await teams.say(TARA, f"case {case.reference}")
    assert "cannot find a case" in connector.to(TARA.personal_chat)[-1].text
    assert "Closed for your school" in card_text((await open_case(teams, connector, SAM, case)).card)


async def test_an_unaccepted_hand_off_is_reminded_after_five_school_days_once_a_day(teams, connector, services, store):
    case, _, _ = await _handed_to_northfield(teams, connector, services, store)
    mark = connector.mark()
    await run_daily_reminders(services, TODAY + timedelta(days=4))  # Friday: the 4th school day after
    assert not [s for s in connector.since(mark) if s.conversation_id.startswith(NORTH)]
    monday = date(2026, 11, 23)
    for _ in range(2):  # a second run (another instance) posts nothing more
        await run_daily_reminders(services, monday)
    sent = connector.since(mark)
    [reminder] = [s for s in sent if s.conversation_id.startswith(NORTH) and "waiting to be accepted" in
                  card_text(s.card)]
    assert case.reference in card_text(reminder.card) and "Noor" not in card_text(reminder.card)
    assert "5 school days" in card_text(reminder.card)
    [to_tara] = [s for s in sent if s.conversation_id == TARA.personal_chat and "not accepted" in (s.text or "")]
    assert case.reference in to_tara.text
    mark = connector.mark()
    await run_daily_reminders(services, monday + timedelta(days=1))  # still waiting: reminded again
    assert [s for s in connector.since(mark) if s.conversation_id.startswith(NORTH)]


async def test_to_an_authority_not_on_this_system_the_officer_sends_the_notification_and_records_it(
        teams, connector, services, store):
    case = await removed(teams, connector, services, store)
    card = await open_case(teams, connector, TARA, case)
    mark = connector.mark()
    await teams.submit(TARA, by_verb(card.card, "handoff.send", receiving_authority_id="another",
                                     receiving_authority="", forwarding_address="9 Far Lane"),
                       reply_to=card.activity_id)
    assert (await store.cases.get(case.reference)).handoff is None
    assert "Give the receiving local authority" in card_text(connector.to(TARA.personal_chat)[-1].cards)
    await teams.submit(TARA, by_verb(card.card, "handoff.send", receiving_authority_id="another",
                                     receiving_authority="Faraway Council (fictional)",
                                     forwarding_address="9 Far Lane"), reply_to=card.activity_id)
    assert not [s for s in connector.since(mark) if s.conversation_id != TARA.personal_chat and s.method == "POST"]
    tara_card = connector.to(TARA.personal_chat)[-1]
    words = card_text(tara_card.cards)
    assert "Notification not yet sent" in words and "Noor Madeup" in words and "9 Far Lane" in words
    assert "Faraway Council (fictional)" in words and "Recorded as sent" in actions_of(tara_card.card)
    await teams.say(TARA, "register")
    assert "handed to Faraway Council (fictional): notification not yet sent" in card_text(
        connector.to(TARA.personal_chat)[-1].card)

    await teams.submit(TARA, by_verb(tara_card.card, "handoff.notified", sent_on=TODAY.isoformat()),
                       reply_to=tara_card.activity_id)
    closed = await store.cases.get(case.reference)
    assert closed.state is State.CLOSED and closed.outcome is Outcome.LOCATED_OUTSIDE_AREA
    history = await store.cases.history(closed.id)
    assert (history[-1].kind, history[-1].actor_name, history[-1].data["told_how"]) == (
        "tracking_outcome", TARA.name, "secure_email")
    await teams.submit(TARA, by_verb(tara_card.card, "handoff.notified", sent_on=TODAY.isoformat()),
                       reply_to=tara_card.activity_id)
    assert await store.cases.history(closed.id) == history
    await teams.say(TARA, "register")
    assert case.reference not in card_text(connector.to(TARA.personal_chat)[-1].card)
