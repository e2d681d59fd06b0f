"""A hand-off accepted by the other authority's officer, end to end with `make run AS=tara,sam,nadia`: a child Sam
removed from roll is found by Tara Tracker (Example Borough) living in Northfield's area; she hands them over from
the case card; Nadia North, Northfield's tracking officer, is sent the case in her personal chat and accepts it there;
Tara is told, and the child is on Nadia's register and off Tara's (policy 8.4.2)."""

from __future__ import annotations

import pytest

from tests.e2e.playground import card_text, find_action, text_of
from tests.e2e.reporting import action_with_verb, card_of, saying
from tests.e2e.test_register import in_personal_chat, removed, three  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e]

NORTHFIELD = "Northfield Council (fictional)"


def choice_value(card, input_id: str, title: str) -> str:
    """The value of the choice with this title in the card's input `input_id` (show-cards included)."""
    if isinstance(card, list):
        return next((v for c in card if (v := choice_value(c, input_id, title))), "")
    if not isinstance(card, dict):
        return ""
    if card.get("id") == input_id:
        return next((c["value"] for c in card.get("choices", []) if c.get("title") == title), "")
    return next((v for v in map(lambda c: choice_value(c, input_id, title), card.values()) if v), "")


async def test_a_hand_off_accepted_by_the_other_authoritys_officer(three):  # noqa: F811 - the fixture
    tara, sam, nadia = three["tara"], three["sam"], three["nadia"]
    reference = await removed(tara, sam)

    mark = tara.mark()
    await tara.say(tara.personal_chat_id, f"case {reference}")
    case = await in_personal_chat(tara, mark, "Record where the child is", "Tara's case card")
    send = action_with_verb(card_of(case), "handoff.send")
    northfield = choice_value(card_of(case), "receiving_authority_id", NORTHFIELD)
    assert send is not None and northfield, card_text(card_of(case))

    tara_mark, nadia_mark = tara.mark(), nadia.mark()
    await tara.submit(tara.personal_chat_id, case["message"]["messageId"],
                      {**send["data"], "receiving_authority_id": northfield,
                       "forwarding_address": "2 Elsewhere Road, Northfield"})
    await tara.expect(lambda ev: ev["message"]["messageId"] == case["message"]["messageId"]
                      and saying(f"Handed to {NORTHFIELD}")(ev), since=tara_mark,
                      what="Tara's card, awaiting acceptance")
    offered = await in_personal_chat(nadia, nadia_mark, "Handed over by Example Borough Council",
                                     "the case in Nadia's personal chat")
    assert "Orla Fictional" in card_text(card_of(offered))
    accept = find_action(card_of(offered), title="Accept")
    assert accept is not None, card_text(card_of(offered))

    mark = tara.mark()
    await tara.say(tara.personal_chat_id, "register")
    register = await in_personal_chat(tara, mark, "Register: Example Borough Council", "Tara's register")
    assert f"handed to {NORTHFIELD}, awaiting acceptance since 16 November 2026" in card_text(card_of(register))

    tara_mark, nadia_mark = tara.mark(), nadia.mark()
    await nadia.submit(nadia.personal_chat_id, offered["message"]["messageId"], accept["data"])
    await nadia.expect(lambda ev: ev["message"]["messageId"] == offered["message"]["messageId"]
                       and saying(f"Accepted by {NORTHFIELD}")(ev), since=nadia_mark,
                       what="Nadia's card, accepted, in place")
    await tara.expect(lambda ev: ev["actionConversationId"] == tara.personal_chat_id
                      and f"{reference}: accepted by {NORTHFIELD} (Nadia North)" in text_of(ev),
                      since=tara_mark, what="Tara told of the acceptance")

    mark = nadia.mark()
    await nadia.say(nadia.personal_chat_id, "register")
    hers = await in_personal_chat(nadia, mark, f"Register: {NORTHFIELD}", "Nadia's register")
    assert f"**{reference}** Orla Fictional" in card_text(card_of(hers))
    mark = tara.mark()
    await tara.say(tara.personal_chat_id, "register")
    register = await in_personal_chat(tara, mark, "Register: Example Borough Council", "Tara's register after")
    assert reference not in card_text(card_of(register))
