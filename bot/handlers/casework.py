"""Working a case from its card: enquiries, breaks, Day 1 risk notification, Day 5 and Day 20, outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.access import can_work, has_role_on, not_found
from bot.context import Context
from bot.routes import ROUTES
from bot.turn import Message
from bot.views.case_cards import update_case_cards
from bot.views.reminder_cards import refresh_reminder_cards
from bot.views.tracking_officer import tell_tracking_officers
from cards.checklist_card import checklist_card
from cards.notice import notice_card
from cme.calendar import CalendarError, SchoolCalendar
from cme.case import Case
from cme.casework import (
    Change,
    complete_checklist,
    complete_cme_referral,
    contact_ews,
    log_enquiry,
    record_break,
    record_outcome,
    record_triage,
    review_day_20,
)
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.lifecycle import Outcome, ProcedureError, State
from cme.milestones import BreakKind
from cme.roles import AUTHORITY_WIDE, Role
from storage.cases import NewEvent, Recorded

log = logging.getLogger(__name__)
WORKERS = {Role.SCHOOL_STAFF, Role.EWS_OFFICER, Role.TRACKING_OFFICER}

Decide = Callable[[Case, SchoolCalendar, date], Change]


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ProcedureError(f"Give {what} as a date.") from None


async def load_case(context: Context) -> Case | None:
    """The case the card is about, if this person works on it; otherwise says so and returns None."""
    reference = str(context.turn.data.get("case", ""))
    case = await context.store.cases.get(reference) if reference else None
    if case is None or not has_role_on(context.person, case):
        await context.reply(not_found(reference or "(no reference)"))
        return None
    return case


@dataclass(frozen=True)
class StepResult:
    case: Case
    change: Change | None = None
    problem: str | None = None
    already: bool = False


async def record_step(context: Context, case: Case, decide: Decide) -> StepResult:
    """Decide on the freshest copy of the case and save it with its history entry, exactly once."""
    school = await context.store.schools.get(case.school_id) if case.school_id else None
    calendar = context.services.calendars.for_school(school)
    key = f"{context.turn.verb}:{context.turn.data.get('key', context.turn.activity_id)}"
    for _ in range(3):
        try:
            change = decide(case, calendar, context.services.today())
        except (ProcedureError, CalendarError) as error:
            return StepResult(case, problem=str(error))
        result = await context.store.cases.record(
            change.case, NewEvent(change.event, change.data, context.actor, key=key), change.milestones, change.done,
            change.reopened)
        if result is Recorded.DONE:
            log.info("case %s: %s", case.reference, change.event)
            await refresh_reminder_cards(context.services, change.case, skip={context.turn.reply_to_id or ""})
            return StepResult(change.case, change)
        if result is Recorded.ALREADY_DONE:
            return StepResult(await context.store.cases.get(case.reference), already=True)
        case = await context.store.cases.get(case.reference)
    return StepResult(case, problem="The case was changed by someone else while you were saving: try again.")


async def apply_step(context: Context, decide: Decide, *, case: Case | None = None) -> Change | None:
    """A step from the case card: the card changes in place and every other copy follows."""
    case = case or await load_case(context)
    if case is None:
        return None
    if not can_work(context.person, case):
        await context.reply("You can see this case but not change it.")
        return None
    result = await record_step(context, case, decide)
    notice = "Already recorded: nothing was saved twice." if result.already else (
        result.change.summary if result.change else None)
    await update_case_cards(context, result.case, notice=notice, problem=result.problem)
    return result.change


@ROUTES.action("case.enquiry", roles=WORKERS)
async def enquiry(context: Context) -> None:
    data = context.turn.data
    await apply_step(context, lambda case, _cal, today: log_enquiry(
        case, str(data.get("kind", "")), str(data.get("outcome", "")), str(data.get("note", "")), today))


@ROUTES.action("case.break", roles=WORKERS)
async def break_in_absence(context: Context) -> None:
    data = context.turn.data

    def decide(case: Case, calendar: SchoolCalendar, today: date) -> Change:
        if data.get("break_kind") not in {k.value for k in BreakKind}:
            raise ProcedureError("Say whether the pupil attended or the absence was authorised.")
        return record_break(case, BreakKind(data["break_kind"]), _date(str(data.get("break_on", "")), "the day"),
                            calendar, today)

    await apply_step(context, decide)


@ROUTES.action("case.triage", roles=WORKERS)
async def triage(context: Context) -> None:
    data = context.turn.data
    notified = [w for w in str(data.get("notified", "")).split(",") if w]
    await apply_step(context, lambda case, _cal, today: record_triage(
        case, notified, str(data.get("when", "")), str(data.get("details", "")), today))


@ROUTES.action("case.ews", roles=WORKERS)
async def ews_contacted(context: Context) -> None:
    await apply_step(context, lambda case, _cal, today: contact_ews(case, str(context.turn.data.get("note", "")),
                                                                    today))


@ROUTES.action("case.day20", roles=WORKERS)
async def day_20_review(context: Context) -> None:
    await apply_step(context, lambda case, cal, today: review_day_20(
        case, str(context.turn.data.get("note", "")), cal, today))


@ROUTES.action("case.referral", roles=WORKERS)
async def cme_referral(context: Context) -> None:
    change = await apply_step(context, lambda case, _cal, today: complete_cme_referral(
        case, str(context.turn.data.get("note", "")), today))
    if change:
        await _tell_officers(context, change.case, "CME referral completed by the school")


@ROUTES.action("case.checklist.open", roles=WORKERS)
async def checklist_open(context: Context) -> None:
    case = await load_case(context)
    if case is None:
        return
    done = set(case.enquiry_kinds) | ({"ews_contacted"} if case.ews_contacted_on else set())
    await context.reply(card=checklist_card(case.reference, done, context.turn.activity_id or case.reference))


@ROUTES.action("case.checklist", roles=WORKERS)
async def checklist_complete(context: Context) -> None:
    data = context.turn.data
    confirmed = {item for item, _ in MISSING_PUPIL_CHECKLIST if data.get(f"check_{item}") == "true"}
    case = await load_case(context)
    if case is None:
        return
    try:
        change = complete_checklist(case, confirmed, context.services.today())
    except ProcedureError as error:
        if context.turn.reply_to_id:
            await context.outbox.update(context.turn.reply_to_id, Message(card=checklist_card(
                case.reference, confirmed, str(data.get("key", "")), problem=str(error))))
        else:
            await context.reply(str(error))
        return
    result = await context.store.cases.record(
        change.case, NewEvent(change.event, change.data, context.actor, key=f"case.checklist:{data.get('key')}"),
        done=change.done)
    words = {Recorded.DONE: f"Missing pupil checklist completed for {case.reference}.",
             Recorded.ALREADY_DONE: f"The checklist for {case.reference} was recorded already.",
             Recorded.CONFLICT: "The case changed while you were saving: open the checklist again."}[result]
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id, Message(card=notice_card(words)))
    else:
        await context.reply(words)


@ROUTES.action("case.outcome", roles=WORKERS)
async def outcome(context: Context) -> None:
    data = context.turn.data
    by_officer = bool(context.person.roles & AUTHORITY_WIDE)

    def decide(case: Case, _calendar: SchoolCalendar, today: date) -> Change:
        if data.get("outcome") not in {o.value for o in Outcome}:
            raise ProcedureError("Choose the outcome.")
        start = _date(str(data["start_date"]), "the start date") if data.get("start_date") else None
        return record_outcome(case, Outcome(data["outcome"]), today, new_school=str(data.get("new_school", "")),
                              start_date=start, forwarding_address=str(data.get("forwarding_address", "")),
                              by_tracking_officer=by_officer)

    change = await apply_step(context, decide)
    if change and change.case.state is State.CME_REFERRAL and change.event == "located_outside_area":
        await _tell_officers(context, change.case,
                             "Located outside the area: contact the receiving authority's CME lead")


async def _tell_officers(context: Context, case: Case, what: str) -> None:
    if not await tell_tracking_officers(context.services, case, what):
        await context.reply("I could not reach the CME Pupil Tracking Officer through Teams: please tell them "
                            f"about {case.reference} by phone or e-mail.")
