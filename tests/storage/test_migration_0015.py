"""Revision 0015 on SQLite and PostgreSQL: the at-risk groups of the cases already there are filled in, the triggers
keep them as cases are added and changed whoever writes them, and it undoes alone and redoes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import DateTime, bindparam, inspect, text

from cme.register import RegisterFilter
from storage.cases import NewEvent
from storage.migrate import upgrade
from tests.storage.test_migrations import _undo_only
from tests.storage.test_storage import REPORTER, new_case

TODAY = date(2026, 12, 14)
CASES = (("CME-2025-0001", '["runaways", "young_carers"]', "2026-11-02"),
         ("CME-2025-0002", "[]", "2026-10-05"),
         ("CME-2025-0003", '["runaways", "runaways"]', "2026-09-01"))


async def _groups(store) -> set[tuple[str, str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(text(
            "SELECT cases.reference, g.risk_group, g.first_day_absent FROM case_risk_groups g "
            "JOIN cases ON cases.id = g.case_id WHERE g.authority_id = cases.authority_id"))
        return {(reference, group, str(day)) for reference, group, day in rows}


async def _schema(store) -> tuple[set[str], set[str]]:
    def read(connection):
        found = inspect(connection)
        return set(found.get_table_names()), {index["name"] for index in found.get_indexes("cases")}

    async with store.engine.connect() as connection:
        return await connection.run_sync(read)


async def _runaways(store, authority_id: int) -> list[str]:
    page = await store.register.page([authority_id], TODAY, RegisterFilter(group="runaways"))
    return [line.case.reference for line in page.lines]


async def test_the_groups_of_existing_cases_are_filled_kept_by_triggers_and_undone(store):
    oak = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council", actor="t")
    tables, indexes = await _schema(store)
    await _undo_only(store, "0015_register_filters")
    assert (await _schema(store)) == (tables - {"case_risk_groups"},
                                      indexes - {"ix_cases_register_stage", "ix_cases_register_school",
                                                 "ix_cases_register_reason"}
                                      # 0019, built on the revision joining 0015 to 0016, undone with it
                                      - {"ix_cases_register_checked"} | {"ix_cases_register"})
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    async with store.engine.begin() as connection:
        for reference, groups, day in CASES:
            query = text(
                "INSERT INTO cases (reference, school_id, authority_id, state, pupil, first_day_absent, run_start, "
                "risk, risk_groups, reason, known_so_far, details, created_by, created_at, updated_at, version) "
                f"VALUES (:reference, :school, :authority, 'reported', '{{}}', '{day}', '{day}', '{{}}', "
                f"'{groups}', '', '', '{{}}', 'aad-sam', :now, :now, 1)"
            ).bindparams(bindparam("now", type_=DateTime(timezone=True)))
            await connection.execute(query, {"reference": reference, "school": oak.id, "authority": oak.authority_id,
                                             "now": now})
    await upgrade(store.engine)
    assert await _schema(store) == (tables, indexes)
    assert await _groups(store) == {("CME-2025-0001", "runaways", "2026-11-02"),
                                    ("CME-2025-0001", "young_carers", "2026-11-02"),
                                    ("CME-2025-0003", "runaways", "2026-09-01")}
    assert await _runaways(store, oak.authority_id) == ["CME-2025-0003", "CME-2025-0001"]

    async with store.engine.begin() as connection:  # written by hand, not by the code: the triggers keep up
        await connection.execute(text("UPDATE cases SET risk_groups = '[\"exploitation\"]', first_day_absent = "
                                      "'2026-08-03' WHERE reference = 'CME-2025-0001'"))
        await connection.execute(text("UPDATE cases SET risk_groups = '[\"runaways\"]' "
                                      "WHERE reference = 'CME-2025-0002'"))
    added, _ = await store.cases.create(new_case(oak.id, risk_groups=("runaways",), first_day_absent=date(2026, 7, 1),
                                                 run_start=date(2026, 7, 1)), NewEvent("reported", {}, REPORTER), {})
    await store.cases.create(new_case(oak.id, risk_groups=()), NewEvent("reported", {}, REPORTER), {})  # no rows
    assert await _groups(store) == {("CME-2025-0001", "exploitation", "2026-08-03"),
                                    ("CME-2025-0002", "runaways", "2026-10-05"),
                                    ("CME-2025-0003", "runaways", "2026-09-01"),
                                    (added.reference, "runaways", "2026-07-01")}
    assert await _runaways(store, oak.authority_id) == [added.reference, "CME-2025-0003", "CME-2025-0002"]

    closed = "UPDATE cases SET state = 'closed', closed_at = CURRENT_TIMESTAMP WHERE reference = 'CME-2025-0002'"
    for statement, on_register in ((closed, False), ("UPDATE cases SET state = 'out_of_provision' "
                                                     "WHERE reference = 'CME-2025-0002'", True)):
        async with store.engine.begin() as connection:  # closed: off the register; out of provision: on it again
            await connection.execute(text(statement))
        assert (("CME-2025-0002", "runaways", "2026-10-05") in await _groups(store)) is on_register

    await _undo_only(store, "0015_register_filters")
    assert "case_risk_groups" not in (await _schema(store))[0]
    async with store.engine.begin() as connection:  # no trigger left behind to write to a table that is gone
        await connection.execute(text("UPDATE cases SET risk_groups = '[]' WHERE reference = 'CME-2025-0003'"))
    await upgrade(store.engine)
    assert await _runaways(store, oak.authority_id) == [added.reference, "CME-2025-0002"]
