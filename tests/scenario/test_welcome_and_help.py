"""Installing the bot and asking it for help, as Teams delivers those activities."""

from __future__ import annotations

import json

from cards.validate import problems
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, AGGIE, REMINDERS, SAM, STRANGER, TEAM


async def test_installed_in_a_personal_chat_it_welcomes_once_and_keeps_the_reference(teams, connector, store):
    await teams.install_personal(SAM)
    await teams.install_personal(SAM)
    welcomes = connector.to(SAM.personal_chat)
    assert len(welcomes) == 1
    text = card_text(welcomes[0].card)
    assert "Hello Sam, I am CME Tracker" in text and "Children Missing Education" in text
    assert "[Report a missing pupil]" in text or "[Help]" in text
    assert problems(welcomes[0].card) == []
    saved = await store.conversations.personal_chat(SAM.aad_object_id)
    assert saved.reference["serviceUrl"] == connector.url


async def test_installed_in_a_team_it_welcomes_the_team_and_keeps_every_channel(teams, connector, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    welcome = connector.to(TEAM)
    assert len(welcome) == 1
    assert "set reminders channel" in card_text(welcome[0].card)
    assert problems(welcome[0].card) == []
    channels = {c.conversation_id for c in await store.conversations.channels(TEAM)}
    assert channels == {TEAM, REMINDERS}


async def test_help_lists_what_the_user_may_do(teams, connector):
    await teams.say(SAM, "help")
    answer = connector.to(SAM.personal_chat)[-1]
    text = card_text(answer.card)
    assert "**help**" in text and "School staff (Oakwood Primary School (fictional))" in text
    assert problems(answer.card) == []


async def test_a_redelivered_message_is_answered_once(teams, connector):
    activity = teams.activity(SAM, text="help")
    await teams.post(activity)
    await teams.post(activity)
    assert len(connector.to(SAM.personal_chat)) == 1


async def test_someone_without_a_role_is_told_whom_to_ask_and_nothing_else(teams, connector):
    await teams.say(STRANGER, "help")
    answer = connector.to(STRANGER.personal_chat)[-1]
    text = card_text(answer.card)
    assert "You do not have a role" in text and "Adam Admin" in text


async def test_unknown_words_get_a_pointer_to_help(teams, connector):
    await teams.say(SAM, "what is the weather")
    assert "Say **help**" in connector.to(SAM.personal_chat)[-1].text


async def test_health_check_reads_the_database(teams):
    response = await teams.client.get("/healthz")
    assert response.status == 200 and (await response.json())["database"] == "ok"


async def test_a_body_that_is_not_an_activity_gets_a_clear_400_and_nothing_is_sent(teams, connector):
    mark = connector.mark()
    response = await teams.client.post("/api/messages", data="{not json",
                                       headers={"Content-Type": "application/json"})
    assert response.status == 400 and "not valid JSON" in await response.text()
    lone_surrogate = json.dumps(teams.activity(SAM, text="help \ud800"))  # text no client can type, nor UTF-8 hold
    response = await teams.client.post("/api/messages", data=lone_surrogate,
                                       headers={"Content-Type": "application/json"})
    assert response.status == 400 and "not valid JSON" in await response.text()
    status, body = await teams.post({"text": "help"})  # no type
    assert status == 400 and "expected an activity" in body
    status, body = await teams.post(["help"])
    assert status == 400
    assert connector.since(mark) == []


async def test_law_answers_every_role_in_a_personal_chat_or_a_channel(teams, connector):
    for user in (SAM, AGGIE):
        await teams.say(user, "law")
        answer = connector.to(user.personal_chat)[-1]
        assert problems(answer.card) == []
        assert "Now: Regulation 9(1)(i) of the School Attendance (Pupil Registration) (England) Regulations 2024" \
            in card_text(answer.card)
    await teams.say(ADAM, "law", channel=TEAM)
    assert "The law behind the CME procedure" in card_text(connector.to(TEAM)[-1].card)
    await teams.say(AGGIE, "help")
    assert "**law**: the laws the policy cites, and what replaced them" in \
        card_text(connector.to(AGGIE.personal_chat)[-1].card)
