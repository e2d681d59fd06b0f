"""The migrations build the schema the code's models describe, on both databases, and undo cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.migrate import alembic_config, pending_revisions, upgrade
from storage.models import Base


async def _differences(store) -> list:
    def compare(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with store.engine.connect() as connection:
        return await connection.run_sync(compare)


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


async def test_the_latest_migration_undoes_and_redoes(store):
    await _downgrade(store, "-1")
    assert await pending_revisions(store.engine) != []
    assert await _differences(store) != []  # the index the latest migration adds is missing
    await upgrade(store.engine)
    assert await _differences(store) == []
