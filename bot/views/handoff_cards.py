"""Who is told of a hand-off to another authority on this deployment (cme/handoff.py), and keeping its channel lines
up to date: the receiving authority's tracking officers get the named case card in their personal chats (they have
a role on the case while it is handed to them), its channel a nameless line with Accept; on acceptance the line
changes in place for everyone and the sending authority's tracking officers are told in their personal chats."""

from __future__ import annotations

import logging
from datetime import date

from bot.sending.channels import channel_reference, post_to_channel
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from bot.views.case_cards import CASE_CARD, case_view
from cards.case_card import case_card
from cards.handoff import HandoffLine, handoff_line_card
from cards.readable import card_text
from cards.text import user_text
from cme.case import Case, DeclinedHandoff, PendingHandoff
from cme.roles import Role
from storage.handoffs import Handoff

log = logging.getLogger(__name__)

LINE, REMINDER = "handoff_line", "handoff_reminder"


ENDINGS = ("handoff_withdrawn", "handoff_declined")


def line_of(reference: str, handoff: Handoff, notice: str | None = None, ended: str = "") -> HandoffLine:
    return HandoffLine(reference, _from_name(handoff), handoff.to_name, handoff.sent_on,
                       handoff.accepted_by_name or "", handoff.accepted_on, notice, ended)


def ended_words(kind: str, handoff: Handoff) -> str:
    """How a hand-off ended other than by acceptance, by reference and authority only (for its channel line)."""
    on = handoff.done_on or handoff.sent_on
    if kind == "handoff_withdrawn":
        return f"Withdrawn by {_from_name(handoff)} on {on:%-d %B %Y}: there is nothing to accept."
    return (f"Declined by {handoff.to_name} on {on:%-d %B %Y}: the child stays on {_from_name(handoff)}'s register, "
            "out of provision.")


async def how_it_ended(store, case_id: int, handoff: Handoff) -> str:
    """The words for a hand-off withdrawn or declined (its last such entry in the case's history); "" otherwise."""
    if not handoff.ended:
        return ""
    kinds = [entry.kind for entry in await store.cases.history(case_id) if entry.kind in ENDINGS]
    return ended_words(kinds[-1], handoff) if kinds else ""


def _from_name(handoff: Handoff) -> str:
    return handoff.from_name or "another authority"


async def send_handoff(services: Services, case: Case, pending: PendingHandoff) -> int:
    """The case card to each tracking officer of the receiving authority, and the nameless line in its channel."""
    store, told = services.store, 0
    if services.messenger is None or pending.to_authority_id is None:
        return 0
    what = f"Handed over by {pending.from_name}: accept the child onto your register"
    for officer in await store.people.with_role(Role.TRACKING_OFFICER, authority_id=pending.to_authority_id):
        view = await case_view(services, case, officer, notice=what)
        try:
            sent = await send_to_person(services, officer.aad_object_id, PupilMessage(
                card=case_card(view), summary=what, reader=officer, cases=(case,)))
        except DeliveryError as error:
            log.warning("receiving officer not sent the hand-off of %s: %s", case.reference, error)
            continue
        await store.card_messages.add(case.id, CASE_CARD, sent.conversation_id, sent.activity_id,
                                      officer.aad_object_id, text=sent.text, conversation_kind=sent.conversation_kind)
        told += 1
    line = HandoffLine(case.reference, pending.from_name, pending.to_name, pending.since)
    try:
        posted = await post_to_channel(services, await store.schools.authority_channel(pending.to_authority_id),
                                       Message(card=handoff_line_card(line), summary=f"Hand-off: {case.reference}"))
        await store.card_messages.add(case.id, LINE, posted.conversation_id, posted.activity_id, text=posted.text,
                                      conversation_kind=posted.conversation_kind)
        told += 1
    except DeliveryError as error:
        log.warning("receiving authority's channel not told of the hand-off of %s: %s", case.reference, error)
    return told


async def refresh_handoff_lines(services: Services, case: Case, handoff: Handoff, *, skip: set[str],
                                ended: str = "") -> None:
    """Every line and reminder about the hand-off in the receiving authority's channel, as it now stands (`ended`:
    withdrawn or declined, in words)."""
    if services.messenger is None:
        return
    store = services.store
    card = handoff_line_card(line_of(case.reference, handoff, ended=ended))
    for copy in await store.card_messages.latest(case.id, (LINE, REMINDER)):
        if copy.activity_id in skip:
            continue
        conversation = await store.conversations.get(copy.conversation_id.split(";", 1)[0])
        if conversation is None or not conversation.alive:
            continue
        try:
            await services.messenger.update(channel_reference(conversation.reference, copy.conversation_id),
                                            copy.activity_id, Message(card=card))
        except DeliveryError as error:
            log.warning("could not update a hand-off line of %s: %s", case.reference, error)
            continue
        await store.card_messages.updated(case.id, copy.activity_id, card_text(card))


async def tell_sending_officers(services: Services, case: Case, handoff: Handoff, words: str, *,
                                named: bool = False) -> int:
    """The sending authority's tracking officers, in their personal chats, by reference only (`named`: the words
    may hold what the receiving officer typed, so they go as a pupil's details, to officers with a role on the case)."""
    if services.messenger is None or handoff.from_authority_id is None:
        return 0
    told = 0
    for officer in await services.store.people.with_role(Role.TRACKING_OFFICER,
                                                         authority_id=handoff.from_authority_id):
        message = PupilMessage(text=words, reader=officer, cases=(case,)) if named else Message(text=words)
        try:
            await send_to_person(services, officer.aad_object_id, message)
        except DeliveryError as error:
            log.warning("sending officer not told about the hand-off of %s: %s", case.reference, error)
            continue
        told += 1
    return told


def accepted_words(reference: str, handoff: Handoff, on: date) -> str:
    return (f"{reference}: accepted by {handoff.to_name} ({handoff.accepted_by_name or 'its tracking officer'}) on "
            f"{on:%-d %B %Y}. The child is on their register now and off yours: your part is closed (located "
            "outside the area).")


def withdrawn_words(reference: str, handoff: Handoff) -> str:
    """To the receiving officers, on their copies of the case card: by reference only, as it is no longer theirs."""
    return (f"Case {reference}: the hand-off was withdrawn by {_from_name(handoff)}. The child is not yours to accept, "
            "and the case is no longer available to you.")


def declined_words(reference: str, handoff: Handoff, declined: DeclinedHandoff) -> str:
    """To the sending officers, in their personal chats: who declined, and why (typed text made inert)."""
    return (f"{reference}: declined by {user_text(handoff.to_name)} ({user_text(declined.by_name)}) on "
            f"{declined.on:%-d %B %Y}: {user_text(declined.reason)}. The child stays on your register, out of "
            "provision: record another outcome, or hand over again.")
