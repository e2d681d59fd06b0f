"""The Bot Connector's refusals and transport failures, as the `bot.sending.errors` callers act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp
from botbuilder.schema import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.sending.errors import RETRYABLE, ConversationGone, DeliveryError, DeliveryUncertain, Throttled


def retry_after(headers) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds, or an HTTP date."""
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def refusal(status: int | None, headers, code: str, *, posting: bool) -> DeliveryError:
    """The Bot Connector's refusal, in the terms the callers act on."""
    text = f"{status} {code}".strip()
    if status in (403, 404):
        return ConversationGone(text, status)
    if posting and status is not None and status >= 500:
        return DeliveryUncertain(text, status, retry_after(headers))
    if status in RETRYABLE:
        return Throttled(text, status, retry_after(headers))
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
