"""`my cases`' pages on SQLite and PostgreSQL (issue 18): the cases with a milestone overdue first, the longest
overdue first, then the others longest absent first, page after page with nothing shown twice or left out,
whichever side of that boundary a page starts; what is overdue follows the milestones as they are done, moved or
made due again (kept by triggers, migration 0013); and the count stops past COUNTED, the register's too (the card says "more than")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from cme.milestones import Milestone
from cme.paging import COUNTED, counted_text, open_cases_text
from storage.cases import NewEvent, Recorded
from storage.mapping import row_values
from storage.migrate import upgrade
from storage.models import CaseRow
from tests.storage.test_storage import REPORTER, new_case

TODAY = date(2026, 11, 16)


def _due(overdue: int, start: date, late: int = 3) -> tuple[dict, dict]:
    """Day 5 and Day 20 dates with `overdue` (0, 1 or 2) of them before today (Day 5 `late` days), none done."""
    day5 = TODAY - timedelta(days=late) if overdue else TODAY + timedelta(days=3)
    day20 = TODAY - timedelta(days=1) if overdue == 2 else TODAY + timedelta(days=10)
    return {Milestone.DAY_5: day5, Milestone.DAY_20: day20}, {"first_day_absent": start, "run_start": start}


async def test_pages_walk_the_overdue_then_the_rest_without_a_gap_or_a_repeat(store):
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    other = await store.schools.add("900002", "Riverside Academy (fictional)", "Example Borough Council",
                                    actor="test")
    expected = []
    for n in range(23):
        overdue = (2, 1, 0, 0, 1)[n % 5]
        start = date(2026, 10, 1) + timedelta(days=(n * 7) % 30)
        due, days = _due(overdue, start, late=1 + n % 4)
        case, _ = await store.cases.create(new_case(school.id, **days), NewEvent("reported", {}, REPORTER), due)
        expected.append((0, due[Milestone.DAY_5], start, case.reference) if overdue else (1, None, start,
                                                                                          case.reference))
    due, days = _due(2, date(2026, 9, 1), late=10)
    await store.cases.create(new_case(other.id, **days), NewEvent("reported", {}, REPORTER), due)  # not ours
    expected = [reference for *_, reference in sorted(expected, key=lambda e: (e[0], e[1] or TODAY, *e[2:]))]

    for size in (4, 5, 20):  # pages ending inside the overdue cases, on the boundary (14 overdue), and past it
        seen = []
        for offset in range(0, 30, size):
            total, page = await store.cases.open_page(TODAY, school_ids=[school.id], offset=offset, limit=size)
            assert total == 23
            seen += [case.reference for case in page]
        assert seen == expected, size
    # the authority's officer sees both schools' cases, the other school's (overdue longest) first
    total, page = await store.cases.open_page(TODAY, authority_ids=[school.authority_id], offset=0, limit=3)
    assert total == 24 and page[1].reference == expected[0] and page[0].school_id == other.id


async def test_the_count_stops_past_counted_and_the_card_says_more_than(store):
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    now = datetime.now(UTC)
    rows = [{**row_values(new_case(school.id, authority_id=school.authority_id)), "reference": f"CME-2026-{n:04d}",
             "submission_key": None, "created_by": REPORTER.aad_object_id, "created_at": now, "updated_at": now,
             "version": 1, "closed_at": None} for n in range(1, COUNTED + 6)]
    async with store.engine.begin() as connection:
        await connection.execute(insert(CaseRow), rows)
    total, page = await store.cases.open_page(TODAY, school_ids=[school.id])
    assert total == COUNTED + 1 and len(page) == 20
    assert [case.reference for case in page] == [f"CME-2026-{n:04d}" for n in range(1, 21)]
    total, page = await store.cases.open_page(TODAY, school_ids=[school.id], offset=COUNTED, limit=20)
    assert total == COUNTED + 1 and [case.reference for case in page][-1] == f"CME-2026-{COUNTED + 5:04d}"

    assert await store.register.count([school.authority_id], TODAY) == COUNTED + 1  # the register's too
    assert open_cases_text(COUNTED + 1) == "More than 1,000 open cases"
    assert counted_text(COUNTED + 1, "child", "children") == "More than 1,000 children"
    assert counted_text(1, "child", "children") == "1 child"
    assert open_cases_text(COUNTED) == "1,000 open cases" and open_cases_text(1) == "1 open case"


async def test_what_is_overdue_follows_the_milestones_done_made_due_again_and_moved(store):
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    due, days = _due(2, date(2026, 10, 1))
    late, _ = await store.cases.create(new_case(school.id, **days), NewEvent("reported", {}, REPORTER), due)
    due, days = _due(0, date(2026, 9, 1))
    calm, _ = await store.cases.create(new_case(school.id, **days), NewEvent("reported", {}, REPORTER), due)

    async def order() -> list[str]:
        return [case.reference for case in (await store.cases.open_page(TODAY, school_ids=[school.id]))[1]]

    assert await order() == [late.reference, calm.reference]  # overdue first, though absent for less long
    done = {Milestone.DAY_5: TODAY, Milestone.DAY_20: TODAY}
    assert await store.cases.record(late, NewEvent("done", {}, REPORTER), done=done) is Recorded.DONE
    assert await order() == [calm.reference, late.reference]  # nothing overdue: longest absent first
    late = await store.cases.by_id(late.id)
    assert await store.cases.record(late, NewEvent("reopened", {}, REPORTER), reopened=(Milestone.DAY_5,)) is (
        Recorded.DONE)
    assert await order() == [late.reference, calm.reference]  # its Day 5 due again, and past
    await store.cases.reschedule(calm.id, {Milestone.DAY_5: TODAY - timedelta(days=10)}, REPORTER)
    assert await order() == [calm.reference, late.reference]  # overdue for longer
    await store.cases.reschedule(calm.id, {Milestone.DAY_5: TODAY + timedelta(days=10)}, REPORTER)
    assert await order() == [late.reference, calm.reference]


async def test_the_upgrade_fills_in_what_is_overdue_for_the_cases_there_already(store):
    """Revision 0013 on a database of before: each case's earliest milestone not done, then kept by its triggers."""
    from sqlalchemy import update

    from storage.models import MilestoneRow
    from tests.storage.test_migrations import _downgrade

    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    due, days = _due(2, date(2026, 10, 1))
    late, _ = await store.cases.create(new_case(school.id, **days), NewEvent("reported", {}, REPORTER), due)
    await _downgrade(store, "0012")
    async with store.engine.begin() as connection:  # written by a version without the triggers
        await connection.execute(update(MilestoneRow).where(MilestoneRow.milestone == Milestone.DAY_5.value)
                                 .values(done_on=TODAY))
    await upgrade(store.engine)
    case = await store.cases.by_id(late.id)
    async with store.engine.connect() as connection:
        assert (await connection.execute(select(CaseRow.open_due_on).where(CaseRow.id == case.id))).scalar() == (
            due[Milestone.DAY_20])
    assert await store.cases.record(case, NewEvent("done", {}, REPORTER), done={Milestone.DAY_20: TODAY}) is (
        Recorded.DONE)
    async with store.engine.connect() as connection:
        assert (await connection.execute(select(CaseRow.open_due_on).where(CaseRow.id == case.id))).scalar() is None
