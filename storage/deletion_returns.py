"""Deletion returns (regulation 13(4)): each a record of its own, belonging to a school and its authority and
perhaps to a case, with an append-only history of who did what (sent, acknowledged, the cards posted of it).

A return is written once per form (its submission key), and acknowledged once: the UPDATE is conditional on
no acknowledgement yet, so a double click, a redelivery or two officers at once record one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.deletion_return import DeletionReturn
from storage.cases import Actor
from storage.engine.statements import Statements
from storage.models import DeletionReturnEvent, DeletionReturnRow
from storage.types import utcnow

POSTED = "card_posted"  # a copy of the return's card in someone's personal chat, so a change updates it
LIST_LIMIT = 30


@dataclass(frozen=True)
class ReturnRecord:
    id: int
    school_id: int
    authority_id: int
    case_id: int | None
    deletion_return: DeletionReturn
    sent_at: datetime
    sent_by: str
    sent_by_name: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_by_name: str | None = None
    sent_on: date | None = None  # the school day it was sent, as the bot counts days

    @property
    def reference(self) -> str:
        return f"DR-{self.id:05d}"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True)
class ReturnEvent:
    at: datetime
    actor_aad_object_id: str
    actor_name: str
    kind: str
    data: dict


def _record(row) -> ReturnRecord:
    sent_on = row.details.get("sent_on")
    return ReturnRecord(row.id, row.school_id, row.authority_id, row.case_id, DeletionReturn.from_json(row.details),
                        row.sent_at, row.sent_by, row.sent_by_name, row.acknowledged_at, row.acknowledged_by,
                        row.acknowledged_by_name, date.fromisoformat(sent_on) if sent_on else row.sent_at.date())


class DeletionReturns:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def create(self, deletion_return: DeletionReturn, *, school_id: int, authority_id: int,
                     case_id: int | None, actor: Actor, submission_key: str,
                     sent_on: date | None = None) -> tuple[ReturnRecord, bool]:
        """The return, sent now (on the school day `sent_on`) by `actor`; (the return already made from this form,
        False) the second time."""
        now = utcnow()
        try:
            async with self._sessions.begin() as session:
                row = DeletionReturnRow(school_id=school_id, authority_id=authority_id, case_id=case_id,
                                        ground=deletion_return.ground, deletion_on=deletion_return.deletion_on,
                                        details={**deletion_return.as_json(), "sent_on": (sent_on or now.date()).isoformat()},
                                        submission_key=submission_key,
                                        sent_at=now, sent_by=actor.aad_object_id, sent_by_name=actor.name)
                session.add(row)
                await session.flush()
                session.add(DeletionReturnEvent(return_id=row.id, at=now, actor_aad_object_id=actor.aad_object_id,
                                                actor_name=actor.name, kind="sent",
                                                data={"ground": deletion_return.ground, "case_id": case_id},
                                                key="sent"))
                return_id = row.id
        except IntegrityError:
            existing = await self._sql.first(select(DeletionReturnRow)
                                             .where(DeletionReturnRow.submission_key == submission_key))
            if existing is None:
                raise
            return _record(existing), False
        return await self.get(return_id), True

    async def get(self, return_id: int) -> ReturnRecord | None:
        row = await self._sql.first(select(DeletionReturnRow).where(DeletionReturnRow.id == return_id))
        return _record(row) if row else None

    async def acknowledge(self, return_id: int, actor: Actor) -> bool:
        """True if this acknowledged it; False if it was acknowledged already (by whoever)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            done = await session.execute(
                update(DeletionReturnRow)
                .where(DeletionReturnRow.id == return_id, DeletionReturnRow.acknowledged_at.is_(None))
                .values(acknowledged_at=now, acknowledged_by=actor.aad_object_id, acknowledged_by_name=actor.name))
            if not done.rowcount:
                return False
            session.add(DeletionReturnEvent(return_id=return_id, at=now, actor_aad_object_id=actor.aad_object_id,
                                            actor_name=actor.name, kind="acknowledged", data={},
                                            key="acknowledged"))
        return True

    async def record(self, return_id: int, kind: str, data: dict, actor: Actor) -> None:
        """An entry in the return's history (a card posted of it, say)."""
        async with self._sessions.begin() as session:
            session.add(DeletionReturnEvent(return_id=return_id, at=utcnow(), actor_aad_object_id=actor.aad_object_id,
                                            actor_name=actor.name, kind=kind, data=data))

    async def history(self, return_id: int) -> list[ReturnEvent]:
        rows = await self._sql.rows(select(DeletionReturnEvent).where(DeletionReturnEvent.return_id == return_id)
                                    .order_by(DeletionReturnEvent.at, DeletionReturnEvent.id))
        return [ReturnEvent(r.at, r.actor_aad_object_id, r.actor_name, r.kind, r.data) for r in rows]

    async def of_schools(self, school_ids: list[int], limit: int = LIST_LIMIT) -> list[ReturnRecord]:
        """The schools' latest returns, newest first."""
        if not school_ids:
            return []
        rows = await self._sql.rows(select(DeletionReturnRow).where(DeletionReturnRow.school_id.in_(school_ids))
                                    .order_by(DeletionReturnRow.id.desc()).limit(limit))
        return [_record(row) for row in rows]

    async def outstanding(self, authority_ids: list[int], limit: int = LIST_LIMIT) -> list[ReturnRecord]:
        """The authorities' returns not yet acknowledged, oldest first."""
        if not authority_ids:
            return []
        rows = await self._sql.rows(select(DeletionReturnRow)
                                    .where(DeletionReturnRow.authority_id.in_(authority_ids),
                                           DeletionReturnRow.acknowledged_at.is_(None))
                                    .order_by(DeletionReturnRow.id).limit(limit))
        return [_record(row) for row in rows]

    async def acknowledged_lately(self, authority_ids: list[int], limit: int = 10) -> list[ReturnRecord]:
        if not authority_ids:
            return []
        rows = await self._sql.rows(select(DeletionReturnRow)
                                    .where(DeletionReturnRow.authority_id.in_(authority_ids),
                                           DeletionReturnRow.acknowledged_at.is_not(None))
                                    .order_by(DeletionReturnRow.acknowledged_at.desc()).limit(limit))
        return [_record(row) for row in rows]

    async def every(self, *, school_ids: list[int] = (), authority_ids: list[int] = ()) -> list[ReturnRecord]:
        """Every return of the schools and of the authorities (an export), oldest first: none for none."""
        if not school_ids and not authority_ids:
            return []
        rows = await self._sql.rows(select(DeletionReturnRow)
                                    .where(DeletionReturnRow.school_id.in_(list(school_ids))
                                           | DeletionReturnRow.authority_id.in_(list(authority_ids)))
                                    .order_by(DeletionReturnRow.id))
        return [_record(row) for row in rows]

    async def of_case(self, case_id: int) -> list[ReturnRecord]:
        rows = await self._sql.rows(select(DeletionReturnRow).where(DeletionReturnRow.case_id == case_id)
                                    .order_by(DeletionReturnRow.id))
        return [_record(row) for row in rows]
