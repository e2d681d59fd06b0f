"""The Day 5 reminder in the Agents Playground: `cme-bot remind` posts it once into the school's channel."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.playground import card_text, find_action
from tests.e2e.reporting import PUPIL, card_of, reference_of, report_case, saying

pytestmark = [pytest.mark.e2e]

DAY_5 = "2026-11-17"  # the first day of absence is Wednesday 11 November 2026


async def test_remind_posts_the_day_5_card_in_the_team_channel_once(playground, cme_bot):
    await playground.install(playground.team_id)
    case = await report_case(playground, pupil={**PUPIL, "forename": "Eli"})
    reference = reference_of(case)
    assert "Next: Day 5 on Tuesday 17 November 2026" in card_text(card_of(case))

    mark = playground.mark()
    run = await asyncio.to_thread(cme_bot.cli, "remind", "--date", DAY_5)
    assert reference in run.stdout and "0 not posted" in run.stdout
    reminder = await playground.expect(saying(f"Day 5: {reference}"), since=mark, what="Day 5 card")
    assert reminder["actionConversationId"].startswith(playground.channel_id("CME reminders"))
    text = card_text(card_of(reminder))
    assert "contact the Education Welfare Service" in text.lower() or "Education Welfare Service" in text
    assert "Eli" not in str(reminder) and "Nowhere Road" not in str(reminder)

    mark = playground.mark()
    again = await asyncio.to_thread(cme_bot.cli, "remind", "--date", DAY_5)
    assert "0 newly due, 0 taken over from a run that stopped, 0 posted" in again.stdout
    # Anything the second run posted reached the playground before a reply to a message sent after it.
    await playground.say(playground.personal_chat_id, "help")
    await playground.expect(saying("What CME Tracker can do for you"), since=mark, what="help card")
    assert not playground.events_since(mark, saying(f"Day 5: {reference}"))

    # The EWS officer marks EWS contacted on the channel card; the card changes in place.
    ewan = playground.user_id("Ewan")
    action = find_action(card_of(reminder), title="EWS contacted")
    mark = playground.mark()
    thread = reminder["message"]["postConversationId"]
    answer = await playground.invoke(thread, reminder["message"]["messageId"],
                                     action["verb"], action["data"], from_id=ewan, title="EWS contacted")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "EWS contacted" in card_text(answer["value"]) and find_action(answer["value"], "EWS contacted") is None
    assert "Eli" not in str(answer)
    # The EWS contact is recorded on the case: the reporter's `case` shows it.
    mark = playground.mark()
    await playground.say(playground.personal_chat_id, f"case {reference}")
    opened = await playground.expect(saying(f"{reference}: Eli Fictional"), since=mark, what="case card")
    assert "EWS contacted 16 November 2026" in card_text(card_of(opened))  # CME_TODAY of the e2e bot
