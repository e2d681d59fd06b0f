"""The append-only record of changes that are not about one case (roles, schools, channels)."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent
from storage.types import utcnow


def record_audit(session: AsyncSession, actor: str, kind: str, data: dict) -> None:
    session.add(AuditEvent(at=utcnow(), actor=actor, kind=kind, data=data))
