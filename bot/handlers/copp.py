"""`copp`: the COPP panel pack on demand, for a tracking officer in their personal chat."""

from __future__ import annotations

from bot.context import Context
from bot.daily.copp import on_demand
from bot.routes import Place, Routes
from bot.turn import PupilMessage
from cards.copp import copp_pack_card
from cme.roles import Role

routes = Routes()
OFFICERS = frozenset({Role.TRACKING_OFFICER})


@routes.command("copp", "copp pack", description="the Children Out of Provision Panel pack, as of today",
                roles=OFFICERS, where=Place.PERSONAL)
async def copp(context: Context) -> None:
    for authority_id in context.person.authority_ids(OFFICERS):
        authority = await context.store.schools.authority(authority_id)
        view, cases = await on_demand(context.services, authority)
        await context.outbox.send(PupilMessage(card=copp_pack_card(view), summary="COPP panel pack",
                                               reader=context.person, cases=tuple(cases)))
