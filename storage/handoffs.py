"""Hand-offs between local authorities (policy 8.4.2, cme/handoff.py): one row each, written in the transaction of
the step on the case (Cases.record's `also`), so a hand-off is recorded with its history entry or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.cases import Actor, Also
from storage.engine.statements import Statements
from storage.models import CaseRow, HandoffRow


@dataclass(frozen=True)
class Handoff:
    id: int
    case_id: int
    reference: str
    from_authority_id: int | None
    from_name: str
    to_authority_id: int | None
    to_name: str
    sent_on: date
    sent_by: str
    sent_by_name: str
    accepted_on: date | None
    accepted_by_name: str | None
    notified_on: date | None
    done_on: date | None = None  # accepted, notified, withdrawn or declined

    @property
    def pending(self) -> bool:
        return self.accepted_on is None and self.notified_on is None and self.done_on is None

    @property
    def ended(self) -> bool:
        """Withdrawn by the sending authority or declined by the receiving one (the case's history says which)."""
        return self.done_on is not None and self.accepted_on is None and self.notified_on is None


_WITH_REFERENCE = select(*HandoffRow.__table__.columns, CaseRow.reference).join(CaseRow, CaseRow.id == HandoffRow.case_id)


def _handoff(row) -> Handoff:
    return Handoff(row.id, row.case_id, row.reference, row.from_authority_id, row.from_name, row.to_authority_id, row.to_name,
                   row.sent_on, row.sent_by, row.sent_by_name, row.accepted_on, row.accepted_by_name, row.notified_on,
                   row.done_on)


class Handoffs:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)

    @staticmethod
    def sending(from_authority_id: int | None, from_name: str, to_authority_id: int | None, to_name: str, on: date,
                by: Actor, key: str) -> Also:
        """The hand-off's row, for Cases.record(also=...)."""
        async def write(session: AsyncSession, case_id: int) -> None:
            session.add(HandoffRow(case_id=case_id, from_authority_id=from_authority_id, from_name=from_name[:200],
                                   to_authority_id=to_authority_id, to_name=to_name[:200], sent_on=on,
                                   sent_by=by.aad_object_id, sent_by_name=by.name[:200], sent_key=key[:100]))
        return write

    @staticmethod
    def accepting(on: date, by: Actor) -> Also:
        """The pending hand-off of the case accepted by `by`, for Cases.record(also=...)."""
        async def write(session: AsyncSession, case_id: int) -> None:
            await session.execute(update(HandoffRow).where(HandoffRow.case_id == case_id, HandoffRow.done_on.is_(None))
                                  .values(accepted_on=on, accepted_by=by.aad_object_id, accepted_by_name=by.name[:200],
                                          done_on=on))
        return write

    @staticmethod
    def notifying(sent_on: date, on: date) -> Also:
        """The notification to an authority not on this deployment recorded as sent, for Cases.record(also=...)."""
        async def write(session: AsyncSession, case_id: int) -> None:
            await session.execute(update(HandoffRow).where(HandoffRow.case_id == case_id, HandoffRow.done_on.is_(None))
                                  .values(notified_on=sent_on, done_on=on))
        return write

    @staticmethod
    def ending(on: date) -> Also:
        """The pending hand-off of the case withdrawn or declined on `on` (the history entry says which and why), for
        Cases.record(also=...): no longer reminded of, nor to accept."""
        async def write(session: AsyncSession, case_id: int) -> None:
            await session.execute(update(HandoffRow).where(HandoffRow.case_id == case_id, HandoffRow.done_on.is_(None))
                                  .values(done_on=on))
        return write

    async def of_case(self, case_id: int) -> list[Handoff]:
        """Every hand-off of a case, oldest first."""
        rows = await self._sql.rows(_WITH_REFERENCE.where(HandoffRow.case_id == case_id).order_by(HandoffRow.id))
        return [_handoff(row) for row in rows]

    async def awaiting_acceptance(self) -> list[Handoff]:
        """The hand-offs to an authority of this deployment that nobody of it has accepted yet (ix_handoffs_pending)."""
        rows = await self._sql.rows(_WITH_REFERENCE.where(HandoffRow.done_on.is_(None),
                                                          HandoffRow.to_authority_id.is_not(None))
                                    .order_by(HandoffRow.sent_on, HandoffRow.id))
        return [_handoff(row) for row in rows]
