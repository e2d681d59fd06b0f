"""Who opened a case card, when and from where: one row an opening, never two for one (redelivered) activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.db import engine_of, insert_for
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import CaseViewRow
from storage.types import utcnow


@dataclass(frozen=True)
class CaseOpened:
    at: datetime
    viewer_aad_object_id: str
    viewer_name: str
    viewer_role: str
    inside_school: bool
    place: str


def _latest(*where) -> Prepared:
    """The latest openings of a case as the case card shows them (on the path of every case card, so prepared)."""
    return Prepared(select(CaseViewRow).where(CaseViewRow.case_id == bindparam("case_id"), *where)
                    .order_by(CaseViewRow.at.desc(), CaseViewRow.id.desc()).limit(bindparam("limit")))


_LATEST = {False: _latest(), True: _latest(CaseViewRow.inside_school.is_(False))}


class CaseViews:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)
        self._insert = insert_for(engine_of(sessions))

    async def record(self, case_id: int, *, aad_object_id: str, name: str, role: str, inside_school: bool,
                     place: str, activity_id: str | None) -> bool:
        """False when this activity's opening was recorded already (Teams delivered it twice)."""
        statement = self._insert(CaseViewRow).values(
            case_id=case_id, at=utcnow(), viewer_aad_object_id=aad_object_id[:64], viewer_name=name[:200],
            viewer_role=role[:40], inside_school=inside_school, place=place[:20], activity_id=activity_id,
        ).on_conflict_do_nothing(index_elements=[CaseViewRow.activity_id])
        return await self._sql.run(statement) == 1

    async def of_case(self, case_id: int, *, outside_school_only: bool = False, limit: int | None = None
                      ) -> list[CaseOpened]:
        """Newest first; `outside_school_only`: by people who are not staff of the case's school."""
        if limit:
            rows = await self._sql.rows(_LATEST[outside_school_only], {"case_id": case_id, "limit": limit})
            return [_opened(r) for r in rows]
        query = select(CaseViewRow).where(CaseViewRow.case_id == case_id)
        if outside_school_only:
            query = query.where(CaseViewRow.inside_school.is_(False))
        query = query.order_by(CaseViewRow.at.desc(), CaseViewRow.id.desc())
        return [_opened(r) for r in await self._sql.rows(query)]


def _opened(r) -> CaseOpened:
    return CaseOpened(r.at, r.viewer_aad_object_id, r.viewer_name, r.viewer_role, r.inside_school, r.place)
