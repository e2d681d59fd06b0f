"""The children of an authority who may belong on the children not in school register (cme/cnis_register.py
decides): those on its register, and those it closed as in elective home education or other provision, each
with what the officer recorded about the provision."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.case import Case
from cme.cnis_register import Provision
from cme.lifecycle import Outcome
from storage.engine.statements import Statements
from storage.mapping import case_from_row
from storage.models import CaseEvent, CaseRow
from storage.register import on_register

_EDUCATED_ELSEWHERE = (Outcome.ELECTIVE_HOME_EDUCATION.value, Outcome.OTHER_PROVISION.value)


class CnisRegister:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sql = Statements(sessions)

    async def candidates(self, authority_ids: list[int]) -> list[tuple[Case, Provision]]:
        if not authority_ids:
            return []
        rows = await self._sql.rows(
            select(CaseRow).where(CaseRow.authority_id.in_(authority_ids),
                                  or_(on_register(), CaseRow.outcome.in_(_EDUCATED_ELSEWHERE)))
            .order_by(CaseRow.reference))
        cases = [case_from_row(row) for row in rows]
        providers = await self._providers([case.id for case in cases if case.outcome is Outcome.OTHER_PROVISION])
        return [(case, Provision(case.outcome, providers.get(case.id, ""))) for case in cases]

    async def _providers(self, case_ids: list[int]) -> dict[int, str]:
        """The provision each case's latest outcome named (a later outcome replaces an earlier one)."""
        if not case_ids:
            return {}
        events = await self._sql.rows(
            select(CaseEvent.case_id, CaseEvent.data).where(CaseEvent.case_id.in_(case_ids),
                                                            CaseEvent.kind == "tracking_outcome")
            .order_by(CaseEvent.id))
        return {event.case_id: (event.data or {}).get("provision", "") for event in events
                if (event.data or {}).get("outcome") == Outcome.OTHER_PROVISION.value}
