"""Why a message could not be delivered, as the reminder job and the handlers need to know it."""

from __future__ import annotations


class DeliveryError(Exception):
    """Sending failed; `status` is the HTTP status from the Bot Connector, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Throttled(DeliveryError):
    """429 (or another retryable answer before anything was posted): wait and try again."""

    def __init__(self, message: str, status: int, retry_after: float | None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class ConversationGone(DeliveryError):
    """403/404: the app was removed, the bot blocked or disabled. The reference is dead."""


class DeliveryUncertain(DeliveryError):
    """A timeout or 5xx on a POST: the message may or may not have been posted. Do not repeat it blindly."""
