"""Revision 0019 on SQLite and PostgreSQL: the register's index holds what its walk checks, so the same pages and
counts come back with it and without it (children out of provision and closed ones among them), it undoes alone and
redoes; and on SQLite a count of the register, overdue only or not, reads that index and no case row."""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect

from cme.register import RegisterFilter
from storage.migrate import upgrade
from tests.storage.test_migrations import _differences, _downgrade
from tests.storage.test_register import TODAY, _register

FILTERS = (RegisterFilter(), RegisterFilter(overdue_only=True), RegisterFilter(overdue_only=True, group="runaways"),
           RegisterFilter(overdue_only=True, min_weeks=4), RegisterFilter(reason="moved_no_school", overdue_only=True))


async def _indexes(store) -> set[str]:
    async with store.engine.connect() as connection:
        return await connection.run_sync(lambda c: {index["name"] for index in inspect(c).get_indexes("cases")})


async def _every_page(store, authority_id: int, wanted: RegisterFilter) -> tuple[list[tuple], tuple[int, bool]]:
    lines, after = [], None
    while True:
        page = await store.register.page([authority_id], TODAY, wanted, after, limit=2)
        lines += [(line.case.reference, line.case.state.value, line.overdue, line.next_due) for line in page.lines]
        if page.next_key is None:
            counted = await store.register.counted([authority_id], TODAY, wanted)
            return lines, (counted.number, counted.whole)
        after = page.next_key


async def test_the_register_reads_the_same_with_the_index_and_without_and_it_undoes_alone(store):
    oak, _, cases = await _register(store)
    borough = oak.authority_id
    with_index = {wanted: await _every_page(store, borough, wanted) for wanted in FILTERS}
    overdue = [reference for reference, *_ in with_index[RegisterFilter(overdue_only=True)][0]]
    assert overdue == [cases["lost"].reference, cases["overdue"].reference]  # out of provision, and open
    assert with_index[RegisterFilter()][1] == (5, True)

    before = await _indexes(store)
    await _downgrade(store, "0017")  # the revision before 0019
    assert await _indexes(store) == before - {"ix_cases_register_checked"} | {"ix_cases_register"}
    assert {wanted: await _every_page(store, borough, wanted) for wanted in FILTERS} == with_index
    await upgrade(store.engine)
    assert await _differences(store) == []
    assert {wanted: await _every_page(store, borough, wanted) for wanted in FILTERS} == with_index


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL weighs its visibility map itself
async def test_a_count_of_the_register_reads_its_index_alone_on_sqlite(store):
    oak, _, _ = await _register(store)
    seen: list[tuple] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if "count(" in statement:
            seen.append((statement, parameters))

    event.listen(store.engine.sync_engine, "before_cursor_execute", grab)
    try:
        for wanted in (RegisterFilter(), RegisterFilter(overdue_only=True)):
            await store.register.counted([oak.authority_id], TODAY, wanted)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", grab)
    assert len(seen) == 2
    async with store.engine.connect() as connection:
        for statement, parameters in seen:
            plan = [row[3] for row in await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                         parameters)]
            assert any("COVERING INDEX ix_cases_register_checked" in step for step in plan), plan
