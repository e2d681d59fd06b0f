"""The Bot Connector's refusals and transport failures, as the `bot.sending.errors` callers act on."""

from __future__ import annotations

import json

import aiohttp
from botbuilder.schema import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.sending.errors import ConversationGone, DeliveryError, DeliveryUncertain, Throttled

RETRYABLE = {412, 429, 502, 503, 504}


def refusal(status: int | None, headers, code: str, *, posting: bool) -> DeliveryError:
    """The Bot Connector's refusal, in the terms the callers act on."""
    text = f"{status} {code}".strip()
    if status in (403, 404):
        return ConversationGone(text, status)
    if status == 429 or (status in RETRYABLE and not (posting and status >= 500)):
        retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
        try:
            seconds = float(retry_after) if retry_after is not None else None
        except ValueError:
            seconds = None
        return Throttled(text, status, seconds)
    if posting and status is not None and status >= 500:
        return DeliveryUncertain(text, status)
    return DeliveryError(text, status)


def translate(error: Exception, *, posting: bool) -> DeliveryError:
    """An exception from botbuilder or the transport, in the terms the callers act on."""
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, ErrorResponseException):
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None) or {}
        code = getattr(getattr(getattr(error, "error", None), "error", None), "code", None) or ""
        return refusal(status, headers, code, posting=posting)
    if isinstance(error, ClientRequestError | aiohttp.ClientError | TimeoutError | ConnectionError):
        if posting:
            return DeliveryUncertain(f"no answer from the Bot Connector: {type(error).__name__}")
        return Throttled(f"no answer from the Bot Connector: {type(error).__name__}", 0, None)
    return DeliveryError(f"{type(error).__name__}: {error}")


def error_code(text: str) -> str:
    """The `error.code` of a Bot Connector error body, or "" when it has none."""
    try:
        return str((json.loads(text).get("error") or {}).get("code") or "")
    except (ValueError, AttributeError):
        return ""
