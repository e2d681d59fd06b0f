"""Reminder cards of one case: what they show, and updating the posted ones when actions are recorded."""

from __future__ import annotations

import logging
from datetime import date

from bot.sending.channels import channel_reference
from bot.sending.errors import DeliveryError
from bot.services import Services
from bot.turn import Message
from bot.views.case_cards import REQUESTABLE
from cards.readable import card_text
from cards.reminders import ReminderView, reminder_card
from cme.case import Case
from cme.lifecycle import State
from cme.milestones import Milestone
from storage.reminders import PostedReminder
from storage.schools import SchoolInfo

log = logging.getLogger(__name__)


def reminder_view(services: Services, case: Case, school: SchoolInfo | None, milestone: Milestone,
                  due_on: date, on_date: date, run_start: date | None = None) -> ReminderView:
    """The card for the day it is posted for (`on_date`): its Day N is counted on that day from the start of
    its run of absence, when it is posted and whenever a button updates it, open case or closed."""
    calendar = services.calendars.for_school(school)
    if milestone is Milestone.DAY_5:
        steps = (("ews", "EWS contacted", case.ews_contacted_on),
                 ("checklist", "Missing pupil checklist", case.checklist_completed_on))
    else:
        steps = (("review", "Day 20 review", case.day20_review_on), ("referral", "CME referral", case.cme_referral_on))
    done = [(label, f"{on:%-d %B %Y}") for _, label, on in steps if on]
    outstanding = [key for key, _, on in steps if not on]
    closed = None
    if not case.is_open:
        closed = f"Case closed: {case.outcome.label if case.outcome else case.state.label}."
    elif not outstanding:
        closed = f"{milestone.label} actions recorded."
    day = calendar.day_number(run_start or case.run_start, on_date)
    if case.state is State.REMOVAL_REQUESTED:
        closed = "Removal from roll requested: with the CME Pupil Tracking Officer."
    elif case.state is State.REMOVAL_AGREED:
        closed = "Removal from roll agreed by the CME Pupil Tracking Officer."
    requestable = milestone is Milestone.DAY_20 and day >= 20 and case.state in REQUESTABLE
    return ReminderView(case.reference, school.name if school else "No school yet (local authority)", milestone,
                        day, due_on, on_date, done, outstanding, closed, requestable)


async def refresh_reminder_cards(services: Services, case: Case, *, skip: set[str] = frozenset()) -> None:
    """Update every Day 5 / Day 20 card posted for the case, in place, for everyone in the channel."""
    if services.messenger is None:
        return
    school = await services.store.schools.get(case.school_id) if case.school_id else None
    for posted in await services.store.reminders.posted(case.id):
        if posted.activity_id in skip or not isinstance(posted.milestone, Milestone):
            continue  # a deadline's card (cards/deadlines.py) has no buttons to update
        channel = await services.store.conversations.get(posted.conversation_id.split(";", 1)[0])
        if channel is None or not channel.alive:
            continue
        reference = channel_reference(channel.reference, posted.conversation_id)
        card = reminder_card(_posted_view(services, case, school, posted))
        try:
            await services.messenger.update(reference, posted.activity_id, Message(card=card))
        except DeliveryError as error:
            log.warning("could not update the %s card of %s: %s", posted.milestone.label, case.reference, error)
            continue
        await services.store.card_messages.updated(case.id, posted.activity_id, card_text(card))


def _posted_view(services: Services, case: Case, school: SchoolInfo | None, posted: PostedReminder) -> ReminderView:
    return reminder_view(services, case, school, posted.milestone, posted.due_on, posted.on_date, posted.run_start)


async def posted_reminder_view(services: Services, case: Case, school: SchoolInfo | None, milestone: Milestone,
                               activity_id: str | None) -> ReminderView:
    """The view of the reminder card posted as `activity_id`, as everyone in the channel sees it; for a card
    not found, the milestone's due date of the current run, today."""
    for posted in await services.store.reminders.posted(case.id):
        if posted.activity_id == activity_id and posted.milestone is milestone:
            return _posted_view(services, case, school, posted)
    today = services.today()
    due = case.due_dates(services.calendars.for_school(school)).get(milestone) or today
    return reminder_view(services, case, school, milestone, due, today)
