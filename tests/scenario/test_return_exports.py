"""The returns downloaded from the cards that list them (issue 17 item 4): **deletion returns** and **expected
starters** carry Download; it answers in the asker's personal chat only, with the school's own returns for its staff
and the authority's for its tracking officer, never another authority's. A second press while the first links still
work sends no new pair (today is Monday 16 November 2026)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.exports.web import serve_export
from cme.case import Carer, Pupil
from cme.deletion_return import DeletionReturn, Parent
from cme.expected_starters import Starter, arrive, check_arrival
from storage.cases import Actor
from storage.types import utcnow
from tests.scenario.cards import actions_of, press
from tests.scenario.connector import card_text
from tests.scenario.teams import REMINDERS, SAM, TARA, TEAM
from tests.scenario.test_exports import _get, _links, _links_stored

STAFF = Actor(SAM.aad_object_id, SAM.name)


async def _return(store, urn: str, forename: str, *, ground: str = "a") -> int:
    school = await store.schools.by_urn(urn)
    made = DeletionReturn(ground, date(2026, 11, 20), forename, "Exportable", "3 Nowhere Close, ZZ99 3ZZ",
                          (Parent(f"Jo {forename}", "3 Nowhere Close, ZZ99 3ZZ", "07700 900333"),),
                          new_school="Faraway Academy (fictional)", new_school_start=date(2026, 11, 23))
    record, _ = await store.deletion_returns.create(made, school_id=school.id, authority_id=school.authority_id,
                                                    case_id=None, actor=STAFF, submission_key=f"form-{forename}",
                                                    sent_on=date(2026, 11, 16))
    return record.id


async def _download(teams, connector, card: dict, user) -> list:
    mark = connector.mark()
    await teams.submit(user, press(card, "Download"))
    return connector.since(mark)


async def _csv(teams, sent) -> list[list[str]]:
    [answer] = [s for s in sent if s.cards]
    _, text = await _get(teams, _links(answer.card)["CSV (spreadsheet)"])
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


async def test_deletion_returns_download_from_their_list_for_the_school_and_for_the_officer(teams, connector,
                                                                                            services, store):
    await _return(store, "900001", "Kit")
    await _return(store, "900002", "Lin", ground="g")  # Riverside, same authority: not Sam's
    await _return(store, "900003", "Mo")  # Northfield: another authority
    acknowledged = await _return(store, "900001", "Nell")
    await store.deletion_returns.acknowledge(acknowledged, Actor(TARA.aad_object_id, TARA.name))

    await teams.say(SAM, "deletion returns")
    listed = connector.to(SAM.personal_chat)[-1].card
    assert "Download" in actions_of(listed)
    sent = await _download(teams, connector, listed, SAM)
    assert all(s.conversation_id.split(";")[0] == SAM.personal_chat for s in sent)
    rows = await _csv(teams, sent)
    header = rows[0]
    assert header[:4] == ["Reference", "School", "Case", "Status"] and "Parent 1 emergency telephone" in header
    by_name = {row[header.index("Forename")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Kit", "Nell"}  # the school's own only
    kit = by_name["Kit"]
    assert kit["Regulation"] == "regulation 9(1)(a)" and kit["Ground"].startswith("Registered at another school")
    assert kit["Status"] == "sent, not acknowledged yet" and kit["Date of deletion"] == "2026-11-20"
    assert kit["Parent 1"] == "Jo Kit" and kit["New school"] == "Faraway Academy (fictional)"
    assert kit["Start date at the new school"] == "2026-11-23" and kit["Sent by"] == "Sam Staff"
    assert by_name["Nell"]["Status"] == "acknowledged" and by_name["Nell"]["Acknowledged by"] == "Tara Tracker"

    await teams.say(TARA, "deletion returns")
    sent = await _download(teams, connector, connector.to(TARA.personal_chat)[-1].card, TARA)
    rows = await _csv(teams, sent)
    assert sorted(row[rows[0].index("Forename")] for row in rows[1:]) == ["Kit", "Lin", "Nell"]  # not Mo

    [answer] = [s for s in sent if s.cards]
    page = await serve_export(services, urlsplit(_links(answer.card)["Printable page"]).path.rsplit("/", 1)[1],
                              utcnow())
    assert page.status == 200 and "Deletion returns: Example Borough Council" in page.text
    assert "Mo Exportable" not in page.text and "Mo</td>" not in page.text


async def test_no_return_download_in_a_channel(teams, connector, services, store):
    await _return(store, "900001", "Kit")
    before = await _links_stored(store)
    mark = connector.mark()
    for kind in ("deletion-returns", "new-pupil-returns"):
        await teams.submit(SAM, {"verb": "export.offer", "kind": kind}, channel=TEAM)
        await teams.submit(TARA, {"verb": "export.offer", "kind": kind}, channel=REMINDERS)
    assert not any("/exports/" in json.dumps(s.body) for s in connector.since(mark))
    assert not any("Kit" in json.dumps(s.body) for s in connector.since(mark))
    assert await _links_stored(store) == before == 0


async def test_new_pupil_returns_download_from_the_expected_starters(teams, connector, services, store):
    oakwood, northfield = await store.schools.by_urn("900001"), await store.schools.by_urn("900003")
    calendar = services.calendars.for_school(oakwood)
    came, _ = await store.expected_starters.add(Starter(oakwood.id, Pupil(
        "Ivy", "Newcome", date(2016, 2, 2), year_group="Year 5", carers=(Carer("Al Newcome", "07700 900111"),)),
        date(2026, 11, 2)), STAFF)
    arrival, errors = check_arrival(came, {"arrived_on": "2026-11-03", "address": "1 Arrival Way",
                                           "postcode": "ZZ99 1ZZ", "previous_school": "Elsewhere (fictional)"},
                                    calendar, date(2026, 11, 16))
    assert not errors
    assert await store.expected_starters.arrived(arrive(came, arrival), STAFF)
    await store.expected_starters.add(Starter(oakwood.id, Pupil("Oz", "Notyet", date(2016, 3, 3), year_group="Year 5"),
                                              date(2026, 11, 2)), STAFF)  # 5 school days passed
    await store.expected_starters.add(Starter(northfield.id, Pupil("Pat", "Elsewhere", date(2016, 4, 4),
                                                                   year_group="Year 5"), date(2026, 11, 9)), STAFF)

    await teams.say(SAM, "expected starters")
    listed = connector.to(SAM.personal_chat)[-1].card
    assert "Download" in actions_of(listed)
    rows = await _csv(teams, await _download(teams, connector, listed, SAM))
    header = rows[0]
    by_name = {row[header.index("Forename")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Ivy", "Oz"}  # not Northfield's Pat
    assert by_name["Ivy"]["Status"] == "arrived: new pupil return made" and by_name["Ivy"]["Arrived on"] == "2026-11-03"
    assert by_name["Ivy"]["Previous school"] == "Elsewhere (fictional)" and by_name["Ivy"]["Postcode"] == "ZZ99 1ZZ"
    assert by_name["Oz"]["Status"] == "not arrived within 5 school days" and by_name["Oz"]["Not arrived from"]


async def test_a_second_press_says_the_first_links_still_work(teams, connector, services, store):
    await _return(store, "900001", "Kit")
    await teams.say(SAM, "deletion returns")
    listed = connector.to(SAM.personal_chat)[-1].card
    first = [s for s in await _download(teams, connector, listed, SAM) if s.cards]
    assert len(first) == 1 and await _links_stored(store) == 2
    until = (utcnow() + timedelta(minutes=5)).astimezone(services.settings.zone)

    again = await _download(teams, connector, listed, SAM)  # the double click
    assert not any("/exports/" in json.dumps(s.body) for s in again)
    said = " ".join(s.text + card_text(s.cards) for s in again)
    assert "The links sent a moment ago still work (until " in said
    assert f"{until:%H:%M}" in said or f"{until - timedelta(minutes=1):%H:%M}" in said
    assert await _links_stored(store) == 2  # nothing issued

    # Another kind is another download; a used link makes the next press send a new pair.
    mark = connector.mark()
    await teams.submit(SAM, {"verb": "export.offer", "kind": "new-pupil-returns"})
    assert [s for s in connector.since(mark) if s.cards] and await _links_stored(store) == 4
    assert (await _get(teams, _links(first[0].card)["CSV (spreadsheet)"]))[0].status == 200
    fresh = [s for s in await _download(teams, connector, listed, SAM) if s.cards]
    assert len(fresh) == 1 and await _links_stored(store) == 6
    assert set(_links(fresh[0].card).values()).isdisjoint(_links(first[0].card).values())


async def test_two_presses_at_once_send_one_pair(teams, connector, services, store):
    await _return(store, "900001", "Kit")
    await teams.say(SAM, "deletion returns")
    value = press(connector.to(SAM.personal_chat)[-1].card, "Download")
    mark = connector.mark()
    await asyncio.gather(*(teams.submit(SAM, value) for _ in range(3)))
    sent = connector.since(mark)
    assert len([s for s in sent if "/exports/" in json.dumps(s.body)]) == 1
    assert len([s for s in sent if "still work" in s.text]) == 2
    assert await _links_stored(store) == 2  # the pairs not sent were withdrawn
