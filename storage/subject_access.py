"""What is held about one child, for a subject access request: their cases, found by name and date of birth or by
UPN, and for each the rows about it (history, who opened it, cards posted, reminders, milestones)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.case import Case
from cme.upn import normalise_upn
from storage.engine.statements import Statements
from storage.mapping import case_from_row, pupil_from_json
from storage.models import (
    CardMessage,
    CaseRow,
    Conversation,
    DeletionReturnRow,
    ExpectedStarterRow,
    MilestoneRow,
    ReminderClaim,
)


def _matches(pupil, name: str, date_of_birth: date | None, upn: str) -> bool:
    wanted_upn = normalise_upn(upn)
    if wanted_upn and normalise_upn(pupil.upn) == wanted_upn:
        return True
    return bool(name.strip()) and date_of_birth is not None and pupil.date_of_birth == date_of_birth \
        and same_name(pupil.full_name, name)


def same_name(a: str, b: str) -> bool:
    """Names compared as people would: case, surrounding and repeated spaces aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class SubjectAccess:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)

    async def cases_of(self, *, name: str = "", date_of_birth: date | None = None, upn: str = "") -> list[Case]:
        """Every case of the child (erased cases no longer hold a name, a date of birth or a UPN), oldest first."""
        found = []
        for row in await self._sql.rows(select(CaseRow).order_by(CaseRow.id)):
            case = case_from_row(row)
            if _matches(case.pupil, name, date_of_birth, upn):
                found.append(case)
        return found

    async def starters_of(self, *, name: str = "", date_of_birth: date | None = None, upn: str = "",
                          case_ids: list[int] = ()) -> list[dict]:
        """The child as an expected starter at a school: matched as cases are, or made into one of their cases."""
        found = []
        for row in await self._sql.rows(select(ExpectedStarterRow).order_by(ExpectedStarterRow.id)):
            if row.case_id in case_ids or _matches(pupil_from_json(row.pupil), name, date_of_birth, upn):
                found.append({"school_id": row.school_id, "pupil": row.pupil, "previous_school": row.previous_school,
                              "first_day": row.first_day.isoformat(), "status": row.status,
                              "arrived_on": row.arrived_on.isoformat() if row.arrived_on else None,
                              "case": row.case_reference or None})
        return found

    async def deletion_returns(self, case_id: int) -> list[dict]:
        """The deletion returns made from the case (regulation 13(4)): the pupil and parents as sent."""
        rows = await self._sql.rows(select(DeletionReturnRow).where(DeletionReturnRow.case_id == case_id)
                                    .order_by(DeletionReturnRow.id))
        return [{"ground": r.ground, "deletion_on": r.deletion_on.isoformat(), "sent_at": r.sent_at.isoformat(),
                 "sent_by": r.sent_by_name, "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at
                 else None, "details": r.details} for r in rows]

    async def cards(self, case_id: int) -> list[dict]:
        """The cards posted about the case, each version (sent, then each update in place): what for, where (the
        kind of conversation), when, and what a person read on it (None: posted before the bot kept texts)."""
        rows = await self._sql.rows(
            select(CardMessage.purpose, CardMessage.created_at, CardMessage.activity_id,
                   CardMessage.conversation_kind, CardMessage.text, Conversation.kind)
            .outerjoin(Conversation, Conversation.conversation_id == CardMessage.conversation_id)
            .where(CardMessage.case_id == case_id).order_by(CardMessage.id))
        seen: set[str] = set()
        cards = []
        for row in rows:
            cards.append({"purpose": row.purpose, "posted_at": row.created_at.isoformat(),
                          "where": row.conversation_kind or row.kind or "unknown",
                          "version": "updated in place" if row.activity_id in seen else "sent", "text": row.text})
            seen.add(row.activity_id)
        return cards

    async def reminders(self, case_id: int) -> list[dict]:
        rows = await self._sql.rows(select(ReminderClaim).where(ReminderClaim.case_id == case_id)
                                    .order_by(ReminderClaim.id))
        return [{"milestone": r.milestone, "run_start": r.run_start.isoformat(), "due_on": r.due_on.isoformat(),
                 "posted_at": r.sent_at.isoformat() if r.sent_at else None} for r in rows]

    async def milestones(self, case_id: int) -> list[dict]:
        rows = await self._sql.rows(select(MilestoneRow).where(MilestoneRow.case_id == case_id)
                                    .order_by(MilestoneRow.due_on))
        return [{"milestone": r.milestone, "due_on": r.due_on.isoformat(),
                 "done_on": r.done_on.isoformat() if r.done_on else None} for r in rows]
