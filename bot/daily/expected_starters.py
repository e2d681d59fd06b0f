"""The daily job's non-arrival cards: a pupil expected from an agreed first day who has not arrived when 5 school
days have passed (each school's own calendar) gets one card, reference only, in the school's reminders channel.

Each card is claimed in `digest_claims` under `starter:<id>` for the day it fell due, as the overdue digest is: once
with any number of instances or runs, taken over from a run that stopped, posted again (marked) when its POST was
cut off, and posted late by the next run when the bot was down or the channel unreachable.
"""

from __future__ import annotations

from datetime import date

from bot.daily.claimed import post_claimed
from bot.sending.channels import channel_of, post_to_channel
from bot.sending.throttle import Throttle
from bot.services import Services
from bot.turn import Message
from bot.views.expected_starters import non_arrival_view
from cards.expected_starters import non_arrival_card
from cme.expected_starters import Starter, non_arrival_due
from storage.expected_starters import CARD_CLAIM as CLAIM
from storage.schools import SchoolInfo


async def due_non_arrivals(services: Services, schools: dict[int, SchoolInfo], open_today: list[int | None],
                           on_date: date) -> list[tuple[Starter, date]]:
    """The starters whose non-arrival card falls due by `on_date` and is not posted yet, of the schools open that
    day: what the run posts (each with the day it fell due), and what `cme-bot remind --dry-run` lists."""
    due_now = []
    for starter in await services.store.expected_starters.awaiting_card(on_date):
        if starter.school_id not in open_today:
            continue
        due = non_arrival_due(starter, services.calendars.for_school(schools.get(starter.school_id)))
        if due is not None and due <= on_date:
            due_now.append((starter, due))
    return due_now


async def post_non_arrivals(services: Services, schools: dict[int, SchoolInfo], open_today: list[int | None],
                            on_date: date, throttle: Throttle, report, run_id: str) -> None:
    """`report` is the run's RunReport (bot/daily/reminders.py): what was posted or not goes into it."""
    for starter, due in await due_non_arrivals(services, schools, open_today, on_date):
        await _post_one(services, starter, schools.get(starter.school_id), due, on_date, throttle, report, run_id)


async def _post_one(services: Services, starter: Starter, school: SchoolInfo | None, due: date, on_date: date,
                    throttle: Throttle, report, run_id: str) -> None:
    store, label = services.store, f"{starter.reference} not arrived"
    channel_id = await channel_of(services, school)
    if channel_id is None:
        report.not_posted.append(f"{label}: no reminders channel is set")
        return
    taken = await store.reminders.claim_digest(CLAIM + str(starter.id), due, run_id)
    if taken is None:
        return  # another run has it, or posted it
    card = non_arrival_card(non_arrival_view(services, starter, school, on_date, maybe_repeat=taken.maybe_posted))
    posted = await post_claimed(store, taken, label, lambda: post_to_channel(services, channel_id, Message(
        card=card, summary=f"Not arrived: {starter.reference}")), report, slot=lambda: throttle.slot(channel_id),
        reach=report.reach, channel_id=channel_id)
    if posted is None:
        return
    await store.expected_starters.card_posted(starter.id, posted.conversation_id, posted.activity_id)
    report.posted.append(label + (f" (late, due {due})" if due < on_date else "")
                         + (" (possibly a repeat)" if taken.maybe_posted else ""))
