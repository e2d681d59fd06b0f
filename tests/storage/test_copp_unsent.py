"""The COPP panel's digests and packs claimed and not posted are listed, as unsent reminders are (both databases)."""

from __future__ import annotations

from datetime import date

from storage.copp import digest_key, pack_key
from storage.reminders import UNCERTAIN
from tests.storage.test_reminder_claims import heartbeat_stops

SITTING, NEXT = date(2026, 11, 16), date(2026, 11, 30)
OFFICER = "00000000-0000-4000-8000-000000000a04"


async def test_unsent_panel_posts_of_the_latest_sitting_are_listed_per_authority(store):
    run = await store.reminders.start_run("host:1")
    refused = await store.reminders.claim_digest(digest_key(1), SITTING, run)
    await store.reminders.digest_attempt(refused.id)
    await store.reminders.digest_done(refused.id, None, "not posted: no reminders channel is set")
    cut_off = await store.reminders.claim_digest(pack_key(2, OFFICER), SITTING, run)
    await store.reminders.digest_attempt(cut_off.id)
    posted = await store.reminders.claim_digest(pack_key(1, OFFICER), SITTING, run)
    await store.reminders.digest_done(posted.id, "activity-1")
    await store.reminders.claim_digest("19:not-copp@thread.tacv2", SITTING, run)  # an overdue digest: not listed
    assert await store.copp.unsent() == [], "a running job is still sending them"

    await heartbeat_stops(store, run)
    unsent = await store.copp.unsent()
    assert [(u.authority_id, u.day, u.officer, u.uncertain) for u in unsent] == [
        (1, SITTING, None, False), (2, SITTING, OFFICER, True)]
    assert unsent[0].why == "not posted: no reminders channel is set"
    assert [u.authority_id for u in await store.copp.unsent([2])] == [2], "another authority's left out"

    later = await store.reminders.start_run("host:2")
    await store.reminders.digest_done((await store.reminders.claim_digest(digest_key(1), NEXT, later)).id, "a-2")
    await store.reminders.end_run(later)
    assert [u.authority_id for u in await store.copp.unsent()] == [2], "a later sitting makes the older one stale"
    assert UNCERTAIN == unsent[1].why
