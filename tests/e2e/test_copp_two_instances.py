"""The COPP panel posted once with two instances: two `cme-bot serve` processes on one PostgreSQL database, Sam Staff's
playground in front of one and Tara Tracker's in front of the other, as a load balancer would share them. When the
panel falls due both run the panel job at once; the authority's channel gets ONE digest, by reference and counts with
no pupil's name, and Tara ONE named pack in her personal chat."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.ops.playgrounds import config_for, demo_people, read_playground
from tests.databases import postgres_required
from tests.e2e.bot_process import ROOT, BotProcess
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.playground import Playground, card_text, cards_of
from tests.e2e.reporting import PUPIL, reference_of, report_case, saying

pytestmark = [pytest.mark.e2e]

AUTHORITY = "Example Borough Council"
DIGEST = f"Children Out of Provision Panel: {AUTHORITY}, Monday 16 November 2026"  # E2E_TODAY: a sitting's day
PACK = f"COPP panel pack: {AUTHORITY}, Monday 16 November 2026"
WREN = {**PUPIL, "forename": "Wren"}


@pytest.fixture
async def two_instances(tmp_path, databases):
    """(Sam's playground, Tara's playground, the first instance, the second), one database behind both."""
    if not postgres_required():
        pytest.skip("CME_TEST_POSTGRES=skip: two instances need a shared database server")
    url = await databases["postgresql"].new()
    env = {"CME_TODAY": E2E_TODAY, "CME_SCHEDULER": "off"}  # the panel job is run below, by each instance
    first = BotProcess(tmp_path, database_url=url, env=env)
    second = BotProcess(tmp_path, database_url=url, env=env)
    started: list = []
    try:
        await asyncio.to_thread(first.cli, "demo", "load")
        await asyncio.gather(first.start(demo=False), second.start(demo=False))
        sam = await Playground(first.endpoint, ROOT / "demo" / "playground.yml").start()
        started.append(sam)
        person = next(p for p in demo_people() if p.name == "Tara Tracker")
        tara = await Playground(second.endpoint, config_for(read_playground(), person)).start()
        started.append(tara)
        yield sam, tara, first, second
    finally:
        for playground in started:
            await playground.stop()
        await asyncio.gather(first.stop(), second.stop())
        await databases["postgresql"].drop(url)


def posted(run) -> int:
    return int(re.search(r"COPP panel: (\d+) posted", run.stdout).group(1))


async def settled(playground: Playground) -> None:
    """Whatever the bot sent this playground before now has arrived: a reply to a later message comes after it."""
    mark = playground.mark()
    await playground.say(playground.personal_chat_id, "help")
    await playground.expect(saying("What CME Tracker can do for you"), since=mark, what="the help card")


async def test_two_instances_post_the_panel_once_nameless_in_the_channel_named_to_the_officer(two_instances):
    sam, tara, first, second = two_instances
    assert sam.me["name"] == "Sam Staff" and tara.me["name"] == "Tara Tracker"
    await sam.install(sam.team_id)  # the team, with General (the authority's channel), through the first instance
    await settled(tara)  # Tara's personal chat known, through the second
    reference = reference_of(await report_case(sam, pupil=WREN))

    sam_mark, tara_mark = sam.mark(), tara.mark()
    runs = await asyncio.gather(*(asyncio.to_thread(bot.cli, "copp", "run", "--date", E2E_TODAY,
                                                    "--authority", AUTHORITY) for bot in (first, second)))
    outputs = [run.stdout for run in runs]
    assert sum(map(posted, runs)) == 2, outputs  # the digest and Tara's pack, each by one of the two

    digest = await sam.expect(saying(DIGEST), since=sam_mark, what="the digest in General")
    pack = await tara.expect(lambda ev: ev["actionConversationId"] == tara.personal_chat_id and saying(PACK)(ev),
                             since=tara_mark, what="Tara's pack in her personal chat")
    await settled(sam)
    await settled(tara)
    assert len(sam.events_since(sam_mark, saying(DIGEST))) == 1, "one digest"
    assert len(tara.events_since(tara_mark, saying(PACK))) == 1, "one pack"
    assert not tara.events_since(tara_mark, saying(DIGEST)), "the channel's card stays in the channel"
    assert not sam.events_since(sam_mark, saying(PACK)), "school staff have no pack"

    assert digest["actionConversationId"].startswith(sam.channel_id("General"))
    words = "\n".join(card_text(card) for card in cards_of(digest))
    assert "Children without provision 1" in words and f"**{reference}**" in words, words
    for private in ("Wren", "Fictional", "Nowhere Road", "ZZ99", "Oakwood", "2015"):
        assert private not in str(digest["message"]), f"{private!r} in the channel"
    named = card_text(cards_of(pack)[0])
    assert f"**{reference}** · Wren Fictional · Oakwood Primary School (fictional)" in named, named

    # A later run, by either instance, finds the sitting posted.
    again = await asyncio.to_thread(second.cli, "copp", "run", "--date", E2E_TODAY, "--authority", AUTHORITY)
    assert posted(again) == 0, again.stdout
