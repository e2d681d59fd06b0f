"""After removal from roll the authority keeps the child, end to end with `make run AS=tara,sam,nadia`: Sam Staff
asks for removal and confirms it in his playground; Tara Tracker agrees in hers, finds the child on her `register`,
opens the line and records "on roll at another school"; Nadia North, Northfield's officer, finds nothing of it on
hers."""

from __future__ import annotations

import asyncio

import pytest

from cme.removal import LEGAL_TESTS
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.patience import PATIENCE_S
from tests.e2e.playground import Playground, card_text, find_action
from tests.e2e.reporting import PUPIL, action_with_verb, card_of, reference_of, report_case, saying
from tests.e2e.test_each_person import ABSENCE, RunDemo, act, ready_for_removal

pytestmark = [pytest.mark.e2e]


@pytest.fixture
async def three(tmp_path):
    run = RunDemo(tmp_path, "tara,sam,nadia")
    playgrounds: dict[str, Playground] = {}
    try:
        people = await asyncio.wait_for(asyncio.to_thread(run.start), PATIENCE_S)
        assert set(people) == {"Tara Tracker", "Sam Staff", "Nadia North"}, "\n".join(run.banner)
        for name, (address, _) in people.items():
            key = name.split()[0].lower()
            playgrounds[key] = await Playground.attach(address, tmp_path / "playgrounds" / f"{key}.log")
    except BaseException:
        run.stop()
        raise
    yield playgrounds
    for playground in playgrounds.values():
        await playground.stop()
    run.stop()


async def in_personal_chat(playground, mark: int, expected: str, what: str):
    return await playground.expect(lambda ev: ev["actionConversationId"] == playground.personal_chat_id
                                   and saying(expected)(ev), since=mark, what=what)


async def agreed(tara, sam, forename: str) -> tuple[str, dict]:
    """Sam reports `forename` and asks for removal, Tara agrees on the card in her personal chat: the case's
    reference, and the school's next steps in Sam's personal chat."""
    case = await ready_for_removal(sam, await report_case(sam, pupil={**PUPIL, "forename": forename}, absence=ABSENCE))
    reference = reference_of(case)
    mark = tara.mark()
    await act(sam, case, "case.removal.request", "waiting for the CME Pupil Tracking Officer",
              **{key: "true" for key, _, _ in LEGAL_TESTS})
    hers = await in_personal_chat(tara, mark, f"Removal from roll requested: {reference}", "Tara's removal card")
    agree = find_action(card_of(hers), title="Agree removal")
    mark = sam.mark()
    answer = await tara.invoke(tara.personal_chat_id, hers["message"]["messageId"], agree["verb"], agree["data"],
                               title="Agree removal")
    assert "Agreed by Tara Tracker" in card_text(answer["value"])
    steps = await in_personal_chat(sam, mark, f"Removal from roll of {reference}", "the school's next steps")
    return reference, steps


async def removed(tara, sam) -> str:
    """Sam asks, Tara agrees on the card in her personal chat, Sam confirms: the case's reference."""
    reference, steps = await agreed(tara, sam, "Orla")
    confirm = find_action(card_of(steps), title="Confirm removed")
    answer = await sam.invoke(sam.personal_chat_id, steps["message"]["messageId"], confirm["verb"],
                              {**confirm["data"], "return_sent_on": E2E_TODAY, "ctf_sent_on": E2E_TODAY},
                              title="Confirm removed")
    assert "Removed from roll: confirmed by Sam Staff" in card_text(answer["value"])
    return reference


async def test_the_officer_finds_a_removed_child_on_the_register_and_records_a_new_school(three):
    tara, sam, nadia = three["tara"], three["sam"], three["nadia"]
    reference = await removed(tara, sam)

    mark = tara.mark()
    await tara.say(tara.personal_chat_id, "register")
    register = await in_personal_chat(tara, mark, "Register: Example Borough Council", "Tara's register")
    words = card_text(card_of(register))
    assert f"**{reference}** Orla Fictional" in words and "Out of provision" in words, words

    mark = tara.mark()
    await tara.submit(tara.personal_chat_id, register["message"]["messageId"],
                      {"verb": "case.open", "case": reference})
    case = await in_personal_chat(tara, mark, "Out of provision: 5 weeks missing", "the case card from the line")
    on_roll = action_with_verb(card_of(case), "tracking.school")
    assert on_roll is not None, card_text(card_of(case))
    mark = tara.mark()
    await tara.submit(tara.personal_chat_id, case["message"]["messageId"],
                      {**on_roll["data"], "school_listed": "Riverside Academy (fictional)", "start_date": E2E_TODAY})
    closed = await tara.expect(lambda ev: ev["message"]["messageId"] == case["message"]["messageId"]
                               and saying("Closed by the local authority: on roll at Riverside Academy")(ev),
                               since=mark, what="the case card, closed by the officer")
    assert "tracking.school" not in str(card_of(closed))

    mark = nadia.mark()
    await nadia.say(nadia.personal_chat_id, "register")
    hers = await in_personal_chat(nadia, mark, "Register: Northfield Council (fictional)", "Nadia's register")
    assert reference not in card_text(card_of(hers)) and "Orla" not in str(hers)
