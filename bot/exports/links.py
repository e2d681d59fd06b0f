"""Download links: random, single use, for one person, expiring in minutes; only the token's hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.exports.registry import ExportRefused, allowed, find_kind
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.services import Services
    from storage.people import PersonRoles

FORMATS = ("csv", "html")
TOKEN = re.compile(r"[A-Za-z0-9_-]{40,64}")
KEPT_AFTER_EXPIRY = timedelta(days=1)  # then a link's page says "no such download" instead of when it expired


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Offered:
    url: str
    expires_at: datetime
    token_hash: str = ""
    link_id: int | None = None


async def offer(services: Services, person: PersonRoles, kind: str, params: Mapping[str, object], fmt: str, *,
                now: datetime | None = None) -> Offered:
    """A new link to `kind` with `params` (only the kind's options are kept) as `fmt` ("csv" or "html"), for
    `person`, working once until `CME_EXPORT_LINK_MINUTES` from now. ExportRefused if they may not have it."""
    export = find_kind(kind)
    if fmt not in FORMATS:
        raise ExportRefused("Choose CSV or the printable page.")
    if not allowed(export, person):
        raise ExportRefused(f"{export.title} is not yours to download: ask your administrator for the role.")
    kept = export.params_from(params)
    if export.check:
        export.check(kept)
    token, now = secrets.token_urlsafe(32), now or utcnow()
    links = services.store.export_links
    link = await links.issue(token_hash(token), aad_object_id=person.aad_object_id, person_name=person.name, kind=kind,
                             params=kept, format=fmt, now=now,
                             lifetime=timedelta(minutes=services.settings.export_link_minutes))
    await links.forget_expired(now - KEPT_AFTER_EXPIRY)  # the audit record keeps what was issued and used
    return Offered(f"{services.settings.base_url}/exports/{token}.{fmt}", link.expires_at, token_hash(token),
                   link.id)


async def offer_link(services: Services, person: PersonRoles, kind: str, params: Mapping[str, object],
                     fmt: str = "html", *, now: datetime | None = None) -> str:
    """`offer`, just the URL."""
    return (await offer(services, person, kind, params, fmt, now=now)).url
