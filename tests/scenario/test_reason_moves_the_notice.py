"""The reason changed on the case card to or from one saying the pupil has left: the 1 to 10 day notice to the
tracking officer (policy 8.4.1) appears or goes on the card, in the history, in the tracking officer's `my cases`
and in the reminders, counted from the last day attended (today is Monday 16 November)."""

from __future__ import annotations

from datetime import date

from bot.daily.reminders import run_daily_reminders
from cme.case import Case, Pupil
from cme.deadlines import deadlines
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA
from tests.scenario.test_deadlines import cards_titled
from tests.scenario.test_reminders import installed

NOTIFY = "otify the CME Pupil Tracking Officer by"  # "Notify ..." or "Overdue: notify ..."


async def reported(services, forename: str, first_day: date, last_attended: date) -> Case:
    school = await services.store.schools.by_urn("900001")
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, first_day_absent=first_day,
                run_start=first_day, last_day_attended=last_attended, reason="unknown",
                pupil=Pupil(forename, "Listexample", date(2016, 1, 5)))
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(calendar) | deadlines(case, calendar, first_day))
    return case


async def change_reason(teams, connector, reference: str, reason: str) -> str:
    await teams.say(SAM, f"case {reference}")
    card = connector.to(SAM.personal_chat)[-1]
    await teams.submit(SAM, press(card.card, "Save groups and reason", reason=reason), reply_to=card.activity_id)
    return card_text(connector.to(SAM.personal_chat)[-1].card)


async def taras_cases(teams, connector) -> str:
    await teams.say(TARA, "my cases")
    return card_text(connector.to(TARA.personal_chat)[-1].card) + (connector.to(TARA.personal_chat)[-1].text or "")


async def test_the_notice_follows_the_reason_on_the_card_in_the_history_and_the_officers_list(teams, connector,
                                                                                              services, store):
    await installed(teams, connector)
    for person in (SAM, TARA):
        await teams.install_personal(person)
    case = await reported(services, "Wren", date(2026, 11, 2), date(2026, 10, 23))
    await teams.say(SAM, f"case {case.reference}")
    assert NOTIFY not in card_text(connector.to(SAM.personal_chat)[-1].card)
    assert f"**{case.reference}**" not in await taras_cases(teams, connector)

    shown = await change_reason(teams, connector, case.reference, "moved_no_school")
    assert "Overdue: notify the CME Pupil Tracking Officer by Friday 13 November 2026" in shown, shown
    assert "The CME Pupil Tracking Officer is to be told by Friday 13 November 2026 (policy 8.4.1)" in shown
    assert "Complete CME referral" in str(connector.to(SAM.personal_chat)[-1].card)
    assert f"**{case.reference}**" in await taras_cases(teams, connector), "the officer's from the notice's date"

    shown = await change_reason(teams, connector, case.reference, "unknown")
    assert NOTIFY not in shown and "No notice to the CME Pupil Tracking Officer is due now" in shown
    assert f"**{case.reference}**" not in await taras_cases(teams, connector)
    changes = [e for e in await store.cases.history(case.id) if e.kind == "at_risk_changed"]
    assert [(e.actor_name, e.data["notice"]) for e in changes] == [
        (SAM.name, {"before": None, "after": "2026-11-13"}), (SAM.name, {"before": "2026-11-13", "after": None})]


async def test_the_notice_added_by_a_new_reason_is_reminded_on_its_date_and_a_removed_one_is_not(teams, connector,
                                                                                                  services):
    await installed(teams, connector)
    await teams.install_personal(SAM)
    kept = await reported(services, "Kit", date(2026, 11, 11), date(2026, 11, 10))
    dropped = await reported(services, "Dot", date(2026, 11, 11), date(2026, 11, 10))
    shown = await change_reason(teams, connector, kept.reference, "withdrawn_no_alternative")
    assert "Notify the CME Pupil Tracking Officer by Tuesday 24 November 2026" in shown
    await change_reason(teams, connector, dropped.reference, "moved_no_school")
    await change_reason(teams, connector, dropped.reference, "hard_to_place")

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 24))
    assert [text.split("\n")[0] for text in cards_titled(connector, mark, "Tell the tracking officer")] == [
        f"Tell the tracking officer: {kept.reference}"]
