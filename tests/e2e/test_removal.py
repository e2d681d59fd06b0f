"""Removal from roll in the Agents Playground: Sam Staff requests it in the personal chat, Tara Tracker
agrees on the card in the local authority's channel, and Sam's cards show it agreed."""

from __future__ import annotations

import pytest

from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.removal import LEGAL_TESTS
from tests.e2e.playground import card_text, find_action
from tests.e2e.reporting import PUPIL, action_with_verb, card_of, reference_of, report_case, saying

pytestmark = [pytest.mark.e2e]

# CME_TODAY of the e2e bot is Monday 16 November 2026: Day 21 of an absence from Monday 12 October.
ABSENCE = {"first_day_absent": "2026-10-12", "last_day_attended": "2026-10-09", "known_so_far": "Flat empty"}


async def act(playground, event, verb: str, expect: str, **typed):
    """Press the case card's button with this verb (inputs typed), and wait for the card to say `expect`."""
    action = action_with_verb(card_of(event), verb)
    assert action is not None, f"no {verb} on {card_text(card_of(event))}"
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, event["message"]["messageId"],
                            {**action["data"], **typed})
    this_card = event["message"]["messageId"]  # the case card is updated in place; other cards may say the same
    return await playground.expect(lambda ev: ev["message"]["messageId"] == this_card and saying(expect)(ev),
                                   since=mark, what=verb)


async def test_sam_requests_tara_agrees_in_the_channel_and_sam_sees_it(playground):
    await playground.install(playground.team_id)
    case = await report_case(playground, pupil={**PUPIL, "forename": "Gus"}, absence=ABSENCE)
    reference = reference_of(case)
    assert "Day 21 of continuous absence (past Day 20)" in card_text(card_of(case))
    # Agreement waits for Day 21, today: the earliest off-roll date the card shows, and the one agreed below.
    assert ("Earliest off-roll date, if removal from roll is agreed: Monday 16 November 2026 (Day 21 at the "
            "earliest") in card_text(card_of(case))

    case = await act(playground, case, "case.enquiry", "Phone call logged", kind="phone_call", outcome="No answer")
    case = await act(playground, case, "case.enquiry", "Home visit logged", kind="home_visit", outcome="Flat empty")
    case = await act(playground, case, "case.ews", "Education Welfare Service contacted", note="Spoke to EWS")
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, case["message"]["messageId"],
                            action_with_verb(card_of(case), "case.checklist.open")["data"])
    checklist = await playground.expect(saying("checklist"), since=mark, what="checklist card")
    ticks = {f"check_{item}": "true" for item, _ in MISSING_PUPIL_CHECKLIST}
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, checklist["message"]["messageId"],
                            {**action_with_verb(card_of(checklist), "case.checklist")["data"], **ticks})
    await playground.expect(saying("checklist completed"), since=mark, what="checklist done")
    case = await act(playground, case, "case.day20", "Day 20 review with EWS recorded", note="Still missing")

    mark = playground.mark()
    case = await act(playground, case, "case.referral", "CME referral completed", note="Please track")
    confirmed = {key: "true" for key, _, _ in LEGAL_TESTS}  # the tests of regulation 9(1)(i), ticked
    case = await act(playground, case, "case.removal.request", "waiting for the CME Pupil Tracking Officer",
                     **confirmed)
    line = await playground.expect(saying(f"Removal from roll requested: **{reference}**"), since=mark,
                                   what="the request in the local authority's channel")
    assert line["actionConversationId"].startswith(playground.channel_id("General"))
    assert "Gus" not in str(line) and "Every precondition is met." in card_text(card_of(line))

    tara = playground.user_id("Tara")
    agree = find_action(card_of(line), title="Agree removal")
    mark = playground.mark()
    answer = await playground.invoke(line["message"]["postConversationId"], line["message"]["messageId"],
                                     agree["verb"], agree["data"], from_id=tara, title="Agree removal")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Agreed by Tara Tracker" in card_text(answer["value"]) and "Gus" not in str(answer)

    agreed = await playground.expect(
        lambda ev: ev["action"] == "updateMessage" and ev["message"]["messageId"] == case["message"]["messageId"]
        and "Removal from roll agreed" in card_text(card_of(ev)), since=mark, what="Sam's case card, updated")
    assert "Off-roll date: 16 November 2026" in card_text(card_of(agreed))
    steps = await playground.expect(saying(f"Removal from roll of {reference}: Gus Fictional"), since=mark,
                                    what="the next steps for the school")
    assert "Lost Pupils" in card_text(card_of(steps))

    confirm = find_action(card_of(steps), title="Confirm removed")
    dated = {**confirm["data"], "return_sent_on": "2026-11-16", "ctf_sent_on": "2026-11-16"}
    answer = await playground.invoke(playground.personal_chat_id, steps["message"]["messageId"], confirm["verb"],
                                     dated, title="Confirm removed")
    assert "Removed from roll: confirmed by Sam Staff" in card_text(answer["value"])
