"""Revision 0020 on SQLite and PostgreSQL: a milestone inserted moves its case's earliest due date only when it is
earlier, so whoever writes the milestones, and in whatever order, `my cases` and the register still see the earliest
due date not done; the revision undoes and redoes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from cme.milestones import Milestone
from storage.cases import NewEvent
from storage.mapping import row_values
from storage.migrate import upgrade
from storage.models import CaseRow, MilestoneRow
from tests.storage.test_migrations import _downgrade
from tests.storage.test_storage import REPORTER, new_case

DAY_5, DAY_20, DONE = date(2026, 11, 13), date(2026, 12, 1), date(2026, 11, 20)


async def _earliest(store, case_id: int) -> date | None:
    async with store.engine.connect() as connection:
        return (await connection.execute(select(CaseRow.open_due_on).where(CaseRow.id == case_id))).scalar()


async def _milestone(store, case_id: int, milestone: str, due_on: date, done_on: date | None = None) -> None:
    async with store.engine.begin() as connection:
        await connection.execute(insert(MilestoneRow).values(case_id=case_id, milestone=milestone, run_start=DAY_5,
                                                             due_on=due_on, done_on=done_on))


async def _case_without_milestones(store, school_id: int, reference: str) -> int:
    """A case row as a bulk load or an older version writes it: no earliest due date, its milestones after."""
    now = datetime.now(UTC)
    async with store.engine.begin() as connection:
        values = {**row_values(new_case(school_id)), "reference": reference, "open_due_on": None, "version": 1,
                  "submission_key": None, "created_by": REPORTER.aad_object_id, "created_at": now, "updated_at": now,
                  "closed_at": None}
        return (await connection.execute(insert(CaseRow).values(values).returning(CaseRow.id))).scalar()


async def _written_in_every_order(store, school_id: int, prefix: str) -> None:
    later_first = await _case_without_milestones(store, school_id, f"{prefix}-1")
    await _milestone(store, later_first, "day20", DAY_20)
    assert await _earliest(store, later_first) == DAY_20
    await _milestone(store, later_first, "day5", DAY_5)
    assert await _earliest(store, later_first) == DAY_5

    earlier_first = await _case_without_milestones(store, school_id, f"{prefix}-2")
    await _milestone(store, earlier_first, "day5", DAY_5)
    await _milestone(store, earlier_first, "day20", DAY_20)
    assert await _earliest(store, earlier_first) == DAY_5

    done_first = await _case_without_milestones(store, school_id, f"{prefix}-3")
    await _milestone(store, done_first, "day5", DAY_5, done_on=DONE)
    assert await _earliest(store, done_first) is None  # a milestone done is due no more
    await _milestone(store, done_first, "day20", DAY_20)
    assert await _earliest(store, done_first) == DAY_20


async def test_the_earliest_due_date_not_done_whoever_writes_the_milestones_and_in_any_order(store):
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    reported, _ = await store.cases.create(new_case(school.id), NewEvent("reported", {}, REPORTER),
                                           {Milestone.DAY_5: DAY_5, Milestone.DAY_20: DAY_20})
    assert await _earliest(store, reported.id) == DAY_5
    await _written_in_every_order(store, school.id, "CME-2026-9")

    await _downgrade(store, "0019")
    await _written_in_every_order(store, school.id, "CME-2026-8")
    await upgrade(store.engine)
    await _written_in_every_order(store, school.id, "CME-2026-7")
