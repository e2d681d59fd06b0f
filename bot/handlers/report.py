"""`report`: school staff report a missing pupil through a three-step card, then get the case card."""

from __future__ import annotations

import logging
import uuid

from bot.card_data import whole_number
from bot.context import Context
from bot.routes import Place, Routes
from bot.sending.channels import channel_of, post_to_channel
from bot.sending.errors import DeliveryError
from bot.turn import Message, PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import send_case_card
from cards.alerts import urgent_alert_card
from cards.report_form import STEPS, ReportForm, report_cancelled_card, report_done_card, report_form_card
from cme.casework import new_case
from cme.report import CONFIRMED_BY, check_fields, check_report, check_warnings, unconfirmed
from cme.roles import Role
from storage.cases import NewEvent, Written

log = logging.getLogger(__name__)
routes = Routes()
STAFF = {Role.SCHOOL_STAFF}


async def _schools(context: Context) -> list[tuple[int, str]]:
    return [(g.school_id, g.school_name or "") for g in context.person.grants
            if g.role is Role.SCHOOL_STAFF and g.school_id is not None]


def _values(context: Context) -> dict:
    """The other steps' values from the card's draft, this step's from its inputs (a cleared input is absent)."""
    card = context.card
    values = card.texts("draft", FIELDS)
    for key in STEPS[_step(context, 1) - 1]:
        values[key] = card.text(key).strip()
    return values


def _step(context: Context, default: int) -> int:
    return context.card.number("step", default, low=1, high=len(STEPS))


def _form_id(context: Context) -> str:
    """The form's id, which makes a submit and its redelivery one case: every report card carries it."""
    if not (form_id := context.card.text("form", limit=64)):
        raise context.card.refused("form", "is missing")
    return form_id


FIELDS = tuple(key for step in STEPS for key in step)


async def _calendar(context: Context, values: dict):
    """The chosen school, if it is one of the reporter's (as read with their roles), and its calendar."""
    school_id = whole_number(values.get("school_id"))
    grant = next((g for g in context.person.grants
                  if g.role is Role.SCHOOL_STAFF and g.school_id is not None and g.school_id == school_id), None)
    school = None if grant is None else grant.school or await context.store.schools.get(school_id)
    return school, context.services.calendars.for_school(school)


async def _show(context: Context, form: ReportForm) -> None:
    message = PupilMessage(card=report_form_card(form), reader=context.person)  # what they typed
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id, message)
    else:
        await context.outbox.send(message)


def _form(context: Context, step: int, values: dict, schools, **problems) -> ReportForm:
    return ReportForm(context.card.text("form", limit=64) or uuid.uuid4().hex, step, values, schools,
                      context.services.today(), **problems)


@routes.command("report", description="report a missing pupil", roles=STAFF, where=Place.PERSONAL)
async def report_command(context: Context) -> None:
    schools = await _schools(context)
    values = {"school_id": str(schools[0][0])} if schools else {}
    form = ReportForm(uuid.uuid4().hex, 1, values, schools, context.services.today())
    await context.outbox.send(PupilMessage(card=report_form_card(form), reader=context.person))


@routes.action(Verb.REPORT_OPEN, roles=STAFF, where=Place.PERSONAL)
async def report_button(context: Context) -> None:
    await report_command(context)


@routes.action(Verb.REPORT_NEXT, roles=STAFF, where=Place.PERSONAL)
async def report_next(context: Context) -> None:
    step = _step(context, 1)
    values = _values(context)
    schools = await _schools(context)
    school, calendar = await _calendar(context, values)
    today = context.services.today()
    errors = check_fields(values, STEPS[step - 1], calendar, today)
    if step == 1 and school is None and "school_id" not in errors:
        errors["school_id"] = "Choose one of your schools."
    # A warning confirmed on this step (school days between the two dates on step 2) is asked here.
    warnings = {key: warning for key, warning in check_warnings(values, errors, calendar, today).items()
                if CONFIRMED_BY[key] in STEPS[step - 1]}
    stay = errors or unconfirmed(values, warnings)
    await _show(context, _form(context, step if stay else step + 1, values, schools, errors=errors,
                               warnings=warnings if stay else {}))


@routes.action(Verb.REPORT_BACK, roles=STAFF, where=Place.PERSONAL)
async def report_back(context: Context) -> None:
    step = _step(context, 2)
    await _show(context, _form(context, max(step - 1, 1), _values(context), await _schools(context)))


@routes.action(Verb.REPORT_CANCEL, roles=STAFF, where=Place.PERSONAL)
async def report_cancel(context: Context) -> None:
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id, Message(card=report_cancelled_card()))
    else:
        await context.reply("Report cancelled: nothing was saved.")


@routes.action(Verb.REPORT_SUBMIT, roles=STAFF, where=Place.PERSONAL)
async def report_submit(context: Context) -> None:
    values = _values(context)
    schools = await _schools(context)
    school, calendar = await _calendar(context, values)
    today = context.services.today()
    checked = check_report(values, calendar, today)
    errors = dict(checked.errors)
    if school is None:
        errors["school_id"] = "Choose one of your schools."
    if errors or checked.report is None:
        to_fix = set(errors) | set(unconfirmed(values, checked.warnings))
        first = next((n for n, fields in enumerate(STEPS, 1) if set(fields) & to_fix), 3)
        await _show(context, _form(context, first, values, schools, errors=errors, warnings=checked.warnings))
        return
    case, due = new_case(checked.report, calendar, today)
    case.authority_id = school.authority_id
    day = case.day_number(calendar, today)
    event = NewEvent("reported", {"day": day, "school_id": school.id}, context.actor)
    case, created = await context.store.cases.create(case, event, due, submission_key=_form_id(context))
    if created and case.risk.at_risk:
        # Before the reporter's answer: if Teams does not take that, its redelivery finds the report
        # submitted already, and the channel must have been alerted by then.
        await _urgent_alert(context, case, school)
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id,
                                    PupilMessage(card=report_done_card(case.reference, case.pupil.full_name),
                                                 reader=context.person, cases=(case,)))
    if not created:
        await context.reply(f"This report was submitted already as {case.reference}.")
        return
    log.info("case %s reported at school %s, day %s, at risk %s", case.reference, school.urn, day, case.risk.at_risk)
    await send_case_card(context, case, notice=f"Reported as {case.reference}. Say this reference on the phone.",
                         school=school, written=Written.with_new_case(case, event, due))


async def _urgent_alert(context: Context, case, school) -> None:
    """The school's CME channel hears at once that a child may be at risk: reference and action only."""
    card = urgent_alert_card(case.reference, school.name, context.actor.name)
    try:
        await post_to_channel(context.services, await channel_of(context.services, school),
                              Message(card=card, summary=f"Urgent: {case.reference} Day 1 risk"))
    except DeliveryError as error:
        log.warning("urgent alert for %s not posted: %s", case.reference, error)
        await context.reply(f"I could not post the urgent alert to your school's CME channel ({error}). "
                            "Tell your Designated Safeguarding Lead now, by phone.")
