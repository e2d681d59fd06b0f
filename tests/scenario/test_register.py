"""The authority keeps the child after removal from roll, and `register` shows its officers every child on it: a
removal confirmed, the officer finds the child on the register, opens the line and records "on roll at another
school"; the school's staff see the case closed for their school; another authority's officer sees nothing
(today is Monday 16 November 2026)."""

from __future__ import annotations

from datetime import date

from cme.lifecycle import Outcome, State
from tests.scenario.cards import actions_of, press
from tests.scenario.conftest import TODAY
from tests.scenario.connector import card_text
from tests.scenario.teams import AGGIE, EWAN, SAM, TARA
from tests.scenario.test_authorities import NADIA, _refer
from tests.scenario.test_my_cases import add
from tests.scenario.test_removal import by_verb, decide, officer_card, open_case, removal_requested


def line_open(card: dict, reference: str) -> dict:
    data = by_verb(card, "case.open")
    assert f"**{reference}**" in card_text(card)
    return {**data, "case": reference}


async def removed(teams, connector, services, store):
    """A case removed from roll: requested by Sam, agreed by Tara, confirmed by Sam."""
    case, _, sent = await removal_requested(teams, connector, services, NADIA, EWAN)
    await decide(teams, TARA, officer_card(sent), "Agree removal")
    to_sam = next(s for s in connector.to(SAM.personal_chat) if "Confirm removed" in actions_of(s.card or {}))
    await decide(teams, SAM, to_sam, "Confirm removed", return_sent_on=TODAY.isoformat(),
                 ctf_sent_on=TODAY.isoformat())
    return await store.cases.get(case.reference)


async def test_a_removed_child_is_found_on_the_register_and_recorded_on_roll_at_another_school(
        teams, connector, services, store):
    case = await removed(teams, connector, services, store)
    assert case.state is State.OUT_OF_PROVISION

    await teams.say(SAM, "my cases")
    assert case.reference not in card_text(connector.to(SAM.personal_chat)[-1].card)
    sams = card_text((await open_case(teams, connector, SAM, case)).card)
    assert "Closed for your school: removed from roll on 16 November 2026" in sams
    assert "Record where the child is" not in sams

    await teams.say(TARA, "register")
    register = connector.to(TARA.personal_chat)[-1]
    words = card_text(register.card)
    assert "Register: Example Borough Council" in words and f"**{case.reference}** Noor Madeup" in words
    assert "Out of provision: removed from roll, tracked by the local authority" in words
    assert "5 weeks missing" in words and "Oakwood Primary School (fictional)" in words

    await teams.say(NADIA, "register")
    assert case.reference not in card_text(connector.to(NADIA.personal_chat)[-1].card)
    await teams.submit(NADIA, {"verb": "tracking.school", "case": case.reference, "school_named": "Anywhere",
                               "start_date": TODAY.isoformat()})
    assert (await store.cases.get(case.reference)).state is State.OUT_OF_PROVISION

    await teams.submit(TARA, line_open(register.card, case.reference), reply_to=register.activity_id)
    tara_card = connector.to(TARA.personal_chat)[-1]
    text = card_text(tara_card.card)
    assert "Out of provision: 5 weeks missing" in text and "On roll at a school" in actions_of(tara_card.card)

    await teams.submit(TARA, by_verb(tara_card.card, "tracking.school",
                                     school_listed="Riverside Academy (fictional)", start_date=TODAY.isoformat()),
                       reply_to=tara_card.activity_id)
    after = await store.cases.get(case.reference)
    assert after.state is State.CLOSED and after.outcome is Outcome.ON_ROLL_ELSEWHERE
    assert after.new_school == "Riverside Academy (fictional)"
    history = await store.cases.history(after.id)
    assert (history[-1].kind, history[-1].actor_name) == ("tracking_outcome", TARA.name)
    updated = card_text(connector.to(TARA.personal_chat)[-1].cards)
    assert "Closed by the local authority: on roll at Riverside Academy (fictional)" in updated

    sams = card_text((await open_case(teams, connector, SAM, case)).card)
    assert "Closed for your school" in sams and "Riverside" not in sams

    await teams.say(TARA, "register")
    assert case.reference not in card_text(connector.to(TARA.personal_chat)[-1].card)


async def test_filters_and_pages_and_a_child_added_awaiting_a_school_place(teams, connector, services, store):
    for n in range(21):
        await add(services, "900001", f"Pupil{n:02d}", date(2026, 11, 2 + n % 5), risk_groups=("runaways",) if n < 3
                  else ())
    await add(services, "900003", "Northern", date(2026, 10, 1))
    await teams.install_personal(EWAN)
    await teams.say(EWAN, "register")
    first = connector.to(EWAN.personal_chat)[-1]
    assert "21 children on the register, longest missing first. Showing 1 to 20." in card_text(first.card)
    await teams.submit(EWAN, press(first.card, "Next page"), reply_to=first.activity_id)
    second = connector.to(EWAN.personal_chat)[-1].card
    assert "Showing 21 to 21." in card_text(second) and "Next page" not in actions_of(second)
    assert "Northern" not in card_text(second)

    await teams.submit(EWAN, press(first.card, "Apply", group="runaways"), reply_to=first.activity_id)
    narrowed = card_text(connector.to(EWAN.personal_chat)[-1].card)
    assert "3 children on the register matching the filters" in narrowed and "Runaway" in narrowed

    await teams.submit(EWAN, press(first.card, "Add to the register", forename="Waiting", surname="Placeholder",
                                   since="2026-11-02"), reply_to=first.activity_id)
    added = card_text(connector.to(EWAN.personal_chat)[-1].card)
    assert "Added to the register" in added and "Awaiting a school place or an appeal" in added
    assert "No school yet" in added
    await teams.submit(EWAN, press(first.card, "Apply", school="none"), reply_to=first.activity_id)
    assert "**CME-" in card_text(connector.to(EWAN.personal_chat)[-1].card) and \
        "1 child on the register matching the filters" in card_text(connector.to(EWAN.personal_chat)[-1].card)


async def test_an_agency_referral_linked_to_a_school_goes_to_its_staff_with_its_clock(teams, connector, store):
    for user in (AGGIE, TARA, SAM, NADIA):
        await teams.install_personal(user)
    await _refer(teams, connector, AGGIE, "Linkable")
    referred = connector.to(AGGIE.personal_chat)[-1]
    reference = next(word.rstrip(":.") for word in card_text(referred.card).split() if word.startswith("CME-"))
    case = await open_case(teams, connector, TARA, await store.cases.get(reference))
    assert "No school yet: on the authority's register" in card_text(case.card)
    oakwood = await store.schools.by_urn("900001")
    hillside = await store.schools.by_urn("900003")

    await teams.submit(TARA, by_verb(case.card, "register.link", school_id=str(hillside.id),
                                     first_day="2026-11-09"), reply_to=case.activity_id)
    assert "Choose one of the authority's schools" in card_text(connector.to(TARA.personal_chat)[-1].card)
    mark = connector.mark()
    await teams.submit(TARA, by_verb(case.card, "register.link", school_id=str(oakwood.id),
                                     first_day="2026-11-09"), reply_to=case.activity_id)
    linked = await store.cases.get(reference)
    assert linked.school_id == oakwood.id and linked.first_day_absent == date(2026, 11, 9)
    assert "Linked to Oakwood Primary School (fictional)" in card_text(connector.to(TARA.personal_chat)[-1].card)
    to_sam = [s for s in connector.since(mark) if s.conversation_id == SAM.personal_chat]
    assert to_sam and "Linkable" in card_text(to_sam[-1].card) and "Day 6 of 20" in card_text(to_sam[-1].card)
    await teams.say(SAM, "my cases")
    assert reference in card_text(connector.to(SAM.personal_chat)[-1].card)
