"""`help`: what this person can do, by their roles."""

from __future__ import annotations

from bot.context import Context
from bot.routes import Place, Routes
from bot.verbs import Verb
from cards.welcome import help_card

routes = Routes()


def _help(context: Context) -> dict:
    roles = context.person.roles
    labels = []
    for grant in context.person.grants:
        labels.append(f"{grant.role.label} ({grant.school_name})" if grant.school_name else grant.role.label)
    return help_card(context.routes.listed_for(roles), labels, context.routes.allows_command("report", roles))


@routes.command("help", "?", "hello", "hi", description="what I can do for you", where=Place.ANYWHERE)
async def help_command(context: Context) -> None:
    await context.reply(card=_help(context))


@routes.action(Verb.HELP, where=Place.ANYWHERE)
async def help_button(context: Context) -> None:
    await context.reply(card=_help(context))
