"""School staff report a missing pupil in their personal chat (today is Monday 16 November 2026)."""

from __future__ import annotations

from cards.validate import problems
from cme.upn import upn_with_check_letter
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import REMINDERS, RIYA, SAM, TARA, TEAM

PUPIL = {
    "forename": "Ada", "surname": "Example", "date_of_birth": "2016-03-14", "sex": "female", "year_group": "Year 5",
    "address": "1 Imaginary Lane, Exampleton", "postcode": "zz99 9zz",
    "carer1_name": "Pat Example", "carer1_phone": "07700 900123",
}
ABSENCE = {"first_day_absent": "2026-11-11", "last_day_attended": "2026-11-10",
           "known_so_far": "Neighbours think the family moved away."}
NO_RISK = {"risk_cp_plan": "no", "risk_looked_after": "no", "risk_harm": "no"}


async def open_form(teams, connector, user=SAM):
    await teams.say(user, "report")
    return connector.to(user.personal_chat)[-1]


async def step(teams, connector, user, sent, title, **typed):
    """Press a button on the form card; the bot updates that same card in place."""
    mark = connector.mark()
    await teams.submit(user, press(sent.card, title, **typed), reply_to=sent.activity_id)
    updated = [s for s in connector.since(mark) if s.method == "PUT" and s.activity_id == sent.activity_id]
    assert updated, f"the form card was not updated: {[card_text(c) for s in connector.since(mark) for c in s.cards]}"
    updated[-1].activity_id = sent.activity_id
    return updated[-1]


async def report(teams, connector, user=SAM, pupil=PUPIL, absence=ABSENCE, risk=NO_RISK):
    form = await open_form(teams, connector, user)
    form = await step(teams, connector, user, form, "Next", **pupil)
    form = await step(teams, connector, user, form, "Next", **absence)
    mark = connector.mark()
    await step(teams, connector, user, form, "Submit report", **risk)
    return connector.since(mark)


def the_case_card(sent):
    return next(s for s in sent if s.method == "POST" and "of 20 of continuous absence" in card_text(s.card))


async def test_a_report_in_three_steps_gives_the_case_card(teams, connector, store):
    form = await open_form(teams, connector)
    text = card_text(form.card)
    assert "step 1 of 3" in text and "School=" in text and "Nothing is saved" in text
    assert problems(form.card) == []
    second = await step(teams, connector, SAM, form, "Next", **PUPIL)
    assert "step 2 of 3" in card_text(second.card) and problems(second.card) == []
    third = await step(teams, connector, SAM, second, "Next", **ABSENCE)
    assert "step 3 of 3" in card_text(third.card) and problems(third.card) == []
    mark = connector.mark()
    done = await step(teams, connector, SAM, third, "Submit report", **NO_RISK)
    assert "Reported: CME-" in card_text(done.card)

    case_card = the_case_card(connector.since(mark))
    text = card_text(case_card.card)
    assert problems(case_card.card) == []
    reference = text.split(":")[0]
    assert reference.startswith("CME-2026-") and "Ada Example" in text
    assert "Day 4 of 20 of continuous absence" in text
    assert "Next: Day 5 on Tuesday 17 November 2026" in text
    address = next(line for line in text.splitlines() if line.startswith("Address: "))
    assert "⬜ Home visit" in text and address.endswith(", ZZ99 9ZZ") and "Postcode: ZZ99 9ZZ" not in text
    saved = await store.cases.get(reference)
    assert saved.pupil.postcode == "ZZ99 9ZZ" and saved.school_id is not None
    history = await store.cases.history(saved.id)
    assert [(e.kind, e.actor_name) for e in history] == [("reported", "Sam Staff")]


async def test_bad_input_is_shown_next_to_its_field_with_everything_kept(teams, connector, store):
    form = await open_form(teams, connector)
    form = await step(teams, connector, SAM, form, "Next", **{**PUPIL, "postcode": "not a postcode",
                                                            "upn": "A12345"})
    text = card_text(form.card)
    assert "step 1 of 3" in text
    assert "Enter a UK postcode" in text and "UPN" in text and "13 characters" in text
    assert "Pupil's forename=Ada" in text and "Home address=1 Imaginary Lane, Exampleton" in text
    assert "Postcode=not a postcode" in text

    form = await step(teams, connector, SAM, form, "Next", postcode="ZZ99 9ZZ",
                      upn=upn_with_check_letter("801200102001"))
    form = await step(teams, connector, SAM, form, "Next", **{**ABSENCE, "first_day_absent": "2026-10-26",
                                                            "last_day_attended": "2026-10-23"})
    text = card_text(form.card)
    assert "step 2 of 3" in text and "Autumn half term" in text
    assert "What is known so far=Neighbours think the family moved away." in text

    form = await step(teams, connector, SAM, form, "Next", first_day_absent="2026-12-01")
    assert "The first day of absence cannot be after today, 16 November 2026." in card_text(form.card)
    back = await step(teams, connector, SAM, form, "Back")
    assert "step 1 of 3" in card_text(back.card) and "Pupil's surname=Example" in card_text(back.card)
    assert await store.cases.count_open() == 0, "nothing is saved before the report is submitted"


async def test_the_dates_of_the_absence_are_refused_or_confirmed_before_step_3(teams, connector, store):
    form = await open_form(teams, connector)
    form = await step(teams, connector, SAM, form, "Next", **PUPIL)
    form = await step(teams, connector, SAM, form, "Next", **{**ABSENCE, "last_day_attended": "2026-11-11"})
    assert "The first day of absence must come after the last day attended (Wednesday 11 November 2026)." in \
        card_text(form.card)

    # Thursday 5 to Tuesday 10 November were school days: Day 1 may be earlier than typed
    form = await step(teams, connector, SAM, form, "Next", last_day_attended="2026-11-04")
    text = card_text(form.card)
    assert "step 2 of 3" in text and problems(form.card) == []
    assert "4 school days lie between the last day attended and the first day of absence: Thursday 5 November " \
           "2026 to Tuesday 10 November 2026. If the pupil was missing then too, Day 1 is Thursday 5 November 2026" \
           in text
    assert "First day of absence (Day 1)=2026-11-11\nWednesday 11 November 2026" in text

    toggle = next(item for item in form.card["body"] if item.get("id") == "confirm_dates")
    form = await step(teams, connector, SAM, form, "Next", confirm_dates=toggle["valueOn"])  # ticked
    assert "step 3 of 3" in card_text(form.card)
    mark = connector.mark()
    await step(teams, connector, SAM, form, "Submit report", **NO_RISK)
    assert "Day 4 of 20" in card_text(the_case_card(connector.since(mark)).card)
    saved = (await store.cases.open_cases())[0]
    assert saved.first_day_absent.isoformat() == "2026-11-11"


async def test_a_date_of_birth_outside_school_age_is_a_warning_to_confirm(teams, connector, store):
    form = await open_form(teams, connector)
    form = await step(teams, connector, SAM, form, "Next", **{**PUPIL, "date_of_birth": "2008-01-01"})
    form = await step(teams, connector, SAM, form, "Next", **ABSENCE)
    form = await step(teams, connector, SAM, form, "Submit report", **NO_RISK)
    text = card_text(form.card)
    assert "compulsory school age" in text and await store.cases.count_open() == 0
    mark = connector.mark()
    await step(teams, connector, SAM, form, "Submit report", confirm_dob="true")
    assert "Day 4 of 20" in card_text(the_case_card(connector.since(mark)).card)


async def test_a_double_click_or_a_redelivery_makes_one_case(teams, connector, store):
    form = await open_form(teams, connector)
    form = await step(teams, connector, SAM, form, "Next", **PUPIL)
    form = await step(teams, connector, SAM, form, "Next", **ABSENCE)
    value = press(form.card, "Submit report", **NO_RISK)
    await teams.submit(SAM, value, reply_to=form.activity_id)
    await teams.submit(SAM, value, reply_to=form.activity_id)
    activity = await teams.submit(SAM, value, reply_to=form.activity_id)
    await teams.post(activity)
    assert await store.cases.count_open() == 1
    case = (await store.cases.open_cases())[0]
    assert len(await store.cases.history(case.id)) == 1
    assert "submitted already as CME-" in connector.to(SAM.personal_chat)[-1].text


async def test_day_1_risk_leads_with_urgent_steps_and_alerts_the_channel_without_the_name(teams, connector, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(SAM)
    sent = await report(teams, connector, risk={"risk_cp_plan": "yes", "risk_looked_after": "no",
                                                "risk_harm": "no"})
    case_card = the_case_card(sent)
    text = card_text(case_card.card)
    assert text.index("Day 1 risk: act now") < text.index("of 20 of continuous absence")
    assert "social worker at once" in text and "police" in text
    alert = next(s for s in sent if s.conversation_id.startswith(REMINDERS))
    alert_text = card_text(alert.card)
    reference = text.split(":")[0]
    assert reference in alert_text and "Urgent" in alert_text
    for private in ("Ada Example", "Imaginary", "ZZ99", "Pat Example", "2016-03-14"):
        assert private not in alert_text and private not in str(alert.body)

    mark = connector.mark()
    await teams.submit(SAM, press(case_card.card, "Save", notified="social_care,social_worker",
                                  when="16 November 10:40", details="Duty desk, ref 123"),
                       reply_to=case_card.activity_id)
    updated = connector.since(mark)[-1]
    assert updated.method == "PUT" and "Notification recorded" in card_text(updated.card)
    case = await store.cases.get(reference)
    assert case.triage_recorded_on is not None
    assert [e.kind for e in await store.cases.history(case.id)] == ["reported", "risk_notified"]


async def test_working_the_case_enquiries_a_break_and_an_outcome(teams, connector, store):
    card = the_case_card(await report(teams, connector))
    reference = card_text(card.card).split(":")[0]

    async def act(title, **typed):
        nonlocal card
        mark = connector.mark()
        await teams.submit(SAM, press(card.card, title, **typed), reply_to=card.activity_id)
        update = [s for s in connector.since(mark) if s.method == "PUT"][-1]
        update.activity_id = card.activity_id
        card = update
        assert problems(card.card) == []
        return card_text(card.card)

    text = await act("Save enquiry", kind="home_visit", outcome="No answer, curtains drawn")
    assert "Home visit logged" in text and "✅ Home visit" in text
    text = await act("Save enquiry", kind="phone_call", outcome="Number unobtainable")
    assert "✅ First-day contact and calls to every contact number" in text

    text = await act("Save break", break_kind="attended", break_on="2026-11-12")
    assert "the count restarts on Friday 13 November" in text and "Day 2 of 20" in text
    assert "Next: Day 5 on Thursday 19 November 2026" in text
    text = await act("Save break", break_kind="attended", break_on="2026-11-14")
    assert "not a school day" in text and "a weekend" in text

    text = await act("Save outcome", outcome="returned_to_school")
    assert "Closed: Returned to school" in text
    case = await store.cases.get(reference)
    assert not case.is_open
    kinds = [e.kind for e in await store.cases.history(case.id)]
    assert kinds == ["reported", "enquiry_logged", "enquiry_logged", "break_recorded", "outcome_recorded"]


async def test_my_cases_shows_only_your_schools_cases(teams, connector):
    card = the_case_card(await report(teams, connector))
    reference = card_text(card.card).split(":")[0]
    await teams.say(SAM, "my cases")
    mine = card_text(connector.to(SAM.personal_chat)[-1].card)
    assert reference in mine and "Day 4" in mine and "Ada Example" in mine

    await teams.say(RIYA, "my cases")
    assert reference not in card_text(connector.to(RIYA.personal_chat)[-1].card)
    await teams.say(RIYA, f"case {reference}")
    assert "cannot find a case" in connector.to(RIYA.personal_chat)[-1].text

    await teams.say(TARA, f"case {reference.lower()}")
    assert "Ada Example" in card_text(connector.to(TARA.personal_chat)[-1].card)


async def test_only_school_staff_report(teams, connector):
    await teams.say(TARA, "report")
    assert "That is for the School staff" in connector.to(TARA.personal_chat)[-1].text
