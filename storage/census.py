"""The children on an authority's register on a census date, as the census needs them: one statement, no names.

On the register on the census date (what storage/register.py `on_register` says of today, on a day gone by):
missing from the first day of absence on or before it, and not yet off the register at the start of it. A case
still open, or out of provision (removed from roll, not located), is on the register still; a closed case was
until the day it closed (closed on the census date: the child was still missing that morning, so counted).
On a school's roll on the census date: a case of a school, not removed from roll by then (its off-roll date).
Only the date of birth is read of the pupil's details (a JSON field), never the name or address.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.census import CensusChild
from cme.lifecycle import TRACKING_STATES
from storage.engine.statements import Statements
from storage.models import CaseRow


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


class Census:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)

    async def children(self, authority_id: int, census_date: date, zone: ZoneInfo) -> list[CensusChild]:
        """Each child on the authority's register on `census_date` (local dates in `zone`)."""
        on_register_then = or_(CaseRow.closed_at.is_(None),
                               CaseRow.state.in_([state.value for state in TRACKING_STATES]),
                               CaseRow.closed_at >= _start_of(census_date, zone))
        rows = await self._sql.rows(
            select(CaseRow.sex, CaseRow.pupil["date_of_birth"].as_string().label("born"), CaseRow.first_day_absent,
                   CaseRow.reason, CaseRow.school_id, CaseRow.off_roll_date)
            .where(CaseRow.authority_id == authority_id, CaseRow.first_day_absent <= census_date, on_register_then)
            .order_by(CaseRow.id))
        return [CensusChild(sex=row.sex or "not_known", date_of_birth=_day(row.born),
                            first_day_absent=_day(row.first_day_absent), reason=row.reason or "",
                            on_roll=_on_roll(row.school_id, _day(row.off_roll_date), census_date))
                for row in rows]


def _on_roll(school_id: int | None, off_roll: date | None, census_date: date) -> bool:
    """On a school's roll that day: a case of a school, not removed from roll by then."""
    return school_id is not None and (off_roll is None or off_roll > census_date)


def _day(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None

