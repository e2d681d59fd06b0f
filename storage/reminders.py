"""Claims on reminders: each milestone of each run of absence is posted once, whatever runs the job.

A claim row is inserted with a unique (case, milestone, run start) in the same statement that selects
what is due, so two runs on one day, a restart, or several instances on one PostgreSQL database
cannot claim the same reminder twice. A claim is "sent" once Teams answered with an activity id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.milestones import Milestone
from storage.engine.db import insert_for
from storage.engine.statements import Statements
from storage.models import CaseRow, DigestClaim, MilestoneRow, ReminderClaim
from storage.types import utcnow

# An attempt that started but never finished (a crash mid-send): Teams may have posted it.
UNCERTAIN = "uncertain"
SENT = "sent"


@dataclass(frozen=True)
class Claim:
    id: int
    case_id: int
    reference: str
    school_id: int | None
    milestone: Milestone
    run_start: date
    due_on: date
    claimed_on: date
    attempts: int
    outcome: str | None


@dataclass(frozen=True)
class Overdue:
    case_id: int
    reference: str
    school_id: int | None
    run_start: date
    milestone: Milestone
    due_on: date


class Reminders:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    def _due(self, on_date: date, school_ids: list[int | None] | None, *columns):
        due = (select(*columns).join(CaseRow, CaseRow.id == MilestoneRow.case_id)
               .where(MilestoneRow.done_on.is_(None), MilestoneRow.due_on <= on_date, CaseRow.closed_at.is_(None)))
        if school_ids is not None:
            known = [s for s in school_ids if s is not None]
            due = due.where(or_(CaseRow.school_id.in_(known),
                                CaseRow.school_id.is_(None) if None in school_ids else literal(False)))
        return due

    async def due(self, on_date: date, *, school_ids: list[int | None] | None = None) -> list[Overdue]:
        """What a run on `on_date` would claim (for --dry-run): due, not done, not claimed yet."""
        claimed = select(ReminderClaim.id).where(ReminderClaim.case_id == MilestoneRow.case_id,
                                                 ReminderClaim.milestone == MilestoneRow.milestone,
                                                 ReminderClaim.run_start == MilestoneRow.run_start)
        query = self._due(on_date, school_ids, MilestoneRow.case_id, CaseRow.reference, CaseRow.school_id,
                          MilestoneRow.run_start, MilestoneRow.milestone, MilestoneRow.due_on)
        async with self._sessions() as session:
            rows = await session.execute(query.where(~claimed.exists()).order_by(MilestoneRow.due_on))
            return [Overdue(case_id, ref, school, start, Milestone(m), due)
                    for case_id, ref, school, start, m, due in rows.all()]

    async def claim_due(self, on_date: date, instance: str, *, school_ids: list[int | None] | None = None) -> int:
        """Claim every milestone due on or before `on_date` that has no claim yet; how many were claimed."""
        async with self._sessions.begin() as session:
            due = self._due(on_date, school_ids, MilestoneRow.case_id, MilestoneRow.milestone, MilestoneRow.run_start,
                            MilestoneRow.due_on, literal(on_date), literal(utcnow()), literal(instance), literal(0))
            statement = (
                insert_for(session.bind)(ReminderClaim)
                .from_select(["case_id", "milestone", "run_start", "due_on", "claimed_on", "claimed_at",
                              "claimed_by", "attempts"], due)
                .on_conflict_do_nothing(index_elements=["case_id", "milestone", "run_start"])
                .returning(ReminderClaim.id)
            )
            return len((await session.execute(statement)).all())

    async def to_send(self, instance: str, *, lease: timedelta = timedelta(minutes=10)) -> list[Claim]:
        """Claims this instance may send now: its own fresh ones, and unsent ones whose run died.

        A stale claim is taken over with a conditional UPDATE, so only one instance retries it.
        """
        stale = utcnow() - lease
        async with self._sessions.begin() as session:
            rows = (await session.execute(
                select(ReminderClaim.id, ReminderClaim.claimed_by, ReminderClaim.claimed_at)
                .where(ReminderClaim.sent_at.is_(None),
                       or_(ReminderClaim.outcome.is_(None), ReminderClaim.outcome != UNCERTAIN),
                       or_(ReminderClaim.claimed_by == instance, ReminderClaim.claimed_at < stale))
                .order_by(ReminderClaim.id)
            )).all()
            mine = []
            for claim_id, owner, claimed_at in rows:
                if owner == instance and claimed_at >= stale:
                    mine.append(claim_id)
                    continue
                taken = await session.execute(
                    update(ReminderClaim)
                    .where(ReminderClaim.id == claim_id, ReminderClaim.claimed_by == owner,
                           ReminderClaim.claimed_at == claimed_at, ReminderClaim.sent_at.is_(None))
                    .values(claimed_by=instance, claimed_at=utcnow()))
                if taken.rowcount == 1:
                    mine.append(claim_id)
            if not mine:
                return []
            result = await session.execute(
                select(ReminderClaim, CaseRow.reference, CaseRow.school_id)
                .join(CaseRow, CaseRow.id == ReminderClaim.case_id)
                .where(ReminderClaim.id.in_(mine)).order_by(ReminderClaim.id))
            return [Claim(c.id, c.case_id, reference, school_id, Milestone(c.milestone), c.run_start, c.due_on,
                          c.claimed_on, c.attempts, c.outcome) for c, reference, school_id in result.all()]

    async def attempt(self, claim_id: int) -> None:
        """Written before each POST: if the process dies during it, the claim is left uncertain."""
        await self._sql.run(update(ReminderClaim).where(ReminderClaim.id == claim_id)
                            .values(attempts=ReminderClaim.attempts + 1, outcome=UNCERTAIN))

    async def sent(self, claim_id: int, conversation_id: str, activity_id: str) -> None:
        await self._sql.run(update(ReminderClaim).where(ReminderClaim.id == claim_id).values(
            sent_at=utcnow(), conversation_id=conversation_id, activity_id=activity_id, outcome=SENT))

    async def not_sent(self, claim_id: int, why: str) -> None:
        """Nothing was posted (refused, throttled, no channel): the next run tries again."""
        await self._sql.run(update(ReminderClaim).where(ReminderClaim.id == claim_id).values(outcome=why[:200]))

    async def unsent(self) -> list[tuple[str, Milestone, str | None]]:
        """(reference, milestone, why) of every reminder claimed and not posted: nothing dropped silently."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(CaseRow.reference, ReminderClaim.milestone, ReminderClaim.outcome)
                .join(CaseRow, CaseRow.id == ReminderClaim.case_id)
                .where(ReminderClaim.sent_at.is_(None)).order_by(ReminderClaim.id))
            return [(ref, Milestone(m), why) for ref, m, why in rows.all()]

    async def posted(self, case_id: int) -> list[tuple[Milestone, str, str]]:
        """(milestone, conversation id, activity id) of reminder cards posted for a case."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ReminderClaim.milestone, ReminderClaim.conversation_id, ReminderClaim.activity_id)
                .where(ReminderClaim.case_id == case_id, ReminderClaim.sent_at.is_not(None)))
            return [(Milestone(m), conversation, activity) for m, conversation, activity in rows.all()]

    async def overdue(self, on_date: date, limit: int = 100_000) -> list[Overdue]:
        """Open cases with a milestone past its day and its action not recorded, through the due-date index."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(MilestoneRow.case_id, CaseRow.reference, CaseRow.school_id, MilestoneRow.run_start,
                       MilestoneRow.milestone, MilestoneRow.due_on)
                .join(CaseRow, CaseRow.id == MilestoneRow.case_id)
                .where(MilestoneRow.done_on.is_(None), MilestoneRow.due_on < on_date, CaseRow.closed_at.is_(None))
                .order_by(MilestoneRow.due_on, CaseRow.reference).limit(limit))
            return [Overdue(case_id, ref, school, start, Milestone(m), due)
                    for case_id, ref, school, start, m, due in rows.all()]

    async def claim_digest(self, channel_id: str, on_date: date, instance: str) -> int | None:
        """The day's digest for a channel, or None when another run has it (or sent it) already."""
        try:
            async with self._sessions.begin() as session:
                row = DigestClaim(channel_id=channel_id, on_date=on_date, claimed_at=utcnow(), claimed_by=instance,
                                  attempts=0)
                session.add(row)
                await session.flush()
                return row.id
        except IntegrityError:
            return await self._retake_digest(channel_id, on_date, instance)

    async def _retake_digest(self, channel_id: str, on_date: date, instance: str) -> int | None:
        stale = utcnow() - timedelta(minutes=10)
        async with self._sessions.begin() as session:
            row = await session.scalar(select(DigestClaim).where(DigestClaim.channel_id == channel_id,
                                                                 DigestClaim.on_date == on_date))
            if row is None or row.sent_at is not None or row.outcome == UNCERTAIN:
                return None
            if row.claimed_by != instance and row.claimed_at >= stale:
                return None
            taken = await session.execute(update(DigestClaim).where(
                DigestClaim.id == row.id, DigestClaim.claimed_at == row.claimed_at).values(
                claimed_by=instance, claimed_at=utcnow()))
            return row.id if taken.rowcount == 1 else None

    async def digest_attempt(self, claim_id: int) -> None:
        await self._sql.run(update(DigestClaim).where(DigestClaim.id == claim_id)
                            .values(attempts=DigestClaim.attempts + 1, outcome=UNCERTAIN))

    async def digest_done(self, claim_id: int, activity_id: str | None, why: str = SENT) -> None:
        values = {"outcome": why[:200]}
        if activity_id is not None:
            values |= {"sent_at": utcnow(), "activity_id": activity_id}
        await self._sql.run(update(DigestClaim).where(DigestClaim.id == claim_id).values(**values))

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(ReminderClaim))
            sent = await session.scalar(select(func.count()).select_from(ReminderClaim)
                                        .where(ReminderClaim.sent_at.is_not(None)))
            return {"claimed": total, "sent": sent}

