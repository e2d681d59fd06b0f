"""Telling the CME Pupil Tracking Officers of the case's authority: the case card in their personal chats, a
line in that authority's channel."""

from __future__ import annotations

import logging

from bot.access import officers_of
from bot.sending.channels import post_to_channel
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from bot.views.case_cards import CASE_CARD, case_view
from cards.alerts import referral_alert_card
from cards.case_card import case_card
from cme.case import Case

log = logging.getLogger(__name__)


async def tell_tracking_officers(services: Services, case: Case, what: str) -> int:
    """How many places were told: officers' personal chats and the local authority's channel."""
    store, told = services.store, 0
    if services.messenger is None:
        return 0
    for officer in await officers_of(store, case):
        view = await case_view(services, case, officer, notice=what)
        try:
            sent = await send_to_person(services, officer.aad_object_id, PupilMessage(
                card=case_card(view), summary=what, reader=officer, cases=(case,)))
        except DeliveryError as error:
            log.warning("tracking officer not told about %s: %s", case.reference, error)
            continue
        await store.card_messages.add(case.id, CASE_CARD, sent.conversation_id, sent.activity_id,
                                      officer.aad_object_id, text=sent.text, conversation_kind=sent.conversation_kind)
        told += 1
    school = await store.schools.get(case.school_id) if case.school_id else None
    line = referral_alert_card(case.reference, school.name if school else "an agency referral", what)
    try:
        await post_to_channel(services, await store.schools.authority_channel(case.authority_id),
                              Message(card=line, summary=what))
        told += 1
    except DeliveryError as error:
        log.warning("local authority channel not told about %s: %s", case.reference, error)
    return told
