"""A pupil's details go only to the personal chat of someone with a role on the case: the rule every way out applies.

The turn's replies and updates (bot/teams/outbox.py), a card answered to a click (bot/dispatch.py) and
proactive sends (bot/teams/proactive.py, bot/sending/) call `check` before anything leaves. A refused
message is not sent and is logged by case reference only. Tests set CME_PUPIL_DETAILS_REFUSED=raise
(tests/conftest.py), and a refusal is then a PupilDetailsLeak no handler catches; otherwise it is a
PupilDetailsRefused, a DeliveryError the caller carries on from as from any message it could not deliver.
"""

from __future__ import annotations

import logging
import os

from bot.access import has_role_on
from bot.sending.errors import DeliveryError
from bot.turn import Message, PupilMessage

log = logging.getLogger(__name__)

LOUD = "CME_PUPIL_DETAILS_REFUSED"  # "raise": a refusal is a bug to fix (tests)
CHANNEL = {"conversation": {"conversationType": "channel"}}  # where a new channel thread goes


class PupilDetailsRefused(DeliveryError):
    """Not sent: it carries a pupil's details and was not addressed to the personal chat of someone on the case."""


class PupilDetailsLeak(AssertionError):
    """In tests: code tried to send a pupil's details where they do not belong."""


def refusal(message: Message, reference: dict | None) -> str | None:
    """Why `message` may not go to the conversation `reference` points to; None when it may."""
    if not isinstance(message, PupilMessage):
        return None
    reference = reference or {}
    kind = (reference.get("conversation") or {}).get("conversationType")
    if kind != "personal":
        return f"a {kind or 'conversation of unknown kind'}"
    if (reference.get("user") or {}).get("aadObjectId") != message.reader.aad_object_id:
        return "someone else's personal chat"
    if not all(has_role_on(message.reader, case) for case in message.cases):
        return "the personal chat of someone with no role on the case"
    return None


def check(message: Message, reference: dict | None, sending: str) -> None:
    """Return if `message` may go where `reference` points; otherwise log it (without the details) and raise."""
    why = refusal(message, reference)
    if why is None:
        return
    about = ", ".join(case.reference for case in message.cases) or "a form's typed values"
    log.error("not sent: %s carrying a pupil's details (%s) was addressed to %s", sending, about, why)
    if os.environ.get(LOUD) == "raise":
        raise PupilDetailsLeak(f"{sending} carrying a pupil's details ({about}) was addressed to {why}")
    raise PupilDetailsRefused(f"{sending} carrying a pupil's details was not sent to {why}")
