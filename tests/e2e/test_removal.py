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


async def checklist_done(playground, case) -> None:
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, case["message"]["messageId"],
                            action_with_verb(card_of(case), "case.checklist.open")["data"])
    checklist = await playground.expect(saying("checklist"), since=mark, what="checklist card")
    ticks = {f"check_{item}": "true" for item, _ in MISSING_PUPIL_CHECKLIST}
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, checklist["message"]["messageId"],
                            {**action_with_verb(card_of(checklist), "case.checklist")["data"], **ticks})
    await playground.expect(saying("checklist completed"), since=mark, what="checklist done")


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
    await checklist_done(playground, case)
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


def latest(playground, message_id: str) -> dict:
    """The card of a message as everyone in its conversation sees it now: its last post or update."""
    return card_of([e for e in playground.events if (e.get("message") or {}).get("messageId") == message_id][-1])


async def on_line(playground, line, verb: str, user: str = "Tara", **typed) -> dict:
    """`user` presses the button with this verb on the channel line; the answer is what they alone see."""
    action = action_with_verb(card_of(line), verb)
    assert action is not None, f"no {verb} on {card_text(card_of(line))}"
    return await playground.invoke(line["message"]["postConversationId"], line["message"]["messageId"], verb,
                                   {**action["data"], **typed}, from_id=playground.user_id(user),
                                   title=action.get("title", ""))


async def test_a_second_request_after_more_enquiries_has_its_own_card_and_everyone_sees_each_decision(playground):
    await playground.install(playground.team_id)
    case = await report_case(playground, pupil={**PUPIL, "forename": "Ivo"}, absence=ABSENCE)
    reference = reference_of(case)
    for verb, said, typed in (("case.enquiry", "Phone call logged", {"kind": "phone_call", "outcome": "No answer"}),
                              ("case.enquiry", "Home visit logged", {"kind": "home_visit", "outcome": "Flat empty"}),
                              ("case.ews", "Education Welfare Service contacted", {"note": "Spoke to EWS"})):
        case = await act(playground, case, verb, said, **typed)
    await checklist_done(playground, case)
    case = await act(playground, case, "case.day20", "Day 20 review with EWS recorded", note="Still missing")
    case = await act(playground, case, "case.referral", "CME referral completed", note="Please track")
    confirmed = {key: "true" for key, _, _ in LEGAL_TESTS}
    asked = f"Removal from roll requested: **{reference}**"

    mark = playground.mark()
    case = await act(playground, case, "case.removal.request", "waiting for the CME Pupil Tracking Officer",
                     **confirmed)
    first = await playground.expect(saying(asked), since=mark, what="the first request's line in the channel")
    first_id = first["message"]["messageId"]
    assert card_of(first)["refresh"]["action"]["verb"] == "removal.refresh"
    assert "29:sam-staff" in card_of(first)["refresh"]["userIds"]  # the people on the case the bot has a chat with

    mark = playground.mark()
    answer = await on_line(playground, first, "removal.more", why="Check the GP registration.")
    assert "More enquiries asked for. The school has been told." in card_text(answer["value"])
    told = await playground.expect(saying(f"Removal from roll of {reference}: Ivo Fictional"), since=mark,
                                   what="the school told of the more enquiries")
    assert "Enquiries asked for: Check the GP registration." in card_text(card_of(told))
    assert "registration.." not in card_text(card_of(told))
    for_everyone = card_text(latest(playground, first_id))
    assert "Asked for more enquiries by Tara Tracker" in for_everyone, for_everyone  # not only for Tara
    assert action_with_verb(latest(playground, first_id), "removal.agree") is None

    case = await playground.expect(
        lambda ev: ev["message"]["messageId"] == case["message"]["messageId"]
        and action_with_verb(card_of(ev), "case.day20") is not None, since=mark, what="the case back in enquiries")
    case = await act(playground, case, "case.day20", "Day 20 review with EWS recorded", note="GP: no record")
    mark = playground.mark()
    case = await act(playground, case, "case.removal.request", "waiting for the CME Pupil Tracking Officer",
                     **confirmed)
    second = await playground.expect(lambda ev: saying(asked)(ev) and ev["message"]["messageId"] != first_id,
                                     since=mark, what="the second request's own line in the channel")
    second_id = second["message"]["messageId"]

    mark = playground.mark()
    answer = await on_line(playground, second, "removal.agree")
    assert "Agreed by Tara Tracker" in card_text(answer["value"])
    await playground.expect(saying(f"Removal from roll of {reference}: Ivo Fictional"), since=mark,
                            what="the school told of the agreement (sent after every card is updated)")

    # What Ewan, in the channel too, sees of each card: from the stream, and from Teams' refresh of each.
    ewan = playground.user_id("Ewan")
    for message_id, expected, not_expected in ((first_id, "Asked for more enquiries by Tara Tracker", "Agreed"),
                                               (second_id, "Agreed by Tara Tracker", "Asked for more")):
        seen = card_text(latest(playground, message_id))
        assert expected in seen and not_expected not in seen, seen
        line = latest(playground, message_id)
        assert action_with_verb(line, "removal.agree") is None and "Ivo" not in str(line)
        refresh = line["refresh"]["action"]
        answer = await playground.invoke(second["message"]["postConversationId"] if message_id == second_id
                                         else first["message"]["postConversationId"], message_id, refresh["verb"],
                                         refresh["data"], from_id=ewan, title="Refresh")
        refreshed = card_text(answer["value"])
        assert expected in refreshed and not_expected not in refreshed and "Ivo" not in str(answer), refreshed
    assert "Off-roll date: 16 November 2026" in card_text(latest(playground, second_id))
    assert "GP registration" not in card_text(latest(playground, first_id))
