"""Each card builder: it validates as an Adaptive Card for Teams and shows what its reader must see."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from cards.admin import AdminView, admin_card
from cards.alerts import referral_alert_card, urgent_alert_card
from cards.case_card import CaseView, case_card
from cards.case_list import CaseLine, case_list_card
from cards.checklist_card import checklist_card
from cards.history import describe
from cards.notice import notice_card
from cards.readable import card_text as readable_text
from cards.referral_form import referral_form_card
from cards.reminders import DigestLine, ReminderView, digest_card, reminder_card
from cards.removal import (
    Decision,
    RemovalView,
    removal_channel_card,
    removal_request_card,
    removal_school_card,
)
from cards.report_form import ReportForm, report_cancelled_card, report_done_card, report_form_card
from cards.validate import problems
from cards.welcome import help_card, no_role_card, personal_welcome, team_welcome
from cme.case import Case
from cme.casework import (
    complete_checklist,
    log_enquiry,
    record_break,
    record_outcome,
    record_triage,
)
from cme.checklist import ENQUIRIES_CHECKLIST, MISSING_PUPIL_CHECKLIST
from cme.lifecycle import Outcome, State
from cme.milestones import BreakKind, Milestone
from cme.removal import AFTER_AGREEMENT, agree_removal, preconditions, request_removal
from cme.roles import Role
from cme.upn import upn_problem
from tests.unit.builders import (
    AT_RISK,
    CALENDAR,
    DAY_1,
    DAY_5,
    DAY_20,
    DAY_21,
    EVERY_CHECKLIST_ITEM,
    REFERENCE,
    SCHOOL,
    a_case,
    buttons,
    card_text,
    worked_to_day_20,
)

PUPIL_NAMES = ("Testy", "McTestface")
AT_10_15 = datetime(2026, 11, 30, 10, 15, tzinfo=UTC)  # GMT in November: 10:15 in London too


def shown(card: dict) -> str:
    """What a person reads on a card that Teams accepts."""
    assert problems(card) == []
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    return card_text(card)


def nameless(text: str) -> bool:
    return not any(name in text for name in PUPIL_NAMES)


# The case card

def case_view(case: Case, today: date, **fields) -> CaseView:
    """As bot/views/case_cards.py makes it for someone working on the case."""
    view = CaseView(case=case, school_name=SCHOOL, day=case.day_number(CALENDAR, today) if case.is_open else 0,
                    due=case.due_dates(CALENDAR), overdue=case.overdue(CALENDAR, today), today=today, key="k1")
    return replace(view, **fields)


def test_each_case_card_shows_its_own_groups_and_reason_though_its_forms_are_built_once():
    marked_case = a_case(risk_groups=["refuges"], reason="never_started")
    marked = case_card(case_view(marked_case, DAY_1))
    plain = case_card(case_view(a_case(), DAY_1))
    groups, reason = "At-risk groups that apply (policy 6.2)", "Why the child is missing education (policy 6.3)"
    assert f"{groups}: Living in a refuge" in readable_text(marked)
    assert f"{reason}: Never started provision" in readable_text(marked)
    assert f"{groups}: Living in a refuge" not in readable_text(plain)
    assert f"{reason}: Not known yet" in readable_text(plain)
    again = case_card(case_view(marked_case, DAY_1))
    assert again == marked and readable_text(again) == readable_text(marked)


def test_the_case_card_names_the_pupil_and_shows_day_n_of_20_and_the_next_milestone():
    text = shown(case_card(case_view(a_case(), date(2026, 11, 4))))
    assert "CME-2026-0042: Testy McTestface" in text
    assert "Day 3 of 20 of continuous absence" in text
    assert "Next: Day 5 on Friday 6 November 2026: contact the Education Welfare Service and complete the " \
           "missing pupil checklist." in text
    assert f"School: {SCHOOL}" in text
    assert "First day of absence: Monday 2 November 2026" in text
    assert "Date of birth: 14 March 2015" in text
    assert "Sex: Not known" in text  # a_case() records none
    assert "Parents or carers: Parent McTestface 07700 900123" in text
    assert "EWS contacted: not yet" in text


def test_the_case_card_ticks_the_days_1_to_5_enquiries_logged():
    case = log_enquiry(a_case(), "home_visit", "Nobody home", "", DAY_1).case
    text = shown(case_card(case_view(case, date(2026, 11, 4))))
    assert "Enquiries, Days 1 to 5" in text
    assert "✅ Home visit" in text
    for key, label in ENQUIRIES_CHECKLIST:
        if key != "home_visit":
            assert f"⬜ {label}" in text


def test_the_case_card_offers_day_5_actions_from_day_5_only():
    before = case_card(case_view(a_case(), date(2026, 11, 5)))
    assert buttons(before) == ["Log enquiry", "Record a break", "At-risk groups and reason", "Record outcome",
                               "Correct a detail"]
    on_day_5 = case_card(case_view(a_case(), DAY_5))
    assert "Next: Day 5 today" in shown(on_day_5)
    assert buttons(on_day_5) == ["EWS contacted", "Missing pupil checklist", "Log enquiry", "Record a break",
                                 "At-risk groups and reason", "Record outcome", "Correct a detail"]


def test_the_case_card_says_what_is_overdue_past_day_20_and_offers_removal():
    case = complete_checklist(a_case(), EVERY_CHECKLIST_ITEM, DAY_5).case
    card = case_card(case_view(case, DAY_21, can_request_removal=True))
    text = shown(card)
    assert "Day 21 of continuous absence (past Day 20)" in text
    assert "Overdue: Day 20 was Friday 27 November: review with EWS; the CME referral is due" in text
    assert "Overdue: Day 5" not in text
    assert buttons(card)[:3] == ["Request removal from roll", "Day 20 review", "Complete CME referral"]
    assert "Request removal from roll" not in buttons(case_card(case_view(case, DAY_21)))


def test_the_case_card_of_a_child_at_risk_says_act_now_until_the_notification_is_recorded():
    case = a_case(risk=AT_RISK)
    card = case_card(case_view(case, DAY_1))
    text = shown(card)
    assert "Day 1 risk: act now" in text
    assert "tell their **social worker at once**" in text and "on a child protection plan" in text
    assert "Record who was notified" in buttons(card)
    notified = record_triage(case, ["social_care"], "10:40", "", DAY_1).case
    card = case_card(case_view(notified, DAY_1))
    assert "Notification recorded on 2 November 2026." in shown(card)
    assert "Record who was notified" not in buttons(card)


def test_the_case_card_says_when_the_count_restarted_after_a_break():
    case = record_break(a_case(), BreakKind.ATTENDED, date(2026, 11, 4), CALENDAR, date(2026, 11, 5)).case
    text = shown(case_card(case_view(case, date(2026, 11, 6))))
    assert "Day 2 of 20 of continuous absence (the count restarted on Thursday 5 November after a break)" in text
    assert "Breaks: attended on 4 November" in text


def test_the_case_card_of_a_closed_case_says_why_and_offers_nothing():
    case = record_outcome(a_case(), Outcome.RETURNED, DAY_5).case
    card = case_card(case_view(case, DAY_21))
    text = shown(card)
    assert "Closed: Returned to school" in text
    assert "Enquiries, Days 1 to 5" not in text and "Next:" not in text
    assert buttons(card) == ["Correct a detail"], "a wrong detail is corrected on a closed case too (UK GDPR art. 16)"
    assert buttons(case_card(case_view(case, DAY_21, erased=True))) == [], "an erased case has nothing to correct"


def test_the_case_card_for_someone_who_may_only_look_has_no_buttons():
    assert buttons(case_card(case_view(a_case(), DAY_5, can_work=False))) == []


def test_the_case_card_does_not_ask_for_a_cme_referral_already_completed():
    text = shown(case_card(case_view(worked_to_day_20(), DAY_20)))
    assert "the CME referral and a decision on removal from roll are due" not in text
    assert "Day 20 review and CME referral done: removal from roll may now be requested." in text
    requested = request_removal(worked_to_day_20(), CALENDAR, DAY_21, "r1").case
    assert "waiting for the CME Pupil Tracking Officer's decision" in shown(case_card(case_view(requested, DAY_21)))


def test_the_case_card_after_agreement_gives_the_off_roll_date():
    case = request_removal(worked_to_day_20(), CALENDAR, DAY_21, "r1").case
    case = agree_removal(case, CALENDAR, DAY_21, "r1", "r1").case
    card = case_card(case_view(case, DAY_21))
    assert "Removal from roll agreed. Off-roll date: 30 November 2026 (the date of agreement)" in shown(card)
    assert buttons(card) == ["At-risk groups and reason", "Record outcome", "Correct a detail"]


def test_the_case_card_shows_the_latest_history_in_words():
    history = [(datetime(2026, 11, 2, 9, n, tzinfo=UTC), "Sam Staff (fictional)", "enquiry_logged",
                {"kind": "phone_call", "outcome": f"call {n}"}) for n in range(8)]
    text = shown(case_card(case_view(a_case(), DAY_5, history=history)))
    assert "2 Nov 09:07 Sam Staff (fictional): Phone call: call 7" in text
    assert "call 1" not in text  # the last six only


# The history in words

@pytest.mark.parametrize("step, words", [
    (lambda c: log_enquiry(c, "home_visit", "Nobody home", "", DAY_1), "Home visit: Nobody home"),
    (lambda c: record_break(c, BreakKind.ATTENDED, date(2026, 11, 4), CALENDAR, DAY_5),
     "break (attended) on 2026-11-04, run 2 began 2026-11-05"),
    (lambda c: record_triage(replace(c, risk=AT_RISK), ["police", "social_worker"], "10:40", "", DAY_1),
     "notified Police, The social worker (10:40)"),
    (lambda c: record_outcome(c, Outcome.LOCATED_IN_AREA, DAY_5), "closed: Located in the area (stays on roll)"),
    (lambda c: record_outcome(c, Outcome.LOCATED_OUTSIDE_AREA, DAY_5, forwarding_address="9 Faraway Road"),
     "located outside the area; referred to the tracking officer"),
])
def test_each_history_entry_reads_as_words(step, words):
    change = step(a_case())
    assert describe(change.event, change.data) == words


def test_removal_decisions_read_as_words():
    assert describe("removal_agreed", {"off_roll_date": "2026-11-30"}) == \
        "agreed removal from roll; off-roll date 2026-11-30"
    assert describe("removal_declined", {"why": "Seen in town"}) == "declined removal from roll: Seen in town"
    assert describe("more_enquiries_asked", {"why": "Ask again"}) == "asked for more enquiries: Ask again"
    assert describe("removed_from_roll", {"off_roll_date": "2026-11-30"}) == \
        "confirmed removal from roll (off-roll date 2026-11-30)"
    assert describe("milestones_rescheduled", {"moved": {"day20": ["2026-11-27", "2026-11-30"]}}) == \
        "new term dates moved Day 20 2026-11-27 -> 2026-11-30"


# My cases

def test_my_cases_lists_each_case_with_day_n_and_what_is_next_or_overdue():
    lines = [
        CaseLine(REFERENCE, "Testy McTestface", SCHOOL, 21, None, (Milestone.DAY_20,), State.CME_REFERRAL.label),
        CaseLine("CME-2026-0043", "Imaginary Child", SCHOOL, 6, (Milestone.DAY_20, DAY_20), (Milestone.DAY_5,),
                 State.ENQUIRIES.label),
    ]
    card = case_list_card("My cases", lines, total=2)
    text = shown(card)
    assert "2 open cases, overdue and longest absent first." in text
    assert "**CME-2026-0042** Testy McTestface" in text
    assert f"{SCHOOL} · Day 21 · CME referral with the tracking officer" in text
    assert f"{SCHOOL} · Day 6 · next: Day 20 on Fri 27 Nov" in text
    assert "⚠ Day 20 overdue" in text and "⚠ Day 5 overdue" in text
    assert buttons(card) == ["Open", "Open"]


def test_my_cases_pages_by_twenty():
    lines = [CaseLine(f"CME-2026-{n:04d}", "Imaginary Child", SCHOOL, 3, None, (), "Reported") for n in range(20)]
    card = case_list_card("My cases", lines, total=45)
    assert "45 open cases, overdue and longest absent first. Showing 1 to 20." in shown(card)
    assert buttons(card)[-1] == "Show more" and card["actions"][0]["data"]["offset"] == 20
    last_page = case_list_card("My cases", lines[:5], total=45, offset=40)
    assert "Showing 41 to 45." in shown(last_page) and "Show more" not in buttons(last_page)


def test_my_cases_with_none_open_says_so():
    assert "No open cases." in shown(case_list_card("My cases", [], total=0))


# The missing pupil checklist

def test_the_checklist_card_lists_every_item_ticked_from_what_is_done():
    card = checklist_card(REFERENCE, {"phone_call", "home_visit"}, key="k1")
    text = shown(card)
    assert "Missing pupil checklist: CME-2026-0042" in text
    for key, label in MISSING_PUPIL_CHECKLIST:
        expected = "true" if key in ("phone_call", "home_visit") else "false"
        assert f"{label}={expected}" in text
    assert buttons(card) == ["Checklist complete"]
    assert nameless(text)


def test_the_checklist_card_shows_what_is_still_to_confirm():
    text = shown(checklist_card(REFERENCE, set(), key="k1", problem="Still to confirm: Home visit."))
    assert "Still to confirm: Home visit." in text


# Reminders in the school's channel

def reminder_view(**fields) -> ReminderView:
    view = ReminderView(reference=REFERENCE, school_name=SCHOOL, milestone=Milestone.DAY_5, day=5, due_on=DAY_5,
                        on_date=DAY_5, done=[], outstanding=["ews", "checklist"])
    return replace(view, **fields)


def test_the_day_5_card_names_the_milestone_and_the_reference_but_never_the_pupil():
    card = reminder_card(reminder_view())
    text = shown(card)
    assert "Day 5: CME-2026-0042" in text
    assert f"Case: {REFERENCE}" in text and f"School: {SCHOOL}" in text
    assert "Continuous absence: Day 5 (school days)" in text
    assert "Contact the Education Welfare Service and complete the missing pupil checklist." in text
    assert "Late:" not in text
    assert buttons(card) == ["EWS contacted", "Open checklist", "Open case in my chat"]
    assert nameless(text) and "Nowhere Lane" not in text


def test_a_late_reminder_says_when_it_was_due_and_what_is_done():
    card = reminder_card(reminder_view(on_date=date(2026, 11, 9), day=6, done=[("EWS contacted", "6 November 2026")],
                                       outstanding=["checklist"]))
    text = shown(card)
    assert "Late: this was due on Friday 6 November 2026." in text
    assert "✅ EWS contacted: 6 November 2026" in text
    assert buttons(card) == ["Open checklist", "Open case in my chat"]


def test_the_day_20_card_offers_the_review_the_referral_and_removal():
    card = reminder_card(reminder_view(milestone=Milestone.DAY_20, day=20, due_on=DAY_20, on_date=DAY_20,
                                       outstanding=["review", "referral"], removal_requestable=True))
    text = shown(card)
    assert "Day 20: CME-2026-0042" in text
    assert "Review with EWS; the CME referral is due; removal from roll may be requested." in text
    assert buttons(card) == ["Day 20 review done", "Complete CME referral", "Request removal from roll",
                             "Open case in my chat"]


def test_a_reminder_of_a_closed_case_says_so_and_offers_no_step():
    card = reminder_card(reminder_view(closed="Case closed: Returned to school.", outstanding=[]))
    assert "Case closed: Returned to school." in shown(card)
    assert buttons(card) == []


def test_a_reminder_that_may_be_a_repeat_says_so():
    text = shown(reminder_card(reminder_view(maybe_repeat=True)))
    assert "This reminder may be a repeat: the first attempt's delivery could not be confirmed." in text
    assert "may be a repeat" not in shown(reminder_card(reminder_view()))
    assert "may be a repeat" in shown(digest_card(DAY_21, [], maybe_repeat=True))


def test_the_overdue_digest_lists_each_case_without_names():
    lines = [DigestLine(REFERENCE, SCHOOL, 21, [(Milestone.DAY_5, DAY_5), (Milestone.DAY_20, DAY_20)]),
             DigestLine("CME-2026-0043", SCHOOL, 7, [(Milestone.DAY_5, date(2026, 11, 9))])]
    text = shown(digest_card(DAY_21, lines))
    assert "Overdue on Monday 30 November: 2 cases" in text
    assert (f"**CME-2026-0042** · {SCHOOL} · Day 21 · Day 5 (EWS and checklist) since 6 Nov; "
            "Day 20 (review and CME referral) since 27 Nov") in text
    assert f"**CME-2026-0043** · {SCHOOL} · Day 7 · Day 5 (EWS and checklist) since 9 Nov" in text
    assert "more" not in text


def test_a_long_digest_stops_at_its_limit_and_says_how_many_more():
    lines = [DigestLine(f"CME-2026-{n:04d}", SCHOOL, 8, [(Milestone.DAY_5, DAY_5)]) for n in range(5)]
    text = shown(digest_card(DAY_21, lines, limit=3))
    assert "CME-2026-0002" in text and "CME-2026-0003" not in text
    assert "…and 2 more: say **my cases** in your personal chat." in text


# Removal from roll

def removal_view(case: Case | None = None, today: date = DAY_21, **fields) -> RemovalView:
    case = case or worked_to_day_20()
    view = RemovalView(reference=REFERENCE, school_name=SCHOOL, day=case.day_number(CALENDAR, today),
                       request_id="r1", requested_by="Sam Staff (fictional)", requested_at=AT_10_15,
                       preconditions=preconditions(case, CALENDAR, today), pupil_name="Testy McTestface")
    return replace(view, **fields)


AGREED = Decision("agreed", "Tara Tracker (fictional)", AT_10_15, off_roll_date=DAY_21)
DECLINED = Decision("declined", "Tara Tracker (fictional)", AT_10_15, why="A sibling was seen in town")


def test_the_tracking_officer_sees_each_precondition_with_its_state():
    card = removal_request_card(removal_view(a_case()))
    text = shown(card)
    assert "Removal from roll requested: CME-2026-0042" in text
    assert "Pupil: Testy McTestface" in text and "Continuous absence: Day 21 (school days)" in text
    assert "Requested by Sam Staff (fictional) on Monday 30 November 2026 at 10:15." in text
    assert "✅ 20 continuous school days completed: Day 21 since 2 November 2026" in text
    assert "❌ Day 1-5 enquiries logged: none logged (still needed: Phone call, Home visit)" in text
    for label in ("Education Welfare Service contacted", "Day 20 review with EWS", "CME referral completed",
                  "Missing pupil checklist complete"):
        assert f"❌ {label}: not yet" in text
    assert "Agreement is not possible until every precondition above is met." in text
    for step in AFTER_AGREEMENT:
        assert step in text
    assert buttons(card) == ["Agree removal", "Decline", "Ask for more enquiries"]


def test_with_every_precondition_met_the_officer_may_agree():
    text = shown(removal_request_card(removal_view()))
    assert "✅ Day 20 review with EWS: 27 November 2026" in text
    assert "❌" not in text and "Agreement is not possible" not in text


def test_a_decided_request_shows_who_decided_when_and_the_off_roll_date_and_no_buttons():
    card = removal_request_card(removal_view(decision=AGREED))
    assert ("Agreed by Tara Tracker (fictional) on Monday 30 November 2026 at 10:15. Off-roll date: 30 November "
            "2026 (the date of agreement).") in shown(card)
    assert buttons(card) == []


def test_decision_times_are_london_time():
    summer = Decision("agreed", "Tara Tracker (fictional)", datetime(2027, 7, 1, 9, 0, tzinfo=UTC))
    assert summer.line() == "Agreed by Tara Tracker (fictional) on Thursday 1 July 2027 at 10:00."


def test_the_channel_line_has_no_name_and_no_reason():
    card = removal_channel_card(removal_view(a_case()))
    text = shown(card)
    assert f"Removal from roll requested: **{REFERENCE}** · {SCHOOL} · Day 21" in text
    assert ("Not met yet: Day 1-5 enquiries logged; Education Welfare Service contacted; Day 20 review with EWS; "
            "CME referral completed; Missing pupil checklist complete; Every session unauthorised (G, N or O); "
            "No grounds to believe sickness or an unavoidable cause; Joint reasonable enquiries by the school and "
            "the local authority.") in text
    assert buttons(card) == ["Agree removal", "Decline", "Ask for more enquiries"]
    assert nameless(text)
    declined = shown(removal_channel_card(removal_view(decision=DECLINED)))
    assert "Declined by Tara Tracker (fictional)" in declined
    assert "sibling" not in declined and nameless(declined)


def test_the_school_waits_then_sees_the_next_steps_and_confirm_removed():
    waiting = shown(removal_school_card(removal_view()))
    assert "Removal from roll of CME-2026-0042: Testy McTestface" in waiting
    assert "Waiting for the CME Pupil Tracking Officer's decision." in waiting
    card = removal_school_card(removal_view(decision=AGREED))
    text = shown(card)
    for n, step in enumerate(AFTER_AGREEMENT, 1):
        assert f"{n}. {step}" in text
    assert "LA code **XXX**" in text and "**XXXXXXX** (seven X's)" in text
    assert buttons(card) == ["Make the deletion return", "Confirm removed"]


def test_the_school_told_of_a_decline_sees_the_reason_and_that_enquiries_continue():
    card = removal_school_card(removal_view(decision=DECLINED))
    text = shown(card)
    assert "Reason: A sibling was seen in town." in text
    assert "The case is back with enquiries and the Day 20 reminders continue" in text
    assert buttons(card) == []


def test_a_removal_confirmed_closes_every_card():
    removed = ("Sam Staff (fictional)", datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    for build in (removal_request_card, removal_channel_card, removal_school_card):
        card = build(removal_view(decision=AGREED, removed=removed))
        assert "Removed from roll: confirmed by Sam Staff (fictional) on 1 December 2026. Case closed." in shown(card)
        assert buttons(card) == []


# Alerts in shared channels

def test_the_urgent_alert_gives_the_reference_and_the_action_never_the_pupil():
    text = shown(urgent_alert_card(REFERENCE, SCHOOL, "Sam Staff (fictional)"))
    assert "Urgent: Day 1 risk triage" in text
    assert "Children's social care and/or the police must be notified now" in text
    assert f"Case: {REFERENCE}" in text and "Reported by: Sam Staff (fictional)" in text
    assert f"say **case {REFERENCE}**" in text
    assert nameless(text)


def test_the_referral_alert_says_who_referred_and_for_whom():
    text = shown(referral_alert_card(REFERENCE, "Police", "A child seen at the station"))
    assert "New child missing education referral" in text
    assert "From: Police" in text and "For: the CME Pupil Tracking Officer" in text
    assert "A child seen at the station" in text


# Notices, welcome and help

def test_a_notice_says_why_nothing_happened():
    text = shown(notice_card("This request has been decided already.", title="Nothing changed"))
    assert text.splitlines() == ["Nothing changed", "This request has been decided already."]


def test_the_personal_welcome_greets_by_name_and_offers_a_report_to_those_who_may():
    card = personal_welcome("Sam", [("report", "Report a missing pupil")], can_report=True)
    text = shown(card)
    assert "Hello Sam, I am CME Tracker" in text
    assert "Every day counted is a school day." in text
    assert buttons(card) == ["Report a missing pupil", "Help"]
    assert buttons(personal_welcome("", [], can_report=False)) == ["Help"]
    assert "Hello, I am CME Tracker" in shown(personal_welcome("", [], can_report=False))


def test_the_team_welcome_promises_no_names_in_channels():
    card = team_welcome()
    text = shown(card)
    assert "never a child's name or address" in text
    assert "**set reminders channel**" in text
    assert buttons(card) == ["People and roles (administrators)"]


def test_the_help_card_lists_the_commands_and_roles():
    card = help_card([("report", "Report a missing pupil"), ("my cases", "Your open cases")],
                     ["School staff (Imaginary Academy (fictional))"], can_report=True)
    text = shown(card)
    assert "Your roles: School staff (Imaginary Academy (fictional))" in text
    assert "- **report**: Report a missing pupil\n- **my cases**: Your open cases" in text
    assert buttons(card) == ["Report a missing pupil"]


def test_someone_without_a_role_is_told_whom_to_ask():
    assert "Please ask Alex Admin (fictional) to give you a role." in shown(no_role_card(["Alex Admin (fictional)"]))
    assert "your local authority's CME administrator" in shown(no_role_card([]))


# The administrator's card

def admin_view(**fields) -> AdminView:
    view = AdminView(
        people=[("aad-1", "Alex Admin (fictional)", [(Role.ADMIN, None, "")]),
                ("aad-2", "Sam Staff (fictional)", [(Role.SCHOOL_STAFF, 1, SCHOOL)])],
        members=[("aad-3", "Tara Tracker (fictional)")],
        schools=[(1, "900001", SCHOOL)],
        recent=[(AT_10_15, "Alex Admin (fictional)", "gave Sam Staff (fictional) the role School staff")],
        key="k1")
    return replace(view, **fields)


def test_the_admin_card_lists_people_with_their_roles_and_recent_changes():
    card = admin_card(admin_view())
    assert card["actions"][0]["card"]["body"][0]["style"] == "filtered"  # Teams' typeahead picker
    text = shown(without_filtered_style(card))
    assert "**Alex Admin (fictional)**: Administrator" in text
    assert f"**Sam Staff (fictional)**: School staff ({SCHOOL})" in text
    assert "30 Nov 10:15 Alex Admin (fictional): gave Sam Staff (fictional) the role School staff" in text
    assert buttons(card) == ["Give a role", "Remove a role", "Add a school"]
    grant = card["actions"][0]["card"]["body"]
    assert [c["title"] for c in grant[0]["choices"]] == ["Tara Tracker (fictional)"]
    assert [c["title"] for c in grant[1]["choices"]] == [role.label for role in Role]
    remove = card["actions"][1]["card"]["body"][0]["choices"]
    assert [c["value"] for c in remove] == ["aad-1|admin|", "aad-2|school_staff|1"]


def test_the_admin_card_names_unsent_reminders_by_reference_only_twenty_at_most():
    unsent = tuple(f"CME-2026-{n:04d} Day 5" for n in range(23))
    text = shown(without_filtered_style(admin_card(admin_view(unsent_reminders=unsent))))
    assert "Reminders not confirmed posted (the next run posts them): CME-2026-0000 Day 5, " in text
    assert "CME-2026-0019 Day 5 and 3 more" in text and "CME-2026-0020" not in text


def test_the_admin_card_says_when_nobody_has_a_role_or_the_members_are_unknown():
    text = shown(admin_card(admin_view(people=[], members=[], recent=[], problem="Choose the person.")))
    assert "Nobody has a role yet." in text
    assert "I could not list this team's members: add the app to the team first." in text
    assert "Choose the person." in text and "Recent changes" not in text


def without_filtered_style(card: dict) -> dict:
    """The JSON schema bundled for 1.5 lacks the "filtered" choice style that Adaptive Cards 1.5 and Teams have."""
    text = json.dumps(card).replace('"style": "filtered"', '"style": "compact"')
    return json.loads(text)


# The agencies' referral form

def test_the_referral_form_asks_for_the_child_and_the_referrer_and_keeps_what_was_typed():
    card = referral_form_card("f1", {"forename": "Testy", "agency": "police"},
                              {"surname": "Enter the child's surname."}, "2026-11-30")
    text = shown(card)
    assert "Refer a child missing education" in text
    assert "Please check the fields marked below: what you typed is kept." in text
    assert "Child's forename=Testy" in text and "Your agency=police" in text
    assert "Enter the child's surname." in text
    for label in ("Child's surname", "Date of birth, if known", "What is known", "Your name", "Your telephone",
                  "Your e-mail"):
        assert f"{label}=" in text
    assert buttons(card) == ["Send referral"]


def test_a_fresh_referral_form_shows_no_problem():
    assert "Please check" not in shown(referral_form_card("f1", {}, {}, "2026-11-30"))


# The report form

def report_form(step: int, values: dict | None = None, **fields) -> ReportForm:
    form = ReportForm(form_id="f1", step=step, values=values or {}, schools=[(1, SCHOOL)], today=DAY_21)
    return replace(form, **fields)


def inputs(card: dict) -> dict[str, dict]:
    """The inputs of a card by id."""
    return {item["id"]: item for item in card["body"] if str(item.get("type", "")).startswith("Input.")}


def test_step_1_asks_for_the_pupil_and_keeps_what_was_typed():
    card = report_form_card(report_form(1, {"forename": "Testy", "first_day_absent": "2026-11-02"}))
    text = shown(card)
    assert "Report a missing pupil: step 1 of 3, the pupil" in text
    assert "Nothing is saved until you submit the report at step 3." in text
    assert "Pupil's forename=Testy" in text
    assert f"{SCHOOL}: 1" in text
    assert list(inputs(card)) == ["school_id", "forename", "surname", "date_of_birth", "sex", "upn", "year_group",
                                  "address", "postcode", "carer1_name", "carer1_phone", "carer2_name", "carer2_phone"]
    assert inputs(card)["date_of_birth"]["max"] == "2026-11-30"
    assert buttons(card) == ["Next", "Cancel"]
    assert card["actions"][0]["data"]["draft"] == {"first_day_absent": "2026-11-02"}  # the other steps' values


def test_a_step_with_problems_says_how_many_and_shows_each_under_its_field():
    errors = {"forename": "Enter the pupil's forename.", "postcode": "Enter a UK postcode, for example L17 7BN.",
              "first_day_absent": "Enter the first day of absence."}
    card = report_form_card(report_form(1, {"postcode": "nowhere"}, errors=errors))
    text = shown(card)
    assert "Please check 2 things below: what you typed is kept." in text
    assert "Pupil's forename=\nEnter the pupil's forename." in text
    assert "Postcode=nowhere\nEnter a UK postcode, for example L17 7BN." in text
    assert "Enter the first day of absence." not in text  # on step 2


def test_step_2_asks_about_the_absence():
    card = report_form_card(report_form(2))
    text = shown(card)
    assert "step 2 of 3, the absence" in text
    assert list(inputs(card)) == ["first_day_absent", "last_day_attended", "known_so_far", "reason", "risk_groups"]
    assert "Never started provision: never_started" in text and "Runaway: runaways" in text
    assert buttons(card) == ["Back", "Next", "Cancel"]


def test_step_3_asks_the_day_1_risk_questions_and_the_date_of_birth_confirmation_when_warned():
    card = report_form_card(report_form(3))
    text = shown(card)
    assert "step 3 of 3, day 1 risk" in text
    for question in ("Is the child subject to a child protection plan?", "Is the child looked after (in care)?",
                     "Is there reason to suspect the child is at risk of harm or a victim of crime?"):
        assert f"{question}=" in text
    assert "confirm_dob" not in inputs(card)
    assert buttons(card) == ["Back", "Submit report", "Cancel"]
    warning = "The pupil would be 4 on the first day of absence, outside compulsory school age (5 to 16)."
    warned = report_form_card(report_form(3, warnings={"date_of_birth": warning}))
    assert warning in shown(warned) and "Please check 1 thing below" in shown(warned)
    assert inputs(warned)["confirm_dob"]["title"] == "The date of birth is right"


def test_the_upn_example_on_the_form_is_a_valid_upn():
    placeholder = inputs(report_form_card(report_form(1)))["upn"]["placeholder"]
    assert upn_problem(placeholder.rsplit(" ", 1)[-1]) is None


def test_each_date_limit_on_the_form_says_what_is_wrong_and_what_today_is():
    dates = {key: field for step in (1, 2) for key, field in inputs(report_form_card(report_form(step))).items()
             if field["type"] == "Input.Date"}
    assert {key: (field["max"], field["errorMessage"]) for key, field in dates.items()} == {
        "date_of_birth": ("2026-11-30", "The date of birth is needed, and cannot be after today, 30 November 2026."),
        "first_day_absent": ("2026-11-30",
                             "The first day of absence is needed, and cannot be after today, 30 November 2026."),
        "last_day_attended": ("2026-11-30", "The last day attended cannot be after today, 30 November 2026."),
    }


def test_a_date_typed_is_written_out_beside_its_picker_whatever_the_browser_shows():
    card = report_form_card(report_form(2, {"first_day_absent": "2026-11-05", "last_day_attended": "2026-11-02"}))
    assert "First day of absence (Day 1)=2026-11-05\nThursday 5 November 2026" in shown(card)
    assert "Last day attended=2026-11-02\nMonday 2 November 2026" in shown(card)


def test_school_days_between_the_dates_are_asked_about_with_a_confirmation_of_these_two_dates():
    warning = "2 school days lie between the last day attended and the first day of absence: ..."
    values = {"first_day_absent": "2026-11-05", "last_day_attended": "2026-11-02"}
    assert "confirm_dates" not in inputs(report_form_card(report_form(2, values)))
    card = report_form_card(report_form(2, values, warnings={"first_day_absent": warning}))
    text = shown(card)
    assert "Please check 1 thing below" in text and f"Thursday 5 November 2026\n{warning}" in text
    toggle = inputs(card)["confirm_dates"]
    assert toggle["title"] == "Both dates are right: the pupil was not missing on the days between"
    assert toggle["valueOn"] == "2026-11-02/2026-11-05" and toggle["value"] == "false"
    assert list(inputs(card))[:3] == ["first_day_absent", "confirm_dates", "last_day_attended"]


def test_the_report_done_and_cancelled_cards():
    assert "Reported: CME-2026-0042\nTesty McTestface's case card follows. This form is closed." == \
        shown(report_done_card(REFERENCE, "Testy McTestface"))
    assert shown(report_cancelled_card()) == "Report cancelled: nothing was saved."
