"""The activity handler: each kind of Teams activity as a `Turn` for the dispatcher, and the invoke's answer."""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Awaitable, Callable

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.teams.outbox import TurnOutbox
from bot.teams.wire import CARD_CONTENT_TYPE, turn_of
from bot.turn import ACTION, INSTALLED, MESSAGE, SUBMIT, UNINSTALLED, Message, Turn
from bot.verbs import Verb
from cards.notice import notice_card

log = logging.getLogger(__name__)
Dispatch = Callable[[Turn, TurnOutbox], Awaitable[dict | None]]


class _InvokeAnswer(AdaptiveCardInvokeResponse):
    """The schema types `value` as a dict, but a message answer's value is a string."""

    _attribute_map = {**AdaptiveCardInvokeResponse._attribute_map, "value": {"key": "value", "type": "object"}}


class Handler(ActivityHandler):
    def __init__(self, dispatch: Dispatch, app_id: str) -> None:
        self._dispatch = dispatch
        self._app_id = app_id

    async def _run(self, turn: Turn, context: TurnContext) -> dict | None:
        outbox = TurnOutbox(context, turn.reference)
        try:
            return await self._dispatch(turn, outbox)
        except UNREADABLE_DATA as error:
            if turn.kind not in (MESSAGE, SUBMIT, ACTION) or os.environ.get(STRICT) == "raise":
                raise
            # Never the exception's message: it quotes the values it could not read.
            log.warning("%s %s could not be read: %s at %s", turn.kind, turn.verb if turn.verb in KNOWN_VERBS else "",
                        type(error).__name__, where(error))
        if turn.kind == ACTION:
            return notice_card(UNREADABLE)
        await outbox.send(Message(text=UNREADABLE))
        return None

    async def on_message_activity(self, context: TurnContext) -> None:
        value = context.activity.value
        if isinstance(value, dict) and not (context.activity.text or "").strip():
            await self._run(turn_of(context, SUBMIT, _verb(value), value), context)
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
            return InvokeResponse(status=400, body=_error("BadRequest", "This bot does not handle that request."))
        value = context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        data = action.get("data") if isinstance(action, dict) else None
        if not isinstance(data, dict | None) or not isinstance(action, dict):
            card = notice_card(UNREADABLE)
        else:
            card = await self._run(turn_of(context, ACTION, _verb(action), dict(data or {})), context)
        if card is None:  # e.g. a redelivered invoke, answered already: the client keeps its card
            body = _InvokeAnswer(status_code=200, type="application/vnd.microsoft.activity.message", value="Done.")
        else:
            body = _InvokeAnswer(status_code=200, type=CARD_CONTENT_TYPE, value=card)
        return InvokeResponse(status=200, body=body)


UNREADABLE = "Sorry, I could not read that, so nothing was changed. Say **help** to start again."
# A handler reads card data through bot/card_data.py, which refuses in words; one of these from a handler
# is a bug. In production the turn is refused and logged (file and line), nothing saved; tests set
# CME_STRICT_HANDLERS=raise (tests/conftest.py, make fuzz) and it fails them.
UNREADABLE_DATA = (TypeError, ValueError, KeyError, IndexError, AttributeError)
STRICT = "CME_STRICT_HANDLERS"
KNOWN_VERBS = frozenset(Verb)  # any other verb is logged as "": a forged one may carry anything
_OURS = tuple(f"{os.sep}{package}{os.sep}" for package in ("bot", "cme", "cards", "storage"))


def where(error: BaseException) -> str:
    """The line of our code the error came from (file and line only), for the log."""
    found = "?"
    for frame, line in traceback.walk_tb(error.__traceback__):
        path = frame.f_code.co_filename
        if any(part in path for part in _OURS) and "site-packages" not in path:
            found = f"{path.rsplit(os.sep, 3)[-2]}/{path.rsplit(os.sep, 1)[-1]}:{line}"
    return found


def _verb(value: dict) -> str:
    verb = value.get("verb")
    return verb if isinstance(verb, str) else ""


def _error(code: str, message: str) -> dict:
    """An invoke's refusal as Universal Actions define it."""
    return {"statusCode": 400, "type": "application/vnd.microsoft.error", "value": {"code": code, "message": message}}


def stack_of(error: BaseException) -> str:
    """Where an error was raised, frame by frame, with the types of the errors chained to it but none of their
    messages (they may quote what a person typed)."""
    parts = []
    while error is not None:
        parts.insert(0, "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
                     + f"{type(error).__module__}.{type(error).__qualname__}")
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "\n... which led to:\n".join(parts)
