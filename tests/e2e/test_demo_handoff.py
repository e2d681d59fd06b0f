"""The demonstration's hand-off at once, end to end with `make run AS=tara,nadia`: the demo data's child out of
provision (bot/ops/demo_child.py) is on Tara Tracker's register from the start; she records "Outside the area" to
Northfield Council (fictional); Nadia North's playground holds Northfield's own team, whose General channel is
Northfield's, and the nameless line arrives there; she accepts on it, and the child is on her register."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.patience import PATIENCE_S
from tests.e2e.playground import Playground, card_text, find_action
from tests.e2e.reporting import action_with_verb, card_of, saying
from tests.e2e.test_each_person import RunDemo
from tests.e2e.test_handoff import NORTHFIELD, choice_value
from tests.e2e.test_register import in_personal_chat

pytestmark = [pytest.mark.e2e]

CHILD = "Pip Fictional-Demo"
NORTH_CHANNEL = "19:cme-northfield@thread.tacv2"


@pytest.fixture
async def tara_and_nadia(tmp_path):
    run = RunDemo(tmp_path, "tara,nadia")
    playgrounds: list[Playground] = []
    try:
        people = await asyncio.wait_for(asyncio.to_thread(run.start), PATIENCE_S)
        assert set(people) == {"Tara Tracker", "Nadia North"}, "\n".join(run.banner)
        for name in ("Tara Tracker", "Nadia North"):
            key = name.split()[0].lower()
            playgrounds.append(await Playground.attach(people[name][0], tmp_path / "playgrounds" / f"{key}.log"))
    except BaseException:
        run.stop()
        raise
    yield playgrounds
    for playground in playgrounds:
        await playground.stop()
    run.stop()


async def test_the_demo_child_is_handed_to_northfield_and_accepted_in_its_own_channel(tara_and_nadia):
    tara, nadia = tara_and_nadia
    assert nadia.team_id == NORTH_CHANNEL and tara.team_id != NORTH_CHANNEL

    mark = tara.mark()
    await tara.say(tara.personal_chat_id, "register")
    register = await in_personal_chat(tara, mark, "Register: Example Borough Council", "Tara's register")
    words = card_text(card_of(register))
    assert CHILD in words and "Out of provision" in words, words
    reference = next(part.strip("*") for line in words.splitlines() if CHILD in line for part in line.split()
                     if part.strip("*").startswith("CME-"))

    mark = tara.mark()
    await tara.say(tara.personal_chat_id, f"case {reference}")
    case = await in_personal_chat(tara, mark, "Record where the child is", "Tara's case card")
    send = action_with_verb(card_of(case), "handoff.send")
    northfield = choice_value(card_of(case), "receiving_authority_id", NORTHFIELD)
    assert send is not None and northfield, card_text(card_of(case))
    nadia_mark = nadia.mark()
    await tara.submit(tara.personal_chat_id, case["message"]["messageId"],
                      {**send["data"], "receiving_authority_id": northfield,
                       "forwarding_address": "2 Elsewhere Road, Northfield"})

    line = await nadia.expect(lambda ev: ev["actionConversationId"].startswith(NORTH_CHANNEL)
                              and saying("handed over by Example Borough Council")(ev), since=nadia_mark,
                              what="the line in Northfield's General, in Nadia's playground")
    assert reference in card_text(card_of(line)) and "Pip" not in str(line)
    await in_personal_chat(nadia, nadia_mark, "Handed over by Example Borough Council", "the case in Nadia's chat")

    accept = find_action(card_of(line), title="Accept")
    answer = await nadia.invoke(line["message"]["postConversationId"], line["message"]["messageId"], accept["verb"],
                                accept["data"], title="Accept")
    assert "Accepted by Nadia North" in card_text(answer["value"]), card_text(answer["value"])
    mark = nadia.mark()
    await nadia.say(nadia.personal_chat_id, "register")
    hers = await in_personal_chat(nadia, mark, f"Register: {NORTHFIELD}", "Nadia's register")
    assert f"**{reference}** {CHILD}" in card_text(card_of(hers))
