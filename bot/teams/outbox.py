"""Replies and card updates inside the conversation of the turn being handled."""

from __future__ import annotations

from urllib.parse import quote

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import DeliveryModes

from bot.privacy import check
from bot.teams.connector import send_json
from bot.teams.refusals import translate
from bot.teams.wire import activity_of, content
from bot.turn import Message


class TurnOutbox:
    """Replies inside the conversation of the turn being handled.

    A reply is posted as the Bot Connector's JSON through the turn's connector client: botbuilder's
    own path deep-copies the activity (a whole card) and runs it through msrest's model serializer,
    which cost more than the rest of a `help` turn. botbuilder's path stays for what it alone handles:
    expectReplies delivery and on_send_activities handlers (this bot uses neither).
    """

    def __init__(self, context: TurnContext, reference: dict | None = None) -> None:
        self._context = context
        self._reference = reference

    def _address(self) -> dict:
        if self._reference is None:
            self._reference = TurnContext.get_conversation_reference(self._context.activity).serialize()
        return self._reference

    def _botbuilder_only(self) -> bool:
        context = self._context
        return context.activity.delivery_mode == DeliveryModes.expect_replies or bool(context._on_send_activities)

    async def send(self, message: Message) -> str | None:
        check(message, self._address(), "a reply")
        if self._botbuilder_only():
            try:
                response = await self._context.send_activity(activity_of(message))
            except Exception as error:  # noqa: BLE001 - translated for the caller
                raise translate(error, posting=True) from error
            return response.id if response else None
        reference = self._address()
        body = {**content(message), **self._addressing(reference)}
        path = f"v3/conversations/{quote(reference['conversation']['id'], safe='')}/activities"
        if reference.get("activityId"):
            body["replyToId"] = reference["activityId"]
            path += f"/{quote(reference['activityId'], safe='')}"
        answer = await self._call("POST", path, body, posting=True)
        self._context.responded = True
        return answer.get("id")

    async def update(self, activity_id: str, message: Message) -> None:
        check(message, self._address(), "a card update")
        if self._botbuilder_only():
            activity = activity_of(message)
            activity.id = activity_id
            try:
                await self._context.update_activity(activity)
            except Exception as error:  # noqa: BLE001
                raise translate(error, posting=False) from error
            return
        reference = self._address()
        body = {**content(message), **self._addressing(reference), "id": activity_id}
        path = (f"v3/conversations/{quote(reference['conversation']['id'], safe='')}/activities/"
                f"{quote(activity_id, safe='')}")
        await self._call("PUT", path, body, posting=False)

    @staticmethod
    def _addressing(reference: dict) -> dict:
        """What botbuilder's apply_conversation_reference puts on a reply."""
        addressing = {"channelId": reference.get("channelId"), "serviceUrl": reference.get("serviceUrl"),
                      "conversation": reference.get("conversation"), "from": reference.get("bot"),
                      "recipient": reference.get("user"), "locale": reference.get("locale")}
        return {key: value for key, value in addressing.items() if value is not None}

    async def _call(self, method: str, path: str, body: dict, *, posting: bool) -> dict:
        client = self._context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
        return await send_json(client, method, f"{self._address()['serviceUrl'].rstrip('/')}/{path}", body,
                               posting=posting)
