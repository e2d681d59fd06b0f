"""The case card a report submit sends is the card its reporter gets when they open the case again from `my cases`
(the submit shows what it wrote without reading it back)."""

from __future__ import annotations

from cards.validate import problems
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import REMINDERS, SAM, TARA, TEAM
from tests.scenario.test_report import ABSENCE, NO_RISK, PUPIL, report, the_case_card

NOTICE = "Reported as {reference}. Say this reference on the phone."


def without_notice_and_key(part, notice: str):
    """The card without the submit's notice (the card opened again has none) and with its one-off key blanked."""
    if isinstance(part, list):
        return [without_notice_and_key(each, notice) for each in part
                if not (isinstance(each, dict) and each.get("text") == notice)]
    if isinstance(part, dict):
        return {name: "…" if name == "key" else without_notice_and_key(value, notice) for name, value in part.items()}
    return part


async def open_from_my_cases(teams, connector, user):
    await teams.say(user, "my cases")
    listed = connector.to(user.personal_chat)[-1]
    mark = connector.mark()
    await teams.submit(user, press(listed.card, "Open"), reply_to=listed.activity_id)
    return next(s for s in connector.since(mark) if s.method == "POST")


async def test_the_card_after_a_submit_is_the_card_opened_again_from_my_cases(teams, connector, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(SAM)
    absence = {**ABSENCE, "reason": "moved_no_school"}  # left: the tracking officer's notice date is a milestone
    risk = {**NO_RISK, "risk_cp_plan": "yes"}  # a Day 1 risk: so is the notifications' deadline
    submitted = the_case_card(await report(teams, connector, SAM, PUPIL, absence, risk))
    text = card_text(submitted.card)
    reference = text.split(":")[0]
    notice = NOTICE.format(reference=reference)
    assert notice in text and "Sam: " in text and problems(submitted.card) == []
    assert "Notify the CME Pupil Tracking Officer by " in text and "Day 1 risk: act now" in text

    opened = await open_from_my_cases(teams, connector, SAM)
    assert notice not in card_text(opened.card) and reference in card_text(opened.card)
    assert without_notice_and_key(submitted.card, notice) == without_notice_and_key(opened.card, notice)
    assert without_notice_and_key(submitted.card, notice) != without_notice_and_key(submitted.card, "")

    case = await store.cases.get(reference)
    openings = await store.case_views.of_case(case.id)
    assert [(o.viewer_name, o.inside_school) for o in openings] == [("Sam Staff", True)]  # the opening, not the submit

    await teams.say(TARA, f"case {reference}")
    await teams.say(SAM, f"case {reference}")
    assert "Tara Tracker (CME Pupil Tracking Officer), personal chat" in card_text(
        connector.to(SAM.personal_chat)[-1].card)  # who looked, as before: the submit's card had none to show
