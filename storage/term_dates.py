"""Term dates imported into the database (`cme-bot calendar import`): the TOML text, as validated.

One row for the local authority's dates (key `authority`) and one per school that publishes its own
(key `school:<URN>`). Every instance reads the same rows, so all of them count the same school days.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.audit import record_audit
from storage.models import TermDatesRow
from storage.types import utcnow

AUTHORITY = "authority"
SCHOOL_PREFIX = "school:"


def term_dates_key(school_urn: str | None) -> str:
    return f"{SCHOOL_PREFIX}{school_urn}" if school_urn else AUTHORITY


@dataclass(frozen=True)
class StoredTermDates:
    key: str
    source: str
    imported_at: datetime
    imported_by: str

    @property
    def school_urn(self) -> str | None:
        return self.key[len(SCHOOL_PREFIX):] if self.key.startswith(SCHOOL_PREFIX) else None

    @property
    def label(self) -> str:
        whose = f"school {self.school_urn}" if self.school_urn else "local authority"
        return f"term dates of the {whose} imported {self.imported_at:%Y-%m-%d %H:%M} UTC by {self.imported_by}"


def _stored(row: TermDatesRow) -> StoredTermDates:
    return StoredTermDates(row.key, row.source, row.imported_at, row.imported_by)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class TermDatesSources:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def save(self, key: str, source: str, *, actor: str) -> StoredTermDates:
        """Install validated term dates under `key`, replacing the ones there; audited."""
        async with self._sessions.begin() as session:
            row = await session.get(TermDatesRow, key)
            previous = _digest(row.source) if row else None
            if row is None:
                row = TermDatesRow(key=key, source=source, imported_at=utcnow(), imported_by=actor)
                session.add(row)
            else:
                row.source, row.imported_at, row.imported_by = source, utcnow(), actor
            record_audit(session, actor, "term_dates_imported",
                         {"key": key, "sha256": _digest(source), "replaced": previous})
            await session.flush()
            return _stored(row)

    async def get(self, key: str) -> StoredTermDates | None:
        async with self._sessions() as session:
            row = await session.get(TermDatesRow, key)
            return _stored(row) if row else None

    async def all(self) -> list[StoredTermDates]:
        async with self._sessions() as session:
            return [_stored(row) for row in await session.scalars(select(TermDatesRow).order_by(TermDatesRow.key))]

    async def stamps(self) -> dict[str, datetime]:
        """When each stored copy was imported: a cheap way to see whether anything changed."""
        async with self._sessions() as session:
            rows = await session.execute(select(TermDatesRow.key, TermDatesRow.imported_at))
            return {key: at for key, at in rows}
