"""The case card an agency's referral and an officer's "Add to the register" send is the card of the case opened again
(both show what they wrote without reading it back, as a report submit does)."""

from __future__ import annotations

from cards.validate import problems
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import AGGIE, EWAN, TARA
from tests.scenario.test_case_card_after_report import without_notice_and_key


async def opened_again(teams, connector, user, reference: str):
    await teams.say(user, f"case {reference}")
    return connector.to(user.personal_chat)[-1]


async def test_the_card_after_a_referral_is_the_card_opened_again(teams, connector, store):
    await teams.install_personal(TARA)
    await teams.say(AGGIE, "refer")
    form = connector.to(AGGIE.personal_chat)[-1]
    value = press(form.card, "Send referral", forename="Bo", surname="Placeholder", agency="police",
                  known_so_far="Seen near the station on school days", referrer_name="Aggie Agency",
                  referrer_phone="07700 900456")
    await teams.submit(AGGIE, value, reply_to=form.activity_id)
    sent = connector.to(AGGIE.personal_chat)[-1]
    reference = card_text(sent.card).split(":")[0]
    notice = f"Referral received as {reference}: the CME Pupil Tracking Officer has it."
    assert notice in card_text(sent.card) and "Aggie: " in card_text(sent.card) and problems(sent.card) == []

    opened = await opened_again(teams, connector, AGGIE, reference)
    assert reference in card_text(opened.card) and notice not in card_text(opened.card)
    assert without_notice_and_key(sent.card, notice) == without_notice_and_key(opened.card, notice)

    await teams.submit(AGGIE, value, reply_to=form.activity_id)  # a double click: the same case, nothing written
    assert "This referral was sent already as " + reference in connector.to(AGGIE.personal_chat)[-1].text
    assert len(await store.cases.history((await store.cases.get(reference)).id)) == 1


async def test_the_card_after_adding_a_child_to_the_register_is_the_card_opened_again(teams, connector, store):
    await teams.install_personal(EWAN)
    await teams.say(EWAN, "register")
    register = connector.to(EWAN.personal_chat)[-1]
    value = press(register.card, "Add to the register", forename="Waiting", surname="Placeholder", since="2026-11-02")
    await teams.submit(EWAN, value, reply_to=register.activity_id)
    sent = connector.to(EWAN.personal_chat)[-1]
    reference = card_text(sent.card).split(":")[0]
    notice = f"Added to the register as {reference}: no school, awaiting a school place."
    assert notice in card_text(sent.card) and "Ewan: " in card_text(sent.card)

    opened = await opened_again(teams, connector, EWAN, reference)
    assert reference in card_text(opened.card) and notice not in card_text(opened.card)
    assert without_notice_and_key(sent.card, notice) == without_notice_and_key(opened.card, notice)

    await teams.submit(EWAN, value, reply_to=register.activity_id)  # a double click: the case as it stands, read
    again = connector.to(EWAN.personal_chat)[-1]
    assert f"Added already as {reference}." in card_text(again.card)
    assert len(await store.cases.history((await store.cases.get(reference)).id)) == 1
