"""Every card, built with hostile text in every field a person typed (or Teams named), shows it inert.

Each builder is built twice with the same data but for the typed text: once an ordinary name, once
hostile text. In every piece of text Teams renders as markdown (TextBlocks, facts) the hostile card
may not have more markup than the ordinary one: no link, mention, HTML, emphasis, heading or list that
the bot did not write itself. Input values are not markdown: they keep exactly what was typed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

import cards
from cards.admin import AdminView, admin_card
from cards.alerts import referral_alert_card, urgent_alert_card
from cards.case_card import CaseView, case_card
from cards.case_list import CaseLine, case_list_card
from cards.census import census_card, census_date_problem_card
from cards.checklist_card import checklist_card
from cards.copp import PanelView, copp_digest_card, copp_pack_card
from cards.deadlines import DeadlineView, deadline_card
from cards.deletion_return import (
    ListedReturn,
    ReturnForm,
    ReturnView,
    deletion_return_card,
    deletion_return_form_card,
    deletion_return_line_card,
    deletion_returns_card,
)
from cards.expected_starters import (
    NewPupilReturn,
    NonArrivalView,
    StarterLine,
    StarterList,
    new_pupil_line_card,
    new_pupil_return_card,
    non_arrival_card,
    starter_form_card,
    starter_saved_card,
    starters_list_card,
)
from cards.exports import download_card
from cards.handoff import HandoffLine, handoff_line_card, handoff_reminder_card
from cards.notice import notice_card
from cards.out_of_provision import TrackingView
from cards.referral_form import referral_form_card
from cards.register import RegisterLineView, RegisterView, register_card
from cards.reminders import DigestLine, ReminderView, digest_card, reminder_card
from cards.removal import (
    Decision,
    RemovalView,
    removal_channel_card,
    removal_request_card,
    removal_school_card,
)
from cards.report_form import STEPS, ReportForm, report_done_card, report_form_card
from cards.stats import Chart, StatsView, stats_card
from cards.text import user_text
from cards.welcome import help_card, no_role_card, personal_welcome
from cme.case import Carer, PendingHandoff, Pupil
from cme.census import counts
from cme.copp import PanelCase, panel_figures
from cme.deadlines import Deadline
from cme.expected_starters import FIELDS as STARTER_FIELDS
from cme.expected_starters import Starter, Status
from cme.handoff import notification_text
from cme.lifecycle import State
from cme.milestones import Milestone
from cme.register import RegisterFilter
from cme.removal import preconditions
from cme.roles import Role
from tests.unit.builders import AT_RISK, CALENDAR, DAY_1, DAY_5, DAY_21, REFERENCE, a_case, worked_to_day_20

ORDINARY = "Ava Example"
HOSTILE = ("# heading\n1. list\n- item\r> quote\n[click](http://evil.example) <at>Tara</at> <b>x</b> **bold** "
           "*star* _x_ `code` ~~gone~~ \\ &lt;at&gt; {{DATE(2017-02-14T06:00:00Z, SHORT)}} ![i](http://evil.example/i.png) "
           "🙂 👨‍👩‍👧")
VERY_LONG = "[click](http://evil.example) " * 60 + "**" + "x" * 2000 + "**"
AT = datetime(2026, 11, 30, 10, 15, tzinfo=UTC)


# Each builder in cards/, with data in which every typed or Teams-given text is `typed`.

def _admin(typed: str) -> list[dict]:
    return [admin_card(AdminView(
        people=[("aad-1", typed, [(Role.SCHOOL_STAFF, 1, typed), (Role.ADMIN, None, "")])],
        members=[("aad-2", typed)], schools=[(1, "100001", typed)], recent=[(AT, typed, typed)], key="k",
        unsent_reminders=("CME-2026-0042 Day 5 (uncertain)",)))]


def _pupil(typed: str) -> Pupil:
    return Pupil(forename=typed, surname=typed, date_of_birth=date(2015, 3, 14), upn=typed, year_group=typed,
                 address=typed, postcode=typed, carers=(Carer(typed, typed, typed), Carer(typed)))


def _history(typed: str) -> list[tuple[datetime, str, str, dict]]:
    said = {"reported": {"day": 1}, "referred_by_agency": {"agency": typed},
            "enquiry_logged": {"kind": "home_visit", "outcome": typed, "note": typed},
            "risk_notified": {"notified": ["police"], "when": typed, "details": typed},
            "removal_declined": {"why": typed}, "more_enquiries_asked": {"why": typed},
            "ews_contacted": {"note": typed}, "day20_reviewed": {"note": typed}}
    return [(AT, typed, kind, data) for kind, data in said.items()]


def _case(typed: str) -> list[dict]:
    built = []
    for case, today in ((a_case(risk=AT_RISK), DAY_1), (worked_to_day_20(), DAY_21)):
        case = replace(case, pupil=_pupil(typed), new_school=typed, forwarding_address=typed)
        view = CaseView(case=case, school_name=typed, day=case.day_number(CALENDAR, today),
                        due=case.due_dates(CALENDAR), overdue=case.overdue(CALENDAR, today), today=today, key="k",
                        history=_history(typed), can_request_removal=True)
        built.append(case_card(view))
    return built


def _case_list(typed: str) -> list[dict]:
    line = CaseLine(REFERENCE, typed, typed, 3, (Milestone.DAY_5, DAY_5), (Milestone.DAY_5,), "Reported")
    return [case_list_card(f"Open cases: {typed}", [line], 1)]


def _removal_view(typed: str, **fields) -> RemovalView:
    case = worked_to_day_20()
    view = RemovalView(reference=REFERENCE, school_name=typed, day=21, request_id="r1", requested_by=typed,
                       requested_at=AT, preconditions=preconditions(case, CALENDAR, DAY_21), pupil_name=typed)
    return replace(view, **fields)


def _removal(typed: str) -> list[dict]:
    views = [_removal_view(typed),
             _removal_view(typed, decision=Decision("declined", typed, AT, why=typed)),
             _removal_view(typed, decision=Decision("agreed", typed, AT, off_roll_date=DAY_21)),
             _removal_view(typed, decision=Decision("agreed", typed, AT, off_roll_date=DAY_21), removed=(typed, AT))]
    return [render(view) for view in views
            for render in (removal_request_card, removal_channel_card, removal_school_card)]


def _report_values(typed: str) -> dict:
    values = {key: typed for step in STEPS for key in step}
    return values | {"school_id": "1", "date_of_birth": "2015-03-14", "first_day_absent": "2026-11-02",
                     "confirm_dates": "false", "confirm_dob": "true"}


def _report_forms(typed: str) -> list[dict]:
    return [report_form_card(ReportForm("f1", step, _report_values(typed), [(1, typed)], DAY_5)) for step in (1, 2, 3)]


def _panel(typed: str) -> PanelView:
    cases = [PanelCase(REFERENCE, typed, typed, "Enquiries under way", DAY_1, DAY_1),
             PanelCase("CME-2026-0043", typed, typed, "Closed", DAY_1, DAY_1, DAY_5, "on_roll_elsewhere", typed)]
    return PanelView(typed, panel_figures(cases, DAY_1, DAY_21), time(9, 0), DAY_21)


def _deletion_return(typed: str) -> list[dict]:
    from cme.deletion_return import DeletionReturn, Parent
    made = DeletionReturn("a", DAY_5, typed, typed, typed, (Parent(typed, typed, typed),), typed, typed, DAY_5)
    view = ReturnView("DR-00001", 1, typed, made, AT, typed, AT, typed, REFERENCE, True, None)
    return [deletion_return_card(view), deletion_return_card(replace(view, acknowledged_at=None))]


BUILDERS: dict[str, Callable[[str], list[dict]]] = {
    "deletion_return_card": _deletion_return,
    "deletion_return_form_card": lambda typed: [deletion_return_form_card(ReturnForm(
        "f1", {key: typed for key in ("forename", "surname", "address", "parent1_name", "parent1_address",
                                      "parent1_phone", "parent2_name", "parent2_address", "parent2_phone",
                                      "new_address", "new_school")},
        [(1, typed), (2, typed)], DAY_5, REFERENCE, {"surname": "Missing: the pupil's surname."}, ["x"]))],
    "deletion_return_line_card": lambda typed: [deletion_return_line_card("DR-00001", typed, "i")],
    "deletion_returns_card": lambda typed: [deletion_returns_card("Deletion returns", [("Waiting", [
        ListedReturn(1, "DR-00001", typed, typed, "a", DAY_5, AT), ListedReturn(
            2, "DR-00002", typed, typed, "a", DAY_5, AT, AT, typed)])], empty="None yet.")],
    "admin_card": _admin,
    "urgent_alert_card": lambda typed: [urgent_alert_card(REFERENCE, typed, typed)],
    "referral_alert_card": lambda typed: [referral_alert_card(REFERENCE, typed, "A referral.")],
    "case_card": _case,
    "case_list_card": _case_list,
    "checklist_card": lambda typed: [checklist_card(REFERENCE, set(), "k")],
    "notice_card": lambda typed: [notice_card("Nothing was changed.", title="Sorry")],
    "referral_form_card": lambda typed: [referral_form_card("f1", {k: typed for k in (
        "forename", "surname", "address", "postcode", "known_so_far", "referrer_name", "referrer_phone",
        "referrer_email")}, {}, "2026-11-06")],
    "reminder_card": lambda typed: [reminder_card(ReminderView(
        REFERENCE, typed, milestone, 20, DAY_5, DAY_5, [], ["ews", "review"], closed=None, removal_requestable=True))
        for milestone in Milestone],
    "digest_card": lambda typed: [digest_card(DAY_5, [DigestLine(REFERENCE, typed, 7, [(Milestone.DAY_5, DAY_5)])])],
    "deadline_card": lambda typed: [deadline_card(DeadlineView(REFERENCE, typed, deadline, DAY_1, DAY_5))
                                    for deadline in Deadline],
    "removal_request_card": _removal,
    "removal_channel_card": _removal,
    "removal_school_card": _removal,
    "report_form_card": _report_forms,
    "report_done_card": lambda typed: [report_done_card(REFERENCE, typed)],
    "personal_welcome": lambda typed: [personal_welcome(typed, [("help", "what you can do")], True)],
    "help_card": lambda typed: [help_card([("help", "what you can do")], [f"School staff ({typed})"], True)],
    "no_role_card": lambda typed: [no_role_card([typed, typed])],
    "copp_digest_card": lambda typed: [copp_digest_card(_panel(typed))],
    "copp_pack_card": lambda typed: [copp_pack_card(_panel(typed))],
    "census_card": lambda typed: [census_card(typed, counts([], DAY_5))],
    "census_date_problem_card": lambda typed: [census_date_problem_card("That is not a date.")],
    "stats_card": lambda typed: [stats_card(StatsView(typed, DAY_5, 1, [
        Chart("Open cases by stage", "Chart.VerticalBar", [("Reported", 1)])], None, 0))],
    "register_card": lambda typed: [register_card(RegisterView(typed, [RegisterLineView(
        REFERENCE, typed, typed, "Reported", "Day 3", "", ("Day 5",), (typed,))], 1, 1, RegisterFilter(),
        [(1, typed)], "2026-11-02/1"))],
    "download_card": lambda typed: [download_card(f"Register: {typed}", "http://localhost:3978/exports/t.csv",
                                                  "http://localhost:3978/exports/t.html", "10:20", 5)],
}


def card_builders() -> dict[str, Callable]:
    """Every public function of cards/ that returns a card (named ..._card or ..._welcome)."""
    found = {}
    for module_info in pkgutil.iter_modules(cards.__path__):
        module = importlib.import_module(f"cards.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_") \
                    and inspect.signature(function).return_annotation in (dict, "dict") \
                    and name.endswith(("_card", "_welcome")):
                found[name] = function
    return found


def _without_text(builder: Callable) -> Callable[[str], list[dict]]:
    return lambda typed: [builder()]


# A builder that takes nothing cannot show anything typed; it is checked all the same.
BUILDERS |= {name: _without_text(builder) for name, builder in card_builders().items()
             if not inspect.signature(builder).parameters}


def _starter(typed: str) -> Starter:
    return Starter(1, _pupil(typed), DAY_1, previous_school=typed, status=Status.ARRIVED, arrived_on=DAY_5, id=7)


def _starter_lines(typed: str) -> list[StarterLine]:
    return [StarterLine(replace(_starter(typed), status=status, case_reference=REFERENCE), typed, DAY_5, overdue)
            for status in Status for overdue in (False, True)]


BUILDERS |= {
    "starter_form_card": lambda typed: [starter_form_card("f1", {key: typed for key in STARTER_FIELDS}, {},
                                                          [(1, typed), (2, typed)], DAY_5)],
    "starter_saved_card": lambda typed: [starter_saved_card("NS-00007", typed, DAY_1, day, True)
                                         for day in (DAY_5, None)],
    "starters_list_card": lambda typed: [starters_list_card(StarterList(_starter_lines(typed), DAY_5,
                                                                        typed_for=7, typed={"address": typed}))],
    "non_arrival_card": lambda typed: [non_arrival_card(NonArrivalView(
        "NS-00007", typed, DAY_1, DAY_1, DAY_5, status, REFERENCE, DAY_5, said="Made.")) for status in Status],
    "new_pupil_return_card": lambda typed: [new_pupil_return_card(NewPupilReturn(_starter(typed), typed, typed))],
    "new_pupil_line_card": lambda typed: [new_pupil_line_card("NS-00007", typed, DAY_5)],
}



def _handed_case(typed: str, to_authority_id: int | None, receiving: bool = False) -> dict:
    """A case card of a child handed to another authority (cards/handoff.py), with typed names everywhere."""
    case = replace(worked_to_day_20(), pupil=_pupil(typed), forwarding_address=typed, state=State.OUT_OF_PROVISION,
                   handoff=PendingHandoff(to_authority_id, typed, DAY_5, typed))
    tracking = TrackingView(REFERENCE, case.state, 3, DAY_21, "k", handoff=case.handoff, receiving=receiving,
                            notification=notification_text(case, school_name=typed, officer_name=typed,
                                                           officer_authority=typed, reasons=typed, at_risk=typed,
                                                           today=DAY_21))
    return case_card(CaseView(case=case, school_name=typed, day=0, due={}, overdue=[], today=DAY_21, key="k",
                              history=[(AT, typed, "handoff_sent", {"to_authority": typed}),
                                       (AT, typed, "handoff_accepted", {"to_authority": typed,
                                                                        "from_authority": typed})],
                              for_officer=True, tracking=tracking))


def _handoff_lines(typed: str) -> list[dict]:
    line = HandoffLine(REFERENCE, typed, typed, DAY_5)
    return [handoff_line_card(line), handoff_line_card(replace(line, accepted_by=typed, accepted_on=DAY_21))]


_CASE_CARDS = BUILDERS["case_card"]
BUILDERS |= {
    "handoff_line_card": _handoff_lines,
    "handoff_reminder_card": lambda typed: [handoff_reminder_card(HandoffLine(REFERENCE, typed, typed, DAY_5), 5)],
    "case_card": lambda typed: [*_CASE_CARDS(typed), _handed_case(typed, 2), _handed_case(typed, 2, True),
                                _handed_case(typed, None)],
}

def test_every_card_builder_is_built_with_hostile_text_here():
    assert set(card_builders()) == set(BUILDERS)


# What Teams renders as markdown, and the markup in it.

def markdown_texts(node, path: str = "") -> dict[str, str]:
    """Every text Teams renders as markdown, by where it is on the card."""
    found: dict[str, str] = {}
    if isinstance(node, list):
        for n, item in enumerate(node):
            found |= markdown_texts(item, f"{path}/{n}")
    elif isinstance(node, dict):
        if node.get("type") == "TextBlock":
            found[path] = str(node.get("text", ""))
        if node.get("type") == "FactSet":
            for n, fact in enumerate(node.get("facts", [])):
                found[f"{path}/facts/{n}/title"], found[f"{path}/facts/{n}/value"] = fact["title"], fact["value"]
        for key, value in node.items():
            if key not in ("data", "fallback"):
                found |= markdown_texts(value, f"{path}/{key}")
    return found


def input_values(node) -> list[tuple[str, object]]:
    if isinstance(node, list):
        return [found for item in node for found in input_values(item)]
    if not isinstance(node, dict):
        return []
    here = [(node["id"], node.get("value"))] if node.get("type") == "Input.Text" else []
    return here + [found for value in node.values() for found in input_values(value)]


MARKUP = {
    "link or image": re.compile(r"\]\s*[(\[:]"),
    "tag, mention or autolink": re.compile(r"<[A-Za-z/!?]"),
    "address made a link": re.compile(r"[A-Za-z]://"),
    "entity": re.compile(r"&#?[0-9A-Za-z]+;"),
    "card function": re.compile(r"\{\{"),
    "emphasis, code or strikethrough": re.compile(r"[*_`~]"),
    "escape": re.compile(r"\\"),
    "bracket": re.compile(r"[\[\]<>]"),
    "heading, list, quote or rule": re.compile(r"^[ \t]*([#>+=|*-]|\d+[.)])", re.MULTILINE),
    "line break in a list": re.compile(r"\r"),
}


def markup(text: str) -> Counter:
    return +Counter({name: len(pattern.findall(text)) for name, pattern in MARKUP.items()})


@pytest.mark.parametrize("hostile", [HOSTILE, VERY_LONG], ids=["hostile", "very long"])
@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_hostile_text_adds_no_markup_to_any_card(builder, hostile):
    ordinary_cards, hostile_cards = BUILDERS[builder](ORDINARY), BUILDERS[builder](hostile)
    for ordinary_card, hostile_card in zip(ordinary_cards, hostile_cards, strict=True):
        ordinary, shown = markdown_texts(ordinary_card), markdown_texts(hostile_card)
        assert shown.keys() == ordinary.keys()
        for where, text in shown.items():
            added = markup(text) - markup(ordinary[where])
            assert not added, f"{builder} {where}: {dict(added)} in {text[:300]!r}"
            assert "<at>" not in text and "](http://evil" not in text and "http://evil" not in text


@pytest.mark.parametrize("builder", ["report_form_card", "referral_form_card", "deletion_return_form_card",
                                     "starter_form_card"])
def test_what_was_typed_stays_as_typed_in_the_form_so_editing_keeps_it(builder):
    typed = [value for card in BUILDERS[builder](HOSTILE) for _key, value in input_values(card)]
    assert typed and set(typed) == {HOSTILE}


def test_the_typed_text_is_still_there_to_read():
    text = "\n".join(markdown_texts(case_card(CaseView(
        case=a_case(pupil=_pupil(HOSTILE)), school_name="Oakwood", day=1, due={}, overdue=[], today=DAY_1,
        key="k"))).values())
    assert user_text(HOSTILE) in text


@pytest.mark.parametrize("ordinary", ["Ava Example", "Siobhán O'Brien-Smith", "12 Long Lane, Fictionville",
                                      "ZZ9 9ZZ", "07700 900123", "Flat 2 (rear), 1-3 Long Lane", "Smith & Sons",
                                      "50% of days; ages 5-16", "Year 6", "née Ünal 🙂"])
def test_ordinary_text_is_shown_unchanged(ordinary):
    assert user_text(ordinary) == ordinary


@pytest.mark.parametrize("hostile", [HOSTILE, VERY_LONG, "[a]: http://evil.example\n[a]", "<http://evil.example>",
                                     "***", "Title\n===", "1) one", "+ plus", "| a | b |"])
def test_user_text_leaves_no_markup_and_changes_nothing_a_second_time(hostile):
    inert = user_text(hostile)
    assert not markup(inert), markup(inert)
    assert user_text(inert) == inert
    visible = inert.replace("\u2060", "")
    assert len(visible) == len(hostile.replace("\r\n", "\n")), "one character shown for each one typed"


# Retention and who opened a case (cards/retention.py): references and counts, and the names of staff as typed.
from cards.retention import RetentionView, opened_card, retention_card  # noqa: E402

BUILDERS |= {
    "retention_card": lambda typed: [retention_card(RetentionView(
        DAY_5, "six years", ((REFERENCE, DAY_5),), (REFERENCE,), 1,
        ((REFERENCE, datetime(2026, 11, 2, 9, tzinfo=UTC), typed, "six_years"),)))],
    "opened_card": lambda typed: [opened_card(REFERENCE, ((datetime(2026, 11, 2, 9, tzinfo=UTC), typed,
                                                           "School staff", "personal chat"),)), opened_card(REFERENCE, ())],
}
