"""The COPP panel's settings per authority, the children it is shown, and which of its posts went out.

The settings are a row of `settings` per authority (key `copp:<authority id>`), the defaults while there
is none. A panel's digest and each officer's pack are claimed as digests are (`digest_claims`, unique per
key and panel day, see storage/reminders.py): once per sitting with any number of instances.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.case import Case
from cme.copp import PanelSchedule
from cme.lifecycle import TRACKING_STATES
from storage.audit import record_audit
from storage.engine.statements import Statements
from storage.mapping import case_from_row
from storage.models import CaseRow, DigestClaim, Setting
from storage.register import on_register

PREFIX = "copp:"
TRACKING = frozenset(state.value for state in TRACKING_STATES)


def digest_key(authority_id: int) -> str:
    """The claim of the nameless digest in the authority's channel."""
    return f"{PREFIX}{authority_id}"


def pack_key(authority_id: int, aad_object_id: str) -> str:
    """The claim of one tracking officer's named pack."""
    return f"{PREFIX}{authority_id}:{aad_object_id}"


class Copp:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

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

    async def sent(self, keys: list[str], day: date) -> set[str]:
        """Which of these claims were posted for the panel of `day`."""
        if not keys:
            return set()
        return set(await self._sql.values(select(DigestClaim.channel_id).where(
            DigestClaim.channel_id.in_(keys), DigestClaim.on_date == day, DigestClaim.sent_at.is_not(None))))
