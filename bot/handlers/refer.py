"""`refer`: another agency refers a child; the case goes to the tracking officer with no school yet."""

from __future__ import annotations

import logging
import uuid

from bot.context import Context
from bot.routes import Place, Routes
from bot.turn import Message, PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import send_case_card
from bot.views.tracking_officer import tell_tracking_officers
from cards.notice import notice_card
from cards.referral_form import referral_form_card
from cme.case import Case
from cme.lifecycle import State
from cme.milestones import due_dates
from cme.report import REFERRAL_FIELDS, check_referral
from cme.roles import Role
from storage.cases import NewEvent, Written

log = logging.getLogger(__name__)
routes = Routes()


@routes.command("refer", description="refer a child missing education to the tracking officer",
                roles={Role.AGENCY_REFERRER}, where=Place.PERSONAL)
async def refer_command(context: Context) -> None:
    today = context.services.today().isoformat()
    await context.reply(card=referral_form_card(uuid.uuid4().hex, {}, {}, today))


@routes.action(Verb.REFER_SUBMIT, roles={Role.AGENCY_REFERRER}, where=Place.PERSONAL)
async def refer_submit(context: Context) -> None:
    values = {key: context.card.text(key).strip() for key in REFERRAL_FIELDS}
    today = context.services.today()
    referral, errors = check_referral(values, today)
    form_id = context.card.text("form", limit=64) or uuid.uuid4().hex
    if referral is None:
        form = PupilMessage(card=referral_form_card(form_id, values, errors, today.isoformat()),
                            reader=context.person)  # what they typed
        if context.turn.reply_to_id:
            await context.outbox.update(context.turn.reply_to_id, form)
        else:
            await context.outbox.send(form)
        return
    calendar = context.services.calendars.for_school(None)
    day_one = calendar.school_day_on_or_after(today)
    case = Case(reference="", school_id=None, state=State.CME_REFERRAL, pupil=referral.pupil,
                first_day_absent=day_one, run_start=day_one, known_so_far=referral.known_so_far,
                referrer=f"{referral.referrer_name} ({referral.agency}), {referral.referrer_contact}",
                cme_referral_on=today, authority_id=next(iter(context.person.authority_ids(frozenset({Role.AGENCY_REFERRER}))), None))
    event, due = NewEvent("referred_by_agency", {"agency": referral.agency}, context.actor), due_dates(calendar, day_one)
    case, created = await context.store.cases.create(case, event, due, submission_key=form_id)
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id,
                                    Message(card=notice_card(f"Referral sent as {case.reference}.")))
    if not created:
        await context.reply(f"This referral was sent already as {case.reference}.")
        return
    log.info("case %s referred by an agency", case.reference)
    await send_case_card(context, case, notice=f"Referral received as {case.reference}: the CME Pupil Tracking "
                                               "Officer has it.", written=Written.with_new_case(case, event, due))
    await tell_tracking_officers(context.services, case, f"New referral from {referral.agency}")
