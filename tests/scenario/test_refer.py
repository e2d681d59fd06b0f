"""Other agencies refer a child; the case goes to the tracking officer with no school yet."""

from __future__ import annotations

from cards.validate import problems
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import AGGIE, SAM, TARA, TEAM


async def test_an_agency_referral_reaches_the_tracking_officer(teams, connector, store):
    await teams.install_personal(TARA)
    await teams.install_team(TARA)
    await teams.say(AGGIE, "refer")
    form = connector.to(AGGIE.personal_chat)[-1]
    assert problems(form.card) == []

    mark = connector.mark()
    await teams.submit(AGGIE, press(form.card, "Send referral", forename="Bo", surname="Placeholder",
                                    known_so_far="Seen begging near the station on school days"),
                       reply_to=form.activity_id)
    redone = [s for s in connector.since(mark) if s.method == "PUT"][-1]
    text = card_text(redone.card)
    assert "Your agency" in text and "Choose" in text or "agency" in text.lower()
    assert await store.cases.count_open() == 0

    mark = connector.mark()
    await teams.submit(AGGIE, press(redone.card, "Send referral", forename="Bo", surname="Placeholder",
                                    known_so_far="Seen begging near the station on school days", agency="police",
                                    referrer_name="Aggie Agency", referrer_phone="07700 900456"),
                       reply_to=form.activity_id)
    case = (await store.cases.open_cases(without_school=True))[0]
    assert case.school_id is None and case.pupil.full_name == "Bo Placeholder"
    sent = connector.since(mark)
    officer = [s for s in sent if s.conversation_id == TARA.personal_chat]
    assert officer and "Bo Placeholder" in card_text(officer[0].card)
    channel = [s for s in sent if s.conversation_id.startswith(TEAM)]
    assert channel and case.reference in card_text(channel[0].card)
    assert "Placeholder" not in str(channel[0].body)

    await teams.say(SAM, f"case {case.reference}")
    assert "cannot find a case" in connector.to(SAM.personal_chat)[-1].text
