"""The administrator's card lists the reminders (by case reference only) and the COPP panel's digests and packs
claimed and not posted."""

from __future__ import annotations

from datetime import date

from storage.copp import digest_key, pack_key
from storage.reminders import UNCERTAIN
from tests.ops.test_crash_mid_send import DAY_FIVE, three_cases_due_day_5
from tests.scenario.conftest import services, settings, teams  # noqa: F401 - the scenario's fixtures
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, TARA

SITTING = date(2026, 11, 16)


async def test_the_admin_card_lists_reminders_not_posted_by_reference(teams, connector, store):  # noqa: F811
    await teams.say(ADAM, "roles")
    assert "Reminders not confirmed posted" not in card_text(connector.to(ADAM.personal_chat)[-1].card)

    references = await three_cases_due_day_5(store, service_url=None)
    run = await store.reminders.start_run("killed-instance")
    await store.reminders.claim_due(DAY_FIVE, run)
    cut_off, refused, _untried = await store.reminders.to_send(run)
    assert await store.reminders.attempt(cut_off.id, run)
    assert await store.reminders.attempt(refused.id, run)
    await store.reminders.not_sent(refused.id, "not posted: 400 BadArgument")
    await store.reminders.end_run(run)
    assert [u.why for u in await store.reminders.unsent()][0] == UNCERTAIN

    await teams.say(ADAM, "roles")
    text = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert (f"Reminders not confirmed posted (the next run posts them): {references[0]} Day 5 (uncertain), "
            f"{references[1]} Day 5 (not posted), {references[2]} Day 5 (not posted)") in text
    assert "Imaginary" not in text and date(2016, 1, 2).isoformat() not in text


async def test_the_admin_card_lists_copp_posts_not_posted_of_its_authorities_only(teams, connector, store):  # noqa: F811
    borough = await store.schools.authority("Example Borough Council")
    north = await store.schools.authority("Northfield Council (fictional)")
    run = await store.reminders.start_run("killed-instance")
    for authority in (borough, north):
        refused = await store.reminders.claim_digest(digest_key(authority.id), SITTING, run)
        await store.reminders.digest_done(refused.id, None, "not posted: no reminders channel is set")
    cut_off = await store.reminders.claim_digest(pack_key(borough.id, TARA.aad_object_id), SITTING, run)
    await store.reminders.digest_attempt(cut_off.id)
    await store.reminders.end_run(run)

    await teams.say(ADAM, "roles")  # Example Borough's administrator
    text = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert ("COPP panel posts not confirmed posted (the next run posts them): Example Borough Council: the COPP "
            "digest of 16 November 2026 (not posted), Example Borough Council: the COPP pack of 16 November 2026 "
            "for Tara Tracker (uncertain)") in text
    assert "Northfield" not in text.split("COPP panel posts")[1].split("\n")[0], "another authority's left out"
