"""The daily job's reminders of hand-offs not yet accepted (cme/handoff.py): from the ACCEPT_WITHIN-th school day
after a hand-off (the authorities' calendar: England's school days and the term dates in force), each school day
until it is accepted, a nameless reminder in the receiving authority's channel and a word to the sending
authority's tracking officers in their personal chats. Each is claimed like the overdue digest (a unique claim per
key and day), so it goes once a day whatever number of instances run the job."""

from __future__ import annotations

import logging
from datetime import date

from bot.daily.claimed import post_claimed
from bot.sending.channels import post_to_channel
from bot.services import Services
from bot.turn import Message
from bot.views.handoff_cards import REMINDER, line_of, tell_sending_officers
from cards.handoff import handoff_reminder_card
from cme.calendar import CalendarError, SchoolCalendar
from cme.handoff import reminder_due
from storage.handoffs import Handoff
from storage.reminders import NOT_NEEDED

log = logging.getLogger(__name__)

CHANNEL_KEY, SENDERS_KEY = "handoff:", "handoff-senders:"


def waiting_days(handoff: Handoff, calendar: SchoolCalendar, on_date: date) -> int:
    """School days since the hand-off (the day after it is the first)."""
    return calendar.day_number(calendar.next_school_day(handoff.sent_on), on_date)


async def remind_handoffs(services: Services, on_date: date, report, run_id: str) -> None:
    """Every hand-off unaccepted after ACCEPT_WITHIN school days: reminded today, once."""
    calendar = services.calendars.for_school(None)
    for handoff in await services.store.handoffs.awaiting_acceptance():
        try:
            if not reminder_due(handoff.sent_on, calendar, on_date):
                continue
            days = waiting_days(handoff, calendar, on_date)
        except CalendarError:
            continue  # past the term dates in force: not known yet
        await _remind_channel(services, handoff, days, on_date, report, run_id)
        await _tell_senders(services, handoff, days, on_date, run_id)


async def _claim_while_pending(store, key: str, handoff: Handoff, on_date: date, run_id: str):
    """Today's claim on `key` and the case, or None: claimed by another run, or the hand-off ended (claim closed)."""
    taken = await store.reminders.claim_digest(key, on_date, run_id)
    if taken is None:
        return None
    case = await store.cases.by_id(handoff.case_id)
    if case is None or case.handoff is None:
        await store.reminders.digest_done(taken.id, None, NOT_NEEDED)
        return None
    return taken, case


async def _remind_channel(services: Services, handoff: Handoff, days: int, on_date: date, report,
                          run_id: str) -> None:
    store = services.store
    claimed = await _claim_while_pending(store, f"{CHANNEL_KEY}{handoff.id}", handoff, on_date, run_id)
    if claimed is None:
        return
    taken, _ = claimed
    label = f"{handoff.reference} hand-off to {handoff.to_name} not accepted"
    message = Message(card=handoff_reminder_card(line_of(handoff.reference, handoff), days),
                      summary=f"Hand-off waiting: {handoff.reference}")
    channel_id = await store.schools.authority_channel(handoff.to_authority_id)
    posted = await post_claimed(store, taken, label, lambda: post_to_channel(services, channel_id, message), report,
                                reach=report.reach, channel_id=channel_id)
    if posted is None:
        return
    await store.card_messages.add(handoff.case_id, REMINDER, posted.conversation_id, posted.activity_id,
                                  text=posted.text, conversation_kind=posted.conversation_kind)
    report.digests.append(f"{label}: reminded after {days} school days")


async def _tell_senders(services: Services, handoff: Handoff, days: int, on_date: date, run_id: str) -> None:
    store = services.store
    claimed = await _claim_while_pending(store, f"{SENDERS_KEY}{handoff.id}", handoff, on_date, run_id)
    if claimed is None:
        return
    taken, case = claimed
    await store.reminders.digest_attempt(taken.id)
    told = await tell_sending_officers(services, case, handoff, (
        f"{handoff.reference}: handed to {handoff.to_name} on {handoff.sent_on:%-d %B %Y}, not accepted after {days} "
        f"school days. They have been reminded in their channel; the child stays on your register until they "
        f"accept."))
    await store.reminders.digest_done(taken.id, "told" if told else None, f"told {told}")
