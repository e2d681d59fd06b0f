"""Prepared statements (run on the driver) read and write what SQLAlchemy's own execution does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from storage.cases import NewEvent
from storage.engine.db import sessionmaker
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import CaseEvent, CaseRow, Counter, Person
from tests.storage.test_storage import DUE, REPORTER, new_case

BY_ID = select(CaseRow).where(CaseRow.id == bindparam("case_id"))
HISTORY = select(CaseEvent).where(CaseEvent.case_id == bindparam("case_id")).order_by(CaseEvent.id)
ADD_PERSON = insert(Person).values(aad_object_id=bindparam("aad"), name=bindparam("name"),
                                   created_at=bindparam("at"))


@pytest.fixture
def sql(store):
    return Statements(sessionmaker(store.engine))


async def test_a_prepared_read_gives_what_sqlalchemy_gives(store, sql):
    school = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    case, _ = await store.cases.create(replace(new_case(school.id), ews_contacted_on=date(2026, 11, 3)),
                                       NewEvent("reported", {"day": 1, "note": "née Ünïcode"}, REPORTER), DUE)
    parameters = {"case_id": case.id}
    for statement in (BY_ID, HISTORY):
        expected = await sql.rows(statement, parameters)
        prepared = await sql.rows(Prepared(statement), parameters)
        assert [tuple(row) for row in prepared] == [tuple(row) for row in expected]
        assert [row._asdict() for row in prepared] == [row._asdict() for row in expected]
    row = await sql.first(Prepared(BY_ID), parameters)
    assert row.pupil["forename"] == "Ada" and row.ews_contacted_on == date(2026, 11, 3)
    assert row.created_at.tzinfo is not None and row.risk_groups == ["young_carers"]
    assert await sql.first(Prepared(BY_ID), {"case_id": case.id + 1000}) is None


async def test_a_prepared_write_is_committed_and_counts_its_rows(store, sql):
    at = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    assert await sql.run(Prepared(ADD_PERSON), {"aad": "aad-1", "name": "Fictional Person", "at": at}) == 1
    count = select(func.count()).select_from(Person).where(Person.aad_object_id == "aad-1")
    assert await sql.value(count) == 1  # seen from another connection: committed
    upsert = Prepared(store.cases._count.statement)
    assert [await sql.returned(upsert, {"name": "test"}) for _ in range(3)] == [1, 2, 3]
    assert await sql.value(select(Counter.value).where(Counter.name == "test")) == 3


async def test_a_failed_prepared_statement_leaves_the_pool_usable(store, sql):
    at = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    await sql.run(Prepared(ADD_PERSON), {"aad": "aad-2", "name": "First", "at": at})
    with pytest.raises(IntegrityError):  # a second person with that id, refused as SQLAlchemy would say it
        await sql.run(Prepared(ADD_PERSON), {"aad": "aad-2", "name": "Second", "at": at})
    assert await sql.value(select(Person.name).where(Person.aad_object_id == "aad-2")) == "First"
    assert await sql.run(Prepared(ADD_PERSON), {"aad": "aad-3", "name": "Third", "at": at}) == 1


def test_a_statement_with_an_in_list_cannot_be_prepared(store):
    listed = Prepared(select(CaseRow).where(CaseRow.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="expanding"):
        listed.compiled(store.engine.dialect)


async def test_a_prepared_transaction_commits_together_or_not_at_all(store, sql):
    at = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    names = select(Person.name).where(Person.aad_object_id.like("tx-%")).order_by(Person.name)
    with pytest.raises(IntegrityError):
        async with sql.prepared_transaction() as connection:
            await connection.execute(Prepared(ADD_PERSON), {"aad": "tx-1", "name": "One", "at": at})
            await connection.execute(Prepared(ADD_PERSON), {"aad": "tx-1", "name": "Again", "at": at})
    assert await sql.values(names) == []
    async with sql.prepared_transaction() as connection:
        await connection.execute_many(Prepared(ADD_PERSON), [{"aad": f"tx-{n}", "name": f"Person {n}", "at": at}
                                                             for n in (1, 2)])
    assert await sql.values(names) == ["Person 1", "Person 2"]
