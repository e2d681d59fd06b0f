"""The append-only record of changes that are not about one case (roles, schools, channels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.engine.statements import Statements
from storage.models import AuditEvent
from storage.types import utcnow


def record_audit(session: AsyncSession, actor: str, kind: str, data: dict) -> None:
    session.add(AuditEvent(at=utcnow(), actor=actor, kind=kind, data=data))


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    kind: str
    data: dict


class AuditLog:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def recent(self, kinds: tuple[str, ...], limit: int = 10) -> list[AuditEntry]:
        """The latest entries of these kinds, newest first."""
        rows = await self._sql.rows(select(AuditEvent).where(AuditEvent.kind.in_(kinds))
                                     .order_by(AuditEvent.id.desc()).limit(limit))
        return [AuditEntry(r.at, r.actor, r.kind, r.data) for r in rows]
