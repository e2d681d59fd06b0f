"""A message as it arrives: its id recorded and its sender's roles read together, in one statement on PostgreSQL,
without changing who gets what: a redelivery answered once, a role's change seen from the next message."""

from __future__ import annotations

import asyncio

from bench.profile_submit import StatementLog
from cme.roles import Role
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM


async def test_help_sends_one_statement_on_postgresql(teams, connector, store, database_url):
    log = StatementLog()
    postgresql = database_url.startswith("postgresql")
    if not postgresql:
        await store.engine.dispose()  # the trace is set on the next connection SQLite's pool opens
        log.sqlite(store.engine)
    await teams.say(SAM, "help")  # the first message from a personal chat keeps its address
    with log.asyncpg():
        log.recording = True
        await teams.say(SAM, "help")
        log.recording = False
    assert "School staff (Oakwood Primary School (fictional))" in card_text(connector.to(SAM.personal_chat)[-1].card)
    sent = [sql.split()[0] for sql in log.statements if sql.split()[0] not in ("BEGIN", "COMMIT")]
    assert sent == (["WITH"] if postgresql else ["INSERT", "SELECT"]), log.statements


async def test_one_message_delivered_twice_at_once_is_answered_once(teams, connector):
    activity = teams.activity(SAM, text="help")
    answered = await asyncio.gather(teams.post(activity), teams.post(activity))
    assert [status for status, _ in answered] in ([200, 200], [201, 201], [200, 201], [201, 200])
    assert len(connector.to(SAM.personal_chat)) == 1


async def test_a_role_revoked_counts_from_the_next_message(teams, connector, store):
    await teams.say(SAM, "help")
    assert "School staff" in card_text(connector.to(SAM.personal_chat)[-1].card)
    oakwood = await store.schools.by_urn("900001")
    assert await store.people.revoke(SAM.aad_object_id, Role.SCHOOL_STAFF, actor="test", school_id=oakwood.id)
    await teams.say(SAM, "help")
    assert "You do not have a role" in card_text(connector.to(SAM.personal_chat)[-1].card)
    await store.people.grant(SAM.aad_object_id, Role.SCHOOL_STAFF, actor="test", school_id=oakwood.id)
    await teams.say(SAM, "help")
    assert "School staff (Oakwood Primary School (fictional))" in card_text(connector.to(SAM.personal_chat)[-1].card)
