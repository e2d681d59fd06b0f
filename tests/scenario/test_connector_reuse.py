"""Outbound through reused connector clients: replies, proactive sends, card updates and threads still work.

bot/teams/ keeps one Bot Connector client per service URL (botbuilder builds one, with a msrest
Configuration, for every turn) and sends through aiohttp instead of `requests` in a thread pool.
Timings are for the benchmarks (bench/); these tests check what must stay true.
"""

from __future__ import annotations

import asyncio
import threading

import msrest.configuration
import pytest
import requests
from aiohttp import web
from botframework.connector.auth import MicrosoftAppCredentials

from bot.config import Settings
from bot.sending.errors import ConversationGone, DeliveryError, DeliveryUncertain, Throttled
from bot.sending.throttle import Throttle
from bot.teams import ConnectorClients, TeamsGateway
from bot.turn import Message
from tests.scenario.connector import card_text
from tests.scenario.teams import REMINDERS, RIYA, SAM, TEAM, TENANT

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Updated in place"}]}


@pytest.fixture
def configurations(monkeypatch):
    """Every msrest Configuration built (one for each connector or token client botbuilder makes)."""
    made: list[str] = []
    original = msrest.configuration.Configuration.__init__

    def counting(self, *args, **kwargs):
        made.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(msrest.configuration.Configuration, "__init__", counting)
    return made


@pytest.fixture
def no_requests(monkeypatch):
    """Any HTTP call through `requests` fails the test."""
    calls: list[str] = []

    def refuse(self, request, **kwargs):
        calls.append(request.url)
        raise AssertionError(f"sent through requests: {request.method} {request.url}")

    monkeypatch.setattr(requests.Session, "send", refuse)
    return calls


async def test_replies_reuse_one_client_and_never_use_requests(teams, connector, services, configurations,
                                                               no_requests):
    await teams.say(SAM, "help")
    assert "**help**" in card_text(connector.to(SAM.personal_chat)[-1].card)
    first_turn = list(configurations)
    assert first_turn == ["BotFrameworkConnectorConfiguration"], "development mode builds no token client"

    for user in (SAM, RIYA, SAM, RIYA, SAM):
        mark = connector.mark()
        await teams.say(user, "help")
        replies = connector.since(mark)
        assert [r.conversation_id for r in replies] == [user.personal_chat]
        assert "**help**" in card_text(replies[0].card)
    assert configurations == first_turn, "later turns build no client of their own"
    assert services.messenger._adapter.bot_framework_authentication.clients.built == 1
    assert no_requests == []


async def test_proactive_send_update_and_thread_go_through_the_same_client(teams, connector, services, store,
                                                                           configurations, no_requests):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(SAM)
    await teams.say(SAM, "help")
    built = len(configurations)
    messenger = services.messenger
    personal = (await store.conversations.personal_chat(SAM.aad_object_id)).reference

    mark = connector.mark()
    activity_id = await messenger.send(personal, Message(text="A proactive hello"))
    sent = connector.since(mark)
    assert [(s.method, s.conversation_id, s.text) for s in sent] == [("POST", SAM.personal_chat, "A proactive hello")]
    assert activity_id == sent[0].activity_id

    mark = connector.mark()
    await messenger.update(personal, activity_id, Message(card=CARD))
    updated = connector.since(mark)
    assert [(u.method, u.activity_id) for u in updated] == [("PUT", activity_id)]
    assert card_text(updated[0].card) == "Updated in place"

    team = (await store.conversations.get(TEAM)).reference
    mark = connector.mark()
    posted = await messenger.start_thread(team, REMINDERS, Message(card=CARD, summary="a thread"))
    thread = connector.since(mark)
    assert [(t.method, t.conversation_id) for t in thread] == [("POST", f"{REMINDERS};messageid={posted.activity_id}")]
    assert posted.conversation_id == thread[0].conversation_id and card_text(thread[0].card) == "Updated in place"

    assert await messenger.team_channels(team, TEAM) == [(TEAM, "General"), (REMINDERS, "CME reminders")]
    assert len(configurations) == built, "proactive calls reuse the client the turns made"
    assert no_requests == []


async def test_connector_refusals_keep_their_meaning(teams, connector, services, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(SAM)
    messenger = services.messenger
    team = (await store.conversations.get(TEAM)).reference

    connector.refuse(429, retry_after="61", conversation=REMINDERS, code="Throttled")  # longer than the bot waits
    with pytest.raises(Throttled) as throttled:
        await messenger.start_thread(team, REMINDERS, Message(text="too fast"))
    assert throttled.value.status == 429 and throttled.value.retry_after == 61.0

    connector.refuse(404, conversation=REMINDERS, code="ConversationNotFound")
    with pytest.raises(ConversationGone) as gone:
        await messenger.start_thread(team, REMINDERS, Message(text="gone"))
    assert gone.value.status == 404 and "ConversationNotFound" in str(gone.value)

    connector.refuse(503, conversation=REMINDERS, retry_after="0", times=5)  # as often as the bot tries
    with pytest.raises(DeliveryUncertain) as uncertain:
        await messenger.start_thread(team, REMINDERS, Message(text="posted or not?"))
    assert uncertain.value.status == 503

    mark = connector.mark()
    posted = await messenger.start_thread(team, REMINDERS, Message(text="fine again"))
    assert [(s.conversation_id, s.text) for s in connector.since(mark)] == [(posted.conversation_id, "fine again")]


async def test_a_refused_proactive_send_update_or_listing_reaches_the_caller(teams, connector, services, store):
    """botbuilder hands a proactive callback's failure to on_turn_error; the caller must still see it."""
    await teams.install_personal(SAM)
    messenger = services.messenger
    personal = (await store.conversations.personal_chat(SAM.aad_object_id)).reference

    connector.refuse(403, conversation=SAM.personal_chat, code="ConversationBlockedByUser")
    with pytest.raises(ConversationGone) as gone:
        await messenger.send(personal, Message(text="never seen"))
    assert gone.value.status == 403 and "ConversationBlockedByUser" in str(gone.value)

    activity_id = await messenger.send(personal, Message(text="seen"))
    connector.refuse(429, retry_after="120", conversation=SAM.personal_chat)  # longer than the bot waits
    with pytest.raises(Throttled) as throttled:
        await messenger.update(personal, activity_id, Message(card=CARD))
    assert throttled.value.retry_after == 120.0

    connector.refuse(403, conversation=SAM.personal_chat)
    with pytest.raises(DeliveryError) as refused:
        await messenger.members(personal, SAM.personal_chat)
    assert refused.value.status == 403
    assert [s.text for s in connector.to(SAM.personal_chat) if s.text] == ["seen"]


async def test_a_connector_that_does_not_answer_is_uncertain_for_a_post(teams, connector, services, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(SAM)
    team = dict((await store.conversations.get(TEAM)).reference)
    dead = web.Application()
    runner = web.AppRunner(dead)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    await runner.cleanup()  # nothing listens there any more
    team["serviceUrl"] = f"http://127.0.0.1:{port}/"
    with pytest.raises(DeliveryUncertain) as uncertain:
        await services.messenger.start_thread(team, REMINDERS, Message(text="into the void"))
    assert "no answer from the Bot Connector" in str(uncertain.value)


async def test_with_an_app_id_requests_carry_a_token_fetched_off_the_event_loop_and_reused(connector, monkeypatch):
    fetched: list[str] = []

    def token(self, force_refresh: bool = False) -> str:
        fetched.append(threading.current_thread().name)
        return f"token-for-{self.microsoft_app_id}"

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", token)
    seen: list[str | None] = []

    def authorization(request: web.Request, _conversation: str) -> None:
        seen.append(request.headers.get("Authorization"))
        return None

    connector.rules.append(authorization)
    app_id = "00000000-0000-4000-8000-0000000000a1"
    gateway = TeamsGateway(Settings(app_id=app_id, app_password="secret", environment="production"),
                           dispatch=None)
    reference = {"serviceUrl": connector.url, "channelId": "msteams",
                 "bot": {"id": f"28:{app_id}", "name": "CME Tracker"},
                 "conversation": {"id": SAM.personal_chat, "conversationType": "personal", "tenantId": TENANT},
                 "user": {"id": SAM.teams_id, "name": SAM.name, "aadObjectId": SAM.aad_object_id}}
    try:
        for n in range(3):
            await gateway.send(reference, Message(text=f"signed {n}"))
    finally:
        await gateway.close()
    assert seen == [f"Bearer token-for-{app_id}"] * 3
    assert len(fetched) == 1, "the token is reused while it is fresh"
    assert fetched[0] != threading.current_thread().name, "MSAL may block: it is asked in a worker thread"
    assert [s.text for s in connector.to(SAM.personal_chat)] == ["signed 0", "signed 1", "signed 2"]


async def test_without_an_app_id_no_token_is_asked_for_or_sent(teams, connector, monkeypatch):
    asked: list[bool] = []
    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: asked.append(True))
    seen: list[str | None] = []
    connector.rules.append(lambda request, _conversation: seen.append(request.headers.get("Authorization")))
    await teams.say(SAM, "help")
    assert seen == [None] and asked == []


async def test_the_throttle_counts_a_send_from_its_answer():
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(sleep=sleep, clock=lambda: now[0])
    answered = [await throttle.slot("19:c@thread.tacv2") for _ in range(7)]
    now[0] = 0.3
    for done in answered:
        done()  # Teams answered 0.3 s after the slots: it may have counted them as late as that
    await throttle.slot("19:c@thread.tacv2;messageid=1")
    assert slept == [pytest.approx(1.0)], "the 8th waits a second from the answers, not from the slots"
    assert now[0] == pytest.approx(1.3)


async def test_the_gateway_closes_its_connections(teams, services):
    clients = services.messenger._adapter.bot_framework_authentication.clients
    await teams.say(SAM, "help")
    session = clients.session()
    assert not session.closed
    await services.messenger.close()
    assert session.closed
    await asyncio.sleep(0)


async def test_a_connection_idle_longer_than_the_keepalive_is_not_used_again(teams, connector, monkeypatch):
    """A server closes idle connections (the playground after 5 s): a reply posted on one it is closing at
    that moment is lost and the user reads "Sorry, something went wrong". The bot lets them go first."""
    monkeypatch.setattr(ConnectorClients, "KEEPALIVE_SECONDS", 0.3)
    ports: list[int] = []
    connector.rules.append(lambda request, _conversation: ports.append(request.transport.get_extra_info("peername")[1]))
    await teams.say(SAM, "help")
    await teams.say(SAM, "help")
    await asyncio.sleep(0.6)
    await teams.say(SAM, "help")
    assert len(ports) == 3
    assert ports[1] == ports[0], "a connection used a moment ago is used again"
    assert ports[2] != ports[1], "a connection idle longer than the keep-alive is not"
