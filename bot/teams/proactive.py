"""Sending outside a turn: into stored conversations, new channel threads, and listing channels and members."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.privacy import CHANNEL, check
from bot.sending.errors import DeliveryError
from bot.teams.connector import send_json
from bot.teams.outbox import TurnOutbox
from bot.teams.refusals import translate
from bot.teams.wire import content
from bot.turn import Message, Posted


class Proactive:
    """Proactive sends through the adapter's connector clients; a refusal reaches the caller as a DeliveryError."""

    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self._adapter = adapter
        self._app_id = app_id

    async def _continue(self, reference: dict, callback: Callable[[TurnContext], Awaitable[None]], *,
                        posting: bool = False) -> None:
        """Run `callback` in a stored conversation; whatever fails reaches the caller as a DeliveryError.

        botbuilder hands a proactive callback's exception to on_turn_error and returns normally, which
        would make a refused send look delivered: the exception is kept here and raised after it.
        """
        failed: list[Exception] = []

        async def keeping_failure(context: TurnContext) -> None:
            try:
                await callback(context)
            except Exception as error:  # noqa: BLE001 - raised below, outside botbuilder's pipeline
                failed.append(error)

        try:
            await self._adapter.continue_conversation(
                ConversationReference().deserialize(reference), keeping_failure, bot_app_id=self._app_id or None)
        except Exception as error:  # noqa: BLE001 - e.g. no token for the connector
            failed.append(error)
        if failed:
            error = failed[0]
            if isinstance(error, DeliveryError):
                raise error
            raise translate(error, posting=posting) from error

    async def send(self, reference: dict, message: Message) -> str:
        """Post into a stored conversation (a personal chat, or a reply in a channel thread)."""
        check(message, reference, "a message")
        sent: dict = {}

        async def callback(context: TurnContext) -> None:
            sent["id"] = await TurnOutbox(context).send(message)

        await self._continue(reference, callback, posting=True)
        return sent.get("id") or ""

    async def update(self, reference: dict, activity_id: str, message: Message) -> None:
        check(message, reference, "a card update")

        async def callback(context: TurnContext) -> None:
            await TurnOutbox(context).update(activity_id, message)

        await self._continue(reference, callback)

    async def start_thread(self, team_reference: dict, channel_id: str, message: Message) -> Posted:
        """Post a card as a new thread in a team channel; returns where it lives, to update it later.

        The Bot Connector's create-conversation call, made as botbuilder's create_conversation makes it
        but without the turn it then runs (its models, their serialisation, a pipeline) for each post.
        """
        check(message, CHANNEL, "a new channel thread")
        service_url = team_reference.get("serviceUrl") or ""
        tenant_id = (team_reference.get("conversation") or {}).get("tenantId")
        body = {"isGroup": True, "bot": team_reference.get("bot"), "activity": content(message),
                "channelData": {"channel": {"id": channel_id}, **({"tenant": {"id": tenant_id}} if tenant_id else {})}}
        if tenant_id:
            body["tenantId"] = tenant_id
        claims = self._adapter.create_claims_identity(self._app_id or None)
        try:
            client = await self._adapter.bot_framework_authentication.create_connector_factory(claims).create(
                service_url, None)
        except Exception as error:  # noqa: BLE001
            raise translate(error, posting=True) from error
        answer = await send_json(client, "POST", f"{service_url.rstrip('/')}/v3/conversations", body, posting=True)
        conversation_id = str(answer.get("id") or "")
        activity_id = str(answer.get("activityId") or "") or conversation_id.rpartition(";messageid=")[2]
        return Posted(conversation_id, activity_id)

    async def team_channels(self, team_reference: dict, team_id: str) -> list[tuple[str, str]]:
        """(channel id, name) of the team's channels; General's name comes back empty from Teams."""
        found: list[tuple[str, str]] = []

        async def callback(context: TurnContext) -> None:
            # TeamsInfo.get_team_channels makes a blocking HTTP call on the event loop; this is the
            # same GET through the turn's asynchronous connector client.
            client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]._client
            url = f"{context.activity.service_url.rstrip('/')}/v3/teams/{quote(team_id, safe='')}/conversations"
            response = await client.async_send(client.get(url))
            if response.status_code >= 400:
                raise DeliveryError(f"listing channels answered {response.status_code}", response.status_code)
            for channel in json.loads(response.text()).get("conversations", []):
                found.append((channel["id"], channel.get("name") or "General"))

        await self._continue(team_reference, callback)
        return found

    async def members(self, reference: dict, conversation_id: str) -> list[tuple[str, str]]:
        """(aadObjectId, name) of a team's or group chat's members (TeamsInfo's paged members, asynchronously)."""
        found: list[tuple[str, str]] = []

        async def callback(context: TurnContext) -> None:
            client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]._client
            base = (f"{context.activity.service_url.rstrip('/')}/v3/conversations/"
                    f"{quote(conversation_id, safe='')}/pagedmembers?pageSize=500")
            token = None
            for _ in range(50):  # 25,000 members at most
                url = base + (f"&continuationToken={quote(token, safe='')}" if token else "")
                response = await client.async_send(client.get(url))
                if response.status_code >= 400:
                    raise DeliveryError(f"listing members answered {response.status_code}", response.status_code)
                page = json.loads(response.text())
                for member in page.get("members", []):
                    if member.get("aadObjectId"):
                        found.append((member["aadObjectId"], member.get("name") or member["aadObjectId"]))
                token = page.get("continuationToken")
                if not token:
                    return

        await self._continue(reference, callback)
        return found
