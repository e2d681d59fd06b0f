"""Export links (migration 0010): a link serves once, before it expires, and says why not afterwards; the clock is
the caller's, so no test sleeps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from storage.export_links import LinkState

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)


async def _issue(store, token_hash: str = "a" * 64, now: datetime = NOW):
    return await store.export_links.issue(token_hash, aad_object_id="aad-tara", person_name="Tara Tracker",
                                          kind="register", params={"stage": "reported"}, format="html", now=now,
                                          lifetime=FIVE)


async def test_a_link_serves_once_then_says_it_was_used(store):
    issued = await _issue(store)
    assert issued.expires_at == NOW + FIVE
    first = await store.export_links.claim("a" * 64, NOW + timedelta(minutes=1))
    assert first.state is LinkState.FRESH
    assert (first.link.aad_object_id, first.link.kind, first.link.params) == ("aad-tara", "register",
                                                                              {"stage": "reported"})
    again = await store.export_links.claim("a" * 64, NOW + timedelta(minutes=2))
    assert again.state is LinkState.USED and again.link.used_at == NOW + timedelta(minutes=1)
    kinds = [entry.kind for entry in await store.audit.recent(("export_link_issued", "export_link_used"))]
    assert kinds == ["export_link_used", "export_link_issued"]


async def test_a_link_works_until_it_expires_and_not_at_that_moment(store):
    await _issue(store, "b" * 64)
    await _issue(store, "c" * 64)
    assert (await store.export_links.claim("b" * 64, NOW + FIVE)).state is LinkState.EXPIRED
    assert (await store.export_links.claim("b" * 64, NOW)).state is LinkState.FRESH  # the row was left unused
    almost = NOW + FIVE - timedelta(microseconds=1)
    assert (await store.export_links.claim("c" * 64, almost)).state is LinkState.FRESH


async def test_an_unknown_link_is_unknown(store):
    await _issue(store)
    claim = await store.export_links.claim("f" * 64, NOW)
    assert claim.state is LinkState.UNKNOWN and claim.link is None


async def test_two_requests_at_once_get_one_export(store):
    await _issue(store)
    claims = await asyncio.gather(*(store.export_links.claim("a" * 64, NOW) for _ in range(5)))
    assert sorted(claim.state for claim in claims) == sorted([LinkState.FRESH] + [LinkState.USED] * 4)


async def test_only_the_tokens_hash_is_stored_and_expired_rows_go(store):
    await _issue(store, "d" * 64)
    await _issue(store, "e" * 64, now=NOW + timedelta(hours=2))
    async with store.engine.connect() as connection:
        assert (await connection.execute(text("SELECT token_hash FROM export_links ORDER BY id"))).scalars().all() \
            == ["d" * 64, "e" * 64]
    assert await store.export_links.forget_expired(NOW + timedelta(hours=1)) == 1
    assert (await store.export_links.claim("d" * 64, NOW)).state is LinkState.UNKNOWN
    assert (await store.export_links.claim("e" * 64, NOW + timedelta(hours=2))).state is LinkState.FRESH


LATER_TABLES = {"case_risk_groups", "register_tallies", "register_tally_changes"}  # revisions 0015, 0016


async def test_migration_0010_undoes_and_redoes_alone(store):
    """Its downgrade drops export_links and no other branch's table; upgraded again, links work."""
    from alembic import command
    from sqlalchemy import inspect

    from storage.migrate import alembic_config, upgrade

    config = alembic_config()

    def down(connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010_export_links")  # the revision joining the branches above it first
        command.downgrade(config, "0010_export_links@-1")

    def tables(connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    before = await _tables(store, tables)
    async with store.engine.begin() as connection:
        await connection.run_sync(down)
    # Undoing it undoes what is built on the revision joining it (0012) too: 0015's and 0016's tables go with it.
    assert before - await _tables(store, tables) - LATER_TABLES == {"export_links"}
    await upgrade(store.engine)
    assert await _tables(store, tables) == before
    await _issue(store)
    assert (await store.export_links.claim("a" * 64, NOW)).state is LinkState.FRESH


async def _tables(store, tables) -> set[str]:
    async with store.engine.connect() as connection:
        return await connection.run_sync(tables)
