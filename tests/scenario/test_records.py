"""Children's records under data protection law (issue 17 items 5-7), as the people in Teams see them: who opened a
case card, a wrong detail corrected from the card, and the administrator's retention card."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import text

from bot.daily.retention import run_retention
from cme.lifecycle import Outcome, State
from storage.cases import Actor, NewEvent
from tests.scenario.cards import actions_of, press, shown
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, EWAN, SAM, TARA
from tests.scenario.test_authorities import NADIA
from tests.scenario.test_my_cases import add


async def _open(teams, connector, user, reference: str) -> str:
    await teams.say(user, f"case {reference}")
    return card_text(connector.to(user.personal_chat)[-1].card)


async def test_who_opened_a_case_is_recorded_once_and_shown_to_whom_it_concerns(teams, connector, services, store):
    case = await add(services, "900001", "Peekaboo", date(2026, 11, 9))
    for person in (SAM, EWAN, TARA, ADAM, NADIA):
        await teams.install_personal(person)

    await _open(teams, connector, SAM, case.reference)
    await _open(teams, connector, EWAN, case.reference)
    said = await teams.say(TARA, f"case {case.reference}")
    await teams.post(said)  # Teams delivers the same activity again: one opening, not two
    opened = await store.case_views.of_case(case.id)
    assert [(v.viewer_name, v.viewer_role, v.inside_school, v.place) for v in opened] == [
        ("Tara Tracker", "CME Pupil Tracking Officer", False, "personal"),
        ("Ewan Welfare", "Education Welfare Service officer", False, "personal"),
        ("Sam Staff", "School staff", True, "personal")]

    sams = await _open(teams, connector, SAM, case.reference)
    outside = sams.split("Opened by people outside your school", 1)[1]
    assert "Ewan Welfare (Education Welfare Service officer), personal chat" in outside
    assert "Tara Tracker" in outside and "Sam Staff" not in outside, "his school's own staff are not listed"
    taras = await _open(teams, connector, TARA, case.reference)
    assert "Opened by" in taras and "Sam Staff (School staff)" in taras
    assert "Opened by" not in await _open(teams, connector, EWAN, case.reference), "EWS does not see openings"

    await teams.say(ADAM, f"who opened {case.reference}")
    adams = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert f"Who opened {case.reference}" in adams and "Ewan Welfare" in adams and "Peekaboo" not in adams
    await teams.say(NADIA, f"who opened {case.reference}")
    assert "cannot find a case" in connector.to(NADIA.personal_chat)[-1].text, "another authority's officer"
    await teams.say(SAM, f"who opened {case.reference}")
    assert "Ewan Welfare" not in (connector.to(SAM.personal_chat)[-1].text or ""), "not a command for school staff"


async def test_a_wrong_detail_is_corrected_with_its_reason_and_the_history_kept(teams, connector, services, store):
    case = await add(services, "900001", "Colin", date(2026, 11, 9))
    await teams.install_personal(SAM)
    await teams.say(SAM, f"case {case.reference}")
    card = connector.to(SAM.personal_chat)[-1]
    form = shown(card.card, "Correct a detail")

    await teams.submit(SAM, press(form, "Save correction", field="date_of_birth", value="2030-01-01",
                                  reason="Typed wrong"), reply_to=card.activity_id)
    refused = card_text(connector.to(SAM.personal_chat)[-1].card)
    assert "cannot be after today" in refused
    assert (await store.cases.get(case.reference)).pupil.date_of_birth == date(2016, 1, 5), "nothing saved"

    value = press(form, "Save correction", field="forename", value="Colinne", reason="Spelt as on the birth "
                                                                                     "certificate")
    await teams.submit(SAM, value, reply_to=card.activity_id)
    await teams.submit(SAM, value, reply_to=card.activity_id)  # a double click
    after = await store.cases.get(case.reference)
    assert after.pupil.forename == "Colinne"
    history = await store.cases.history(case.id)
    corrections = [e for e in history if e.kind == "corrected"]
    assert [(e.actor_name, e.data) for e in corrections] == [(SAM.name, {
        "field": "forename", "from": "Colin", "to": "Colinne", "reason": "Spelt as on the birth certificate"})]
    assert history[0].kind == "reported", "the history before it is as it was"
    shown_now = await _open(teams, connector, SAM, case.reference)
    assert "Colinne" in shown_now and "corrected forename (Spelt as on the birth certificate)" in shown_now


async def test_the_administrator_sees_what_is_due_and_what_was_erased(teams, connector, services, store):
    await teams.install_personal(ADAM)
    await teams.install_personal(SAM)
    gone = await add(services, "900001", "Longago", date(2018, 11, 9))
    await store.cases.record(replace(gone, state=State.CLOSED, outcome=Outcome.RETURNED),
                             NewEvent("outcome_recorded", {"outcome": "returned_to_school"},
                                      Actor(SAM.aad_object_id, SAM.name)))
    async with store.engine.begin() as connection:
        await connection.execute(text("UPDATE cases SET closed_at = :at WHERE id = :id"),
                                 {"at": datetime(2019, 1, 7, 10, tzinfo=UTC), "id": gone.id})

    await teams.say(ADAM, "retention")
    before = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert "Due for erasure at the next monthly run: 1" in before and gone.reference in before
    assert "Longago" not in before and "Erased: 0" in before

    report = await run_retention(services, date(2026, 11, 16))
    assert report.erased == [gone.reference]
    await teams.say(ADAM, "retention")
    after = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert "Due for erasure at the next monthly run: 0" in after and "Erased: 1" in after and gone.reference in after

    tombstone = await _open(teams, connector, SAM, gone.reference)
    assert "Longago" not in tombstone and "details erased at the end of retention" in tombstone
    assert "Correct a detail" not in actions_of(connector.to(SAM.personal_chat)[-1].card)
    await teams.say(SAM, "retention")
    assert "Erased" not in (connector.to(SAM.personal_chat)[-1].text or ""), "administrators only"


async def test_the_monthly_run_erases_once_a_month_whatever_runs_it(services, store):
    """`serve` tries each night; the first try of a month claims it, so two instances (or two nights) run it once."""
    from bot.daily.retention import monthly_retention

    first = await monthly_retention(services, date(2026, 11, 2))
    assert first is not None and first.erased == []
    assert await monthly_retention(services, date(2026, 11, 2)) is None, "another instance, the same night"
    assert await monthly_retention(services, date(2026, 11, 3)) is None, "the next night of the same month"
    assert await monthly_retention(services, date(2026, 12, 1)) is not None, "the next month"
