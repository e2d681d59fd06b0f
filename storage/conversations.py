"""Conversation references: where the bot may write without being spoken to first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.db import insert_for
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
        """Store or refresh a reference; True when it is new, or was dead and lives again.

        One upsert, so a person's first messages arriving together all save it and no turn fails;
        exactly one of them is told it is new.
        """
        async with self._sessions.begin() as session:
            revived = await session.execute(
                update(Conversation)
                .where(Conversation.conversation_id == conversation_id, Conversation.dead_at.is_not(None))
                .values(dead_at=None, dead_reason=None))
            row = insert_for(session.bind)(Conversation).values(
                conversation_id=conversation_id, kind=kind, reference=reference, tenant_id=tenant_id,
                team_id=team_id, aad_object_id=aad_object_id, updated_at=utcnow())
            upsert = row.on_conflict_do_update(index_elements=[Conversation.conversation_id], set_={
                "kind": row.excluded.kind, "reference": row.excluded.reference, "tenant_id": row.excluded.tenant_id,
                "team_id": func.coalesce(row.excluded.team_id, Conversation.team_id),
                "aad_object_id": func.coalesce(row.excluded.aad_object_id, Conversation.aad_object_id),
                "updated_at": row.excluded.updated_at, "dead_at": None, "dead_reason": None})
            if session.bind.dialect.name == "postgresql":
                inserted = await session.scalar(upsert.returning(literal_column("xmax = 0")))
            else:
                # SQLite writes one transaction at a time, and the UPDATE above began this one's write.
                inserted = await session.scalar(
                    select(Conversation.id).where(Conversation.conversation_id == conversation_id)) is None
                await session.execute(upsert)
        return bool(inserted) or revived.rowcount == 1

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
