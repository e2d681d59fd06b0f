"""The fortnightly COPP panel: a nameless digest in the authority's channel, the named pack in each of its tracking
officers' personal chats, once per sitting with two instances, late rather than lost; `copp` on demand."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime

from bot.app import build_services, connect
from bot.daily.copp import run_copp
from bot.sending.channels import channel_reference
from cards.reminders import MAYBE_REPEAT
from cme.case import Case, Pupil
from cme.casework import record_outcome
from cme.lifecycle import Outcome, State
from storage.cases import Actor, NewEvent
from storage.copp import digest_key
from storage.store import Store
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, SAM, TARA, TEAM, User
from tests.storage.test_reminder_claims import heartbeat_stops

NADIA = User("00000000-0000-4000-8000-000000000a07", "Nadia North", "29:nadia-north")  # Northfield's officer
NORTH = "19:cme-northfield@thread.tacv2"
PANEL_DAY = date(2026, 11, 16)  # a Monday of the default fortnight


async def _setting_up(teams, connector, store) -> None:
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": NORTH, "name": "Northfield CME"}]
    for person in (TARA, NADIA, SAM):
        await teams.install_personal(person)
    await teams.install_team(ADAM)
    team = await store.conversations.get(TEAM)
    await store.conversations.save(NORTH, team.kind, channel_reference(team.reference, NORTH),
                                   tenant_id=team.reference.get("conversation", {}).get("tenantId"),
                                   team_id=team.team_id)


async def _case(services, urn: str, forename: str, first_day: date) -> Case:
    school = await services.store.schools.by_urn(urn)
    case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, pupil=Pupil(forename, "Imaginary"),
                first_day_absent=first_day, run_start=first_day)
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(services.calendars.for_school(school)))
    return case


async def _cases(services) -> tuple[Case, Case]:
    borough = await _case(services, "900001", "Eli", date(2026, 9, 14))  # Oakwood, Example Borough
    north = await _case(services, "900003", "Cy", date(2026, 11, 9))  # Hillside, Northfield
    return borough, north


def _posts(connector, mark, conversation: str) -> list[str]:
    return [card_text(s.card) for s in connector.since(mark)
            if s.method == "POST" and s.conversation_id.startswith(conversation) and s.card]


async def test_the_digest_is_nameless_in_the_channel_and_the_pack_named_for_the_authoritys_officer_only(
        teams, connector, services):
    await _setting_up(teams, connector, services.store)
    borough, north = await _cases(services)
    mark = connector.mark()
    report = await run_copp(services, on_date=PANEL_DAY)
    assert report.all_posted, report.lines()

    [digest] = _posts(connector, mark, TEAM)
    assert "Children Out of Provision Panel: Example Borough Council, Monday 16 November 2026" in digest
    assert borough.reference in digest and "9 weeks" in digest
    assert "Imaginary" not in digest and "Oakwood" not in digest and north.reference not in digest

    [pack] = _posts(connector, mark, TARA.personal_chat)
    assert "COPP panel pack" in pack and "Eli Imaginary" in pack and "Oakwood Primary School (fictional)" in pack
    assert north.reference not in pack and "Cy Imaginary" not in pack

    [north_pack] = _posts(connector, mark, NADIA.personal_chat)
    assert "Cy Imaginary" in north_pack and borough.reference not in north_pack and "Eli" not in north_pack
    [north_digest] = _posts(connector, mark, NORTH)
    assert north.reference in north_digest and "Imaginary" not in north_digest
    assert not _posts(connector, mark, SAM.personal_chat), "school staff get no pack"

    mark = connector.mark()
    await run_copp(services, on_date=date(2026, 11, 20))
    assert connector.since(mark) == [], "once per sitting: later runs in the fortnight post nothing"


async def test_not_before_the_panels_time_and_late_after_downtime(teams, connector, services):
    await _setting_up(teams, connector, services.store)
    borough, _ = await _cases(services)
    mark = connector.mark()
    await run_copp(services, datetime(2026, 11, 16, 8, 55))
    assert connector.since(mark) == [], "the panel sits at 09:00"

    await run_copp(services, datetime(2026, 11, 18, 10, 0))  # down on Monday and Tuesday
    [digest] = _posts(connector, mark, TEAM)
    assert "Late: the panel was on Monday 16 November 2026 at 09:00" in digest and borough.reference in digest
    assert "Late" in _posts(connector, mark, TARA.personal_chat)[0]


async def test_two_instances_post_each_once(teams, connector, services, database_url, settings):
    if database_url.startswith("sqlite"):
        # Two engines on one SQLite file in one process block each other's event loop (storage/engine/db.py);
        # instances on SQLite are processes, raced in tests/ops. Here: two runs one after the other.
        await _cases(services)
        await _setting_up(teams, connector, services.store)
        mark = connector.mark()
        await run_copp(services, on_date=PANEL_DAY)
        await run_copp(services, on_date=PANEL_DAY)
        assert len(_posts(connector, mark, TEAM)) == len(_posts(connector, mark, TARA.personal_chat)) == 1
        return
    await _setting_up(teams, connector, services.store)
    await _cases(services)
    other = build_services(replace(settings, instance="second-instance"), Store.from_url(database_url))
    connect(other)
    await other.calendars.refresh(other.store)
    try:
        mark = connector.mark()
        await asyncio.gather(run_copp(services, on_date=PANEL_DAY), run_copp(other, on_date=PANEL_DAY))
    finally:
        await other.store.close()
    assert len(_posts(connector, mark, TEAM)) == 1
    assert len(_posts(connector, mark, TARA.personal_chat)) == 1
    assert len(_posts(connector, mark, NORTH)) == 1


async def test_copp_gives_a_tracking_officer_the_pack_on_demand(teams, connector, services):
    await _setting_up(teams, connector, services.store)
    borough, north = await _cases(services)
    await teams.say(TARA, "copp")
    pack = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert "as of today" in pack and "Eli Imaginary" in pack and north.reference not in pack
    assert "Next panel: Monday 16 November 2026 at 09:00" in pack, "on the panel's day, the pack is for it"

    await teams.say(SAM, "copp")
    answer = connector.to(SAM.personal_chat)[-1]
    assert "Eli Imaginary" not in str(answer.body)


async def test_a_sitting_cut_off_mid_post_is_posted_again_marked_as_a_possible_repeat(teams, connector, services):
    await _setting_up(teams, connector, services.store)
    await _cases(services)
    store = services.store
    borough = await store.schools.authority("Example Borough Council")
    crashed = await store.reminders.start_run("killed-instance")
    taken = await store.reminders.claim_digest(digest_key(borough.id), PANEL_DAY, crashed)
    await store.reminders.digest_attempt(taken.id)
    await heartbeat_stops(store, crashed)
    mark = connector.mark()
    await run_copp(services, on_date=PANEL_DAY)
    [digest] = _posts(connector, mark, TEAM)
    assert MAYBE_REPEAT in digest
    assert MAYBE_REPEAT not in _posts(connector, mark, TARA.personal_chat)[0], "the pack was never tried"


async def test_past_forty_a_list_shows_forty_and_says_how_many_more(teams, connector, services):
    """The counts are every child's; each list its first 40 lines, then "…and N more"."""
    await _setting_up(teams, connector, services.store)
    lost = [await _case(services, "900001", f"Lost{n}", date(2026, 9, 14)) for n in range(2)]  # Day 5, 20 overdue
    recent = [await _case(services, "900001", f"Recent{n:02d}", date(2026, 11, 12)) for n in range(41)]  # Day 3
    found = await _case(services, "900001", "Found", date(2026, 11, 12))
    change = record_outcome(found, Outcome.RETURNED, date(2026, 11, 13))
    await services.store.cases.record(change.case, NewEvent(change.event, change.data,
                                                            Actor(TARA.aad_object_id, TARA.name)))
    await _case(services, "900003", "Elsewhere", date(2026, 9, 14))  # Northfield's

    await teams.say(TARA, "copp")
    pack = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert "Children without provision: 43" in pack and "New since 2 November: 44" in pack
    assert "Located since 2 November: 1" in pack and "With an overdue action: 2" in pack
    assert "Enquiries under way: 43" in pack
    open_part, new_part = pack.split("Children without provision, longest missing first")[1].split(
        "New since the last panel")
    assert open_part.count("Imaginary") == 40 and "…and 3 more." in open_part
    assert open_part.index("Lost0 Imaginary") < open_part.index("Recent00 Imaginary"), "longest missing first"
    assert "⚠ overdue: Day 5, Day 20" in open_part
    new_part, located_part = new_part.split("Located since the last panel")
    assert new_part.count("Imaginary") == 40 and "…and 3 more." in new_part, "the new still without provision"
    assert "Found Imaginary" in located_part and "more." not in located_part
    assert "Elsewhere" not in pack

    mark = connector.mark()
    await run_copp(services, on_date=PANEL_DAY)
    [digest] = _posts(connector, mark, TEAM)
    assert "New since the last panel" in digest and "…and 4 more." in digest, "44 new, closed or not"
    overdue = digest.split("Overdue actions")[1]
    assert all(f"{case.reference}** · Day 5, Day 20" in overdue for case in lost)
    assert not any(case.reference in overdue for case in recent)
