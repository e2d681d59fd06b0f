"""Steps that report a case in the Agents Playground, shared by the end-to-end tests."""

from __future__ import annotations

from tests.e2e.playground import card_text, cards_of
from tests.scenario.cards import press

PUPIL = {"forename": "Cora", "surname": "Fictional", "date_of_birth": "2015-05-20", "sex": "female",
         "year_group": "Year 6",
         "address": "7 Nowhere Road, Exampleton", "postcode": "ZZ99 1ZZ", "carer1_name": "Lee Fictional",
         "carer1_phone": "07700 900222"}
ABSENCE = {"first_day_absent": "2026-11-11", "last_day_attended": "2026-11-10", "known_so_far": "Not seen since"}
NO_RISK = {"risk_cp_plan": "no", "risk_looked_after": "no", "risk_harm": "no"}


def saying(text: str):
    return lambda event: any(text in card_text(card) for card in cards_of(event))


def card_of(event) -> dict:
    return cards_of(event)[0]


def reference_of(case_event) -> str:
    """A case card's title reads 'CME-2026-0042: Forename Surname'."""
    return card_text(card_of(case_event)).split(":")[0]


async def press_and_wait(playground, conversation, event, title, expect_text, what, **typed):
    mark = playground.mark()
    await playground.submit(conversation, event["message"]["messageId"], press(card_of(event), title, **typed))
    return await playground.expect(saying(expect_text), since=mark, what=what)


async def open_report_form(playground):
    chat = playground.personal_chat_id
    mark = playground.mark()
    await playground.say(chat, "report")
    return await playground.expect(saying("step 1 of 3"), since=mark, what="report form")


async def report_case(playground, *, pupil: dict | None = None, absence: dict | None = None,
                      risk: dict | None = None, expect_text: str = "of continuous absence"):
    """Sam Staff reports a pupil through the three steps; returns the case card's event."""
    chat = playground.personal_chat_id
    form = await open_report_form(playground)
    form = await press_and_wait(playground, chat, form, "Next", "step 2 of 3", "step 2", **(pupil or PUPIL))
    form = await press_and_wait(playground, chat, form, "Next", "step 3 of 3", "step 3", **(absence or ABSENCE))
    return await press_and_wait(playground, chat, form, "Submit report", expect_text, "case card",
                                **(risk or NO_RISK))


def action_with_verb(card: dict, verb: str) -> dict | None:
    """The first Submit or Execute action anywhere in the card (show-cards included) whose data has this verb."""
    if isinstance(card, list):
        return next((a for c in card if (a := action_with_verb(c, verb))), None)
    if not isinstance(card, dict):
        return None
    if str(card.get("type", "")).startswith("Action.") and (card.get("data") or {}).get("verb") == verb:
        return card
    return next((a for key, v in card.items() if key != "fallback" and isinstance(v, dict | list)
                 and (a := action_with_verb(v, verb))), None)
