"""The expected starters' non-arrival cards, as the Day 5 and Day 20 reminders: `cme-bot remind --dry-run` lists
those due, and a card claimed and not posted (refused, or cut off) is on the administrator's card (their
authority's only) and in `cme-bot check`, by reference only (today is Monday 16 November 2026)."""

from __future__ import annotations

from datetime import date

from bot.daily.reminders import run_daily_reminders
from bot.ops.check import check_non_arrivals
from cme.case import Pupil
from cme.expected_starters import Starter, non_arrival_due
from storage.cases import Actor
from storage.expected_starters import CARD_CLAIM
from tests.scenario.conftest import TODAY, services, settings, teams  # noqa: F401 - the scenario's fixtures
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM

STAFF = Actor("aad-test", "Test Staff")


async def _starter(services, urn: str, forename: str, first_day: date) -> Starter:  # noqa: F811
    school = await services.store.schools.by_urn(urn)
    starter, _ = await services.store.expected_starters.add(Starter(school.id, Pupil(
        forename, "Unsentexample", date(2016, 1, 5), year_group="Year 5"), first_day), STAFF)
    return starter


async def test_the_dry_run_lists_the_non_arrival_cards_due(services, store):  # noqa: F811
    late = await _starter(services, "900001", "Late", date(2026, 11, 2))
    await _starter(services, "900001", "Future", date(2026, 11, 16))  # its 5 school days have not passed
    due = non_arrival_due(late, services.calendars.for_school(await store.schools.by_urn("900001")))
    report = await run_daily_reminders(services, TODAY, dry_run=True)
    assert [line for line in report.due if "non-arrival" in line] == [f"{late.reference} non-arrival card due {due}"]
    assert "Late" not in " ".join(report.lines())
    assert await store.expected_starters.unsent_cards() == []  # nothing claimed by a dry run


async def test_cards_not_posted_are_on_the_admin_card_and_in_check(teams, connector, services, store):  # noqa: F811
    refused = await _starter(services, "900001", "Refused", date(2026, 11, 2))
    cut_off = await _starter(services, "900002", "Cutoff", date(2026, 11, 2))
    north = await _starter(services, "900003", "North", date(2026, 11, 2))
    arrived = await _starter(services, "900001", "Arrived", date(2026, 11, 2))
    await teams.say(ADAM, "roles")
    assert "Non-arrival cards" not in card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert (await check_non_arrivals(store)).status == "ok"

    run = await store.reminders.start_run("killed-instance")
    for starter in (refused, north, arrived):
        claim = await store.reminders.claim_digest(f"{CARD_CLAIM}{starter.id}", date(2026, 11, 9), run)
        await store.reminders.digest_done(claim.id, None, "not posted: 403 Forbidden")
    claim = await store.reminders.claim_digest(f"{CARD_CLAIM}{cut_off.id}", date(2026, 11, 9), run)
    await store.reminders.digest_attempt(claim.id)
    await store.reminders.end_run(run)
    await store.expected_starters.claim_case(arrived.id, STAFF)  # no longer expected: no card to post

    await teams.say(ADAM, "roles")  # Example Borough's administrator
    text = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert (f"Non-arrival cards not confirmed posted (the next run posts them): {refused.reference} not arrived, "
            f"due 9 November 2026 (not posted), {cut_off.reference} not arrived, due 9 November 2026 (uncertain)"
            ) in text
    line = text.split("Non-arrival cards")[1].split("\n")[0]
    assert north.reference not in line and arrived.reference not in line and "Unsentexample" not in text

    checked = await check_non_arrivals(store)
    assert checked.status == "WARNING" and checked.detail.startswith("3 not confirmed posted: ")
    assert north.reference in checked.detail and arrived.reference not in checked.detail
