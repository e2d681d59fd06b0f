"""An officer of one authority sees nothing of the other's, end to end: with both demonstration authorities loaded,
Sam Staff reports a pupil at Oakwood Primary School (Example Borough) in his playground; Nadia North, Northfield's
CME Pupil Tracking Officer, in hers, finds none of it in her `register`, `copp` and `stats`, and card submits she
forges naming the case are refused in words and change nothing."""

from __future__ import annotations

import pytest

from bot.ops.playgrounds import config_for, demo_people, read_playground
from storage.store import Store
from tests.e2e.bot_process import ROOT, BotProcess
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.playground import Playground, card_text, cards_of, text_of
from tests.e2e.reporting import PUPIL, card_of, reference_of, report_case, saying

pytestmark = [pytest.mark.e2e]

NORTHFIELD = "Northfield Council (fictional)"
PRIVATE = ("Ivo", "Nowhere Road", "ZZ99", "Oakwood", "07700")


@pytest.fixture
async def sam_and_nadia(tmp_path):
    """A bot of its own (other tests' cases would be in its counts), with Sam's playground and Nadia's."""
    bot = await BotProcess(tmp_path, env={"CME_TODAY": E2E_TODAY, "CME_SCHEDULER": "off"}).start()
    started: list = []
    try:
        started.append(await Playground(bot.endpoint, ROOT / "demo" / "playground.yml").start())
        nadia = next(p for p in demo_people() if p.name == "Nadia North")
        started.append(await Playground(bot.endpoint, config_for(read_playground(), nadia)).start())
        yield started[0], started[1], bot
    finally:
        for playground in started:
            await playground.stop()
        await bot.stop()


async def ask(playground: Playground, words: str, expected: str):
    mark = playground.mark()
    await playground.say(playground.personal_chat_id, words)
    return await playground.expect(lambda ev: ev["actionConversationId"] == playground.personal_chat_id
                                   and saying(expected)(ev), since=mark, what=f"the answer to {words!r}")


async def forged(nadia: Playground, on_card: dict, value: dict) -> str:
    """A card submit Nadia's client never offered her, on a card of hers: the bot's answer in words."""
    mark = nadia.mark()
    await nadia.submit(nadia.personal_chat_id, on_card["message"]["messageId"], value)
    answer = await nadia.expect(lambda ev: ev["actionConversationId"] == nadia.personal_chat_id
                                and ev["action"] == "createMessage" and bool(text_of(ev) or cards_of(ev)),
                                since=mark, what=f"the answer to a forged {value['verb']}")
    return text_of(answer) + "\n".join(card_text(card) for card in cards_of(answer))


async def history_of(bot: BotProcess, reference: str) -> tuple[list[str], str]:
    store = Store.from_url(bot.env["DATABASE_URL"])
    try:
        case = await store.cases.get(reference)
        return [entry.kind for entry in await store.cases.history(case.id)], case.reason
    finally:
        await store.close()


async def test_northfields_officer_sees_nothing_of_example_boroughs_case_and_cannot_change_it(sam_and_nadia):
    sam, nadia, bot = sam_and_nadia
    assert nadia.me["name"] == "Nadia North"
    case = await report_case(sam, pupil={**PUPIL, "forename": "Ivo"})
    reference = reference_of(case)
    assert "Oakwood Primary School (fictional)" in card_text(card_of(case))
    before = await history_of(bot, reference)

    register = await ask(nadia, "register", f"Register: {NORTHFIELD}")
    words = card_text(card_of(register))
    assert "0 children on the register" in words and reference not in words, words

    pack = await ask(nadia, "copp", f"COPP panel pack (as of today): {NORTHFIELD}")
    words = card_text(card_of(pack))
    assert "Children without provision 0" in words and reference not in words, words

    stats = await ask(nadia, "stats", f"Statistics: {NORTHFIELD}")
    words = card_text(card_of(stats))
    assert "Open cases: 0." in words and reference not in words, words

    key = "forged-" + E2E_TODAY
    for value in ({"verb": "case.open", "case": reference},
                  {"verb": "case.atrisk", "case": reference, "key": key, "risk_groups": "runaways",
                   "reason": "moved_no_school"},
                  {"verb": "case.ews", "case": reference, "key": key, "note": "Forged by another authority"}):
        said = await forged(nadia, register, value)
        assert f"I cannot find a case {reference} that you work on" in said, (value["verb"], said)

    assert await history_of(bot, reference) == before, "nothing changed"
    shown = card_text(card_of(await ask(sam, f"case {reference}", f"{reference}: Ivo Fictional")))
    assert "At-risk groups and reason updated" not in shown and "Moved address without a new school" not in shown
    for event in nadia.events:
        for private in PRIVATE:
            assert private not in str(event.get("message")), f"{private!r} reached Nadia"
