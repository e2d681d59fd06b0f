"""At-risk groups and the reason kept current: changed from the case card by the school's staff and the authority's
officers, each change in the history with who and when; an officer of another authority changes nothing."""

from __future__ import annotations

from datetime import date

from bot.verbs import Verb
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA
from tests.scenario.test_authorities import NADIA
from tests.scenario.test_my_cases import add


async def _change(teams, connector, user, reference: str, groups: str, reason: str) -> str:
    await teams.say(user, f"case {reference}")
    card = connector.to(user.personal_chat)[-1]
    await teams.submit(user, press(card.card, "Save groups and reason", risk_groups=groups, reason=reason),
                       reply_to=card.activity_id)
    return card_text(connector.to(user.personal_chat)[-1].card)


async def test_staff_and_the_authoritys_officer_change_the_groups_with_history(teams, connector, services, store):
    case = await add(services, "900001", "Groupy", date(2026, 11, 9), risk_groups=("runaways",), reason="unknown")
    for person in (SAM, TARA, NADIA):
        await teams.install_personal(person)

    shown = await _change(teams, connector, SAM, case.reference, "runaways,young_carers", "moved_no_school")
    assert "Runaway, Young carer" in shown and "Moved address without a new school" in shown
    await _change(teams, connector, TARA, case.reference, "young_carers", "moved_no_school")

    after = await store.cases.get(case.reference)
    assert after.risk_groups == ("young_carers",) and after.reason == "moved_no_school"
    changes = [e for e in await store.cases.history(case.id) if e.kind == "at_risk_changed"]
    assert [(e.actor_name, e.data["added"], e.data["removed"]) for e in changes] == [
        (SAM.name, ["young_carers"], []), (TARA.name, [], ["runaways"])]
    assert changes[0].data["previous_reason"] == "unknown" and all(e.at for e in changes)

    await teams.say(SAM, f"case {case.reference}")
    assert "removed Runaway" in card_text(connector.to(SAM.personal_chat)[-1].card), "the history says so"

    await teams.submit(NADIA, {"verb": Verb.CASE_AT_RISK.value, "case": case.reference, "key": "x",
                               "risk_groups": "", "reason": "unknown"})
    assert "cannot find a case" in connector.to(NADIA.personal_chat)[-1].text
    assert (await store.cases.get(case.reference)).risk_groups == ("young_carers",), "another authority's officer"
