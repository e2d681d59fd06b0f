"""Expected starters: the form to add one and the school's list (personal chat, named); the non-arrival card for the
school's reminders channel and the authority's line (reference only); the new pupil return for tracking officers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from adaptive_cards import card as ac

from cards.base import card, container, facts, heading, show_card, submit, text
from cards.base import execute as button
from cards.exports import download_action
from cards.text import user_text
from cme.expected_starters import NEW_PUPIL_RETURN, NON_ARRIVAL_DAYS, Starter, Status
from cme.report import YEAR_GROUPS, long_date

ADD_VERB = "starter.add"
ARRIVED_VERB = "starter.arrived"
NOT_ARRIVED_VERB = "starter.notarrived"
CASE_VERB = "starter.case"  # the channel card's button
MAYBE_REPEAT = "This card may be a repeat: the first attempt's delivery could not be confirmed."


def _problem(errors: dict, key: str) -> list:
    return [text(errors[key], color="attention")] if key in errors else []


def starter_form_card(form_id: str, values: dict, errors: dict, schools: list[tuple[int, str]], today: date,
                      *, notice: str | None = None) -> dict:
    """`values` are what was typed, shown back as typed (input values are not markdown)."""
    def field_(key: str, label: str, *, required: bool = False, multiline: bool = False) -> list:
        element = ac.InputText(id=key, label=label, value=values.get(key) or None, is_required=required or None,
                               is_multiline=multiline or None, error_message="Required." if required else None)
        return [element, *_problem(errors, key)]

    def date_(key: str, label: str, **limits) -> list:
        return [ac.InputDate(id=key, label=label, value=values.get(key) or None, is_required=True,
                             error_message="Required.", **limits), *_problem(errors, key)]

    body = [heading("An expected starter"),
            text("A pupil your school has agreed will start on a day. Press **Arrived** in **expected starters** "
                 f"when they come (the new pupil return to the local authority). Not arrived within "
                 f"{NON_ARRIVAL_DAYS} school days, your reminders channel gets a card to make it a CME case.",
                 subtle=True)]
    if notice:
        body.append(text(notice, color="good", bold=True))
    if errors:
        body.append(text("Please check the fields marked below: what you typed is kept.", color="attention",
                         bold=True))
    if len(schools) > 1 or "school_id" in errors:
        body += [ac.InputChoiceSet(id="school_id", label="School", value=values.get("school_id") or None,
                                   is_required=True, error_message="Choose one.",
                                   choices=[ac.InputChoice(title=user_text(name), value=str(number))
                                            for number, name in schools]), *_problem(errors, "school_id")]
    body += [
        *field_("forename", "Forename", required=True), *field_("surname", "Surname", required=True),
        *date_("date_of_birth", "Date of birth", max=today.isoformat()),
        ac.InputChoiceSet(id="year_group", label="Year group", value=values.get("year_group") or None,
                          is_required=True, error_message="Choose one.",
                          choices=[ac.InputChoice(title=y, value=y) for y in YEAR_GROUPS]),
        *_problem(errors, "year_group"),
        *date_("first_day", "Agreed first day"),
        *field_("address", "Home address, if known", multiline=True), *field_("postcode", "Postcode, if known"),
        *field_("previous_school", "Previous school, if any"),
        *field_("carer_name", "Parent or carer, if known"), *field_("carer_phone", "Their telephone"),
    ]
    data = {"form": form_id}
    if len(schools) == 1:
        data["school_id"] = str(schools[0][0])
    return card(body, [submit("Save expected starter", ADD_VERB, style="positive", **data)])


def starter_saved_card(reference: str, name: str, first_day: date, due: date | None, created: bool) -> dict:
    when = (f"If the pupil has not arrived by {long_date(due, weekday=True)}, your reminders channel gets a card "
            "(reference only) to make it a CME case." if due else
            "The day a non-arrival card is due is not known yet: the term dates in force end before it.")
    said = "Saved" if created else "Saved already"
    return card([text(f"{said}: {reference}, {user_text(name)}, expected from {long_date(first_day, weekday=True)}.",
                      bold=True, color="good"),
                 text(when, subtle=True),
                 text("Say **expected starters** for your school's list, with **Arrived** for each.", subtle=True)])


@dataclass(frozen=True)
class StarterLine:
    starter: Starter
    school_name: str
    due: date | None  # when a non-arrival card is due (None: not known yet)
    overdue: bool


@dataclass(frozen=True)
class StarterList:
    lines: list[StarterLine]
    today: date
    problem: str | None = None
    notice: str | None = None
    typed: dict = field(default_factory=dict)  # the arrival form's values of the starter `typed_for`
    typed_for: int | None = None


def _status(line: StarterLine) -> tuple[str, str | None]:
    s = line.starter
    if s.status is Status.ARRIVED:
        return f"Arrived {long_date(s.arrived_on)}: new pupil return made", "good"
    if s.status is Status.CASE:
        return f"Did not arrive: CME case {s.case_reference or '(being made)'}", "warning"
    if line.overdue:
        return f"Not arrived within {NON_ARRIVAL_DAYS} school days: make it a CME case", "attention"
    due = f"; not arrived by {long_date(line.due)}, a card goes to your reminders channel" if line.due else ""
    return f"Expected{due}", None


def _arrival_form(line: StarterLine, view: StarterList):
    s = line.starter
    typed = view.typed if view.typed_for == s.id else {}
    return show_card("Arrived", [
        text(f"The new pupil return ({NEW_PUPIL_RETURN}) goes to the local authority's CME Pupil Tracking Officer.",
             subtle=True),
        ac.InputDate(id="arrived_on", label="Arrived on", value=typed.get("arrived_on") or view.today.isoformat(),
                     max=view.today.isoformat(), is_required=True, error_message="Required."),
        ac.InputText(id="address", label="Home address", value=typed.get("address") or s.pupil.address or None,
                     is_multiline=True, is_required=True, error_message="Required."),
        ac.InputText(id="postcode", label="Postcode", value=typed.get("postcode") or s.pupil.postcode or None),
        ac.InputText(id="previous_school", label="Previous school (leave empty if none)",
                     value=typed.get("previous_school") or s.previous_school or None),
    ], [submit("Send the new pupil return", ARRIVED_VERB, style="positive", starter=str(s.id))])


def _line(line: StarterLine, view: StarterList):
    s = line.starter
    status, color = _status(line)
    items = [text(f"**{s.reference}** {user_text(s.pupil.full_name)}"),
             text(" · ".join(part for part in (user_text(line.school_name), user_text(s.pupil.year_group),
                                               f"first day {long_date(s.first_day, weekday=True)}") if part),
                  subtle=True),
             text(status, color=color)]
    actions = []
    if s.status is Status.EXPECTED:
        actions = [_arrival_form(line, view), submit("Not arrived", NOT_ARRIVED_VERB, starter=str(s.id))]
    columns = [ac.Column(width="stretch", items=items)]
    if actions:
        columns.append(ac.Column(width="auto", vertical_content_alignment="center",
                                 items=[ac.ActionSet(actions=actions)]))
    return ac.ColumnSet(separator=True, columns=columns)


def starters_list_card(view: StarterList) -> dict:
    body = [heading("Expected starters")]
    if view.problem:
        body.append(text(view.problem, color="attention", bold=True))
    if view.notice:
        body.append(text(view.notice, color="good", bold=True))
    expected = sum(1 for line in view.lines if line.starter.status is Status.EXPECTED)
    body.append(text(f"{expected} expected; arrived and non-arrivals of the last weeks below them. Add one with "
                     "**expected starter**, many with `cme-bot starters import`.", subtle=True))
    body += [_line(line, view) for line in view.lines]
    # every starter of the school, the new pupil returns among them (bot/exports/kinds/new_pupil_returns.py)
    return card(body, [download_action("new-pupil-returns")] if view.lines else [])


@dataclass(frozen=True)
class NonArrivalView:
    reference: str
    school_name: str
    first_day: date
    due: date
    on_date: date
    status: Status = Status.EXPECTED
    case_reference: str = ""
    arrived_on: date | None = None
    said: str | None = None  # what the last press did, or why nothing
    maybe_repeat: bool = False


def non_arrival_card(view: NonArrivalView) -> dict:
    """For the school's reminders channel: the starter's reference, never a name."""
    body = [heading(f"Not arrived: {view.reference}")]
    if view.maybe_repeat:
        body.append(text(MAYBE_REPEAT, color="warning"))
    if view.due < view.on_date and view.status is Status.EXPECTED:
        body.append(text(f"Late: this was due on {long_date(view.due, weekday=True)}.", color="warning", bold=True))
    body.append(facts([("Expected starter", view.reference), ("School", user_text(view.school_name)),
                       ("Agreed first day", long_date(view.first_day, weekday=True))]))
    make_it = (" Make it a CME case: Day 1 is the agreed first day, reason \"never started provision\", and Day 5 "
               "and Day 20 run from then." if view.status is Status.EXPECTED else "")
    body.append(text(f"{NON_ARRIVAL_DAYS} school days passed from the agreed first day without the pupil arriving "
                     f"(policy section 6).{make_it}"))
    if view.said:
        body.append(text(view.said, bold=True))
    if view.status is Status.ARRIVED:
        body.append(container([text(f"Arrived on {long_date(view.arrived_on)}: nothing more to do.", bold=True)],
                              style="good"))
        return card(body)
    if view.status is Status.CASE:
        body.append(container([text(f"CME case {view.case_reference or '(being made)'}: open it in your personal "
                                    f"chat with **case {view.case_reference or 'CME-…'}**.", bold=True)],
                              style="good"))
        return card(body)
    body.append(text("The pupil's details are in **expected starters**, in your personal chat with me.", subtle=True))
    return card(body, [button("Make it a CME case", CASE_VERB, starter=view.reference)])


@dataclass(frozen=True)
class NewPupilReturn:
    starter: Starter
    school_name: str
    recorded_by: str


def new_pupil_return_card(view: NewPupilReturn) -> dict:
    """For the authority's tracking officers, in their personal chats: names the pupil."""
    s, pupil = view.starter, view.starter.pupil
    address = ", ".join(part for part in (pupil.address, pupil.postcode) if part)
    return card([
        heading(f"New pupil return: {s.reference}"),
        text(f"Under {NEW_PUPIL_RETURN}.", subtle=True),
        facts([("Pupil", user_text(pupil.full_name)),
               ("Date of birth", long_date(pupil.date_of_birth) if pupil.date_of_birth else "not given"),
               ("Year group", user_text(pupil.year_group)), ("School", user_text(view.school_name)),
               ("Agreed first day", long_date(s.first_day)), ("Arrived on", long_date(s.arrived_on)),
               ("Address", user_text(address)), ("Previous school", user_text(s.previous_school) or "none"),
               ("Recorded by", user_text(view.recorded_by))]),
    ])


def new_pupil_line_card(reference: str, school_name: str, arrived_on: date) -> dict:
    """The authority's channel: that a return came, by reference only."""
    return card([text("New pupil return", bold=True),
                 facts([("Expected starter", reference), ("School", user_text(school_name)),
                        ("Arrived on", long_date(arrived_on))]),
                 text("The tracking officers have the details in their personal chats.", subtle=True)])
