"""A second click on any step button, on the case card or a channel's Day 5 / Day 20 card, tells nobody again
(today is Monday 16 November 2026)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from bot.daily.reminders import run_daily_reminders
from cme.case import Carer, Case, Pupil
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.lifecycle import State
from cme.removal import LEGAL_TESTS
from storage.cases import Actor, NewEvent
from tests.scenario.cards import press, shown
from tests.scenario.conftest import TODAY
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, REMINDERS, SAM, TARA, TEAM

PUPIL = Pupil("Pip", "Inventwell", date(2015, 3, 4), address="5 Storybook Lane", postcode="ZZ99 7ZZ",
              carers=(Carer("Lou Inventwell", "07700 900777"),))
DAY_5 = dict(first_day_absent=date(2026, 11, 9), state=State.ENQUIRIES)   # Day 5 was Friday 13 November
DAY_20 = dict(first_day_absent=date(2026, 10, 12), state=State.CME_REFERRAL,  # Day 20 was Friday 13 November
              enquiry_kinds=frozenset({"phone_call", "home_visit"}), ews_contacted_on=date(2026, 10, 16),
              checklist_completed_on=date(2026, 10, 16))
ALL_TICKED = {f"check_{item}": "true" for item, _ in MISSING_PUPIL_CHECKLIST}
CONFIRMED = {key: "true" for key, _, _ in LEGAL_TESTS}


@dataclass(frozen=True)
class Button:
    surface: str  # "case card" or "channel card"
    title: str
    case: dict
    typed: dict = field(default_factory=dict)
    opens_checklist: bool = False  # the button is on the checklist the card opens
    told: int = 0  # places told by the first click: the officer's chat and the local authority's channel

    def __str__(self) -> str:
        return f"{self.surface}: {self.title}"


BUTTONS = [
    Button("case card", "EWS contacted", DAY_5, {"note": "Spoke to Ewan"}),
    Button("case card", "Missing pupil checklist", DAY_5),
    Button("case card", "Checklist complete", DAY_5, ALL_TICKED, opens_checklist=True),
    Button("case card", "Day 20 review", {**DAY_20, "cme_referral_on": date(2026, 11, 13)}, {"note": "Reviewed"}),
    Button("case card", "Complete CME referral", DAY_20, {"note": "Referred"}, told=2),
    Button("case card", "Send the request", {**DAY_20, "day20_review_on": date(2026, 11, 13),
                                             "cme_referral_on": date(2026, 11, 13)}, CONFIRMED, told=2),
    Button("case card", "Save outcome", DAY_5, {"outcome": "located_outside_area",
                                                "forwarding_address": "1 Elsewhere Row"}, told=2),
    Button("channel card", "EWS contacted", DAY_5),
    Button("channel card", "Open checklist", DAY_5),
    Button("channel card", "Checklist complete", DAY_5, ALL_TICKED, opens_checklist=True),
    Button("channel card", "Day 20 review done", {**DAY_20, "cme_referral_on": date(2026, 11, 13)}),
    Button("channel card", "Complete CME referral", {**DAY_20, "day20_review_on": date(2026, 11, 13)}, told=2),
    Button("channel card", "Send the request", {**DAY_20, "day20_review_on": date(2026, 11, 13)}, CONFIRMED, told=2),
]


async def add_case(services, fields: dict) -> Case:
    school = await services.store.schools.by_urn("900001")
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, pupil=PUPIL, run_start=fields["first_day_absent"], **fields)
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(calendar))
    return case


def told(connector, since: int) -> int:
    """Messages sent or changed in the tracking officer's personal chat and the local authority's channel."""
    return len([s for s in connector.since(since)
                if s.conversation_id == TARA.personal_chat or s.conversation_id.split(";")[0] == TEAM])


async def case_card_click(teams, connector, case: Case, button: Button):
    """Sam presses the button on his case card: returns the click, to send again."""
    await teams.say(SAM, f"case {case.reference}")
    card = connector.to(SAM.personal_chat)[-1]
    if button.opens_checklist:
        await teams.submit(SAM, press(card.card, "Missing pupil checklist"), reply_to=card.activity_id)
        card = connector.to(SAM.personal_chat)[-1]
    value = press(shown(card.card, button.title), "Save", **button.typed) if button.typed.get("note") \
        else press(card.card, button.title, **button.typed)
    return lambda: teams.submit(SAM, value, reply_to=card.activity_id)


async def channel_card_click(teams, connector, services, case: Case, button: Button):
    """Sam presses the button on the case's Day 5 or Day 20 card in the school's channel."""
    await run_daily_reminders(services, TODAY)
    post = next(s for s in connector.to(REMINDERS) if s.method == "POST" and case.reference in card_text(s.cards)
                and "[Open case in my chat]" in card_text(s.cards))
    where = dict(reply_to=post.activity_id, conversation=post.conversation_id, channel=REMINDERS)
    if button.opens_checklist:
        opened = press(post.card, "Open checklist")
        _, answer = await teams.invoke(SAM, opened["verb"], opened, **where)
        value = press(answer["value"], button.title, **button.typed)
        return lambda: teams.submit(SAM, value, reply_to=post.activity_id, channel=REMINDERS)
    data = press(post.card, button.title, **button.typed)
    return lambda: teams.invoke(SAM, data["verb"], data, **where)


@pytest.mark.parametrize("button", BUTTONS, ids=str)
async def test_a_second_click_tells_nobody_again(teams, connector, services, button):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    for user in (SAM, TARA):
        await teams.install_personal(user)
    case = await add_case(services, button.case)
    if button.surface == "case card":
        click = await case_card_click(teams, connector, case, button)
    else:
        click = await channel_card_click(teams, connector, services, case, button)

    before = connector.mark()
    await click()
    first = told(connector, before)
    assert first == button.told, f"the first click told {first} places"
    after_first = connector.mark()
    await click()
    assert told(connector, after_first) == 0, "the second click told the tracking officer again"
