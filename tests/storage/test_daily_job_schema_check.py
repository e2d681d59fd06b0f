"""`cme-bot remind` and `cme-bot copp run` refuse a database whose schema is not current, as every command does, but
tell it without loading alembic (bot/daily/standalone.py): the same heads, the same answer as alembic's."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.daily.standalone import migration_heads, pending_heads
from storage.migrate import alembic_config, pending_revisions


def test_the_heads_are_alembics():
    assert migration_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def test_a_current_schema_passes_and_one_behind_or_never_migrated_does_not(store):
    assert await pending_heads(store.engine) == [] == await pending_revisions(store.engine)
    async with store.engine.begin() as connection:
        await connection.execute(text("DELETE FROM alembic_version"))
        await connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0014_card_texts')"))
    assert await pending_heads(store.engine) == sorted(migration_heads())
    assert await pending_revisions(store.engine)
    async with store.engine.begin() as connection:
        await connection.execute(text("DROP TABLE alembic_version"))
    assert await pending_heads(store.engine) == sorted(migration_heads())
    assert await pending_revisions(store.engine)
