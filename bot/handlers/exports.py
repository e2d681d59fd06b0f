"""**Download** on a card showing an export (the register, the census, a return): two links, CSV and a printable
page, sent to the asker's personal chat, each working once for a few minutes (bot/exports/).

A second press (a double click, or a press a minute later) while the pair sent before still works, by the same
person for the same kind and options, sends no new pair: it says until when the first still works (the tokens are
stored hashed, so they cannot be sent again). Two presses at once each issue a pair, then the later one withdraws
its own before sending anything."""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.exports import find_kind, offer
from bot.routes import Place, Routes
from bot.turn import PupilMessage
from bot.verbs import Verb
from cards.exports import download_card
from storage.export_links import ExportLink
from storage.types import utcnow

routes = Routes()
STILL_WORK = "The links sent a moment ago still work (until {until}): use those; press Download again after that."


def _pair(links: list[ExportLink]) -> list[ExportLink]:
    """A CSV and a printable page among `links` (unused, oldest first): the first of each."""
    csv = [link for link in links if link.format == "csv"]
    page = [link for link in links if link.format == "html"]
    return [csv[0], page[0]] if csv and page else []


async def _still_work(context: Context, pair: list[ExportLink]) -> None:
    until: datetime = min(link.expires_at for link in pair)
    await context.reply(STILL_WORK.format(until=f"{until.astimezone(context.services.settings.zone):%H:%M}"))


@routes.action(Verb.EXPORT_OFFER, where=Place.PERSONAL)
async def offer_download(context: Context) -> None:
    """Any kind: who may have it is the kind's roles (checked by `offer`, and again when a link is used)."""
    card, services, person = context.card, context.services, context.person
    kind = find_kind(card.text("kind", limit=40))
    values = {option.name: card.flag(option.name) if option.flag else card.text(option.name, limit=200)
              for option in kind.options}
    now, links = utcnow(), services.store.export_links
    if pair := _pair(await links.live(person.aad_object_id, kind.name, kind.params_from(values), now)):
        await _still_work(context, pair)
        return
    as_csv = await offer(services, person, kind.name, values, "csv", now=now)
    as_page = await offer(services, person, kind.name, values, "html", now=now)
    mine = {as_csv.link_id, as_page.link_id}
    earlier = _pair([link for link in await links.live(person.aad_object_id, kind.name, kind.params_from(values), now)
                     if link.id not in mine])
    if earlier and (earlier[0].id or 0) < (as_csv.link_id or 0):  # a press at the same moment issued first: it sends
        await links.withdraw([as_csv.token_hash, as_page.token_hash], person.aad_object_id)
        await _still_work(context, earlier)
        return
    until = f"{as_csv.expires_at.astimezone(services.settings.zone):%H:%M}"
    await context.outbox.send(PupilMessage(
        card=download_card(kind.title, as_csv.url, as_page.url, until, services.settings.export_link_minutes),
        summary=f"Download: {kind.title}", reader=person))
