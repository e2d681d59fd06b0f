"""Which index a register page walks for its filters, and what it checks on each row that walk reads (migration 0015).

Stage, school, at-risk group and reason each have an index in the register's order (first day of absence, id) after
the authority and that filter's value; missing at least N weeks is a range of the first day in any of them. A page
walks the index of one of its filters (school, group, reason, stage: the fewest children first, as a rule) and
checks the others, and "overdue only", on the rows it reads. When it checks any, it reads at most SEARCHED rows of
the walk, so a rare combination costs a bounded page at 50,000 children, not all of them: the page says so.
Walking no filter's index, the register's own (ix_cases_register_checked, migration 0019) holds what is checked on
its rows (overdue, on the register), so those reads touch no case row; a group's walk reads each case it checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Text, cast, or_
from sqlalchemy.sql import ColumnElement, FromClause

from cme.lifecycle import TRACKING_STATES
from cme.register import NO_SCHOOL, RegisterFilter
from storage.models import CaseRiskGroupRow, CaseRow


def on_register():
    """The children on an authority's register: open cases, and those out of provision after removal."""
    return or_(CaseRow.closed_at.is_(None), CaseRow.state.in_([state.value for state in TRACKING_STATES]))


@dataclass(frozen=True)
class Walk:
    table: FromClause  # the table whose index is walked
    source: FromClause  # it joined to cases, for the page's columns
    day: ColumnElement  # the walk's order: first day of absence, then case id
    case_id: ColumnElement
    walked: list  # the conditions the index answers
    checked: list  # the conditions read on each row: none, and every row the walk reads is on the page
    on_register: list  # none when walking a stage or a group: their rows are all on the register

    def key(self):
        return self.day, self.case_id


def walk(authority_ids: list[int], today: date, filters: RegisterFilter) -> Walk:
    """The walk of the register for these filters."""
    checks = _checks(today, filters)
    driver = next((name for name in ("school", "group", "reason", "stage") if name in checks), None)
    if driver == "group":
        groups = CaseRiskGroupRow.__table__
        walked = [groups.c.authority_id.in_(authority_ids), groups.c.risk_group == filters.group]
        table, source, day, case_id = groups, groups.join(CaseRow, CaseRow.id == groups.c.case_id), \
            groups.c.first_day_absent, groups.c.case_id
    else:
        walked = [CaseRow.authority_id.in_(authority_ids)] + ([checks[driver]] if driver else [])
        table = source = CaseRow.__table__
        day, case_id = CaseRow.first_day_absent, CaseRow.id
    if filters.min_weeks:
        walked.append(day <= today - timedelta(weeks=filters.min_weeks))
    return Walk(table, source, day, case_id, walked, [check for name, check in checks.items() if name != driver],
                [] if filters.stage or driver == "group" else [on_register()])


def _checks(today: date, filters: RegisterFilter) -> dict[str, ColumnElement]:
    checks = {}
    if filters.stage:
        checks["stage"] = CaseRow.state == filters.stage
    if filters.school == NO_SCHOOL:
        checks["school"] = CaseRow.school_id.is_(None)
    elif filters.school_id is not None:
        checks["school"] = CaseRow.school_id == filters.school_id
    if filters.group:  # a key of the JSON list, quotes and all: the same text on both databases
        checks["group"] = cast(CaseRow.risk_groups, Text).contains(f'"{filters.group}"', autoescape=True)
    if filters.reason:
        checks["reason"] = CaseRow.reason == filters.reason
    if filters.overdue_only:  # its earliest milestone not done is past (kept by triggers, migration 0013)
        checks["overdue"] = CaseRow.open_due_on < today
    return checks
