"""When the Bot Connector refuses or hangs, the user still gets the answer, once, and the case changes once.

Teams redelivers an activity it has not had an answer to within 15 s; the tests wait as long as Teams does
and no longer, then deliver again as Teams would.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest

from cme.case import Carer, Case, Pupil
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from tests.scenario.cards import press, shown
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, REMINDERS, SAM, TARA, TEAM
from tests.scenario.test_report import ABSENCE, open_form, step
from tests.scenario.test_report import PUPIL as REPORTED_PUPIL

TEAMS_PATIENCE = 15.0  # seconds Teams waits for the bot's answer before it delivers the activity again

PUPIL = Pupil("Wren", "Falterby", date(2015, 6, 7), address="9 Papercloud Road", postcode="ZZ99 5ZZ",
              carers=(Carer("Robin Falterby", "07700 900555"),))


@pytest.fixture(autouse=True)
def answered_at_the_end(connector):
    """Calls left hanging get their answer when the test ends, so that the connector can stop."""
    yield
    connector.release()


def help_cards(connector, since: int = 0) -> list:
    return [s for s in connector.since(since) if s.conversation_id == SAM.personal_chat and s.cards
            and "**help**" in card_text(s.cards)]


async def answered(teams, activity: dict) -> tuple[int | None, float]:
    """The bot's HTTP status for the activity (None if Teams would have stopped waiting) and how long it took."""
    started = asyncio.get_running_loop().time()
    try:
        status, _ = await asyncio.wait_for(teams.post(activity), TEAMS_PATIENCE)
    except TimeoutError:
        status = None
    return status, asyncio.get_running_loop().time() - started


@pytest.mark.parametrize("retry_after", ["1", "date"])
async def test_a_reply_refused_with_429_waits_for_retry_after_and_arrives_once(teams, connector, retry_after):
    await teams.install_personal(SAM)
    if retry_after == "date":  # an HTTP date, as RFC 9110 allows; whole seconds, so 1-2 s from now
        retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    connector.refuse(429, retry_after=retry_after, conversation=SAM.personal_chat, code="Throttled")
    mark = connector.mark()
    refused_at = asyncio.get_running_loop().time()
    await teams.say(SAM, "help")
    replies = help_cards(connector, mark)
    assert len(replies) == 1, [s.text for s in connector.since(mark)]
    assert replies[0].at - refused_at >= 0.9, "the reply waited for Retry-After"
    assert not [s for s in connector.since(mark) if "Sorry" in s.text]


async def test_a_reply_refused_with_500_twice_arrives_once(teams, connector):
    await teams.install_personal(SAM)
    connector.refuse(500, times=2, conversation=SAM.personal_chat, code="InternalServerError")
    mark = connector.mark()
    await teams.say(SAM, "help")
    assert len(help_cards(connector, mark)) == 1
    assert not [s for s in connector.since(mark) if "Sorry" in s.text]


async def test_a_hung_connector_does_not_hold_the_turn_past_teams_patience(teams, connector):
    await teams.install_personal(SAM)
    connector.hang(conversation=SAM.personal_chat)
    status, took = await answered(teams, teams.activity(SAM, text="help"))
    print(f"\nanswered {status} after {took:.1f} s with the connector hung ({connector.hung} calls unanswered)")
    assert status is not None and took < TEAMS_PATIENCE, f"no answer within {TEAMS_PATIENCE:.0f} s"


async def test_a_redelivery_after_a_failed_reply_is_answered_and_the_step_is_taken_once(
        teams, connector, services, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    for user in (SAM, TARA):
        await teams.install_personal(user)
    school = await store.schools.by_urn("900001")
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, pupil=PUPIL, run_start=date(2026, 10, 12),
                first_day_absent=date(2026, 10, 12), state=State.CME_REFERRAL,  # Day 20 was Friday 13 November
                enquiry_kinds=frozenset({"phone_call", "home_visit"}), ews_contacted_on=date(2026, 10, 16),
                checklist_completed_on=date(2026, 10, 16), day20_review_on=date(2026, 11, 13))
    case, _ = await store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                       case.due_dates(calendar))
    await teams.say(SAM, f"case {case.reference}")
    card = connector.to(SAM.personal_chat)[-1]
    value = press(shown(card.card, "Complete CME referral"), "Save", note="Referred")
    click = teams.activity(SAM, value=value, replyToId=card.activity_id)

    mark = connector.mark()
    connector.hang(conversation=SAM.personal_chat)
    status, took = await answered(teams, click)
    print(f"\nfirst delivery answered {status} after {took:.1f} s ({connector.hung} calls unanswered)")
    connector.heal()
    again = connector.mark()
    redelivered, _ = await answered(teams, click)  # Teams delivers the same activity again

    assert redelivered in (200, 201)
    updated = [s for s in connector.since(again) if s.conversation_id == SAM.personal_chat
               and s.method == "PUT" and s.activity_id == card.activity_id]
    assert updated, "Sam's card was not answered after the redelivery"
    assert case.reference in card_text(updated[-1].card)
    kinds = [entry.kind for entry in await store.cases.history(case.id)]
    assert kinds.count("cme_referral_completed") == 1, kinds
    assert len([s for s in connector.since(mark) if s.conversation_id == TARA.personal_chat]) == 1, \
        "the tracking officer is told once, by whichever delivery recorded the step"


async def test_a_day_1_risk_report_whose_reply_teams_refused_alerts_the_channel_once(teams, connector, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(SAM)
    form = await open_form(teams, connector)
    form = await step(teams, connector, SAM, form, "Next", **REPORTED_PUPIL)
    form = await step(teams, connector, SAM, form, "Next", **ABSENCE)
    submit = teams.activity(SAM, value=press(form.card, "Submit report", risk_cp_plan="yes", risk_looked_after="no",
                                             risk_harm="no"), replyToId=form.activity_id)
    mark = connector.mark()
    connector.refuse(500, times=1000, conversation=SAM.personal_chat, code="InternalServerError")
    status, took = await answered(teams, submit)
    assert status == 503 and took < TEAMS_PATIENCE
    connector.rules.clear()
    redelivered, _ = await answered(teams, submit)

    assert redelivered in (200, 201)
    assert "submitted already as CME-" in connector.to(SAM.personal_chat)[-1].text
    assert await store.cases.count_open() == 1
    alerts = [s for s in connector.since(mark) if s.conversation_id.startswith(REMINDERS)]
    assert len(alerts) == 1 and "Urgent" in card_text(alerts[0].card)
