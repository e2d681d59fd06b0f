"""A pending hand-off withdrawn or declined (policy 8.4.2, cme/handoff.py): Tara (Example Borough) withdraws the
child she handed to Northfield, or Nadia (Northfield) declines saying why. The child stays on Example Borough's
register, out of provision; Nadia's copies and Northfield's channel line change in place; nobody else may press
either; a second press records nothing twice (today is Monday 16 November 2026)."""

from __future__ import annotations

from cme.lifecycle import State
from tests.scenario.cards import actions_of, shown
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA
from tests.scenario.test_authorities import NADIA, NORTH
from tests.scenario.test_handoff import _handed_to_northfield
from tests.scenario.test_removal import by_verb, open_case

REASON = "Not at that address: the family never moved in"


def _line(sent):
    [line] = [s for s in sent if s.conversation_id.startswith(NORTH)]
    return line


async def test_tara_withdraws_the_hand_off_and_nadias_copies_say_so(teams, connector, services, store):
    case, sent, _ = await _handed_to_northfield(teams, connector, services, store)
    line = _line(sent)
    [to_nadia] = [s for s in sent if s.conversation_id == NADIA.personal_chat]
    tara_card = connector.to(TARA.personal_chat)[-1]
    assert "Withdraw" in actions_of(tara_card.card)
    history = await store.cases.history(case.id)

    # Nadia cannot withdraw it, nor Sam (the school's staff, no tracking officer)
    await teams.submit(NADIA, {"verb": "handoff.withdraw", "case": case.reference, "key": "forged"})
    await teams.submit(SAM, {"verb": "handoff.withdraw", "case": case.reference, "key": "forged"})
    assert await store.cases.history(case.id) == history
    assert (await store.cases.get(case.reference)).handoff is not None

    mark = connector.mark()
    press = by_verb(tara_card.card, "handoff.withdraw")
    await teams.submit(TARA, press, reply_to=tara_card.activity_id)
    after = await store.cases.get(case.reference)
    assert after.handoff is None and after.state is State.OUT_OF_PROVISION and after.authority_id == case.authority_id
    entries = await store.cases.history(case.id)
    assert [(e.kind, e.actor_name) for e in entries[len(history):]] == [("handoff_withdrawn", TARA.name)]
    updated = {s.conversation_id: card_text(s.cards) for s in connector.since(mark) if s.method == "PUT"}
    assert "withdrawn by Example Borough Council" in updated[NADIA.personal_chat]
    assert "Noor" not in updated[NADIA.personal_chat]
    north = [text for conversation, text in updated.items() if conversation.startswith(NORTH)]
    assert north and "Withdrawn by Example Borough Council" in north[0] and "Noor" not in north[0]
    assert "Record where the child is" in updated[TARA.personal_chat]
    assert [h.done_on is not None and h.accepted_on is None for h in await store.handoffs.of_case(case.id)] == [True]
    assert await store.handoffs.awaiting_acceptance() == []

    # Tara's second press records nothing twice; Nadia's Accept now records nothing and says why, without a name
    await teams.submit(TARA, press, reply_to=tara_card.activity_id)
    _, answer = await teams.invoke(NADIA, "handoff.accept", {"case": case.reference}, reply_to=line.activity_id,
                                   channel=NORTH)
    words = card_text(answer["value"])
    assert "Withdrawn by Example Borough Council" in words and "Noor" not in words
    assert "Accept" not in actions_of(answer["value"])
    await teams.submit(NADIA, by_verb(to_nadia.card, "handoff.accept"), reply_to=to_nadia.activity_id)
    assert "Nothing was recorded" in connector.to(NADIA.personal_chat)[-1].text
    await teams.submit(NADIA, by_verb(to_nadia.card, "handoff.decline", reason=REASON), reply_to=to_nadia.activity_id)
    said = connector.to(NADIA.personal_chat)[-1].text
    assert "Withdrawn by Example Borough Council" in said and "Nothing was recorded" in said and "Noor" not in said
    assert await store.cases.history(case.id) == entries
    await teams.say(TARA, "register")
    register = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert case.reference in register and "awaiting acceptance" not in register and "declined by" not in register


async def test_nadia_declines_with_a_reason_and_tara_is_told_and_records_another_outcome(
        teams, connector, services, store):
    case, sent, _ = await _handed_to_northfield(teams, connector, services, store)
    [to_nadia] = [s for s in sent if s.conversation_id == NADIA.personal_chat]
    assert "Decline" in actions_of(to_nadia.card)
    history = await store.cases.history(case.id)

    # Tara cannot decline her own hand-off; a reason of spaces is refused and nothing is recorded
    await teams.submit(TARA, {"verb": "handoff.decline", "case": case.reference, "reason": "no", "key": "forged"})
    await teams.submit(NADIA, by_verb(to_nadia.card, "handoff.decline", reason="   "), reply_to=to_nadia.activity_id)
    assert "Give the reason" in card_text(connector.to(NADIA.personal_chat)[-1].cards)
    assert await store.cases.history(case.id) == history

    mark = connector.mark()
    press = by_verb(to_nadia.card, "handoff.decline", reason=REASON)
    await teams.submit(NADIA, press, reply_to=to_nadia.activity_id)
    after = await store.cases.get(case.reference)
    assert after.handoff is None and after.state is State.OUT_OF_PROVISION and after.authority_id == case.authority_id
    entries = await store.cases.history(case.id)
    assert [(e.kind, e.actor_name, e.data["reason"]) for e in entries[len(history):]] == [
        ("handoff_declined", NADIA.name, REASON)]
    since = connector.since(mark)
    told = [s for s in since if s.conversation_id == TARA.personal_chat and s.method == "POST"]
    assert len(told) == 1 and REASON in told[0].text and case.reference in told[0].text
    assert "Nadia North" in told[0].text
    north = [card_text(s.cards) for s in since if s.conversation_id.startswith(NORTH)]
    assert north and "Declined by Northfield Council (fictional)" in north[0]
    assert REASON not in north[0] and "Noor" not in north[0]
    nadias = [card_text(s.cards) for s in since if s.conversation_id == NADIA.personal_chat]
    assert "Declined" in nadias[-1] and "Noor" not in nadias[-1]

    # A second press records nothing twice and tells Tara nothing more
    mark = connector.mark()
    await teams.submit(NADIA, press, reply_to=to_nadia.activity_id)
    assert await store.cases.history(case.id) == entries
    assert not [s for s in connector.since(mark) if s.conversation_id == TARA.personal_chat]

    await teams.say(TARA, "register")
    assert f"declined by Northfield Council (fictional): {REASON}" in card_text(
        connector.to(TARA.personal_chat)[-1].card)
    card = await open_case(teams, connector, TARA, case)
    assert "Declined by Northfield Council (fictional) (Nadia North)" in card_text(card.card)
    assert shown(card.card, "On roll at a school")
    await teams.submit(TARA, {"verb": "tracking.school", "case": case.reference, "school_named": "Anywhere School",
                              "start_date": "2026-11-16", "key": "after-decline"}, reply_to=card.activity_id)
    closed = await store.cases.get(case.reference)
    assert closed.state is State.CLOSED and (await store.cases.history(case.id))[-1].actor_name == TARA.name
