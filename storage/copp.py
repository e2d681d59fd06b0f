"""The COPP panel's settings per authority, the children it is shown, and which of its posts went out.

The settings are a row of `settings` per authority (key `copp:<authority id>`), the defaults while there
is none. A panel's digest and each officer's pack are claimed as digests are (`digest_claims`, unique per
key and panel day, see storage/reminders.py): once per sitting with any number of instances.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Date, bindparam, exists, literal_column, or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from cme.case import Case
from cme.copp import PanelSchedule
from cme.deadlines import Due, kind_of
from cme.lifecycle import TRACKING_STATES
from cme.stats import LOCATED
from storage.audit import record_audit
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.mapping import case_from_row
from storage.models import CaseRow, DailyJobRun, DigestClaim, MilestoneRow, Setting
from storage.register import on_register
from storage.reminders import OWNER_GONE_AFTER, UNCERTAIN
from storage.tallies import ON_REGISTER, Tallies, hour_key
from storage.types import UTCDateTime, utcnow

PREFIX = "copp:"
TRACKING = frozenset(state.value for state in TRACKING_STATES)


def digest_key(authority_id: int) -> str:
    """The claim of the nameless digest in the authority's channel."""
    return f"{PREFIX}{authority_id}"


def pack_key(authority_id: int, aad_object_id: str) -> str:
    """The claim of one tracking officer's named pack."""
    return f"{PREFIX}{authority_id}:{aad_object_id}"


@dataclass(frozen=True)
class UnsentPanelPost:
    """A panel's digest (officer None) or an officer's pack claimed and not posted, that no running job is sending."""

    authority_id: int
    day: date
    officer: str | None  # the tracking officer's aadObjectId, for a pack
    why: str

    @property
    def uncertain(self) -> bool:
        """Its POST was cut off: Teams may have posted it."""
        return self.why == UNCERTAIN


@dataclass(frozen=True)
class PanelLists:
    """The first children of each of the panel's lists, each read by an index in its order: on the register longest
    missing first; reported since the sitting before (all, and those still on the register) and located since, in
    the order it happened; with an overdue action, longest overdue first. A closed child comes with when it closed."""

    open: list[Case]
    new: list[tuple[Case, datetime | None]]
    new_on_register: list[Case]
    located: list[tuple[Case, datetime]]
    overdue: list[Case]
    overdue_items: dict[int, list[Due]]  # by case id: its milestones and deadlines past due and not done


@dataclass(frozen=True)
class PanelTallies:
    open_by_state: dict[str, int]
    new: int
    new_on_register: int
    located: int
    overdue: int


_AUTHORITY = CaseRow.authority_id == bindparam("authority_id")
_LIMIT = bindparam("limit")
_NEW = CaseRow.created_at >= bindparam("new_from", type_=UTCDateTime)
_PANEL = {
    "open": select(CaseRow).where(_AUTHORITY, ON_REGISTER).order_by(CaseRow.run_start, CaseRow.reference),
    "new": select(CaseRow).where(_AUTHORITY, _NEW).order_by(CaseRow.created_at, CaseRow.id),
    "new_on_register": select(CaseRow).where(_AUTHORITY, _NEW, ON_REGISTER).order_by(CaseRow.created_at, CaseRow.id),
    "located": select(CaseRow).where(_AUTHORITY, CaseRow.closed_at >= bindparam("since_at", type_=UTCDateTime),
                                     CaseRow.outcome.in_([literal_column(f"'{o.value}'") for o in LOCATED]))
    .order_by(CaseRow.closed_at, CaseRow.id),
    "overdue": select(CaseRow).where(_AUTHORITY, CaseRow.closed_at.is_(None),
                                     CaseRow.open_due_on < bindparam("today", type_=Date))
    .order_by(CaseRow.open_due_on, CaseRow.run_start, CaseRow.reference),
}
_PANEL = {name: Prepared(query.limit(_LIMIT)) for name, query in _PANEL.items()}
DIGEST_ONLY = frozenset({"new", "overdue"})
_OVERDUE_ITEMS = (select(MilestoneRow.case_id, MilestoneRow.milestone)
                  .where(MilestoneRow.case_id.in_(bindparam("case_ids", expanding=True)), MilestoneRow.done_on.is_(None),
                         MilestoneRow.due_on < bindparam("today", type_=Date))
                  .order_by(MilestoneRow.case_id, MilestoneRow.due_on, MilestoneRow.milestone))


def _parse_key(key: str) -> tuple[int, str | None] | None:
    authority, _, officer = key.removeprefix(PREFIX).partition(":")
    return (int(authority), officer or None) if authority.isdigit() else None


class Copp:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)
        self._tallies = Tallies(sessions)

    async def schedule(self, authority_id: int) -> PanelSchedule:
        value = await self._sql.value(select(Setting.value).where(Setting.key == digest_key(authority_id)))
        return PanelSchedule.from_json(json.loads(value)) if value else PanelSchedule()

    async def set_schedule(self, authority_id: int, schedule: PanelSchedule, *, actor: str) -> None:
        value = json.dumps(schedule.as_json())
        async with self._sessions.begin() as session:
            row = await session.get(Setting, digest_key(authority_id))
            if row is None:
                session.add(Setting(key=digest_key(authority_id), value=value))
            else:
                row.value = value
            record_audit(session, actor, "copp_schedule_set", {"authority_id": authority_id, **schedule.as_json()})

    async def cases(self, authority_id: int, since: date) -> list[tuple[Case, datetime | None]]:
        """The children on the authority's register (its open cases and those out of provision after removal from
        roll, as open), and those closed on or after `since`, each with when it closed."""
        since_at = datetime.combine(since, time(), tzinfo=UTC)
        rows = await self._sql.rows(
            select(CaseRow).where(CaseRow.authority_id == authority_id,
                                  or_(on_register(), CaseRow.closed_at >= since_at))
            .order_by(CaseRow.run_start, CaseRow.id))
        return [(case_from_row(row), None if row.state in TRACKING else row.closed_at) for row in rows]

    async def add_tally_changes(self) -> None:
        """The tallies' changes added to them once many are waiting (storage/tallies.py), so that no read sums many."""
        await self._tallies.add_changes()

    async def tallies(self, authority_id: int, new_from: datetime, since: date, today: date) -> PanelTallies:
        """The panel's counts, from the authority's tallies: on the register by state; reported from `new_from` (on
        the hour); located from `since`; open with an action due before `today`."""
        tallies = self._tallies
        await tallies.add_changes()
        return PanelTallies(
            await tallies.by_key(authority_id, "state"),
            await tallies.total_since(authority_id, "created", hour_key(new_from)),
            await tallies.total_since(authority_id, "created_on_register", hour_key(new_from)),
            await tallies.total_since(authority_id, "located", since.isoformat()),
            await tallies.before(authority_id, "due", today.isoformat()))

    async def lists(self, authority_id: int, new_from: datetime, since: date, today: date, limit: int, *,
                    digest: bool = True) -> PanelLists:
        """The first `limit` children of each of the panel's lists, none read beyond them; without `digest`, only
        those the pack shows (not every new child, nor those with an overdue action)."""
        values = {"authority_id": authority_id, "limit": limit, "new_from": new_from, "today": today,
                  "since_at": datetime.combine(since, time(), tzinfo=UTC)}
        read = {name: [(case_from_row(row), row.closed_at) for row in await self._sql.rows(query, values)]
                if digest or name not in DIGEST_ONLY else [] for name, query in _PANEL.items()}
        items: dict[int, list[Due]] = {}
        shown = {case.id for cases in read.values() for case, _ in cases if case.is_open}
        overdue = await self._sql.rows(_OVERDUE_ITEMS, {"case_ids": sorted(shown), "today": today}) if shown else []
        for case_id, milestone in overdue:
            items.setdefault(case_id, []).append(kind_of(milestone))
        return PanelLists(
            [case for case, _ in read["open"]],
            [(case, None if case.state in TRACKING_STATES else closed) for case, closed in read["new"]],
            [case for case, _ in read["new_on_register"]], read["located"], [case for case, _ in read["overdue"]],
            items)

    async def sent(self, keys: list[str], day: date) -> set[str]:
        """Which of these claims were posted for the panel of `day`."""
        if not keys:
            return set()
        return set(await self._sql.values(select(DigestClaim.channel_id).where(
            DigestClaim.channel_id.in_(keys), DigestClaim.on_date == day, DigestClaim.sent_at.is_not(None))))

    async def unsent(self, authority_ids: list[int] | None = None) -> list[UnsentPanelPost]:
        """The digests and packs of each key's latest sitting claimed and not posted, that no running job holds (with
        `authority_ids`, only those authorities'): the next run posts them while that sitting is the latest."""
        later = aliased(DigestClaim)
        rows = await self._sql.rows(
            select(DigestClaim.channel_id, DigestClaim.on_date, DigestClaim.outcome)
            .where(DigestClaim.channel_id.startswith(PREFIX, autoescape=True), DigestClaim.sent_at.is_(None),
                   ~exists().where(DailyJobRun.run_id == DigestClaim.claimed_by,
                                   DailyJobRun.heartbeat_at >= utcnow() - OWNER_GONE_AFTER),
                   ~exists().where(later.channel_id == DigestClaim.channel_id, later.on_date > DigestClaim.on_date))
            .order_by(DigestClaim.on_date, DigestClaim.channel_id))
        posts = []
        for key, day, why in rows:
            parsed = _parse_key(key)
            if parsed and (authority_ids is None or parsed[0] in authority_ids):
                posts.append(UnsentPanelPost(parsed[0], day, parsed[1],
                                             why or "claimed by a run that stopped before posting it"))
        return posts
