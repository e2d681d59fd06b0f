"""`census`: a tracking officer gets their authority's DfE CME census in their personal chat, counts only, on today
or a date they say; a bad date is answered in words; school staff, an EWS officer and a channel get nothing of it.
The report form asks the pupil's sex, and a case reported counts under it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from urllib.parse import urlsplit

from cme.case import Case, Pupil
from cme.lifecycle import Outcome, State
from storage.cases import Actor, NewEvent
from tests.scenario.cards import actions_of, press, shown
from tests.scenario.connector import card_text
from tests.scenario.teams import EWAN, SAM, TARA, TEAM
from tests.scenario.test_authorities import NADIA
from tests.scenario.test_my_cases import add
from tests.scenario.test_report import ABSENCE, NO_RISK, PUPIL, open_form, step, the_case_card


async def removed(services, urn: str, forename: str, first_day: date, **fields):
    """A child removed from roll on 2 November, out of provision since (the authority's register keeps them)."""
    school = await services.store.schools.by_urn(urn)
    case = Case(reference="", school_id=school.id, state=State.OUT_OF_PROVISION, first_day_absent=first_day,
                run_start=first_day, pupil=Pupil(forename, "Listexample", date(2016, 1, 5)),
                outcome=Outcome.REMOVED_FROM_ROLL, off_roll_date=date(2026, 11, 2), **fields)
    made, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                {})
    return made


async def test_tara_gets_her_authoritys_census_with_no_child_named(teams, connector, services):
    await add(services, "900001", "Onroll", date(2026, 11, 9), sex="female")  # still on Oakwood's roll
    await removed(services, "900001", "Removed", date(2026, 10, 1), sex="male", reason="moved_no_school")
    await removed(services, "900003", "Northern", date(2026, 10, 1))  # Northfield's
    for person in (TARA, NADIA, SAM, EWAN):
        await teams.install_personal(person)

    await teams.say(TARA, "census")
    words = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert "CME census: Example Borough Council" in words
    assert "Census date Monday 16 November 2026 (today)" in words
    assert "Children missing education on the census date: 1" in words
    assert "Male: 1" in words and "Female: 0" in words
    assert "Year 6: 1" in words  # born 5 January 2016: 10 on 31 August 2026, Year 6 in 2026/27
    assert "Over 4 weeks, up to 12 weeks: 1" in words  # missing since 1 October
    assert "Moved address without a new school: 1" in words
    assert "Still on a school's roll (enquiries under way): 1" in words
    assert "Onroll" not in words and "Removed" not in words and "Listexample" not in words, "counts only"

    await teams.say(TARA, "census 2026-10-30")  # before the removal: both still on Oakwood's roll
    words = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert "Census date Friday 30 October 2026." in words
    assert "Children missing education on the census date: 0" in words
    assert "Still on a school's roll (enquiries under way): 1" in words  # the other was not missing yet

    await teams.say(NADIA, "census")
    words = card_text(connector.to(NADIA.personal_chat)[-1].card)
    assert "CME census: Northfield Council (fictional)" in words
    assert "Children missing education on the census date: 1" in words and "Not known: 1" in words


async def test_a_bad_census_date_is_said_in_words(teams, connector):
    await teams.install_personal(TARA)
    for typed, problem in (("next week", "That is not a date: give the census date as YYYY-MM-DD"),
                           ("2026-11-17", "The census date cannot be after today, 16 November 2026")):
        await teams.say(TARA, f"census {typed}")
        words = card_text(connector.to(TARA.personal_chat)[-1].card)
        assert problem in words and "Children missing education" not in words


async def test_school_staff_an_ews_officer_and_a_channel_get_nothing(teams, connector):
    for person in (SAM, EWAN):
        await teams.install_personal(person)
        await teams.say(person, "census")
        answer = connector.to(person.personal_chat)[-1]
        assert not answer.cards and "for the CME Pupil Tracking Officer" in answer.text
    mark = connector.mark()
    await teams.install_team(TARA)
    await teams.say(TARA, "census", channel=TEAM)
    answer = connector.since(mark)[-1]
    assert not answer.cards and "personal chat" in answer.text


async def test_the_report_form_asks_the_sex_keeps_what_was_typed_and_the_census_counts_it(teams, connector, store):
    form = await open_form(teams, connector)
    sex = next(item for item in form.card["body"] if item.get("id") == "sex")
    assert sex["isRequired"] and [c["title"] for c in sex["choices"]] == ["Female", "Male", "Not known"]
    form = await step(teams, connector, SAM, form, "Next", **{k: v for k, v in PUPIL.items() if k != "sex"})
    words = card_text(form.card)
    assert "step 1 of 3" in words and "Choose the pupil's sex: Female, Male, or Not known." in words
    assert "Ada" in words and "Pat Example" in words, "what was typed is kept"

    form = await step(teams, connector, SAM, form, "Next", sex="male")
    form = await step(teams, connector, SAM, form, "Next", **ABSENCE)
    mark = connector.mark()
    await step(teams, connector, SAM, form, "Submit report", **NO_RISK)
    words = card_text(the_case_card(connector.since(mark)).card)
    assert "Sex: Male" in words
    assert (await store.cases.get(words.split(":")[0])).sex == "male"

    await teams.install_personal(TARA)
    await teams.say(TARA, "census")
    words = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert "Still on a school's roll (enquiries under way): 1" in words  # Day 4 at Oakwood: not CME yet


async def test_the_census_downloads_as_the_same_figures_in_csv(teams, connector, services):
    await removed(services, "900001", "Removed", date(2026, 10, 1), sex="male", reason="moved_no_school")
    await teams.install_personal(TARA)
    await teams.say(TARA, "census 2026-11-10")
    census_card = connector.to(TARA.personal_chat)[-1].card
    assert "Download" in actions_of(census_card)

    mark = connector.mark()
    await teams.submit(TARA, press(census_card, "Download"))
    answer = next(sent for sent in connector.since(mark) if sent.cards)
    assert answer.conversation_id.split(";")[0] == TARA.personal_chat
    assert "Download: The CME census" in card_text(answer.card)
    url = next(a["url"] for a in answer.card["actions"] if a["title"] == "CSV (spreadsheet)")
    response = await teams.client.get(urlsplit(url).path)
    text = await response.text()
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="cme-census-2026-11-10.csv"'
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Authority", "Census date", "Measure", "Category", "Children"]
    assert rows[1] == ["Example Borough Council", "2026-11-10", "Total", "Children missing education", "1"]
    assert ["Example Borough Council", "2026-11-10", "Sex", "Male", "1"] in rows
    assert ["Example Borough Council", "2026-11-10", "Length of time missing", "Over 4 weeks, up to 12 weeks", "1"] \
        in rows
    assert "Removed" not in text and "Listexample" not in text


async def test_school_staff_get_no_census_download(teams, connector):
    await teams.install_personal(SAM)
    mark = connector.mark()
    await teams.submit(SAM, {"verb": "export.offer", "kind": "census", "date": "2026-11-10"})
    sent = connector.since(mark)
    assert not any("/exports/" in json.dumps(s.card) for s in sent if s.cards)
    assert [s.text for s in sent] == ["The CME census is not yours to download: ask your administrator for the role."]


async def test_the_officer_corrects_the_sex_on_the_case_card_and_the_census_counts_it(teams, connector, services,
                                                                                      store):
    case = await removed(services, "900001", "Removed", date(2026, 10, 1))  # reported before the question
    await teams.install_personal(TARA)
    await teams.say(TARA, f"case {case.reference}")
    card = connector.to(TARA.personal_chat)[-1]
    assert "Sex: Not known" in card_text(card.card)
    form = shown(card.card, "Correct a detail")

    await teams.submit(TARA, press(form, "Save correction", field="sex", value="girl", reason="Asked the family"),
                       reply_to=card.activity_id)
    assert "Give the sex as Female, Male or Not known." in card_text(connector.to(TARA.personal_chat)[-1].card)
    assert (await store.cases.get(case.reference)).sex == "not_known", "nothing saved"

    await teams.submit(TARA, press(form, "Save correction", field="sex", value="Female", reason="Asked the family"),
                       reply_to=card.activity_id)
    assert (await store.cases.get(case.reference)).sex == "female"
    corrections = [e for e in await store.cases.history(case.id) if e.kind == "corrected"]
    assert [(e.actor_name, e.data) for e in corrections] == [(TARA.name, {
        "field": "sex", "from": "not_known", "to": "female", "reason": "Asked the family"})]

    await teams.say(TARA, "census")
    words = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert "Female: 1" in words and "Not known: 0" in words
