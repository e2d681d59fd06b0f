"""`register`: the authority's register for its EWS and tracking officers, filtered and paged; and a child added to it
directly (waiting for a school place or an appeal, policy 6.1)."""

from __future__ import annotations

import logging
import uuid

from bot.context import Context
from bot.handlers.steps import StepResult, Surface, take_step
from bot.routes import Place, Routes
from bot.services import Services
from bot.turn import PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import send_case_card, send_to_school_staff, update_case_card_here
from cards.register import RegisterLineView, RegisterView, register_card
from cards.text import user_text
from cme.at_risk import group_labels
from cme.case import Case, Pupil
from cme.casework import Change
from cme.handoff import register_mark
from cme.lifecycle import ProcedureError, State
from cme.register import AWAITING_PLACE, PageKey, RegisterFilter, link_to_school
from cme.roles import AUTHORITY_WIDE, Role
from cme.tracking import weeks_missing
from storage.cases import NewEvent, Written
from storage.register import EVERYONE, Counted, RegisterLine

log = logging.getLogger(__name__)
routes = Routes()


def _marks(line: RegisterLine, overdue: list) -> tuple[str, ...]:
    """Each overdue milestone by name; deadlines past their date (a review, a notification) beside them."""
    marks = [milestone.label for milestone in overdue]
    if line.overdue > len(marks):
        marks.append("Lost Pupils Database review" if line.case.state is State.NOT_LOCATED
                     else f"{line.overdue - len(marks)} deadline{'s' if line.overdue - len(marks) > 1 else ''}")
    return tuple(marks)


def line_view(services: Services, line: RegisterLine, schools: dict) -> RegisterLineView:
    """A line as the card shows it (and the register's export: bot/exports/kinds/register.py)."""
    case, today = line.case, services.today()
    calendar = services.calendars.for_school(schools.get(case.school_id))
    counted = case.is_open and case.school_id is not None
    missing = f"Day {case.day_number(calendar, today)}" if counted else f"{weeks_missing(case, today)} weeks missing"
    upcoming = f"next: {line.next_kind.label} {line.next_due:%a %-d %b}" if line.next_kind and line.next_due else ""
    tags = tuple(group_labels(case.risk_groups)) + (("Day 1 risk",) if case.risk.at_risk else ())
    handed = register_mark(case.handoff, case.handoff_declined)  # handed over, or declined (cme/handoff.py)
    stage = f"{case.state.label} · {user_text(handed)}" if handed else case.state.label
    return RegisterLineView(case.reference, case.pupil.full_name, line.school_name or "No school", stage,
                            missing, upcoming, _marks(line, case.overdue(calendar, today)), tags)


async def _show(context: Context, filters: RegisterFilter, after: PageKey | None = None, first: int = 1,
                counted: Counted | None = None, *, problem: str | None = None, notice: str | None = None) -> None:
    authority_ids, today = context.person.authority_ids(AUTHORITY_WIDE), context.services.today()
    store = context.store
    page = await store.register.page(authority_ids, today, filters, after)
    if counted is None or after is None:
        counted = await store.register.counted(authority_ids, today, filters)
    names = [a.name for a in await store.schools.authorities() if a.id in authority_ids]
    schools = [school for authority_id in authority_ids for school in await store.schools.all(authority_id)]
    by_id = {school.id: school for school in schools}
    lines = [line_view(context.services, line, by_id) for line in page.lines]
    view = RegisterView(", ".join(names), lines, counted.number, first, filters,
                        [(school.id, school.name) for school in schools], page.next_key.as_text() if page.next_key
                        else "", problem, notice, uuid.uuid4().hex, whole=counted.whole, searched=page.searched)
    message = PupilMessage(card=register_card(view), summary="The register", reader=context.person,
                           cases=tuple(line.case for line in page.lines))
    if context.turn.reply_to_id and context.turn.verb:
        await context.outbox.update(context.turn.reply_to_id, message)
    else:
        await context.outbox.send(message)


@routes.command("register", description="every child on your authority's register, with filters",
                roles=AUTHORITY_WIDE, where=Place.PERSONAL)
async def register(context: Context) -> None:
    await _show(context, EVERYONE)


def _filters(context: Context) -> RegisterFilter:
    card = context.card
    weeks = card.text("min_weeks", limit=6).strip()
    if weeks and not (weeks.isascii() and weeks.isdigit()):
        raise ProcedureError("Weeks missing must be a whole number.")
    return RegisterFilter(stage=card.text("stage", limit=40), school=card.text("school", limit=20),
                          group=card.text("group", limit=60), reason=card.text("reason", limit=60),
                          overdue_only=card.flag("overdue_only"), min_weeks=int(weeks or 0))


@routes.action(Verb.REGISTER_PAGE, roles=AUTHORITY_WIDE, where=Place.PERSONAL)
async def register_page(context: Context) -> None:
    card = context.card
    try:
        filters = _filters(context)
    except ProcedureError as error:
        await _show(context, EVERYONE, problem=str(error))
        return
    after = PageKey.parse(card.text("after", limit=40))
    first = card.number("first", 1, low=1, high=10_000_000) if after else 1
    total = card.number("total", None, high=10_000_000)
    await _show(context, filters, after, first, Counted(total, not card.flag("partial")) if total is not None else None)


def _new_child(context: Context) -> Case:
    card, today = context.card, context.services.today()
    forename, surname = card.text("forename", limit=100).strip(), card.text("surname", limit=100).strip()
    since = card.date("since")
    if not forename or not surname:
        raise ProcedureError("Give the child's forename and surname.")
    if since is None or since > today:
        raise ProcedureError("Give the date the child has been without a school place since, not after today.")
    born = card.date("date_of_birth")
    pupil = Pupil(forename, surname, born, address=card.text("address", limit=300).strip(),
                  postcode=card.text("postcode", limit=12).strip())
    authorities = context.person.authority_ids(AUTHORITY_WIDE)
    if not authorities:
        raise ProcedureError("Your role is not in a local authority: ask your administrator.")
    return Case(reference="", school_id=None, state=State.CME_REFERRAL, pupil=pupil, first_day_absent=since,
                run_start=since, reason=AWAITING_PLACE, known_so_far=card.text("known_so_far").strip(),
                cme_referral_on=today, authority_id=authorities[0])


@routes.action(Verb.REGISTER_ADD, roles=AUTHORITY_WIDE, where=Place.PERSONAL)
async def add_child(context: Context) -> None:
    """A child waiting for a school place or an appeal: on the register with no school until one is found."""
    try:
        case = _new_child(context)
    except ProcedureError as error:
        await _show(context, EVERYONE, problem=str(error))
        return
    key = context.card.text("form", limit=64) or uuid.uuid4().hex
    event = NewEvent("added_to_register", {"reason": AWAITING_PLACE}, context.actor)
    case, created = await context.store.cases.create(case, event, {}, submission_key=key)
    if not created:  # a double click: the card as it stands, read
        await send_case_card(context, case, notice=f"Added already as {case.reference}.")
        return
    log.info("case %s added to the register by an officer", case.reference)
    await send_case_card(context, case, notice=f"Added to the register as {case.reference}: no school, awaiting a "
                                               "school place.", written=Written.with_new_case(case, event, {}))


@routes.action(Verb.REGISTER_LINK, roles={Role.TRACKING_OFFICER}, where=Place.PERSONAL)
async def link(context: Context) -> None:
    """A case with no school linked to one of the authority's schools, whose staff are sent it."""
    school_id, first_day = context.card.number("school_id", None, high=2**31), context.card.date("first_day")
    school = await context.store.schools.get(school_id) if school_id else None

    def decide(case: Case, _calendar, today) -> Change:
        if school is None or school.authority_id != case.authority_id:
            raise ProcedureError("Choose one of the authority's schools.")
        if case.authority_id not in context.person.authority_ids(frozenset({Role.TRACKING_OFFICER})):
            raise ProcedureError("Only the local authority's CME Pupil Tracking Officer links a case to a school.")
        return link_to_school(case, school.id, school.name, context.services.calendars.for_school(school), first_day,
                              today)

    async def answer(result: StepResult) -> None:
        if result.change:
            told = await send_to_school_staff(context.services, result.case, f"Case {result.case.reference} is now "
                                              "your school's: the tracking officer linked it.")
            notice = f"{result.change.summary}. Sent to {told} of its staff."
        else:
            notice = "Already linked." if result.already else None
        await update_case_card_here(context, result.case, problem=result.problem, notice=notice)

    await take_step(context, Surface.CASE_CARD, decide, answer_here=answer)
