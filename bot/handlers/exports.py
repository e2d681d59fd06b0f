"""**Download** on a card showing an export (the register, the census, a return): two links, CSV and a printable
page, sent to the asker's personal chat, each working once for a few minutes (bot/exports/)."""

from __future__ import annotations

from bot.context import Context
from bot.exports import find_kind, offer
from bot.routes import Place, Routes
from bot.turn import PupilMessage
from bot.verbs import Verb
from cards.exports import download_card
from storage.types import utcnow

routes = Routes()


@routes.action(Verb.EXPORT_OFFER, where=Place.PERSONAL)
async def offer_download(context: Context) -> None:
    """Any kind: who may have it is the kind's roles (checked by `offer`, and again when a link is used)."""
    card, services = context.card, context.services
    kind = find_kind(card.text("kind", limit=40))
    values = {option.name: card.flag(option.name) if option.flag else card.text(option.name, limit=200)
              for option in kind.options}
    now = utcnow()
    as_csv = await offer(services, context.person, kind.name, values, "csv", now=now)
    as_page = await offer(services, context.person, kind.name, values, "html", now=now)
    until = f"{as_csv.expires_at.astimezone(services.settings.zone):%H:%M}"
    await context.outbox.send(PupilMessage(
        card=download_card(kind.title, as_csv.url, as_page.url, until, services.settings.export_link_minutes),
        summary=f"Download: {kind.title}", reader=context.person))
