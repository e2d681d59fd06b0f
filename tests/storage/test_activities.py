"""An activity's id recorded with its sender's roles read in the same call (one statement on PostgreSQL):
the same answers as recording it and reading the roles apart, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from bench.profile_submit import StatementLog
from cme.roles import Role
from storage.store import Store


async def test_the_roles_come_as_roles_of_gives_them_and_an_id_is_new_once(store):
    oak = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli",
                                  reminders_channel_id="19:oak@thread.tacv2")
    await store.people.grant("aad-sam", Role.SCHOOL_STAFF, actor="cli", name="Sam School", school_id=oak.id)
    await store.people.grant("aad-sam", Role.ADMIN, actor="cli")
    first, sam = await store.seen.first_time_from("activity-1", "aad-sam")
    assert first and sam == await store.people.roles_of("aad-sam")
    assert [g.role for g in sam.grants] == [Role.SCHOOL_STAFF, Role.ADMIN] and sam.name == "Sam School"
    assert sam.grants[0].school == oak
    again, _ = await store.seen.first_time_from("activity-1", "aad-sam")
    assert not again, "a redelivery"
    assert not await store.seen.first_time("activity-1")
    await store.seen.forget("activity-1")
    assert (await store.seen.first_time_from("activity-1", "aad-sam"))[0], "forgotten: Teams' retry is handled"


async def test_someone_unknown_or_without_a_role_comes_as_roles_of_gives_them(store):
    await store.people.grant("aad-nia", Role.ADMIN, actor="cli", name="Nia New")
    await store.people.revoke("aad-nia", Role.ADMIN, actor="cli")
    for aad, activity in (("aad-nobody", "activity-1"), ("aad-nia", "activity-2")):
        first, person = await store.seen.first_time_from(activity, aad)
        assert first and person == await store.people.roles_of(aad)
        assert (person.name, person.grants) == ("", ())


async def test_a_role_granted_or_revoked_counts_from_the_next_activity(store):
    await store.people.grant("aad-sam", Role.ADMIN, actor="cli", name="Sam School")
    assert (await store.seen.first_time_from("activity-1", "aad-sam"))[1].has(Role.ADMIN)
    await store.people.revoke("aad-sam", Role.ADMIN, actor="cli")
    assert not (await store.seen.first_time_from("activity-2", "aad-sam"))[1].grants
    await store.people.grant("aad-sam", Role.ADMIN, actor="cli")
    assert (await store.seen.first_time_from("activity-3", "aad-sam"))[1].has(Role.ADMIN)


async def test_one_activity_given_to_two_workers_at_once_is_new_to_one_of_them(database_url):
    workers = [Store.from_url(database_url), Store.from_url(database_url)]
    try:
        await workers[0].people.grant("aad-sam", Role.ADMIN, actor="cli", name="Sam School")
        for n in range(5):
            arrivals = await asyncio.gather(*(worker.seen.first_time_from(f"activity-{n}", "aad-sam")
                                              for worker in workers * 2))
            assert sorted(first for first, _ in arrivals) == [False, False, False, True]
            assert all(person.has(Role.ADMIN) for _, person in arrivals)
    finally:
        for worker in workers:
            await worker.close()


async def test_postgresql_records_the_id_and_reads_the_roles_in_one_statement(database_url):
    store, log = Store.from_url(database_url), StatementLog()
    postgresql = database_url.startswith("postgresql")
    if not postgresql:
        log.sqlite(store.engine)
    try:
        await store.people.grant("aad-sam", Role.ADMIN, actor="cli", name="Sam School")
        with log.asyncpg():
            log.recording = True
            first, sam = await store.seen.first_time_from("activity-1", "aad-sam")
            log.recording = False
    finally:
        await store.close()
    assert first and sam.has(Role.ADMIN)
    sent = [sql.split()[0] for sql in log.statements if sql.split()[0] not in ("BEGIN", "COMMIT")]
    # SQLite has no INSERT in a WITH: two calls in this process, no round trip.
    assert sent == (["WITH"] if postgresql else ["INSERT", "SELECT"]), log.statements
