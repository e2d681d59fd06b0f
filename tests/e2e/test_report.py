"""Reporting a missing pupil in the Agents Playground, over its API and in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.playground import card_text
from tests.e2e.reporting import (
    ABSENCE,
    PUPIL,
    card_of,
    open_report_form,
    press_and_wait,
    reference_of,
    report_case,
    saying,
)
from tests.scenario.cards import press

pytestmark = [pytest.mark.e2e]

async def test_report_work_and_close_a_case_over_the_api(playground):
    chat = playground.personal_chat_id
    await playground.install(playground.team_id)
    form = await open_report_form(playground)

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
    await playground.install(playground.team_id)
    mark = playground.mark()
    case = await report_case(playground, pupil={**PUPIL, "forename": "Dora"}, expect_text="Day 1 risk: act now",
                             risk={"risk_cp_plan": "no", "risk_looked_after": "yes", "risk_harm": "no"})
    reference = reference_of(case)
    alert = await playground.expect(saying(f"Case {reference}"), since=mark, what="channel alert")
    assert alert["actionConversationId"].startswith(playground.channel_id("CME reminders"))
    assert "Dora" not in str(alert) and "Nowhere Road" not in str(alert)
