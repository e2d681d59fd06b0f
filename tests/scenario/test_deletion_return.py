"""The deletion return (regulation 13(4)): Sam makes it from the removal card (filled in from the case) or by saying
`deletion return`; Tara, the tracking officer of Oakwood's authority, acknowledges it; both see when it was sent and
acknowledged and by whom; the authority's channel gets a nameless line (today is Monday 16 November 2026)."""

from __future__ import annotations

import json

from cards.validate import problems
from tests.scenario.cards import actions_of, press
from tests.scenario.connector import card_text
from tests.scenario.teams import RIYA, SAM, TARA, TEAM, User
from tests.scenario.test_removal import decide, officer_card, removal_requested

NADIA = User("00000000-0000-4000-8000-000000000a07", "Nadia North", "29:nadia-north")  # Northfield's officer
NAMES = ("Noor", "Madeup", "Fable", "07700")


async def _agreed(teams, connector, services):
    """A removal agreed by Tara: the card Sam's staff are sent, with its next steps."""
    case, _card, sent = await removal_requested(teams, connector, services, RIYA, NADIA)
    mark = connector.mark()
    await decide(teams, TARA, officer_card(sent), "Agree removal")
    to_sam = next(s for s in connector.since(mark) if s.method == "POST" and s.conversation_id == SAM.personal_chat)
    return case, to_sam


async def _open_form(teams, connector, to_sam):
    await teams.submit(SAM, press(to_sam.card, "Make the deletion return"), reply_to=to_sam.activity_id)
    return connector.to(SAM.personal_chat)[-1]


async def test_from_the_removal_card_sent_and_acknowledged_both_sides_see_it(teams, connector, services, store):
    case, to_sam = await _agreed(teams, connector, services)
    form = await _open_form(teams, connector, to_sam)
    said = card_text(form.card)
    assert f"Deletion return for {case.reference}" in said and problems(form.card) == []
    assert "Noor" in str(form.card) and "9 Fable Road, ZZ99 5ZZ" in str(form.card)  # filled in from the case

    # Bad input: the parent's telephone left out and the surname corrected; what was typed is kept, nothing sent.
    mark = connector.mark()
    await teams.submit(SAM, press(form.card, "Send to the local authority", parent1_phone="",
                                  surname="Madeup-Typed"), reply_to=form.activity_id)
    again = [s for s in connector.since(mark) if s.method == "PUT" and s.activity_id == form.activity_id][-1]
    assert "Missing: the parent's emergency telephone number." in card_text(again.card)
    assert "Madeup-Typed" in str(again.card) and "9 Fable Road" in str(again.card)
    assert not [s for s in connector.since(mark) if s.conversation_id in (TARA.personal_chat, TEAM)]
    assert await store.deletion_returns.outstanding([case.authority_id]) == []

    mark = connector.mark()
    value = press(again.card, "Send to the local authority", parent1_phone="07700 900555")
    await teams.submit(SAM, value, reply_to=form.activity_id)
    sent = connector.since(mark)
    [made] = await store.deletion_returns.outstanding([case.authority_id])
    assert made.case_id == case.id and made.deletion_return.ground == "i" and made.sent_by_name == "Sam Staff"
    to_tara = next(s for s in sent if s.conversation_id == TARA.personal_chat)
    assert "Noor Madeup-Typed" in card_text(to_tara.card) and actions_of(to_tara.card) == ["Acknowledge"]
    assert "Sent after the date of deletion" not in card_text(to_tara.card)  # sent on the off-roll date, in time
    line = next(s for s in sent if s.conversation_id.startswith(TEAM))
    assert made.reference in card_text(line.card) and "9(1)(i)" in card_text(line.card)
    assert not any(name in str(line.body) for name in NAMES)
    assert not [s for s in sent if s.conversation_id == NADIA.personal_chat]  # another authority's officer
    sams = next(s for s in sent if s.method == "PUT" and s.activity_id == form.activity_id)
    school_card = [s for s in sent if s.method == "PUT" and s.activity_id == to_sam.activity_id][-1]
    assert f"Deletion return {made.reference} sent to the local authority on 16 November 2026" in card_text(
        school_card.card)
    assert actions_of(school_card.card) == ["Confirm removed"]  # its date is filled in for Confirm removed
    assert '"value": "2026-11-16"' in json.dumps(school_card.card)
    assert "by Sam Staff." in card_text(sams.card) and "Not acknowledged yet" in card_text(sams.card)

    # The second click (or Teams' redelivery) sends nothing twice.
    mark = connector.mark()
    await teams.submit(SAM, value, reply_to=form.activity_id)
    assert not [s for s in connector.since(mark) if s.conversation_id in (TARA.personal_chat, TEAM)]
    assert "Sent already" in card_text(connector.since(mark)[-1].card)

    # Forged acknowledgements: Sam is not an officer; Nadia is another authority's.
    for who in (SAM, NADIA):
        await teams.invoke(who, "return.ack", {"id": str(made.id)}, conversation=who.personal_chat)
    assert not (await store.deletion_returns.get(made.id)).acknowledged

    mark = connector.mark()
    status, answer = await teams.invoke(TARA, "return.ack", {"id": str(made.id)}, reply_to=to_tara.activity_id,
                                        conversation=TARA.personal_chat)
    assert status == 200 and "Acknowledged on " in card_text(answer["value"])  # when: the clock
    assert "by Tara Tracker." in card_text(answer["value"]) and "Acknowledge" not in actions_of(answer["value"])
    updated = {s.activity_id: card_text(s.card) for s in connector.since(mark) if s.method == "PUT"}
    assert "by Tara Tracker." in updated[form.activity_id]  # Sam's copy, in place
    status, answer = await teams.invoke(TARA, "return.ack", {"id": str(made.id)}, reply_to=to_tara.activity_id,
                                        conversation=TARA.personal_chat)
    assert "Already acknowledged by Tara Tracker" in card_text(answer["value"])
    history = [(e.kind, e.actor_name) for e in await store.deletion_returns.history(made.id)
               if e.kind != "card_posted"]
    assert history == [("sent", "Sam Staff"), ("acknowledged", "Tara Tracker")]

    await teams.say(SAM, "deletion returns")
    assert made.reference in card_text(connector.to(SAM.personal_chat)[-1].card)
    assert "by Tara Tracker." in card_text(connector.to(SAM.personal_chat)[-1].card)


async def test_a_pupil_moving_school_is_a_return_of_its_own_and_waits_for_the_officer(teams, connector, services,
                                                                                     store):
    for user in (SAM, TARA, RIYA):
        await teams.install_personal(user)
    await teams.say(SAM, "deletion return")
    form = connector.to(SAM.personal_chat)[-1]
    assert "Deletion return" in card_text(form.card) and problems(form.card) == []
    await teams.submit(SAM, press(form.card, "Send to the local authority", ground="a", deletion_on="2026-11-20",
                                  forename="Kit", surname="Madeup", address="3 Nowhere Close, ZZ99 3ZZ",
                                  parent1_name="Jo Madeup", parent1_address="3 Nowhere Close, ZZ99 3ZZ",
                                  parent1_phone="07700 900333", new_school="Faraway Academy (fictional)"),
                       reply_to=form.activity_id)
    refused = connector.to(SAM.personal_chat)[-1]
    assert "Missing: the start date there." in card_text(refused.card) and "Faraway" in str(refused.card)
    await teams.submit(SAM, press(refused.card, "Send to the local authority", new_school_start="2026-11-23"),
                       reply_to=form.activity_id)
    school = await store.schools.by_urn("900001")
    [made] = await store.deletion_returns.outstanding([school.authority_id])
    assert made.case_id is None and made.deletion_return.new_school == "Faraway Academy (fictional)"

    await teams.say(TARA, "deletion returns")
    listed = connector.to(TARA.personal_chat)[-1]
    assert "Waiting for your acknowledgement" in card_text(listed.card) and made.reference in card_text(listed.card)
    await teams.submit(TARA, press(listed.card, "Open"), reply_to=listed.activity_id)
    assert actions_of(connector.to(TARA.personal_chat)[-1].card) == ["Acknowledge"]

    await teams.submit(RIYA, {"verb": "return.show", "id": str(made.id)})  # Riverside's staff: not theirs
    assert "cannot find that deletion return" in connector.to(RIYA.personal_chat)[-1].text


async def test_card_data_no_form_would_send_is_refused_in_words(teams, connector, services, store):
    for user in (SAM, TARA):
        await teams.install_personal(user)
    await teams.submit(SAM, {"verb": "return.submit", "form": "f9", "forename": {"not": "text"}})
    assert "could not read the forename" in connector.to(SAM.personal_chat)[-1].text
    await teams.submit(SAM, {"verb": "return.submit", "form": "f9", "school": "99999999999", "ground": "k",
                             "deletion_on": "2026-11-16", "forename": "Kit", "surname": "Madeup", "address": "3 Row",
                             "parent1_name": "Jo Madeup", "parent1_address": "3 Row",
                             "parent1_phone": "07700 900333"})
    assert "Choose your school." in card_text(connector.to(SAM.personal_chat)[-1].card)
    status, answer = await teams.invoke(TARA, "return.ack", {"id": "DR-1"}, conversation=TARA.personal_chat)
    assert status == 200 and "could not read" in card_text(answer.get("value", {})) + str(answer)
    school = await store.schools.by_urn("900001")
    assert await store.deletion_returns.outstanding([school.authority_id]) == []
