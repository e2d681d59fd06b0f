"""Telling the administrators, in their personal chats, about something they must fix."""

from __future__ import annotations

import logging

from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message
from cme.roles import Role

log = logging.getLogger(__name__)


async def tell_admins(services: Services, text: str, *, authority_id: int | None = None) -> int:
    """How many administrators were told (with `authority_id`, that authority's and the deployment's only);
    the log says so when none could be."""
    store = services.store
    admins = {p.aad_object_id for p in await store.people.with_role(Role.ADMIN, authority_id=authority_id)}
    admins |= set(services.settings.bootstrap_admins)
    told = 0
    for aad_object_id in sorted(admins):
        try:
            await send_to_person(services, aad_object_id, Message(text=text))
            told += 1
        except DeliveryError as error:
            log.warning("could not tell an administrator: %s", error)
    if not told:
        log.error("no administrator could be told: %s", text)
    return told
