"""The bot is added to a personal chat or a team: keep where it may write, and say hello once."""

from __future__ import annotations

import logging

from bot.routes import Routes
from bot.sending.channels import channel_reference
from bot.services import Services
from bot.turn import Message, Outbox, Turn
from cards.welcome import personal_welcome, team_welcome
from storage.conversations import CHANNEL, GROUP_CHAT, PERSONAL
from storage.people import PersonRoles

log = logging.getLogger(__name__)


async def installed(services: Services, routes: Routes, turn: Turn, outbox: Outbox, person: PersonRoles) -> None:
    conversations = services.store.conversations
    if turn.in_personal_chat:
        fresh = await conversations.save(turn.conversation_id, PERSONAL, turn.reference, tenant_id=turn.tenant_id,
                                         aad_object_id=turn.sender.aad_object_id)
        if fresh:
            name = (turn.sender.name or person.name or "").split(" ")[0]
            await outbox.send(Message(card=personal_welcome(name, routes.listed_for(person.roles),
                                                            routes.allows_command("report", person.roles))))
        return
    if not turn.team_id:
        await conversations.save(turn.conversation_id, GROUP_CHAT, turn.reference, tenant_id=turn.tenant_id)
        return
    team_reference = channel_reference(turn.reference, turn.team_id)
    fresh = await conversations.save(turn.team_id, CHANNEL, team_reference, tenant_id=turn.tenant_id,
                                     team_id=turn.team_id)
    if services.messenger is not None:
        try:
            channels = await services.messenger.team_channels(team_reference, turn.team_id)
        except Exception as error:  # noqa: BLE001 - channels are also learnt when someone speaks in them
            log.warning("could not list the team's channels: %s", type(error).__name__)
            channels = []
        for channel_id, _name in channels:
            if channel_id != turn.team_id:
                await conversations.save(channel_id, CHANNEL, channel_reference(team_reference, channel_id),
                                         tenant_id=turn.tenant_id, team_id=turn.team_id)
    if fresh:
        await outbox.send(Message(card=team_welcome()))


async def uninstalled(services: Services, turn: Turn) -> None:
    key = turn.team_id or turn.conversation_id
    await services.store.conversations.mark_dead(key, "the app was removed")
    for channel in await services.store.conversations.channels(turn.team_id) if turn.team_id else []:
        await services.store.conversations.mark_dead(channel.conversation_id, "the app was removed")
