"""What someone typed is never repeated into a channel or group chat, and is inert where it is repeated."""

from __future__ import annotations

import json

from cards.text import user_text
from fakes.teams import BOT
from tests.scenario.teams import REMINDERS, SAM, TARA, TEAM

GROUP_CHAT = "19:group-chat-of-three@thread.v2"
HOSTILE = "[click](http://evil.example) <at>Tara Tracker</at> **Testy McTestface** _x_"
PIECES = ("evil.example", "<at>", "Testy", "McTestface", "**T", "_x_", "click")


def everything_sent(connector, mark: int) -> str:
    return "\n".join(json.dumps(sent.body) for sent in connector.since(mark))


async def say_in_group_chat(teams, user, text: str) -> None:
    mention = f"<at>{BOT['name']}</at>"
    activity = teams.activity(user, GROUP_CHAT, text=f"{mention} {text}",
                              entities=[{"type": "mention", "text": mention, "mentioned": BOT}])
    activity["conversation"] = {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True,
                                "tenantId": activity["conversation"]["tenantId"]}
    status, _ = await teams.post(activity)
    assert status in (200, 201), status


async def test_words_it_does_not_understand_are_not_repeated_in_a_channel(teams, connector):
    mark = connector.mark()
    await teams.say(SAM, HOSTILE, channel=TEAM)
    answer = connector.since(mark)
    assert len(answer) == 1 and answer[0].text.startswith("Sorry, I did not understand that. Say **help**")
    sent = everything_sent(connector, mark)
    assert not [piece for piece in PIECES if piece in sent]


async def test_words_it_does_not_understand_are_not_repeated_in_a_group_chat(teams, connector):
    mark = connector.mark()
    await say_in_group_chat(teams, SAM, HOSTILE)
    answer = connector.since(mark)
    assert len(answer) == 1 and answer[0].conversation_id == GROUP_CHAT
    assert answer[0].text.startswith("Sorry, I did not understand that.")
    sent = everything_sent(connector, mark)
    assert not [piece for piece in PIECES if piece in sent]


async def test_in_a_personal_chat_the_words_are_quoted_back_inert(teams, connector):
    await teams.say(SAM, HOSTILE)
    said = connector.to(SAM.personal_chat)[-1].text
    assert said == f"Sorry, I did not understand \"{user_text(HOSTILE[:60])}\". Say **help** to see what I can do."
    assert "](" not in said and "<at>" not in said and "**Testy" not in said


async def test_a_card_naming_no_case_gets_no_echo_in_the_channel(teams, connector):
    """A tampered client can put anything in a card's data; the refusal does not repeat it."""
    mark = connector.mark()
    status, body = await teams.invoke(TARA, "reminder.open", {"case": HOSTILE, "milestone": "day5"},
                                      channel=REMINDERS)
    assert status == 200
    shown = json.dumps(body)
    assert "I cannot find that case that you work on" in shown
    assert not [piece for piece in PIECES if piece in shown + everything_sent(connector, mark)]


async def test_a_case_reference_not_found_is_repeated_only_as_a_reference(teams, connector):
    await teams.say(SAM, "case CME-2026-9999 <at>Tara Tracker</at>")
    said = connector.to(SAM.personal_chat)[-1].text
    assert said.startswith("I cannot find a case CME-2026-9999 that you work on.") and "<at>" not in said
