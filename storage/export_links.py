"""Download links for exports (bot/exports/): issued for one person, used once, before they expire.

Only a token's SHA-256 is stored, so the table cannot be read back into working links. Using a link is one
conditional UPDATE (not used yet, not expired): of two requests at once, one gets the export. The clock is the
caller's (`now`), so tests need no sleeps. Issuing and serving are written to the audit record too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.audit import record_audit
from storage.models import ExportLinkRow


class LinkState(StrEnum):
    FRESH = "fresh"  # used now, by this request
    USED = "used"  # used before
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never issued (or removed after expiry)


@dataclass(frozen=True)
class ExportLink:
    aad_object_id: str
    person_name: str
    kind: str
    params: dict
    format: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    id: int | None = None


@dataclass(frozen=True)
class Claim:
    state: LinkState
    link: ExportLink | None  # None when UNKNOWN


def _link(row: ExportLinkRow) -> ExportLink:
    return ExportLink(row.aad_object_id, row.person_name, row.kind, dict(row.params), row.format, row.created_at,
                      row.expires_at, row.used_at, row.id)


class ExportLinks:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def issue(self, token_hash: str, *, aad_object_id: str, person_name: str, kind: str, params: dict,
                    format: str, now: datetime, lifetime: timedelta) -> ExportLink:
        async with self._sessions.begin() as session:
            row = ExportLinkRow(token_hash=token_hash, aad_object_id=aad_object_id, person_name=person_name,
                                kind=kind, params=params, format=format, created_at=now, expires_at=now + lifetime)
            session.add(row)
            record_audit(session, aad_object_id, "export_link_issued",
                         {"kind": kind, "params": params, "format": format, "expires_at": row.expires_at.isoformat()})
        return _link(row)

    async def claim(self, token_hash: str, now: datetime) -> Claim:
        """Use the link once: FRESH for the first request before it expires; else why not."""
        async with self._sessions.begin() as session:
            used = await session.execute(
                update(ExportLinkRow)
                .where(ExportLinkRow.token_hash == token_hash, ExportLinkRow.used_at.is_(None),
                       ExportLinkRow.expires_at > now)
                .values(used_at=now))
            row = (await session.execute(select(ExportLinkRow).where(ExportLinkRow.token_hash == token_hash)
                                         .execution_options(populate_existing=True))).scalar_one_or_none()
            if row is None:
                return Claim(LinkState.UNKNOWN, None)
            if used.rowcount == 1:
                record_audit(session, row.aad_object_id, "export_link_used",
                             {"kind": row.kind, "params": dict(row.params), "format": row.format})
                return Claim(LinkState.FRESH, _link(row))
            state = LinkState.USED if row.used_at is not None else LinkState.EXPIRED
            return Claim(state, _link(row))

    async def live(self, aad_object_id: str, kind: str, params: dict, now: datetime) -> list[ExportLink]:
        """This person's links to `kind` with exactly `params`, not used and not expired, oldest first."""
        async with self._sessions() as session:
            rows = (await session.scalars(select(ExportLinkRow).where(
                ExportLinkRow.aad_object_id == aad_object_id, ExportLinkRow.kind == kind,
                ExportLinkRow.used_at.is_(None), ExportLinkRow.expires_at > now).order_by(ExportLinkRow.id))).all()
            return [_link(row) for row in rows if dict(row.params) == params]

    async def withdraw(self, token_hashes: list[str], aad_object_id: str) -> None:
        """Links issued but never given (a second press lost the race to the first): gone, and said in the audit."""
        async with self._sessions.begin() as session:
            await session.execute(delete(ExportLinkRow).where(ExportLinkRow.token_hash.in_(token_hashes),
                                                              ExportLinkRow.used_at.is_(None)))
            record_audit(session, aad_object_id, "export_link_withdrawn", {"links": len(token_hashes)})

    async def record_unlinked(self, actor: str, kind: str, params: dict, format: str) -> None:
        """An export made without a link (`cme-bot export`): in the audit record all the same."""
        async with self._sessions.begin() as session:
            record_audit(session, actor, "export_by_command_line", {"kind": kind, "params": params, "format": format})

    async def forget_expired(self, before: datetime) -> int:
        """Links that expired before `before` (a day ago, say): their rows go; the audit record keeps what was
        issued and served."""
        async with self._sessions.begin() as session:
            return (await session.execute(delete(ExportLinkRow).where(ExportLinkRow.expires_at < before))).rowcount
