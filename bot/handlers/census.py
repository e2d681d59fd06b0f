"""`census`: the DfE children missing education census of the tracking officer's authority, on a census date.

Counts only, yet authority data the officer returns to the DfE (and a small count can point to a child): a tracking
officer's personal chat only. `census` counts on today (the rules list no census dates); `census 2026-10-01` on
that date.
"""

from __future__ import annotations

from bot.context import Context
from bot.routes import Place, Routes
from bot.services import Services
from bot.turn import Message
from cards.census import census_card, census_date_problem_card
from cards.exports import download_action
from cme.census import CensusCounts, counts, parse_census_date
from cme.roles import Role

routes = Routes()
OFFICERS = frozenset({Role.TRACKING_OFFICER})


async def census_of(services: Services, authority_id: int, census_date) -> CensusCounts:
    """The census of one authority on a date: what the card, the CLI and the download show."""
    children = await services.store.census.children(authority_id, census_date, services.settings.zone)
    return counts(children, census_date)


@routes.command("census", description="the DfE children missing education census of your authority: counts by "
                "sex, year group, time missing and reason, on today or `census YYYY-MM-DD`", usage="census [date]",
                roles=OFFICERS, where=Place.PERSONAL)
async def census(context: Context) -> None:
    today = context.services.today()
    typed = context.args.strip()
    try:
        census_date = parse_census_date(typed, today) if typed else today
    except ValueError as problem:
        await context.outbox.send(Message(card=census_date_problem_card(str(problem)), summary="CME census"))
        return
    for authority_id in context.person.authority_ids(OFFICERS):
        authority = await context.store.schools.authority(authority_id)
        result = await census_of(context.services, authority_id, census_date)
        download = download_action("census", date=census_date.isoformat())  # its CSV (bot/exports/kinds/census.py)
        await context.outbox.send(Message(card=census_card(authority.name, result, default_date=not typed,
                                                           actions=[download]),
                                          summary=f"CME census: {authority.name}"))
