"""A deletion return made from a CME case is in the case's own history and on its case card: "deletion return DR-…
sent on …" by the school's staff, then "… acknowledged on …" by the tracking officer, once each however often the
buttons are pressed; a case already closed keeps the day it closed (today is Monday 16 November 2026)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.views.deletion_return_history import ACKNOWLEDGED, SENT, record_on_case
from cme.casework import record_outcome
from cme.deletion_return import DeletionReturn, Parent
from cme.lifecycle import Outcome
from storage.cases import Actor, NewEvent
from storage.models import CaseRow
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA
from tests.scenario.test_deletion_return import _agreed, _open_form
from tests.scenario.test_my_cases import add


def _returns(history) -> list[tuple[str, str]]:
    return [(entry.kind, entry.actor_name) for entry in history if entry.kind.startswith("deletion_return")]


async def test_the_return_sent_and_acknowledged_is_in_the_case_history_and_on_its_card(teams, connector, services,
                                                                                     store):
    case, to_sam = await _agreed(teams, connector, services)
    form = await _open_form(teams, connector, to_sam)
    value = press(form.card, "Send to the local authority")
    await teams.submit(SAM, value, reply_to=form.activity_id)
    [made] = await store.deletion_returns.outstanding([case.authority_id])
    assert _returns(await store.cases.history(case.id)) == [(SENT, "Sam Staff")]

    await teams.say(SAM, f"case {case.reference}")
    said = card_text(connector.to(SAM.personal_chat)[-1].card)
    assert f"Sam: deletion return {made.reference} sent on 16 November 2026 (regulation 9(1)(i)" in said

    await teams.submit(SAM, value, reply_to=form.activity_id)  # a second click: nothing twice
    to_tara = [s for s in connector.to(TARA.personal_chat) if made.reference in card_text(s.card)][-1]
    for _ in range(2):
        await teams.invoke(TARA, "return.ack", {"id": str(made.id)}, reply_to=to_tara.activity_id,
                           conversation=TARA.personal_chat)
    assert _returns(await store.cases.history(case.id)) == [(SENT, "Sam Staff"), (ACKNOWLEDGED, "Tara Tracker")]
    await teams.say(SAM, f"case {case.reference}")
    said = card_text(connector.to(SAM.personal_chat)[-1].card)
    on = (await store.deletion_returns.get(made.id)).acknowledged_at.astimezone(services.settings.zone)
    assert f"Tara: deletion return {made.reference} acknowledged on {on:%-d %B %Y}" in said


async def test_a_return_on_a_closed_case_keeps_the_day_it_closed(services, store):
    case = await add(services, "900001", "Shut", date(2026, 10, 5))
    change = record_outcome(case, Outcome.RETURNED, date(2026, 11, 13))
    await store.cases.record(change.case, NewEvent(change.event, change.data, Actor(SAM.aad_object_id, SAM.name)))
    async with store.engine.connect() as connection:
        closed_at = (await connection.execute(select(CaseRow.closed_at).where(CaseRow.id == case.id))).scalar_one()
    school = await store.schools.by_urn("900001")
    made = DeletionReturn("a", date(2026, 11, 13), "Shut", "Listexample", "1 Lane, ZZ99 1ZZ",
                          (Parent("Jo Listexample", "1 Lane, ZZ99 1ZZ", "07700 900123"),))
    record, _ = await store.deletion_returns.create(made, school_id=school.id, authority_id=school.authority_id,
                                                    case_id=case.id, actor=Actor(SAM.aad_object_id, SAM.name),
                                                    submission_key="closed-case")
    assert await record_on_case(services, record, SENT)
    assert not await record_on_case(services, record, SENT)  # keyed: once
    assert not await record_on_case(services, record, ACKNOWLEDGED)  # not acknowledged yet
    async with store.engine.connect() as connection:
        after = (await connection.execute(select(CaseRow.closed_at).where(CaseRow.id == case.id))).scalar_one()
    assert closed_at is not None and after == closed_at  # its retention still counts from the day it closed
    assert _returns(await store.cases.history(case.id)) == [(SENT, "Sam Staff")]
