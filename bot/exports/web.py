"""GET /exports/<token>.csv|.html: the export, once, for the person the link was offered to; afterwards, after it
expires, or for a link never issued, a page saying why and what to do (410, 404)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.exports.links import FORMATS, TOKEN, token_hash
from bot.exports.registry import all_kinds, allowed
from bot.exports.render import refusal_html, to_csv, to_html
from bot.services import Services
from cme.lifecycle import ProcedureError
from storage.export_links import LinkState
from storage.types import utcnow

log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "no-store, private",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'none'",
}


def _page(status: int, heading: str, why: str, what_to_do: str | None = None) -> web.Response:
    html = refusal_html(heading, why, what_to_do) if what_to_do else refusal_html(heading, why)
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8", headers=HEADERS)


def _when(services: Services, moment: datetime) -> str:
    return f"{moment.astimezone(services.settings.zone):%A %-d %B %Y at %H:%M}"


def add_export_routes(app: web.Application, services: Services, clock: Callable[[], datetime] = utcnow) -> None:
    """Serve /exports/<token>.<format> from `app` (bot/app.py); `clock` is for tests."""
    async def serve(request: web.Request) -> web.Response:
        return await serve_export(services, request.match_info["name"], clock())

    app.router.add_get("/exports/{name}", serve, allow_head=False)  # a HEAD would spend the link for nothing


async def serve_export(services: Services, name: str, now: datetime) -> web.Response:
    token, _, fmt = name.rpartition(".")
    if fmt not in FORMATS or not TOKEN.fullmatch(token):
        return _page(404, "No such download", "This address is not a download link the bot gave.")
    claim = await services.store.export_links.claim(token_hash(token), now)
    link = claim.link
    if claim.state is LinkState.UNKNOWN or link is None:
        return _page(404, "No such download", "This link is not one the bot gave, or it was removed after it "
                                              "expired.")
    if claim.state is LinkState.USED:
        return _page(410, "This link has been used", f"It was used on {_when(services, link.used_at)}: a download "
                                                     "link works once, so a copy cannot be fetched again from it.")
    if claim.state is LinkState.EXPIRED:
        return _page(410, "This link has expired", f"It worked until {_when(services, link.expires_at)}: a download "
                                                   "link works for a few minutes after it is given.")
    return await _export(services, link, fmt)


async def _export(services: Services, link, fmt: str) -> web.Response:
    kind = all_kinds().get(link.kind)
    person = await services.store.people.roles_of(link.aad_object_id)
    if kind is None or not allowed(kind, person):
        return _page(403, "Not yours to download", "The person this link was given to no longer holds a role that "
                                                   "may see it.", "Ask your administrator if you should.")
    try:
        table = await kind.build(services, person, link.params)
    except ProcedureError as error:
        return _page(400, "This download cannot be made", str(error), "Ask the bot for a new link with other "
                                                                      "choices.")
    log.info("export %s served as %s: %d lines", link.kind, fmt, len(table.rows))
    if fmt == "csv":
        return web.Response(body=to_csv(table).encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{table.stem}.csv"'})
    html = to_html(table, asked_by=link.person_name or "the person it was given to",
                   asked_at=_when(services, link.created_at))
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)
