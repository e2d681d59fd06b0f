"""Conversation references: where the bot may write without being spoken to first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.statements import Statements
from storage.models import Conversation
from storage.types import utcnow

PERSONAL, CHANNEL, GROUP_CHAT = "personal", "channel", "groupChat"


@dataclass(frozen=True)
class ConversationInfo:
    conversation_id: str
    kind: str
    reference: dict
    team_id: str | None
    aad_object_id: str | None
    dead_at: datetime | None
    dead_reason: str | None

    @property
    def alive(self) -> bool:
        return self.dead_at is None


def _info(row: Conversation) -> ConversationInfo:
    return ConversationInfo(row.conversation_id, row.kind, row.reference, row.team_id, row.aad_object_id,
                            row.dead_at, row.dead_reason)


class Conversations:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def save(self, conversation_id: str, kind: str, reference: dict, *, tenant_id: str | None = None,
                   team_id: str | None = None, aad_object_id: str | None = None) -> bool:
        """Store or refresh a reference; True when it is new, or was dead and lives again."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(Conversation).where(Conversation.conversation_id == conversation_id))
            fresh = row is None or row.dead_at is not None
            if row is None:
                row = Conversation(conversation_id=conversation_id)
                session.add(row)
            row.kind, row.reference, row.tenant_id = kind, reference, tenant_id
            row.team_id = team_id or row.team_id
            row.aad_object_id = aad_object_id or row.aad_object_id
            row.updated_at, row.dead_at, row.dead_reason = utcnow(), None, None
        return fresh

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        row = await self._sql.first(select(Conversation).where(Conversation.conversation_id == conversation_id))
        return _info(row) if row else None

    async def personal_chat(self, aad_object_id: str) -> ConversationInfo | None:
        row = await self._sql.first(
            select(Conversation)
            .where(Conversation.aad_object_id == aad_object_id, Conversation.kind == PERSONAL)
            .order_by(Conversation.dead_at.is_not(None), Conversation.updated_at.desc())
            .limit(1)
        )
        return _info(row) if row else None

    async def channels(self, team_id: str | None = None) -> list[ConversationInfo]:
        query = select(Conversation).where(Conversation.kind == CHANNEL)
        if team_id:
            query = query.where(Conversation.team_id == team_id)
        return [_info(row) for row in await self._sql.rows(query.order_by(Conversation.id))]

    async def mark_dead(self, conversation_id: str, reason: str) -> bool:
        """Mark a reference dead; True only for the call that changed it (so admins are told once)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Conversation)
                .where(Conversation.conversation_id == conversation_id, Conversation.dead_at.is_(None))
                .values(dead_at=utcnow(), dead_reason=reason[:200])
            )
            return bool(result.rowcount)
