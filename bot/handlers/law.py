"""`law`: the laws the policy cites and what replaced them. It names no child, so every role may ask anywhere."""

from __future__ import annotations

from bot.context import Context
from bot.routes import Place, Routes
from cards.law import law_card

routes = Routes()


@routes.command("law", "the law", description="the laws the policy cites, and what replaced them",
                where=Place.ANYWHERE)
async def law_command(context: Context) -> None:
    await context.reply(card=law_card())
