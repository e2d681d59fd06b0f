"""Children's records under data protection law (issue 17 items 5-7): `retention` for administrators, `who opened
CME-…` for administrators and tracking officers, and correcting a wrong detail from the case card."""

from __future__ import annotations

from bot.access import administers, is_officer_of, not_found
from bot.context import Context
from bot.daily.retention import due_cases, rules_of
from bot.handlers.steps import Surface, load_case, take_step
from bot.routes import Place, Routes
from bot.verbs import Verb
from bot.views.case_views import opening_line
from cards.retention import RetentionView, opened_card, retention_card
from cme.lifecycle import ProcedureError
from cme.rectification import FIELDS, correct
from cme.reference import find_reference
from cme.roles import WORKERS, Role

routes = Routes()


def _administered(context: Context) -> list[int] | None:
    """The authorities an administrator's cards cover: None for a deployment-wide administrator (all)."""
    grants = [g for g in context.person.grants if g.role is Role.ADMIN]
    if any(g.authority_id is None for g in grants):
        return None
    return [g.authority_id for g in grants]


@routes.command("retention", description="what is due for erasure at the end of retention, and what was erased",
                roles={Role.ADMIN}, where=Place.PERSONAL)
async def retention(context: Context) -> None:
    services, authorities = context.services, _administered(context)
    due, no_birth_date = await due_cases(services, services.today(), authorities)
    total, erased = await services.store.retention.erased(authorities)
    await context.reply(card=retention_card(RetentionView(
        services.today(), rules_of(services).describe(),
        tuple((case.reference, kept.keep_until) for case, kept in due),
        tuple(case.reference for case in no_birth_date), total,
        tuple((t.reference, t.erased_at, t.erased_by, t.rule) for t in erased))))


@routes.command("who opened", description="who opened a case card, when and from where", usage="who opened CME-…",
                roles={Role.ADMIN, Role.TRACKING_OFFICER}, where=Place.PERSONAL)
async def who_opened(context: Context) -> None:
    reference = find_reference(context.args)
    if reference is None:
        await context.reply("Say the case reference, for example **who opened CME-2026-0042**.")
        return
    case = await context.store.cases.get(reference)
    person = context.person
    if case is None or not (administers(person, case.authority_id)
                            or is_officer_of(person, case, frozenset({Role.TRACKING_OFFICER}))):
        await context.reply(not_found(reference))
        return
    opened = await context.store.case_views.of_case(case.id, limit=50)
    zone = context.services.settings.zone
    await context.reply(card=opened_card(case.reference, tuple(opening_line(each, zone) for each in opened)))


@routes.action(Verb.CASE_CORRECT, roles=WORKERS, where=Place.PERSONAL)
async def correct_detail(context: Context) -> None:
    """A wrong detail of the child corrected by the school's staff or the authority's officers: a history entry."""
    card = context.card
    field, value, reason = card.choice("field", list(FIELDS)), card.text("value", limit=500), card.text("reason")
    case = await load_case(context)
    erased = case is not None and await context.store.retention.tombstone(case.id) is not None

    def decide(case, _calendar, today):
        if erased:
            raise ProcedureError("This case was erased at the end of its retention period: there is nothing to "
                                 "correct.")
        if field is None:
            raise ProcedureError("Choose the detail to correct from the list.")
        return correct(case, field, value, reason, today)

    await take_step(context, Surface.CASE_CARD, decide)
