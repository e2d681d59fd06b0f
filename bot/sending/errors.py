"""Why a message could not be delivered, as the reminder job and the handlers need to know it."""

from __future__ import annotations

# The Bot Connector's answers worth trying again (Teams' guidance: 429, 412, 502, 503, 504; and 500).
RETRYABLE = frozenset({412, 429, 500, 502, 503, 504})


class DeliveryError(Exception):
    """Sending failed; `status` is the HTTP status from the Bot Connector, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Throttled(DeliveryError):
    """429 (or 412, or a 5xx or no answer to a call that posts nothing): wait and try again."""

    def __init__(self, message: str, status: int, retry_after: float | None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class ConversationGone(DeliveryError):
    """403/404: the app was removed, the bot blocked or disabled. The reference is dead."""


class DeliveryUncertain(DeliveryError):
    """A timeout or 5xx on a POST: the message may or may not have been posted.

    `status` is the 5xx answered, None when no answer came (a POST with no answer is not repeated).
    """

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after
