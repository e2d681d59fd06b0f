"""From a Turn to the handler that answers it, through an ordered list of small steps.

Each step gets the turn as handled so far and the rest of the list (`then`); it may answer, stop, or go on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.context import Context
from bot.handlers.installation import installed, uninstalled
from bot.privacy import PupilDetailsRefused, check
from bot.routes import Place, Route, Routes
from bot.sending.shown import shown
from bot.services import Services
from bot.turn import Message, Outbox, PupilMessage, Turn, TurnKind
from bot.verbs import Verb
from cards.notice import notice_card
from cards.text import user_text
from cards.welcome import no_role_card
from cme.calendar import CalendarError
from cme.lifecycle import ProcedureError
from cme.roles import Role
from storage.conversations import PERSONAL as PERSONAL_CHAT
from storage.people import Grant, PersonRoles

log = logging.getLogger(__name__)


@dataclass
class Handling:
    """One turn on its way through the steps, with what they found out so far."""

    turn: Turn
    outbox: Outbox
    person: PersonRoles | None = None
    route: Route | None = None
    args: str = ""
    stored_roles: PersonRoles | None = None  # the sender's, read with the activity id: one round trip

    async def refuse(self, text: str) -> dict | None:
        """Why nothing happened: the clicker's card for an Action.Execute, a reply otherwise."""
        if self.turn.kind == TurnKind.ACTION:
            return notice_card(text)
        await self.outbox.send(Message(text=text))
        return None


Then = Callable[[Handling], Awaitable[dict | None]]
Step = Callable[[Handling, Then], Awaitable[dict | None]]


async def person_of(services: Services, turn: Turn, stored: PersonRoles | None = None) -> PersonRoles:
    """The sender's roles (read now unless `stored` in this turn); a bootstrap administrator is an administrator
    even before any grant."""
    person = await services.store.people.roles_of(turn.sender.aad_object_id) if stored is None else stored
    if turn.sender.aad_object_id in services.settings.bootstrap_admins and not person.has(Role.ADMIN):
        person = PersonRoles(person.aad_object_id, person.name or turn.sender.name,
                             person.grants + (Grant(Role.ADMIN),))
    return person


@dataclass
class Installation:
    """The app added to or removed from a chat or a team: no de-duplication, no roles needed."""

    services: Services
    routes: Routes

    async def __call__(self, handling: Handling, then: Then) -> dict | None:
        turn = handling.turn
        if turn.kind == TurnKind.INSTALLED:
            return await installed(self.services, self.routes, turn, handling.outbox,
                                   await person_of(self.services, turn))
        if turn.kind == TurnKind.UNINSTALLED:
            return await uninstalled(self.services, turn)
        return await then(handling)


@dataclass
class Deduplicate:
    """A redelivered activity id is ignored; if handling fails the id is forgotten, so Teams' retry is handled.
    The sender's roles are read with the id, for PersonAndRoles."""

    services: Services

    async def __call__(self, handling: Handling, then: Then) -> dict | None:
        turn, seen = handling.turn, self.services.store.seen
        activity_id = turn.activity_id
        if activity_id:
            first, handling.stored_roles = await seen.first_time_from(activity_id, turn.sender.aad_object_id)
            if not first:
                log.info("redelivered activity ignored: %s %s", turn.kind, turn.verb)
                return None
        try:
            return await then(handling)
        except Exception:
            if activity_id:
                await seen.forget(activity_id)
            raise


@dataclass
class PersonAndRoles:
    services: Services

    async def __call__(self, handling: Handling, then: Then) -> dict | None:
        handling.person = await person_of(self.services, handling.turn, handling.stored_roles)
        return await then(handling)


class RememberPersonalChat:
    """Keep the reference of every personal chat, so the bot can write there first later."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.known: set[str] = set()

    async def __call__(self, handling: Handling, then: Then) -> dict | None:
        turn = handling.turn
        if turn.in_personal_chat and turn.conversation_id not in self.known:
            await self.services.store.conversations.save(
                turn.conversation_id, PERSONAL_CHAT, turn.reference, tenant_id=turn.tenant_id,
                aad_object_id=turn.sender.aad_object_id)
            self.known.add(turn.conversation_id)
        return await then(handling)


@dataclass
class NoRoleCard:
    """Someone without a role is told whom to ask: the administrators by name."""

    services: Services

    async def __call__(self, handling: Handling, then: Then) -> dict | None:
        if handling.person.grants or handling.turn.verb == Verb.REMOVAL_REFRESH:  # a channel's line, as it stands
            return await then(handling)
        admins = [p.name for p in await self.services.store.people.with_role(Role.ADMIN) if p.name]
        card = no_role_card(admins)
        if handling.turn.kind == TurnKind.ACTION:
            return card
        await handling.outbox.send(Message(card=card))
        return None


def not_understood(turn: Turn) -> str:
    """What was said, quoted back in a personal chat only: a channel or group chat never sees it repeated."""
    return f"\"{user_text(turn.text[:60])}\"" if turn.in_personal_chat else "that"


@dataclass
class FindRoute:
    """The command the text starts with, or the card's verb."""

    routes: Routes

    async def __call__(self, handling: Handling, then: Then) -> dict | None:
        turn = handling.turn
        if turn.kind == TurnKind.MESSAGE:
            matched = self.routes.match(turn.text)
            if matched is None:
                await handling.outbox.send(Message(text=f"Sorry, I did not understand {not_understood(turn)}. Say "
                                                        "**help** to see what I can do."))
                return None
            handling.route, handling.args = matched
        else:
            handling.route = self.routes.actions.get(turn.verb)
            if handling.route is None:
                log.warning("card action with an unknown verb: %r", turn.verb)
                return await handling.refuse("This card is out of date. Say **help** to start again.")
        return await then(handling)


PERSONAL_ONLY = ("Please use that in your personal chat with me: it can show children's details, which do not "
                 "belong in a shared channel or a group chat.")


async def check_place(handling: Handling, then: Then) -> dict | None:
    """Each route answers only where it says: anything showing a child in a personal chat, channel cards in channels."""
    where, turn = handling.route.where, handling.turn
    if where == Place.PERSONAL and not turn.in_personal_chat:
        return await handling.refuse(PERSONAL_ONLY)
    if where == Place.CHANNEL and not turn.in_channel:
        return await handling.refuse("Please say that in the team channel it is about, mentioning me.")
    if where == Place.PERSONAL_OR_CHANNEL and not (turn.in_personal_chat or turn.in_channel):
        return await handling.refuse("Please use that in your personal chat with me or in the team channel.")
    return await then(handling)


async def check_roles(handling: Handling, then: Then) -> dict | None:
    route = handling.route
    if not route.allows(handling.person.roles):
        needed = " or ".join(sorted(role.label for role in route.roles or ()))
        return await handling.refuse(f"That is for the {needed}. Nothing was changed.")
    return await then(handling)


async def submit_fallback(handling: Handling, then: Then) -> dict | None:
    """An Action.Execute answered through its Action.Submit fallback: the card changes in place."""
    card = await then(handling)
    if card is None or handling.turn.kind != TurnKind.SUBMIT:
        return card
    if handling.turn.reply_to_id:
        await handling.outbox.update(handling.turn.reply_to_id, Message(card=card))
    else:
        await handling.outbox.send(Message(card=card))
    return None


async def readable_errors(handling: Handling, then: Then) -> dict | None:
    """What the procedure or the calendar refused, in its own words; nothing was saved."""
    try:
        return await then(handling)
    except (ProcedureError, CalendarError) as error:
        return await handling.refuse(str(error))
    except PupilDetailsRefused:
        return await handling.refuse(PERSONAL_ONLY)


def run(steps: Sequence[Step], last: Then) -> Then:
    """The steps in order, each handing on to the next, ending with `last`."""
    for step in reversed(steps):
        last = _handing_on(step, last)
    return last


def _handing_on(step: Step, then: Then) -> Then:
    async def handle(handling: Handling) -> dict | None:
        return await step(handling, then)
    return handle


class Dispatcher:
    def __init__(self, services: Services, routes: Routes) -> None:
        self.services = services
        self.routes = routes
        self.steps: list[Step] = [
            Installation(services, routes), Deduplicate(services), PersonAndRoles(services),
            RememberPersonalChat(services), NoRoleCard(services), FindRoute(routes), check_place, check_roles,
            submit_fallback, readable_errors,
        ]
        self._handle = run(self.steps, self._answer)

    async def __call__(self, turn: Turn, outbox: Outbox) -> dict | None:
        return await self._handle(Handling(turn, outbox))

    async def _answer(self, handling: Handling) -> dict | None:
        context = Context(handling.turn, handling.outbox, self.services, handling.person, handling.args, self.routes)
        answer = await handling.route.handler(context)
        if isinstance(answer, Message):  # a card answered to the click, in the conversation of the card
            check(answer, handling.turn.reference, "a card answered")
            await self._keep_text(handling.turn, answer)
            return answer.card
        return answer

    async def _keep_text(self, turn: Turn, answer: Message) -> None:
        """A case's card answered in place: what it now shows, kept with it (storage/card_messages.py)."""
        if isinstance(answer, PupilMessage) and len(answer.cases) == 1 and turn.reply_to_id:
            await self.services.store.card_messages.updated(answer.cases[0].id, turn.reply_to_id, shown(answer))
