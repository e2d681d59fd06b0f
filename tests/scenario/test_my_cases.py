"""`my cases`: a page of the open cases a person works on, most overdue first, then longest absent
(today is Monday 16 November 2026)."""

from __future__ import annotations

import re
from datetime import date

from cme.case import Case, Pupil
from cme.casework import record_outcome
from cme.lifecycle import Outcome, State
from storage.cases import Actor, NewEvent
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import RIYA, SAM


async def add(services, urn: str, forename: str, first_day: date, **fields) -> Case:
    school = await services.store.schools.by_urn(urn)
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, first_day_absent=first_day,
                run_start=first_day, pupil=Pupil(forename, "Listexample", date(2016, 1, 5)), **fields)
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(calendar))
    return case


def shown(card: dict) -> list[str]:
    return re.findall(r"\*\*(CME-\d{4}-\d{4})\*\*", card_text(card))


async def test_the_most_overdue_come_first_and_the_rest_page_by_page(teams, connector, services, store):
    recent = [await add(services, "900001", f"Recent{n:02d}", date(2026, 11, 12)) for n in range(22)]  # Day 3
    older = await add(services, "900001", "Older", date(2026, 11, 2), ews_contacted_on=date(2026, 11, 6),
                      checklist_completed_on=date(2026, 11, 6))  # Day 11, its Day 5 done
    overdue = await add(services, "900001", "Overdue", date(2026, 11, 9))  # Day 6, Day 5 not done
    closed = await add(services, "900001", "Closed", date(2026, 10, 1))
    change = record_outcome(closed, Outcome.RETURNED, date(2026, 11, 13))
    await store.cases.record(change.case, NewEvent(change.event, change.data, Actor(SAM.aad_object_id, SAM.name)))
    elsewhere = await add(services, "900002", "Riverside", date(2026, 10, 1))

    await teams.say(SAM, "my cases")
    first = connector.to(SAM.personal_chat)[-1]
    text = card_text(first.card)
    assert "24 open cases, overdue and longest absent first. Showing 1 to 20." in text
    page_one = shown(first.card)
    assert page_one[:2] == [overdue.reference, older.reference]
    assert page_one[2:] == sorted(c.reference for c in recent)[:18]
    assert "Overdue Listexample" in text and "Day 6" in text and "⚠ Day 5 overdue" in text
    assert elsewhere.reference not in text

    await teams.submit(SAM, press(first.card, "Show more"), reply_to=first.activity_id)
    second = connector.to(SAM.personal_chat)[-1]
    assert "Showing 21 to 24." in card_text(second.card)
    assert shown(second.card) == sorted(c.reference for c in recent)[18:]
    assert "Show more" not in card_text(second.card)

    await teams.say(RIYA, "my cases")
    assert shown(connector.to(RIYA.personal_chat)[-1].card) == [elsewhere.reference]
