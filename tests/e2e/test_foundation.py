"""The bot in the Agents Playground: installed in the personal chat and the team, it welcomes and helps."""

from __future__ import annotations

import pytest

from tests.e2e.playground import card_text, cards_of
from tests.e2e.reporting import saying

pytestmark = [pytest.mark.e2e]


async def test_install_in_personal_chat_and_team_then_help(playground, cme_bot):
    mark = playground.mark()
    await playground.install(playground.personal_chat_id)
    welcome = await playground.expect(saying("Hello Sam, I am CME Tracker"), since=mark,
                                      what="personal welcome card")
    assert welcome["action"] == "createMessage"

    await playground.install(playground.team_id)
    # The team is welcomed once, at its first installation, which another test may have made already.
    await playground.expect(saying("CME Tracker has joined this team"), since=0, what="team welcome card")

    mark = playground.mark()
    await playground.say(playground.personal_chat_id, "help")
    answer = await playground.expect(saying("What CME Tracker can do for you"), since=mark, what="help card")
    text = "\n".join(card_text(card) for card in cards_of(answer))
    assert "School staff (Oakwood Primary School (fictional))" in text
    assert "help" in text
