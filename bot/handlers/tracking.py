"""The tracking officer's steps for a child out of provision, from their case card (personal chat): one function
each, decided in cme/tracking.py and run by bot/handlers/steps.py like every step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.access import is_officer_of
from bot.context import Context
from bot.handlers.steps import Surface, take_step
from bot.routes import Place, Routes
from bot.verbs import Verb
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import Change
from cme.lifecycle import ProcedureError
from cme.roles import Role
from cme.tracking import (
    HOW_TOLD,
    elective_home_education,
    left_england,
    located_outside_area,
    not_located,
    on_roll_at_school,
    other_provision,
    review_not_located,
)

routes = Routes()
OFFICERS = frozenset({Role.TRACKING_OFFICER})


async def _step(context: Context, decide: Callable[[Case, date], Change]) -> None:
    """Only a tracking officer of the child's authority records where a child out of provision is."""
    def checked(case: Case, _calendar: SchoolCalendar, today: date) -> Change:
        if not is_officer_of(context.person, case, OFFICERS):
            raise ProcedureError("Only the local authority's CME Pupil Tracking Officer records this.")
        if case.handoff is not None:
            raise ProcedureError(f"This child is handed to {case.handoff.to_name}: nothing else is recorded here "
                                 "until that is done.")
        return decide(case, today)

    await take_step(context, Surface.CASE_CARD, checked)


@routes.action(Verb.TRACKING_SCHOOL, roles=OFFICERS, where=Place.PERSONAL)
async def on_roll(context: Context) -> None:
    card = context.card
    school = card.text("school_named", limit=200).strip() or card.text("school_listed", limit=200)
    start = card.date("start_date")
    await _step(context, lambda case, today: on_roll_at_school(case, school, start, today))


@routes.action(Verb.TRACKING_EHE, roles=OFFICERS, where=Place.PERSONAL)
async def home_education(context: Context) -> None:
    since, note = context.card.date("since"), context.card.text("note")
    await _step(context, lambda case, today: elective_home_education(case, since, note, today))


@routes.action(Verb.TRACKING_OTHER, roles=OFFICERS, where=Place.PERSONAL)
async def provision(context: Context) -> None:
    which, since = context.card.text("provision", limit=300), context.card.date("since")
    await _step(context, lambda case, today: other_provision(case, which, since, today))


@routes.action(Verb.TRACKING_OUTSIDE, roles=OFFICERS, where=Place.PERSONAL)
async def outside_the_area(context: Context) -> None:
    card = context.card
    authority, told_on = card.text("receiving_authority", limit=200), card.date("told_on")
    how, address = card.choice("told_how", dict(HOW_TOLD), ""), card.text("forwarding_address", limit=300)
    await _step(context, lambda case, today: located_outside_area(case, authority, told_on, how or "", address,
                                                                  today))


@routes.action(Verb.TRACKING_ABROAD, roles=OFFICERS, where=Place.PERSONAL)
async def abroad(context: Context) -> None:
    where, on = context.card.text("where", limit=200), context.card.date("on")
    await _step(context, lambda case, today: left_england(case, where, on, today))


@routes.action(Verb.TRACKING_LOST, roles=OFFICERS, where=Place.PERSONAL)
async def lost(context: Context) -> None:
    card = context.card
    recorded, review, checks = card.date("recorded_on"), card.date("review_on"), card.text("checks")
    await _step(context, lambda case, today: not_located(case, recorded, review, checks, today))


@routes.action(Verb.TRACKING_REVIEW, roles=OFFICERS, where=Place.PERSONAL)
async def review(context: Context) -> None:
    checks, review_on = context.card.text("checks"), context.card.date("review_on")
    await _step(context, lambda case, today: review_not_located(case, checks, review_on, today))
