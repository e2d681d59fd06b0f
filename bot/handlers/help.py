"""`help`: what this person can do, by their roles."""

from __future__ import annotations

from bot.context import Context
from bot.routes import ROUTES
from cards.welcome import help_card


def _help(context: Context) -> dict:
    roles = context.person.roles
    labels = []
    for grant in context.person.grants:
        labels.append(f"{grant.role.label} ({grant.school_name})" if grant.school_name else grant.role.label)
    can_report = "report" in ROUTES.commands and ROUTES.commands["report"].allows(roles)
    return help_card(ROUTES.listed_for(roles), labels, can_report)


@ROUTES.command("help", "?", "hello", "hi", description="what I can do for you")
async def help_command(context: Context) -> None:
    await context.reply(card=_help(context))


@ROUTES.action("help")
async def help_button(context: Context) -> None:
    await context.reply(card=_help(context))
