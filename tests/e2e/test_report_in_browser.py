"""A member of staff reports a missing pupil in the playground's web page, as a person would: by the labels."""

from __future__ import annotations

import pytest

from cards.report_form import RISK_QUESTIONS
from tests.e2e.browser import (
    card_count,
    click_card_button,
    fill_by_label,
    last_card,
    open_conversation,
    open_playground_page,
    screenshot,
    send_text,
    wait_for_bot_message,
)

pytestmark = [pytest.mark.e2e]


async def test_report_a_pupil_in_chromium_with_a_mistake_corrected_on_the_card(playground):
    async with open_playground_page(playground.url) as page:
        await open_conversation(page, "Personal Chat")
        before = await card_count(page)
        await send_text(page, "report")
        form = await last_card(page, has_text="step 1 of 3", newer_than=before)

        await fill_by_label(form, "Pupil's forename", "Fern")
        await fill_by_label(form, "Pupil's surname", "Fictional")
        await fill_by_label(form, "Date of birth", "2014-09-02")
        await fill_by_label(form, "Sex", "Female")
        await fill_by_label(form, "Year group", "Year 7")
        await fill_by_label(form, "Home address", "3 Imaginary Lane, Exampleton")
        await fill_by_label(form, "Postcode", "not a postcode")
        await fill_by_label(form, "Parent or carer", "Kit Fictional")
        await fill_by_label(form, "Their telephone number", "07700 900333")
        await click_card_button(form, "Next")

        refused = await last_card(page, has_text="Please check 1 thing below")
        assert "postcode" in (await refused.inner_text()).lower()
        assert await refused.locator("input[value='Fern']").count() == 1  # what was typed is kept
        await fill_by_label(refused, "Postcode", "ZZ99 3ZZ")
        await click_card_button(refused, "Next")

        step2 = await last_card(page, has_text="step 2 of 3")
        await fill_by_label(step2, "First day of absence (Day 1)", "2026-11-12")
        await fill_by_label(step2, "Last day attended", "2026-11-11")
        await fill_by_label(step2, "What is known so far", "Family said to be moving")
        await click_card_button(step2, "Next")

        step3 = await last_card(page, has_text="step 3 of 3")
        for _, question in RISK_QUESTIONS:
            await fill_by_label(step3, question, "No")
        await click_card_button(step3, "Submit report")

        case = await wait_for_bot_message(page, "of 20 of continuous absence")
        text = await case.inner_text()
        await screenshot(page, "report-case-card")
        assert "Day 3 of 20" in text and "Next: Day 5 on Wednesday 18 November 2026" in text


async def test_a_date_after_today_is_refused_on_the_card_saying_why(playground):
    async with open_playground_page(playground.url) as page:
        await open_conversation(page, "Personal Chat")
        before = await card_count(page)
        await send_text(page, "report")
        form = await last_card(page, has_text="step 1 of 3", newer_than=before)
        for label, value in (("Pupil's forename", "Moss"), ("Pupil's surname", "Fictional"),
                             ("Date of birth", "2015-01-20"), ("Sex", "Not known"), ("Year group", "Year 6"),
                             ("Home address", "5 Pretend Close, Exampleton"), ("Postcode", "ZZ99 4ZZ"),
                             ("Parent or carer", "Ash Fictional"), ("Their telephone number", "07700 900444")):
            await fill_by_label(form, label, value)
        await click_card_button(form, "Next")

        step2 = await last_card(page, has_text="step 2 of 3")
        await fill_by_label(step2, "First day of absence (Day 1)", "2026-11-17")  # today is 16 November 2026
        await fill_by_label(step2, "Last day attended", "2026-11-17")
        await fill_by_label(step2, "What is known so far", "Not seen since")  # closes the date picker's popup
        await click_card_button(step2, "Next")

        await step2.get_by_text("The last day attended cannot be after today, 16 November 2026.").wait_for()
        said = await step2.inner_text()
        await screenshot(page, "report-date-after-today")
        assert "The first day of absence is needed, and cannot be after today, 16 November 2026." in said
        assert "Required." not in said and "step 2 of 3" in said
