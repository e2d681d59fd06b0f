"""Expected starters and their append-only history: each change and its history entry in one transaction.

A pupil, school and agreed first day are one record (`pupil_key`, unique per school), so a second click or a
re-imported file adds nothing. A change of status is conditional on the status it starts from, so two clicks, two
people or two instances record it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cme.expected_starters import Starter, Status
from storage.cases import Actor
from storage.mapping import pupil_from_json, pupil_to_json
from storage.models import DailyJobRun, DigestClaim, ExpectedStarterEvent, ExpectedStarterRow
from storage.reminders import OWNER_GONE_AFTER, UNCERTAIN
from storage.types import utcnow

LISTED = 200  # the most a school's list shows
CARD_CLAIM = "starter:"  # a non-arrival card's claim in digest_claims: "starter:<id>" on the day it fell due


@dataclass(frozen=True)
class UnsentCard:
    """A non-arrival card claimed and not posted, that no running job is sending, of a pupil still expected."""

    reference: str
    school_id: int
    due: date
    why: str

    @property
    def uncertain(self) -> bool:
        """Its POST was cut off: Teams may have posted it."""
        return self.why == UNCERTAIN


@dataclass(frozen=True)
class StarterEntry:
    at: datetime
    actor_name: str
    kind: str
    data: dict


def _starter(row: ExpectedStarterRow) -> Starter:
    return Starter(row.school_id, pupil_from_json(row.pupil), row.first_day, previous_school=row.previous_school,
                   status=Status(row.status), arrived_on=row.arrived_on, case_reference=row.case_reference,
                   card_conversation_id=row.card_conversation_id, card_activity_id=row.card_activity_id, id=row.id,
                   version=row.version)


def _event(session: AsyncSession, starter_id: int, kind: str, data: dict, actor: Actor, at: datetime) -> None:
    session.add(ExpectedStarterEvent(starter_id=starter_id, at=at, actor_aad_object_id=actor.aad_object_id,
                                     actor_name=actor.name, kind=kind, data=data))


class ExpectedStarters:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def add(self, starter: Starter, actor: Actor, *, source: str = "card") -> tuple[Starter, bool]:
        """Save an expected starter with its first history entry; (the one saved before, False) for the same
        pupil, school and first day."""
        try:
            async with self._sessions.begin() as session:
                row = self._row(starter, actor)
                session.add(row)
                await session.flush()
                _event(session, row.id, "expected", {"first_day": starter.first_day.isoformat(), "source": source},
                       actor, row.created_at)
                return _starter(row), True
        except IntegrityError:
            return await self._same(starter), False

    async def add_many(self, starters: list[Starter], actor: Actor, *, source: str) -> tuple[int, int]:
        """All of them in one transaction: (added, there already)."""
        added = 0
        async with self._sessions.begin() as session:
            keys = {s.key for s in starters}
            school_ids = {s.school_id for s in starters}
            existing = set((await session.execute(select(ExpectedStarterRow.school_id, ExpectedStarterRow.pupil_key)
                                                  .where(ExpectedStarterRow.school_id.in_(school_ids),
                                                         ExpectedStarterRow.pupil_key.in_(keys)))).all())
            for starter in starters:
                if (starter.school_id, starter.key) in existing:
                    continue
                row = self._row(starter, actor)
                session.add(row)
                await session.flush()
                _event(session, row.id, "expected", {"first_day": starter.first_day.isoformat(), "source": source},
                       actor, row.created_at)
                existing.add((starter.school_id, starter.key))
                added += 1
        return added, len(starters) - added

    @staticmethod
    def _row(starter: Starter, actor: Actor) -> ExpectedStarterRow:
        now = utcnow()
        return ExpectedStarterRow(school_id=starter.school_id, pupil_key=starter.key,
                                  pupil=pupil_to_json(starter.pupil), previous_school=starter.previous_school,
                                  first_day=starter.first_day, status=Status.EXPECTED.value, case_reference="",
                                  created_by=actor.aad_object_id, created_at=now, updated_at=now, version=1)

    async def _same(self, starter: Starter) -> Starter:
        async with self._sessions() as session:
            row = await session.scalar(select(ExpectedStarterRow).where(
                ExpectedStarterRow.school_id == starter.school_id, ExpectedStarterRow.pupil_key == starter.key))
            return _starter(row)

    async def get(self, starter_id: int) -> Starter | None:
        async with self._sessions() as session:
            row = await session.get(ExpectedStarterRow, starter_id)
            return _starter(row) if row else None

    async def of_schools(self, school_ids: list[int], since: date) -> list[Starter]:
        """The schools' starters still expected, and those arrived or made a case whose first day is on or after
        `since`; by first day, then name."""
        if not school_ids:
            return []
        async with self._sessions() as session:
            rows = (await session.scalars(
                select(ExpectedStarterRow)
                .where(ExpectedStarterRow.school_id.in_(school_ids),
                       (ExpectedStarterRow.status == Status.EXPECTED.value) | (ExpectedStarterRow.first_day >= since))
                .order_by(ExpectedStarterRow.first_day, ExpectedStarterRow.id).limit(LISTED))).all()
            starters = [_starter(row) for row in rows]
        return sorted(starters, key=lambda s: (s.first_day, s.pupil.surname.lower(), s.pupil.forename.lower()))

    async def every(self, school_ids: list[int]) -> list[Starter]:
        """Every starter of the schools (an export), by school, first day and id."""
        if not school_ids:
            return []
        async with self._sessions() as session:
            rows = (await session.scalars(
                select(ExpectedStarterRow).where(ExpectedStarterRow.school_id.in_(school_ids))
                .order_by(ExpectedStarterRow.school_id, ExpectedStarterRow.first_day, ExpectedStarterRow.id))).all()
            return [_starter(row) for row in rows]

    async def awaiting_card(self, on_date: date) -> list[Starter]:
        """Still expected, whose first day has come, and no non-arrival card posted yet (the daily job decides,
        on each school's calendar, whose 5 school days have passed)."""
        async with self._sessions() as session:
            rows = (await session.scalars(
                select(ExpectedStarterRow)
                .where(ExpectedStarterRow.status == Status.EXPECTED.value, ExpectedStarterRow.first_day <= on_date,
                       ExpectedStarterRow.card_activity_id.is_(None))
                .order_by(ExpectedStarterRow.first_day, ExpectedStarterRow.id))).all()
            return [_starter(row) for row in rows]

    async def unsent_cards(self) -> list[UnsentCard]:
        """The non-arrival cards claimed and not posted (refused, or cut off) that no running job holds, of pupils
        still expected with no card posted: the next run posts them (bot/daily/expected_starters.py)."""
        async with self._sessions() as session:
            claims = (await session.execute(
                select(DigestClaim.channel_id, DigestClaim.on_date, DigestClaim.outcome)
                .where(DigestClaim.channel_id.startswith(CARD_CLAIM, autoescape=True), DigestClaim.sent_at.is_(None),
                       ~exists().where(DailyJobRun.run_id == DigestClaim.claimed_by,
                                       DailyJobRun.heartbeat_at >= utcnow() - OWNER_GONE_AFTER))
                .order_by(DigestClaim.on_date, DigestClaim.channel_id))).all()
            ids = {key.removeprefix(CARD_CLAIM): (day, why) for key, day, why in claims}
            wanted = [int(text) for text in ids if text.isdigit()]
            rows = (await session.scalars(select(ExpectedStarterRow).where(
                ExpectedStarterRow.id.in_(wanted), ExpectedStarterRow.status == Status.EXPECTED.value,
                ExpectedStarterRow.card_activity_id.is_(None)))).all() if wanted else []
        cards = [UnsentCard(_starter(row).reference, row.school_id, ids[str(row.id)][0],
                            ids[str(row.id)][1] or "claimed by a run that stopped before posting it") for row in rows]
        return sorted(cards, key=lambda card: (card.due, card.reference))

    async def card_posted(self, starter_id: int, conversation_id: str, activity_id: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(update(ExpectedStarterRow).where(ExpectedStarterRow.id == starter_id).values(
                card_conversation_id=conversation_id, card_activity_id=activity_id))

    async def arrived(self, starter: Starter, actor: Actor) -> bool:
        """`starter` as `cme.expected_starters.arrive` made it; False when it was no longer expected."""
        async with self._sessions.begin() as session:
            now = utcnow()
            changed = await session.execute(
                update(ExpectedStarterRow)
                .where(ExpectedStarterRow.id == starter.id, ExpectedStarterRow.status == Status.EXPECTED.value)
                .values(status=Status.ARRIVED.value, arrived_on=starter.arrived_on, pupil=pupil_to_json(starter.pupil),
                        previous_school=starter.previous_school, updated_at=now,
                        version=ExpectedStarterRow.version + 1))
            if changed.rowcount != 1:
                return False
            _event(session, starter.id, "arrived", {"arrived_on": starter.arrived_on.isoformat(),
                                                    "previous_school": bool(starter.previous_school)}, actor, now)
            return True

    async def claim_case(self, starter_id: int, actor: Actor) -> bool:
        """Mark a starter who did not arrive as becoming a case, before the case is made; False when it was no
        longer expected. A case made under it is found again by its submission key (`case_key`)."""
        async with self._sessions.begin() as session:
            now = utcnow()
            changed = await session.execute(
                update(ExpectedStarterRow)
                .where(ExpectedStarterRow.id == starter_id, ExpectedStarterRow.status == Status.EXPECTED.value)
                .values(status=Status.CASE.value, updated_at=now, version=ExpectedStarterRow.version + 1))
            if changed.rowcount != 1:
                return False
            _event(session, starter_id, "not_arrived", {}, actor, now)
            return True

    async def case_made(self, starter_id: int, case_id: int, reference: str, actor: Actor) -> None:
        async with self._sessions.begin() as session:
            now = utcnow()
            changed = await session.execute(
                update(ExpectedStarterRow)
                .where(ExpectedStarterRow.id == starter_id, ExpectedStarterRow.case_id.is_(None))
                .values(case_id=case_id, case_reference=reference, updated_at=now))
            if changed.rowcount == 1:
                _event(session, starter_id, "case_made", {"case": reference}, actor, now)

    async def history(self, starter_id: int) -> list[StarterEntry]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(ExpectedStarterEvent)
                                          .where(ExpectedStarterEvent.starter_id == starter_id)
                                          .order_by(ExpectedStarterEvent.id))).all()
            return [StarterEntry(row.at, row.actor_name, row.kind, row.data) for row in rows]


def case_key(starter_id: int) -> str:
    """The submission key of the case a non-arrival makes: made twice, it is one case."""
    return f"expected-starter-{starter_id}"
