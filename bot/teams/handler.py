"""The activity handler: each kind of Teams activity as a `Turn` for the dispatcher, and the invoke's answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.teams.outbox import TurnOutbox
from bot.teams.wire import CARD_CONTENT_TYPE, turn_of
from bot.turn import ACTION, INSTALLED, MESSAGE, SUBMIT, UNINSTALLED, Turn

Dispatch = Callable[[Turn, TurnOutbox], Awaitable[dict | None]]


class _InvokeAnswer(AdaptiveCardInvokeResponse):
    """The schema types `value` as a dict, but a message answer's value is a string."""

    _attribute_map = {**AdaptiveCardInvokeResponse._attribute_map, "value": {"key": "value", "type": "object"}}


class Handler(ActivityHandler):
    def __init__(self, dispatch: Dispatch, app_id: str) -> None:
        self._dispatch = dispatch
        self._app_id = app_id

    async def _run(self, turn: Turn, context: TurnContext) -> dict | None:
        return await self._dispatch(turn, TurnOutbox(context, turn.reference))

    async def on_message_activity(self, context: TurnContext) -> None:
        value = context.activity.value
        if isinstance(value, dict) and not (context.activity.text or "").strip():
            await self._run(turn_of(context, SUBMIT, str(value.get("verb", "")), value), context)
        else:
            await self._run(turn_of(context, MESSAGE), context)

    async def on_members_added_activity(self, members_added, context: TurnContext) -> None:
        bot_id = context.activity.recipient.id
        if any(member.id == bot_id for member in members_added):
            await self._run(turn_of(context, INSTALLED), context)

    async def on_installation_update_add(self, context: TurnContext) -> None:
        await self._run(turn_of(context, INSTALLED), context)

    async def on_installation_update_remove(self, context: TurnContext) -> None:
        await self._run(turn_of(context, UNINSTALLED), context)

    async def on_invoke_activity(self, context: TurnContext) -> InvokeResponse | None:
        # botbuilder 4.17.1 serialises the body of _create_invoke_response twice (HTTP 500), so the
        # adaptiveCard/action answer is built here as a model the adapter serialises once.
        if context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(context)
        action = (context.activity.value or {}).get("action") or {}
        turn = turn_of(context, ACTION, str(action.get("verb") or ""), dict(action.get("data") or {}))
        card = await self._run(turn, context)
        if card is None:  # e.g. a redelivered invoke, answered already: the client keeps its card
            body = _InvokeAnswer(status_code=200, type="application/vnd.microsoft.activity.message", value="Done.")
        else:
            body = _InvokeAnswer(status_code=200, type=CARD_CONTENT_TYPE, value=card)
        return InvokeResponse(status=200, body=body)
