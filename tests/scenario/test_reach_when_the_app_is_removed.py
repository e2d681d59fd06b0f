"""A channel the app was removed from (Teams answers 403 or 404 there) is that channel's problem, not Teams being down
(bot/daily/reach.py): the daily job still posts into every other channel, however many channels refused first, tells
the administrators which channels refused, records their reminders not posted (the run's report and `cme-bot check`
name them), and once the app is added back the next run posts them (today is Monday 16 November 2026)."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.daily.claimed import post_claimed
from bot.daily.reach import EVERYWHERE, Reach
from bot.daily.reminders import RunReport, run_daily_reminders
from bot.ops.check import OK, WARNING, run_checks
from bot.sending.errors import ConversationGone
from bot.sending.throttle import Throttle
from bot.turn import Posted
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, REMINDERS, TEAM
from tests.scenario.test_reminders import add_case, channel_posts, installed

# More channels refusing than the failures in a row after which a run stops posting anywhere.
REMOVED = [f"19:cme-removed-{n}@thread.tacv2" for n in range(EVERYWHERE + 1)]
FIRST_DAY = date(2026, 11, 9)  # Day 5 on Friday 13 November
DAY_5 = date(2026, 11, 13)
CANNOT_POST = "I cannot post CME reminders to channel "


class OakwoodAfterTheOthers(Throttle):
    """The pacing of a busy run in which Oakwood's channel has its turn after every other channel has answered."""

    def __init__(self, others_answered: asyncio.Event) -> None:
        super().__init__()
        self.others_answered = others_answered

    async def slot(self, conversation_id: str):
        if conversation_id.startswith(REMINDERS):
            await asyncio.wait_for(self.others_answered.wait(), 10)
        return await super().slot(conversation_id)


async def _schools_whose_app_was_removed(services, connector) -> list:
    cases = []
    for n, channel in enumerate(REMOVED):
        await services.store.schools.add(f"9100{n:02d}", f"Removed School {n} (fictional)", "Example Borough Council",
                                         actor="test", reminders_channel_id=channel)
        cases.append(await add_case(services, FIRST_DAY, school_urn=f"9100{n:02d}"))
        connector.channels[TEAM].append({"id": channel, "name": f"CME {n}"})
    return cases


async def _when_told(connector, since: int, others_answered: asyncio.Event) -> None:
    """Sets `others_answered` once the administrator has been told of every removed channel."""
    for _ in REMOVED:
        told = await connector.wait_for(lambda sent: sent.text.startswith(CANNOT_POST), since=since, timeout=10)
        since = connector.sent.index(told) + 1
    others_answered.set()


async def test_channels_the_app_was_removed_from_do_not_stop_the_others_and_are_named(
        teams, connector, services, store, settings):
    await installed(teams, connector)
    removed = await _schools_whose_app_was_removed(services, connector)
    await teams.install_team(ADAM)  # the team's new channels
    oakwood = [await add_case(services, FIRST_DAY) for _ in range(3)]
    for n, channel in enumerate(REMOVED):  # removed from the team: Teams answers 403 or 404 in its channels
        connector.refuse(403 if n % 2 else 404, times=1000, conversation=channel,
                         code="BotNotInConversationRoster" if n % 2 else "ConversationNotFound")
    others_answered = asyncio.Event()
    mark = connector.mark()
    telling = asyncio.create_task(_when_told(connector, mark, others_answered))
    report = await run_daily_reminders(services, DAY_5, throttle=OakwoodAfterTheOthers(others_answered))
    await telling

    posted = [card_text(p.card) for p in channel_posts(connector, mark)]
    for case in oakwood:
        assert len([p for p in posted if f"Day 5: {case.reference}" in p]) == 1, (case.reference, report.lines())
    assert not report.reach.given_up and not any("gave up" in line for line in report.lines()), report.lines()
    for case, channel in zip(removed, REMOVED, strict=True):
        assert [line for line in report.not_posted if line.startswith(f"{case.reference} Day 5: channel {channel}: ")]
    told = [s.text for s in connector.since(mark) if s.text.startswith(CANNOT_POST)]
    assert sorted(text[len(CANNOT_POST):].split(": ")[0] for text in told) == sorted(REMOVED)

    lines = {line.what: line for line in await run_checks(settings)}
    for n, channel in enumerate(REMOVED):
        refused = lines[f"reminders channel of Removed School {n} (fictional) (9100{n:02d})"]
        assert refused.status == WARNING and channel in refused.detail and "cannot be reached" in refused.detail
        assert ("403" if n % 2 else "404") in refused.detail
    assert lines["reminders channel of Oakwood Primary School (fictional) (900001)"].status == OK
    for case in removed:
        assert f"{case.reference} Day 5 (not posted)" in lines["reminders"].detail
    for case in oakwood:
        assert case.reference not in lines["reminders"].detail

    connector.rules.clear()
    await teams.install_team(ADAM)  # the app added back to the team
    mark = connector.mark()
    report = await run_daily_reminders(services, date(2026, 11, 16))
    late = [card_text(p.card) for p in connector.since(mark) if p.method == "POST" and "Day 5:" in str(p.body)]
    for case in removed:
        assert len([p for p in late if f"Day 5: {case.reference}" in p]) == 1, (case.reference, report.lines())
    assert await store.reminders.unsent() == []


async def test_claimed_posts_refused_by_removed_channels_leave_teams_trusted(services, store):
    """The digests, the term dates warning, the non-arrival cards and the COPP posts (bot/daily/claimed.py)."""
    report, reach = RunReport(DAY_5), Reach()
    run = await store.reminders.start_run("test")

    async def removed() -> Posted:
        raise ConversationGone("403 BotNotInConversationRoster", 403)

    async def answered() -> Posted:
        return Posted("19:cme-reminders@thread.tacv2;messageid=1", "1")

    for channel in REMOVED:
        taken = await store.reminders.claim_digest(channel, DAY_5, run)
        assert await post_claimed(store, taken, f"overdue digest for {channel}", removed, report, reach=reach,
                                  channel_id=channel) is None
    taken = await store.reminders.claim_digest(REMINDERS, DAY_5, run)
    assert await post_claimed(store, taken, f"overdue digest for {REMINDERS}", answered, report, reach=reach,
                              channel_id=REMINDERS) is not None
    assert report.not_posted == [f"overdue digest for {channel}: 403 BotNotInConversationRoster"
                                 for channel in REMOVED]
    assert not reach.given_up and reach.gave_up(REMINDERS) is None
