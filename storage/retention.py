"""Erasing a case at the end of its retention: the one change the case history's append-only rule allows.

`Retention.erase` does it in one transaction: a `case_erasures` row (who, when, by which rule, kept until when),
the case row scrubbed to its tombstone (reference, school, authority, state, outcome and dates stay; the child's
details, risk, groups, reason, notes and details go), every history entry's payload replaced by {"erased": true}
(its time, actor and kind stay), an "erased" entry appended, and an audit event naming the reference only. The
database refuses any other UPDATE of a history entry, and every DELETE (migration 0011). Milestones, reminder claims
and the cards' ids hold no child's details and are kept; the case's deletion returns (their ground and dates stay),
the expected starter it was made from and the texts of the cards posted about it (what, where and when stay) lose
the child's details in the same transaction.

Which cases are due is decided in cme/retention.py; what is read here is what it needs: closed cases only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.lifecycle import State
from storage.audit import record_audit
from storage.engine.statements import Statements
from storage.models import (
    CardMessage,
    CaseErasure,
    CaseEvent,
    CaseRow,
    DeletionReturnRow,
    ExpectedStarterRow,
)
from storage.types import utcnow

TOMBSTONE = {"erased": True}
ERASED_EVENT = "erased"
# What a case row keeps: the tombstone (reference, school, dates, outcome) and the bookkeeping of the row.
KEPT = frozenset({"id", "reference", "school_id", "authority_id", "state", "outcome", "first_day_absent",
                  "last_day_attended", "run_start", "triage_recorded_on", "ews_contacted_on",
                  "checklist_completed_on", "day20_review_on", "cme_referral_on", "removal_requested_on",
                  "off_roll_date", "submission_key", "created_by", "created_at", "updated_at", "closed_at",
                  "version", "open_due_on"})
# What it loses, and the value it is left with. A new column of `cases` must be put in one of the two
# (tests/storage/test_retention.py says so).
SCRUBBED = {"pupil": {}, "risk": {}, "risk_groups": [], "reason": "", "known_so_far": "", "details": {},
            "sex": "not_known"}
# A deletion return of an erased case keeps its ground and dates; the names and addresses go.
RETURN_KEPT = ("ground", "deletion_on", "sent_on")
# Day 1 triage recorded who was told: children's social care, the police or the social worker.
CHILD_PROTECTION_EVENTS = ("risk_notified",)


@dataclass(frozen=True)
class ClosedCase:
    """A closed case not erased, with what its retention depends on."""

    case_id: int
    reference: str
    authority_id: int | None
    closed_at: datetime
    date_of_birth: date | None
    at_risk: bool  # the Day 1 answers said so, or who was notified was recorded


@dataclass(frozen=True)
class Tombstone:
    reference: str
    school_id: int | None
    authority_id: int | None
    outcome: str | None
    first_day_absent: date
    closed_at: datetime | None
    erased_at: datetime
    erased_by: str
    rule: str
    retained_until: date


class _Gone(Exception):
    """The case is no longer closed, or was erased meanwhile: nothing is written."""


def _authorities(query, column, authority_ids: list[int] | None):
    return query if authority_ids is None else query.where(column.in_(authority_ids))


class Retention:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def closed_before(self, before: datetime, authority_ids: list[int] | None = None) -> list[ClosedCase]:
        """Closed cases (not those out of provision or not located: the authority still tracks them) closed before
        `before` and not erased, oldest first."""
        erased = exists().where(CaseErasure.case_id == CaseRow.id)
        notified = exists().where(CaseEvent.case_id == CaseRow.id, CaseEvent.kind.in_(CHILD_PROTECTION_EVENTS))
        query = (select(CaseRow.id, CaseRow.reference, CaseRow.authority_id, CaseRow.closed_at, CaseRow.pupil,
                        CaseRow.risk, notified.label("notified"))
                 .where(CaseRow.state == State.CLOSED.value, CaseRow.closed_at.is_not(None),
                        CaseRow.closed_at < before, ~erased)
                 .order_by(CaseRow.closed_at, CaseRow.id))
        rows = await self._sql.rows(_authorities(query, CaseRow.authority_id, authority_ids))
        return [ClosedCase(row.id, row.reference, row.authority_id, row.closed_at, _born(row.pupil),
                           any(bool(v) for v in (row.risk or {}).values()) or bool(row.notified)) for row in rows]

    async def erase(self, case_id: int, *, actor: str, rule: str, retained_until: date) -> bool:
        """The case down to its tombstone, in one transaction; False when it is not closed or was erased already."""
        now = utcnow()
        scrubbed = {name: value for name, value in SCRUBBED.items() if name in CaseRow.__table__.c}
        try:
            async with self._sessions.begin() as session:
                session.add(CaseErasure(case_id=case_id, erased_at=now, erased_by=actor[:200], rule=rule,
                                        retained_until=retained_until))
                await session.flush()
                reference = (await session.execute(
                    update(CaseRow).where(CaseRow.id == case_id, CaseRow.state == State.CLOSED.value)
                    .values(**scrubbed, updated_at=now, version=CaseRow.version + 1)
                    .returning(CaseRow.reference))).scalar()
                if reference is None:
                    raise _Gone
                await session.execute(update(CaseEvent).where(CaseEvent.case_id == case_id).values(data=TOMBSTONE))
                await _scrub_linked(session, case_id)
                await session.execute(insert(CaseEvent).values(
                    case_id=case_id, at=now, actor_aad_object_id="retention", actor_name=actor[:200],
                    kind=ERASED_EVENT, data={"rule": rule, "retained_until": retained_until.isoformat()},
                    key=ERASED_EVENT))
                record_audit(session, actor, "case_erased", {"reference": reference, "rule": rule,
                                                            "retained_until": retained_until.isoformat()})
        except (IntegrityError, _Gone):
            return False
        return True

    async def erased(self, authority_ids: list[int] | None = None, limit: int = 20) -> tuple[int, list[Tombstone]]:
        """How many cases were erased, and the latest `limit` tombstones, newest first."""
        count = _authorities(select(func.count()).select_from(CaseErasure).join(CaseRow), CaseRow.authority_id,
                             authority_ids)
        query = _authorities(select(CaseRow, CaseErasure).join(CaseErasure, CaseErasure.case_id == CaseRow.id),
                             CaseRow.authority_id, authority_ids)
        async with self._sessions() as session:
            total = (await session.execute(count)).scalar()
            rows = (await session.execute(query.order_by(CaseErasure.erased_at.desc(), CaseRow.id.desc())
                                          .limit(limit))).all()
        return total, [_tombstone(case, erasure) for case, erasure in rows]

    async def tombstone(self, case_id: int) -> Tombstone | None:
        async with self._sessions() as session:
            row = (await session.execute(select(CaseRow, CaseErasure).join(
                CaseErasure, CaseErasure.case_id == CaseRow.id).where(CaseRow.id == case_id))).first()
        return _tombstone(*row) if row else None

    async def posted_cards(self, case_id: int) -> list[tuple[str, str]]:
        """(conversation id, activity id) of every card posted about the case, newest first (once: a card updated
        in place has a row a version)."""
        rows = await self._sql.rows(select(CardMessage.conversation_id, CardMessage.activity_id)
                                    .where(CardMessage.case_id == case_id)
                                    .group_by(CardMessage.conversation_id, CardMessage.activity_id)
                                    .order_by(func.max(CardMessage.id).desc()))
        return [(row.conversation_id, row.activity_id) for row in rows]


async def _scrub_linked(session, case_id: int) -> None:
    """The child's details held with the case elsewhere: its deletion returns (the pupil and parents; the ground and
    dates stay), the expected starter it was made from (the pupil, the previous school) and what the cards posted
    about it said (each card's purpose, where and when stay)."""
    await session.execute(update(CardMessage).where(CardMessage.case_id == case_id).values(text=None))
    returns = await session.execute(select(DeletionReturnRow.id, DeletionReturnRow.details)
                                    .where(DeletionReturnRow.case_id == case_id))
    for return_id, details in returns.all():
        kept = {key: details[key] for key in RETURN_KEPT if key in (details or {})}
        await session.execute(update(DeletionReturnRow).where(DeletionReturnRow.id == return_id).values(
            details={**kept, "forename": "", "surname": "", "address": "", "parents": []}))
    starters = await session.execute(select(ExpectedStarterRow.id).where(ExpectedStarterRow.case_id == case_id))
    for starter_id in starters.scalars().all():
        await session.execute(update(ExpectedStarterRow).where(ExpectedStarterRow.id == starter_id).values(
            pupil={}, previous_school="", pupil_key=f"erased-{starter_id}"))


def _born(pupil: dict | None) -> date | None:
    try:
        return date.fromisoformat((pupil or {}).get("date_of_birth") or "")
    except ValueError:
        return None


def _tombstone(case: CaseRow, erasure: CaseErasure) -> Tombstone:
    return Tombstone(case.reference, case.school_id, case.authority_id, case.outcome, case.first_day_absent,
                     case.closed_at, erasure.erased_at, erasure.erased_by, erasure.rule, erasure.retained_until)
