"""Claims on reminders: each milestone of each run of absence is posted once, whatever runs the job.

A claim row is inserted with a unique (case, milestone, run start) in the same statement that selects
what is due, so two runs on one day, a restart, or several instances on one PostgreSQL database
cannot claim the same reminder twice. A claim is "sent" once Teams answered with an activity id.
A claim is held by a run of the job while the run's heartbeat is fresh; after that any run takes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import and_, delete, exists, func, literal, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.deadlines import Deadline, Due, kind_of
from cme.milestones import Milestone
from storage.engine.db import insert_for
from storage.engine.statements import Statements
from storage.models import CaseRow, DailyJobRun, DigestClaim, MilestoneRow, ReminderClaim
from storage.types import utcnow

# An attempt that started but never finished (a crash mid-send): Teams may have posted it.
UNCERTAIN = "uncertain"
SENT = "sent"
NOT_NEEDED = "no longer needed"
# A run of the job writes its heartbeat this often; a run silent for OWNER_GONE_AFTER has stopped.
HEARTBEAT = timedelta(seconds=2)
OWNER_GONE_AFTER = 4 * HEARTBEAT
# Due by the end of their day: claimed by a run on a later day only.
END_OF_DAY = [d.value for d in Deadline if d.end_of_day]
# The daily job claims, and loads what it claimed to send, this many at a time: its memory does not grow with the day.
BATCH = 500


@dataclass(frozen=True)
class Claim:
    id: int
    case_id: int
    reference: str
    school_id: int | None
    milestone: Due
    run_start: date
    due_on: date
    claimed_on: date
    attempts: int
    outcome: str | None
    taken_over: bool = False
    authority_id: int | None = None  # the case's: a case with no school is posted in its authority's channel

    @property
    def maybe_posted(self) -> bool:
        """A POST of it started and was never answered: Teams may have posted it already."""
        return self.outcome == UNCERTAIN


class PostedReminder(NamedTuple):
    """A reminder card in a channel, with the run of absence and the day it was posted for."""

    milestone: Due
    conversation_id: str
    activity_id: str
    run_start: date
    due_on: date
    on_date: date


class Unsent(NamedTuple):
    reference: str
    milestone: Due
    why: str


@dataclass(frozen=True)
class DigestTaken:
    id: int
    maybe_posted: bool


@dataclass(frozen=True)
class Overdue:
    case_id: int
    reference: str
    school_id: int | None
    run_start: date
    milestone: Due
    due_on: date
    authority_id: int | None = None


class Reminders:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    def _due(self, on_date: date, school_ids: list[int | None] | None, *columns, known_until: date | None = None):
        """Due by `on_date`; a milestone stored past `known_until` (the end of the term dates) is not known yet."""
        due = (select(*columns).join(CaseRow, CaseRow.id == MilestoneRow.case_id)
               .where(MilestoneRow.done_on.is_(None), MilestoneRow.due_on <= on_date, CaseRow.closed_at.is_(None),
                      or_(MilestoneRow.due_on < on_date, MilestoneRow.milestone.not_in(END_OF_DAY))))
        if known_until is not None:
            due = due.where(MilestoneRow.due_on <= known_until)
        return due if school_ids is None else self._schools(due, school_ids)

    @staticmethod
    def _schools(query, school_ids: list[int | None]):
        """Only the cases of these schools (None: the cases with no school yet)."""
        known = [s for s in school_ids if s is not None]
        return query.where(or_(CaseRow.school_id.in_(known),
                               CaseRow.school_id.is_(None) if None in school_ids else literal(False)))

    async def due(self, on_date: date, *, school_ids: list[int | None] | None = None,
                  known_until: date | None = None) -> list[Overdue]:
        """What a run on `on_date` would claim (for --dry-run): due, not done, not claimed yet."""
        claimed = select(ReminderClaim.id).where(ReminderClaim.case_id == MilestoneRow.case_id,
                                                 ReminderClaim.milestone == MilestoneRow.milestone,
                                                 ReminderClaim.run_start == MilestoneRow.run_start)
        query = self._due(on_date, school_ids, MilestoneRow.case_id, CaseRow.reference, CaseRow.school_id,
                          MilestoneRow.run_start, MilestoneRow.milestone, MilestoneRow.due_on, known_until=known_until)
        async with self._sessions() as session:
            rows = await session.execute(query.where(~claimed.exists()).order_by(MilestoneRow.due_on))
            return [Overdue(case_id, ref, school, start, kind_of(m), due)
                    for case_id, ref, school, start, m, due in rows.all()]

    async def day_20_on_or_after(self, cutoff: date, *, school_ids: list[int | None]) -> list[str]:
        """The references of open cases of these schools whose current run's Day 20 is stored on or after `cutoff`
        (one not known yet is stored as the day after the term dates end)."""
        query = (self._schools(select(CaseRow.reference).join(MilestoneRow, and_(
            MilestoneRow.case_id == CaseRow.id, MilestoneRow.run_start == CaseRow.run_start)), school_ids)
            .where(MilestoneRow.milestone == Milestone.DAY_20.value, MilestoneRow.due_on >= cutoff,
                   CaseRow.closed_at.is_(None)).order_by(MilestoneRow.due_on, CaseRow.reference))
        return list(await self._sql.values(query))

    async def claim_due(self, on_date: date, instance: str, *, school_ids: list[int | None] | None = None,
                        known_until: date | None = None, batch: int = BATCH) -> int:
        """Claim every milestone due on or before `on_date` (and `known_until`) that has no claim yet; how many.

        A batch at a time, each read from the open milestones due alone (ix_milestones_due_open, each checked against
        its claim by the claims' unique index), then claimed with its cases read by id: the cost follows the
        milestones due and still open, never the number of open cases (docs/performance.md shows the plans).
        """
        claimed, after = 0, None
        while True:
            found = await self._unclaimed(on_date, known_until, after, batch)
            if not found:
                return claimed
            claimed += await self._claim(on_date, instance, school_ids, known_until, {case_id for _, case_id, _ in found})
            if len(found) < batch:
                return claimed
            after = found[-1]

    @staticmethod
    def _unclaimed_query(on_date: date, known_until: date | None, after: tuple | None, batch: int):
        key = (MilestoneRow.due_on, MilestoneRow.case_id, MilestoneRow.milestone)
        claim = select(ReminderClaim.id).where(ReminderClaim.case_id == MilestoneRow.case_id,
                                               ReminderClaim.milestone == MilestoneRow.milestone,
                                               ReminderClaim.run_start == MilestoneRow.run_start)
        query = (select(*key).where(MilestoneRow.done_on.is_(None), MilestoneRow.due_on <= on_date,
                                    or_(MilestoneRow.due_on < on_date, MilestoneRow.milestone.not_in(END_OF_DAY)),
                                    ~claim.exists())
                 .order_by(*key).limit(batch))
        if known_until is not None:
            query = query.where(MilestoneRow.due_on <= known_until)
        # The due date's bound lets the index start at the batch before; the row comparison does the rest.
        return query if after is None else query.where(MilestoneRow.due_on >= after[0], tuple_(*key) > tuple_(*after))

    async def _unclaimed(self, on_date: date, known_until: date | None, after: tuple | None,
                         batch: int) -> list[tuple]:
        """The next `batch` open milestones due with no claim, after `after` in (due date, case, milestone) order."""
        async with self._sessions() as session:
            rows = await session.execute(self._unclaimed_query(on_date, known_until, after, batch))
            return [tuple(row) for row in rows.all()]

    async def _claim(self, on_date: date, instance: str, school_ids: list[int | None] | None,
                     known_until: date | None, case_ids: set[int]) -> int:
        """Claim what is due of these cases, of these schools, in one INSERT ... SELECT; how many were new."""
        async with self._sessions.begin() as session:
            due = self._due(on_date, school_ids, MilestoneRow.case_id, MilestoneRow.milestone, MilestoneRow.run_start,
                            MilestoneRow.due_on, literal(on_date), literal(utcnow()), literal(instance), literal(0),
                            known_until=known_until).where(MilestoneRow.case_id.in_(sorted(case_ids)))
            statement = (
                insert_for(session.bind)(ReminderClaim)
                .from_select(["case_id", "milestone", "run_start", "due_on", "claimed_on", "claimed_at",
                              "claimed_by", "attempts"], due)
                .on_conflict_do_nothing(index_elements=["case_id", "milestone", "run_start"])
                .returning(ReminderClaim.id)
            )
            return len((await session.execute(statement)).all())

    async def start_run(self, instance: str) -> str:
        """A new run of the job, alive while `heartbeat` is called; its id owns what it claims."""
        run_id = f"{instance[:80]}/{uuid.uuid4().hex[:12]}"
        now = utcnow()
        async with self._sessions.begin() as session:
            await session.execute(delete(DailyJobRun).where(DailyJobRun.heartbeat_at < now - timedelta(days=1)))
            session.add(DailyJobRun(run_id=run_id, started_at=now, heartbeat_at=now))
        return run_id

    async def heartbeat(self, run_id: str) -> None:
        await self._sql.run(update(DailyJobRun).where(DailyJobRun.run_id == run_id).values(heartbeat_at=utcnow()))

    async def end_run(self, run_id: str) -> None:
        """What the run still holds is free for the next run at once."""
        await self._sql.run(delete(DailyJobRun).where(DailyJobRun.run_id == run_id))

    @staticmethod
    def _held(owner_column):
        """The claim's owner is a run whose heartbeat is fresh."""
        return exists().where(DailyJobRun.run_id == owner_column,
                              DailyJobRun.heartbeat_at >= utcnow() - OWNER_GONE_AFTER)

    async def to_send(self, run_id: str, limit: int = BATCH) -> list[Claim]:
        """Claims this run may send now (at most `limit`, the oldest first; the job asks again until none is left):
        its own not yet tried, and any unsent one whose run stopped (not one found no longer needed).

        Those are taken over with a conditional UPDATE on their owner, so only one run takes each.
        """
        async with self._sessions.begin() as session:
            rows = (await session.execute(
                select(ReminderClaim.id, ReminderClaim.claimed_by)
                .where(ReminderClaim.sent_at.is_(None),
                       or_(and_(ReminderClaim.claimed_by == run_id, ReminderClaim.outcome.is_(None)),
                           and_(ReminderClaim.claimed_by != run_id, ~self._held(ReminderClaim.claimed_by),
                                or_(ReminderClaim.outcome.is_(None), ReminderClaim.outcome != NOT_NEEDED))))
                .order_by(ReminderClaim.id).limit(limit)
            )).all()
            mine = [claim_id for claim_id, owner in rows if owner == run_id]
            stopped: dict[str, list[int]] = {}
            for claim_id, owner in rows:
                if owner != run_id:
                    stopped.setdefault(owner, []).append(claim_id)
            for owner, claim_ids in stopped.items():
                mine += (await session.execute(
                    update(ReminderClaim)
                    .where(ReminderClaim.id.in_(claim_ids), ReminderClaim.claimed_by == owner,
                           ReminderClaim.sent_at.is_(None))
                    .values(claimed_by=run_id, claimed_at=utcnow())
                    .returning(ReminderClaim.id))).scalars().all()
            if not mine:
                return []
            result = await session.execute(
                select(ReminderClaim, CaseRow.reference, CaseRow.school_id, CaseRow.authority_id)
                .join(CaseRow, CaseRow.id == ReminderClaim.case_id)
                .where(ReminderClaim.id.in_(mine)).order_by(ReminderClaim.id))
            taken = {claim_id for claim_ids in stopped.values() for claim_id in claim_ids}
            return [Claim(c.id, c.case_id, reference, school_id, kind_of(c.milestone), c.run_start, c.due_on,
                          c.claimed_on, c.attempts, c.outcome, c.id in taken, authority_id)
                    for c, reference, school_id, authority_id in result.all()]

    async def held_elsewhere(self, run_id: str) -> int:
        """Unsent claims another run still works on (its heartbeat fresh): this run waits for them."""
        return await self._sql.value(
            select(func.count()).select_from(ReminderClaim)
            .where(ReminderClaim.sent_at.is_(None), ReminderClaim.claimed_by != run_id,
                   or_(ReminderClaim.outcome.is_(None), ReminderClaim.outcome == UNCERTAIN),
                   self._held(ReminderClaim.claimed_by)))

    async def attempt(self, claim_id: int, run_id: str) -> bool:
        """Written before each POST: if the process dies during it, the claim is left uncertain.

        False when another run took the claim over (this run's heartbeat was late): do not post.
        """
        return await self._sql.run(
            update(ReminderClaim)
            .where(ReminderClaim.id == claim_id, ReminderClaim.claimed_by == run_id, ReminderClaim.sent_at.is_(None))
            .values(attempts=ReminderClaim.attempts + 1, outcome=UNCERTAIN)) == 1

    async def sent(self, claim_id: int, conversation_id: str, activity_id: str) -> None:
        await self._sql.run(update(ReminderClaim).where(ReminderClaim.id == claim_id).values(
            sent_at=utcnow(), conversation_id=conversation_id, activity_id=activity_id, outcome=SENT))

    async def not_sent(self, claim_id: int, why: str) -> None:
        """Nothing was posted (refused, throttled, no channel): the next run tries again."""
        await self._sql.run(update(ReminderClaim).where(ReminderClaim.id == claim_id).values(outcome=why[:200]))

    async def unsent(self, authority_ids: list[int] | None = None) -> list[Unsent]:
        """Every reminder claimed and not posted that no running job is sending: nothing dropped silently
        (with `authority_ids`, only those of these authorities' cases).

        `why` is UNCERTAIN for one whose POST was cut off (Teams may have posted it).
        """
        query = (select(CaseRow.reference, ReminderClaim.milestone, ReminderClaim.outcome)
                 .join(CaseRow, CaseRow.id == ReminderClaim.case_id)
                 .where(ReminderClaim.sent_at.is_(None),
                        or_(ReminderClaim.outcome.is_(None), ReminderClaim.outcome != NOT_NEEDED),
                        ~self._held(ReminderClaim.claimed_by)))
        if authority_ids is not None:
            query = query.where(CaseRow.authority_id.in_(authority_ids))
        async with self._sessions() as session:
            rows = await session.execute(query.order_by(ReminderClaim.id))
            return [Unsent(ref, kind_of(m), why or "claimed by a run that stopped before posting it")
                    for ref, m, why in rows.all()]

    async def posted(self, case_id: int) -> list[PostedReminder]:
        """The reminder cards posted for a case."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ReminderClaim.milestone, ReminderClaim.conversation_id, ReminderClaim.activity_id,
                       ReminderClaim.run_start, ReminderClaim.due_on, ReminderClaim.claimed_on)
                .where(ReminderClaim.case_id == case_id, ReminderClaim.sent_at.is_not(None)))
            return [PostedReminder(kind_of(m), *rest) for m, *rest in rows.all()]

    async def overdue(self, on_date: date, limit: int = 100_000) -> list[Overdue]:
        """Open cases with a milestone past its day and its action not recorded, through the due-date index."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(MilestoneRow.case_id, CaseRow.reference, CaseRow.school_id, MilestoneRow.run_start,
                       MilestoneRow.milestone, MilestoneRow.due_on, CaseRow.authority_id)
                .join(CaseRow, CaseRow.id == MilestoneRow.case_id)
                .where(MilestoneRow.done_on.is_(None), MilestoneRow.due_on < on_date, CaseRow.closed_at.is_(None))
                .order_by(MilestoneRow.due_on, CaseRow.reference).limit(limit))
            return [Overdue(case_id, ref, school, start, kind_of(m), due, authority)
                    for case_id, ref, school, start, m, due, authority in rows.all()]

    async def claim_digest(self, channel_id: str, on_date: date, run_id: str) -> DigestTaken | None:
        """The day's digest for a channel, or None when another run has it (or sent it) already."""
        try:
            async with self._sessions.begin() as session:
                row = DigestClaim(channel_id=channel_id, on_date=on_date, claimed_at=utcnow(), claimed_by=run_id,
                                  attempts=0)
                session.add(row)
                await session.flush()
                return DigestTaken(row.id, maybe_posted=False)
        except IntegrityError:
            return await self._retake_digest(channel_id, on_date, run_id)

    async def _retake_digest(self, channel_id: str, on_date: date, run_id: str) -> DigestTaken | None:
        async with self._sessions.begin() as session:
            row = (await session.execute(
                select(DigestClaim.id, DigestClaim.claimed_by, DigestClaim.outcome)
                .where(DigestClaim.channel_id == channel_id, DigestClaim.on_date == on_date,
                       DigestClaim.sent_at.is_(None), DigestClaim.claimed_by != run_id,
                       ~self._held(DigestClaim.claimed_by)))).first()
            if row is None:
                return None
            taken = await session.execute(update(DigestClaim).where(
                DigestClaim.id == row.id, DigestClaim.claimed_by == row.claimed_by).values(
                claimed_by=run_id, claimed_at=utcnow()))
            return DigestTaken(row.id, row.outcome == UNCERTAIN) if taken.rowcount == 1 else None

    async def digest_attempt(self, claim_id: int) -> None:
        await self._sql.run(update(DigestClaim).where(DigestClaim.id == claim_id)
                            .values(attempts=DigestClaim.attempts + 1, outcome=UNCERTAIN))

    async def digest_done(self, claim_id: int, activity_id: str | None, why: str = SENT) -> None:
        values = {"outcome": why[:200]}
        if activity_id is not None:
            values |= {"sent_at": utcnow(), "activity_id": activity_id}
        await self._sql.run(update(DigestClaim).where(DigestClaim.id == claim_id).values(**values))
