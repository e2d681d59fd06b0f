"""A member of staff's first messages arriving together: each is answered, the personal chat saved once."""

from __future__ import annotations

import asyncio

from tests.scenario.connector import card_text
from tests.scenario.teams import SAM

TOGETHER = 12


async def test_first_messages_sent_at_once_are_each_answered(teams, connector, store):
    assert await store.conversations.personal_chat(SAM.aad_object_id) is None
    await asyncio.gather(*(teams.say(SAM, "report") for _ in range(TOGETHER)))
    answers = connector.to(SAM.personal_chat)
    forms = [sent for sent in answers if any("Report a missing pupil" in card_text(card) for card in sent.cards)]
    apologies = [sent.text for sent in answers if sent.text and "went wrong" in sent.text]
    assert apologies == [] and len(forms) == TOGETHER
    chat = await store.conversations.personal_chat(SAM.aad_object_id)
    assert chat is not None and chat.conversation_id == SAM.personal_chat
