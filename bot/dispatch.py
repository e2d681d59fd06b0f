"""From a Turn to the handler that answers it: de-duplication, roles, routing, readable errors."""

from __future__ import annotations

import logging

from bot.context import Context
from bot.handlers.installation import installed, uninstalled
from bot.routes import CHANNEL, PERSONAL, ROUTES, Routes
from bot.services import Services
from bot.turn import ACTION, INSTALLED, MESSAGE, SUBMIT, UNINSTALLED, Message, Outbox, Turn
from cards.notice import notice_card
from cards.welcome import no_role_card
from cme.calendar import CalendarError
from cme.lifecycle import ProcedureError
from cme.roles import Role
from storage.conversations import PERSONAL as PERSONAL_CHAT
from storage.people import Grant, PersonRoles

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, services: Services, routes: Routes = ROUTES) -> None:
        self.services = services
        self.routes = routes
        self._known_chats: set[str] = set()

    async def __call__(self, turn: Turn, outbox: Outbox) -> dict | None:
        if turn.kind == INSTALLED:
            return await installed(self.services, turn, outbox, await self.person(turn))
        if turn.kind == UNINSTALLED:
            return await uninstalled(self.services, turn)
        store = self.services.store
        if turn.activity_id and not await store.seen.first_time(turn.activity_id):
            log.info("redelivered activity ignored: %s %s", turn.kind, turn.verb)
            return None
        try:
            return await self._handle(turn, outbox)
        except Exception:
            if turn.activity_id:
                await store.seen.forget(turn.activity_id)
            raise

    async def person(self, turn: Turn) -> PersonRoles:
        person = await self.services.store.people.roles_of(turn.sender.aad_object_id)
        if turn.sender.aad_object_id in self.services.settings.bootstrap_admins and not person.has(Role.ADMIN):
            person = PersonRoles(person.aad_object_id, person.name or turn.sender.name,
                                 person.grants + (Grant(Role.ADMIN),))
        return person

    async def _handle(self, turn: Turn, outbox: Outbox) -> dict | None:
        person = await self.person(turn)
        await self._remember_personal_chat(turn)
        context = Context(turn, outbox, self.services, person)
        if not person.grants:
            admins = [p.name for p in await self.services.store.people.with_role(Role.ADMIN) if p.name]
            card = no_role_card(admins)
            if turn.kind == ACTION:
                return card
            await context.reply(card=card)
            return None
        if turn.kind == MESSAGE:
            matched = self.routes.match(turn.text)
            if matched is None:
                await context.reply(f"Sorry, I did not understand \"{turn.text[:60]}\". Say **help** to see "
                                    "what I can do.")
                return None
            route, context.args = matched
        else:
            route = self.routes.actions.get(turn.verb)
            if route is None:
                log.warning("card action with an unknown verb: %r", turn.verb)
                return await self._refuse(context, "This card is out of date. Say **help** to start again.")
        if route.where == PERSONAL and not turn.in_personal_chat:
            return await self._refuse(context, "Please use that in your personal chat with me: it can show "
                                               "children's details, which do not belong in a shared channel.")
        if route.where == CHANNEL and not turn.in_channel:
            return await self._refuse(context, "Please say that in the team channel it is about, mentioning me.")
        if not route.allows(person.roles):
            needed = " or ".join(sorted(role.label for role in route.roles or ()))
            return await self._refuse(context, f"That is for the {needed}. Nothing was changed.")
        try:
            card = await route.handler(context)
        except (ProcedureError, CalendarError) as error:
            return await self._refuse(context, str(error))
        if card is not None and turn.kind == SUBMIT:
            # An Action.Execute answered through its Action.Submit fallback: change the card in place.
            if turn.reply_to_id:
                await outbox.update(turn.reply_to_id, Message(card=card))
            else:
                await outbox.send(Message(card=card))
            return None
        return card

    async def _refuse(self, context: Context, text: str) -> dict | None:
        if context.turn.kind == ACTION:
            return notice_card(text)
        await context.reply(text)
        return None

    async def _remember_personal_chat(self, turn: Turn) -> None:
        """Keep the reference of every personal chat, so the bot can write there first later."""
        if not turn.in_personal_chat or turn.conversation_id in self._known_chats:
            return
        await self.services.store.conversations.save(
            turn.conversation_id, PERSONAL_CHAT, turn.reference, tenant_id=turn.tenant_id,
            aad_object_id=turn.sender.aad_object_id)
        self._known_chats.add(turn.conversation_id)
