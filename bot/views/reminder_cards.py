"""Reminder cards of one case: what they show, and updating the posted ones when actions are recorded."""

from __future__ import annotations

import logging
from datetime import date

from bot.sending.channels import channel_reference
from bot.sending.errors import DeliveryError
from bot.services import Services
from bot.turn import Message
from bot.views.case_cards import REQUESTABLE
from cards.reminders import ReminderView, reminder_card
from cme.case import Case
from cme.lifecycle import State
from cme.milestones import Milestone
from storage.schools import SchoolInfo

log = logging.getLogger(__name__)


def reminder_view(services: Services, case: Case, school: SchoolInfo | None, milestone: Milestone,
                  due_on: date, on_date: date) -> ReminderView:
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
    day = case.day_number(calendar, on_date) if case.is_open else 0
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
    due = case.due_dates(services.calendars.for_school(school))
    for milestone, conversation_id, activity_id in await services.store.reminders.posted(case.id):
        if activity_id in skip:
            continue
        channel = await services.store.conversations.get(conversation_id.split(";", 1)[0])
        if channel is None or not channel.alive:
            continue
        reference = channel_reference(channel.reference, conversation_id)
        view = reminder_view(services, case, school, milestone, due.get(milestone) or services.today(),
                             services.today())
        try:
            await services.messenger.update(reference, activity_id, Message(card=reminder_card(view)))
        except DeliveryError as error:
            log.warning("could not update the %s card of %s: %s", milestone.label, case.reference, error)
