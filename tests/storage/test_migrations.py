"""The migrations build the schema the code's models describe, on both databases, and undo cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import DateTime, bindparam, text

from storage.migrate import alembic_config, pending_revisions, upgrade
from storage.models import Base


async def _differences(store) -> list:
    def compare(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with store.engine.connect() as connection:
        return await connection.run_sync(compare)


async def _undo_only(store, revision: str) -> None:
    """Undo one branch's revision alone: first the revision joining the branches above it, then it."""
    await _downgrade(store, revision)
    await _downgrade(store, f"{revision}@-1")


async def test_the_migrated_database_matches_the_models(store):
    assert await pending_revisions(store.engine) == []
    assert await _differences(store) == []


async def _downgrade(store, revision: str) -> None:
    config = alembic_config()

    def run(connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with store.engine.begin() as connection:
        await connection.run_sync(run)


async def test_the_migrations_since_the_register_undo_and_redo(store):
    await _downgrade(store, "0005")  # every branch after 0005 and the revision joining them
    assert await pending_revisions(store.engine) != []
    assert await _differences(store) != []  # the tables and columns those migrations add are missing
    await upgrade(store.engine)
    assert await _differences(store) == []


async def test_existing_schools_cases_and_officers_go_to_one_authority(store):
    """Revision 0004: a deployment of before authorities keeps working as one authority."""
    await _downgrade(store, "0003")
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    statements = [
        "INSERT INTO schools (id, urn, name, authority, created_at) VALUES "
        "(1, '900001', 'Oakwood Primary School (fictional)', 'Example Borough Council', :now), "
        "(2, '900002', 'Riverside Academy (fictional)', 'Example Borough Council', :now)",
        "INSERT INTO people (id, aad_object_id, name, created_at) VALUES (1, 'aad-sam', 'Sam', :now), "
        "(2, 'aad-tara', 'Tara', :now), (3, 'aad-adam', 'Adam', :now), (4, 'aad-aggie', 'Aggie', :now)",
        "INSERT INTO roles (person_id, role, school_id, granted_by, granted_at) VALUES "
        "(1, 'school_staff', 1, 't', :now), (2, 'tracking_officer', NULL, 't', :now), "
        "(3, 'admin', NULL, 't', :now), (4, 'agency_referrer', NULL, 't', :now)",
        "INSERT INTO cases (reference, school_id, state, pupil, first_day_absent, run_start, risk, risk_groups, "
        "reason, known_so_far, details, created_by, created_at, updated_at, version) VALUES "
        "('CME-2026-0001', 1, 'reported', '{}', '2026-01-05', '2026-01-05', '{}', '[]', '', '', '{}', 'aad-sam', "
        ":now, :now, 1), ('CME-2026-0002', NULL, 'cme_referral', '{}', '2026-01-05', '2026-01-05', '{}', '[]', '', "
        "'', '{}', 'aad-aggie', :now, :now, 1)",
        "INSERT INTO settings (key, value) VALUES ('authority_reminders_channel_id', '19:la@thread.tacv2')",
    ]
    async with store.engine.begin() as connection:
        for statement in statements:
            query = text(statement)
            if ":now" in statement:
                query = query.bindparams(bindparam("now", type_=DateTime(timezone=True)))
            await connection.execute(query, {"now": now})
    await upgrade(store.engine)

    async with store.engine.connect() as connection:
        authorities = (await connection.execute(text("SELECT id, name, channel_id FROM authorities"))).all()
        assert [(name, channel) for _, name, channel in authorities] == [("Example Borough Council",
                                                                          "19:la@thread.tacv2")]
        one = authorities[0][0]
        assert (await connection.execute(text("SELECT DISTINCT authority_id FROM schools"))).scalars().all() == [one]
        assert (await connection.execute(text("SELECT DISTINCT authority_id FROM cases"))).scalars().all() == [one]
        roles = dict((await connection.execute(text("SELECT role, authority_id FROM roles"))).all())
        assert roles == {"school_staff": None, "tracking_officer": one, "admin": None, "agency_referrer": one}
        assert (await connection.execute(text("SELECT COUNT(*) FROM settings"))).scalar() == 0
    tara = await store.people.roles_of("aad-tara")
    assert tara.authority_ids() == [one]
    assert (await store.cases.get("CME-2026-0002")).authority_id == one


async def test_children_removed_from_roll_before_the_register_stay_on_it_out_of_provision(store):
    """Revision 0005: a case closed as removed from roll is moved to out of provision, with a history entry."""
    await _downgrade(store, "0004")
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    authority = await store.schools.add_authority("Example Borough Council", actor="test")
    async with store.engine.begin() as connection:
        query = text(
            "INSERT INTO cases (reference, school_id, authority_id, state, outcome, pupil, first_day_absent, "
            "run_start, risk, risk_groups, reason, known_so_far, details, created_by, created_at, updated_at, "
            "closed_at, version) VALUES "
            "('CME-2026-0001', NULL, :authority, 'closed', 'removed_from_roll', '{}', '2026-01-05', '2026-01-05', "
            "'{}', '[]', '', '', '{}', 'aad-sam', :now, :now, :now, 3), "
            "('CME-2026-0002', NULL, :authority, 'closed', 'returned_to_school', '{}', '2026-01-05', '2026-01-05', "
            "'{}', '[]', '', '', '{}', 'aad-sam', :now, :now, :now, 2)"
        ).bindparams(bindparam("now", type_=DateTime(timezone=True)))
        await connection.execute(query, {"now": now, "authority": authority.id})
    await upgrade(store.engine)

    removed, returned = await store.cases.get("CME-2026-0001"), await store.cases.get("CME-2026-0002")
    assert removed.state.value == "out_of_provision" and removed.version == 4
    assert returned.state.value == "closed"
    assert [entry.kind for entry in await store.cases.history(removed.id)] == ["kept_on_register"]
    assert [line.case.reference for line in (await store.register.page([authority.id], now.date())).lines] == [
        "CME-2026-0001"]
    await _downgrade(store, "0004")
    async with store.engine.connect() as connection:  # the code's own reads expect today's columns
        state = (await connection.execute(text("SELECT state FROM cases WHERE reference = 'CME-2026-0001'"))).scalar()
    assert state == "closed"
