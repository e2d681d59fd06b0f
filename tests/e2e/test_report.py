"""Reporting a missing pupil in the Agents Playground, over its API and in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.playground import card_text, cards_of
from tests.scenario.cards import press

pytestmark = [pytest.mark.e2e]

PUPIL = {"forename": "Cora", "surname": "Fictional", "date_of_birth": "2015-05-20", "year_group": "Year 6",
         "address": "7 Nowhere Road, Exampleton", "postcode": "ZZ99 1ZZ", "carer1_name": "Lee Fictional",
         "carer1_phone": "07700 900222"}
ABSENCE = {"first_day_absent": "2026-11-11", "last_day_attended": "2026-11-10", "known_so_far": "Not seen since"}


def saying(text: str):
    return lambda event: any(text in card_text(card) for card in cards_of(event))


def card_of(event) -> dict:
    return cards_of(event)[0]


async def press_and_wait(playground, conversation, event, title, expect_text, what, **typed):
    mark = playground.mark()
    await playground.submit(conversation, event["message"]["messageId"], press(card_of(event), title, **typed))
    return await playground.expect(saying(expect_text), since=mark, what=what)


async def test_report_work_and_close_a_case_over_the_api(playground):
    chat = playground.personal_chat_id
    await playground.install(playground.team_id)
    mark = playground.mark()
    await playground.say(chat, "report")
    form = await playground.expect(saying("step 1 of 3"), since=mark, what="report form")

    form = await press_and_wait(playground, chat, form, "Next", "step 2 of 3", "step 2", **PUPIL)
    assert form["action"] == "updateMessage"
    refused = await press_and_wait(playground, chat, form, "Next", "was not a school day", "bad date refused",
                                   **{**ABSENCE, "first_day_absent": "2026-10-27"})
    text = card_text(card_of(refused))
    assert "Autumn half term" in text
    values = {i["id"]: i.get("value") for i in card_of(refused)["body"] if i.get("type", "").startswith("Input.")}
    assert values["known_so_far"] == "Not seen since" and values["last_day_attended"] == "2026-11-10"

    form = await press_and_wait(playground, chat, refused, "Next", "step 3 of 3", "step 3", **ABSENCE)
    mark = playground.mark()
    await playground.submit(chat, form["message"]["messageId"],
                            press(card_of(form), "Submit report", risk_cp_plan="no", risk_looked_after="no",
                                  risk_harm="no"))
    case = await playground.expect(saying("of 20 of continuous absence"), since=mark, what="case card")
    text = card_text(card_of(case))
    assert "Cora Fictional" in text and "Day 4 of 20" in text and "Next: Day 5 on Tuesday 17 November 2026" in text

    case = await press_and_wait(playground, chat, case, "Save enquiry", "Home visit logged", "first enquiry",
                                kind="home_visit", outcome="Nobody in")
    case = await press_and_wait(playground, chat, case, "Save enquiry", "Siblings' school logged", "second enquiry",
                                kind="siblings_school", outcome="Sibling also absent")
    text = card_text(card_of(case))
    assert "✅ Home visit" in text and "✅ Siblings' schools contacted" in text
    closed = await press_and_wait(playground, chat, case, "Save outcome", "Closed: Located in the area",
                                  "outcome", outcome="located_in_area")
    assert closed["action"] == "updateMessage"


async def test_a_risk_yes_gives_urgent_steps_and_a_channel_alert_without_the_name(playground):
    chat = playground.personal_chat_id
    await playground.install(playground.team_id)
    mark = playground.mark()
    await playground.say(chat, "report")
    form = await playground.expect(saying("step 1 of 3"), since=mark, what="report form")
    form = await press_and_wait(playground, chat, form, "Next", "step 2 of 3", "step 2",
                                **{**PUPIL, "forename": "Dora"})
    form = await press_and_wait(playground, chat, form, "Next", "step 3 of 3", "step 3", **ABSENCE)
    mark = playground.mark()
    await playground.submit(chat, form["message"]["messageId"],
                            press(card_of(form), "Submit report", risk_cp_plan="no", risk_looked_after="yes",
                                  risk_harm="no"))
    case = await playground.expect(saying("Day 1 risk: act now"), since=mark, what="urgent steps")
    reference = card_text(card_of(case)).split(":")[0]
    alert = await playground.expect(saying(f"Case {reference}"), since=mark, what="channel alert")
    assert alert["actionConversationId"].startswith(playground.channel_id("CME reminders"))
    assert "Dora" not in str(alert) and "Nowhere Road" not in str(alert)
