"""When Teams refuses every post into a channel, the daily job stops trying it after a few failures (bot/daily/reach.py),
records the rest as not posted, and the next run posts each reminder once (today is Monday 16 November 2026)."""

from __future__ import annotations

from datetime import date

from bot.daily.reach import PER_CHANNEL, Reach
from bot.daily.reminders import run_daily_reminders
from tests.scenario.connector import card_text
from tests.scenario.teams import REMINDERS
from tests.scenario.test_reminders import add_case, channel_posts, installed

CASES = PER_CHANNEL + 2


async def test_a_channel_refusing_every_post_is_given_up_and_its_reminders_posted_once_later(
        teams, connector, services, store):
    await installed(teams, connector)
    cases = [await add_case(services, date(2026, 11, 9)) for _ in range(CASES)]  # Day 5 on Friday 13 November
    connector.refuse(400, times=1000, conversation=REMINDERS, code="BadRequest")
    mark = connector.mark()
    report = await run_daily_reminders(services, date(2026, 11, 13))
    assert channel_posts(connector, mark) == []
    assert report.posted == [] and len(report.not_posted) == CASES
    given_up = [line for line in report.not_posted if "gave up on this channel" in line]
    assert len(given_up) == CASES - PER_CHANNEL
    assert REMINDERS in report.reach.given_up and any("gave up on 1 channel" in line for line in report.lines())
    unsent = await store.reminders.unsent()
    assert sorted(ref for ref, _m, _why in unsent) == sorted(case.reference for case in cases)
    assert sum("gave up on this channel" in why for _r, _m, why in unsent) == CASES - PER_CHANNEL

    connector.rules.clear()
    mark = connector.mark()
    report = await run_daily_reminders(services, date(2026, 11, 16))
    posts = [card_text(p.card) for p in channel_posts(connector, mark)]
    for case in cases:
        assert len([p for p in posts if f"Day 5: {case.reference}" in p]) == 1, case.reference
    assert await store.reminders.unsent() == []
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 16))
    assert not [p for p in channel_posts(connector, mark) if "Day 5:" in card_text(p.card)]


def test_a_run_gives_up_a_channel_after_failures_in_a_row_and_everywhere_after_many():
    reach = Reach(per_channel=2, everywhere=5)
    reach.failed("a")
    reach.posted("a")
    reach.failed("a")
    assert reach.gave_up("a") is None, "a post in between starts the count again"
    reach.failed("a")
    assert "this channel" in reach.gave_up("a") and reach.gave_up("b") is None
    reach.failed("b")
    reach.failed("c")
    assert reach.gave_up("c") is None
    reach.failed("d")
    assert "Teams cannot be reached" in reach.gave_up("e") and "Teams cannot be reached" in reach.gave_up(None)
    assert reach.given_up == {"a"}
