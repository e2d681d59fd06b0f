"""The tracking officer's part of a case card once the school's part is closed: the child out of provision, and
the outcomes they record (cme/tracking.py). Shown only to officers of the case's authority."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from adaptive_cards import card as ac

from cards.base import action_set, container, show_card, submit, text
from cards.handoff import declined_line, describe_handoff, outside_area_form, receiving_part, sending_part
from cards.text import user_text
from cme.case import DeclinedHandoff, PendingHandoff
from cme.lifecycle import State
from cme.tracking import default_review_date

# The history entries of the authority's tracking: not shown to the school whose part is closed.
TRACKING_EVENTS = frozenset({"tracking_outcome", "not_located", "not_located_reviewed", "kept_on_register",
                             "handoff_sent", "handoff_accepted", "handoff_withdrawn", "handoff_declined"})


@dataclass(frozen=True)
class TrackingView:
    reference: str
    state: State
    weeks_missing: int
    today: date
    key: str
    review_on: date | None = None
    schools: list[str] = field(default_factory=list)  # the authority's, for "on roll at a school"
    others: list[tuple[int, str]] = field(default_factory=list)  # the deployment's other authorities (hand-off)
    handoff: PendingHandoff | None = None  # handed to another authority, not yet done with (cme/handoff.py)
    notification: str = ""  # to an authority not on this deployment: the text to send by secure e-mail
    receiving: bool = False  # the reader is a tracking officer of the authority the child is handed to
    declined: DeclinedHandoff | None = None  # the last hand-off, declined by the receiving authority


def _dated(input_id: str, label: str, today: date, value: date | None = None, *, future: bool = False):
    bound = {"min": today.isoformat()} if future else {"max": today.isoformat()}
    return ac.InputDate(id=input_id, label=label, is_required=True, error_message="Give the date.",
                        value=value.isoformat() if value else None, **bound)


def _form(title: str, verb: str, view: TrackingView, inputs: list):
    return show_card(title, inputs, [submit("Save", verb, case=view.reference, key=view.key)])


def _located_forms(view: TrackingView) -> list:
    return [
        _form("On roll at a school", "tracking.school", view, [
            ac.InputChoiceSet(id="school_listed", label="One of the authority's schools",
                              choices=[ac.InputChoice(title=user_text(name), value=name) for name in view.schools]),
            ac.InputText(id="school_named", label="Or another school (its name and area)"),
            _dated("start_date", "On roll from", view.today)]),
        _form("Elective home education", "tracking.ehe", view, [
            _dated("since", "Since", view.today),
            ac.InputText(id="note", label="Note (the parent's notice, the authority's contact)", is_multiline=True)]),
        _form("Other provision", "tracking.other", view, [
            ac.InputText(id="provision", label="Which provision", is_required=True, error_message="Say which."),
            _dated("since", "Since", view.today)]),
        outside_area_form(view.reference, view.key, view.today, view.others),
        _form("Left England", "tracking.abroad", view, [
            ac.InputText(id="where", label="Where to (if known)"), _dated("on", "Left on", view.today)]),
    ]


def _not_located_form(view: TrackingView):
    review = view.review_on or default_review_date(view.today)
    if view.state is State.NOT_LOCATED:
        return _form("Review", "tracking.review", view, [
            ac.InputText(id="checks", label="Checks made since", is_multiline=True, is_required=True,
                         error_message="Say what was checked."),
            _dated("review_on", "Next review", view.today, default_review_date(view.today), future=True)])
    return _form("Not located", "tracking.lost", view, [
        text("After the checks: recorded on the Lost Pupils Database, and reviewed on the date set here (12 weeks "
             "on unless you choose another).", subtle=True),
        _dated("recorded_on", "Recorded on the Lost Pupils Database on", view.today, view.today),
        _dated("review_on", "Review on", view.today, review, future=True),
        ac.InputText(id="checks", label="Checks made", is_multiline=True, is_required=True,
                     error_message="Say what was checked.")])


def tracking_section(view: TrackingView) -> list:
    """What the officer sees and does: how long the child has been missing, the review, and the outcomes; while the
    child is handed to another authority, what is pending (and the receiving officer's Accept)."""
    if view.receiving and view.handoff:
        return receiving_part(view.reference, view.key, view.handoff)
    if view.handoff:
        return sending_part(view.reference, view.key, view.today, view.handoff, view.notification)
    lines = [text(f"Out of provision: {view.weeks_missing} weeks missing. On the authority's register until you "
                  "record where the child is.", bold=True)]
    if view.declined:
        lines.append(declined_line(view.declined))
    if view.state is State.NOT_LOCATED and view.review_on:
        late = view.review_on < view.today
        lines.append(text(f"{'Overdue: review' if late else 'Review'} on {view.review_on:%A %-d %B %Y} "
                          "(Lost Pupils Database).", color="attention" if late else None))
    lines.append(text("Record where the child is:", subtle=True))
    return [container([*lines, action_set([*_located_forms(view), _not_located_form(view)])], style="emphasis")]


@dataclass(frozen=True)
class LinkView:
    """A child with no school yet, to link to the school they are on roll at (the tracking officer's)."""

    reference: str
    key: str
    today: date
    first_day: date
    schools: list[tuple[int, str]]  # the authority's


def link_section(view: LinkView) -> list:
    form = show_card("Link to a school", [
        ac.InputChoiceSet(id="school_id", label="The school the child is on roll at", is_required=True,
                          error_message="Choose the school.",
                          choices=[ac.InputChoice(title=user_text(name), value=str(number))
                                   for number, name in view.schools]),
        _dated("first_day", "First day of absence at that school", view.today, view.first_day),
    ], [submit("Link", "register.link", case=view.reference, key=view.key)])
    return [container([text("No school yet: on the authority's register. Link the case to the child's school, "
                             "whose staff then work it, with its Day 5 and Day 20; or keep it here.", subtle=True),
                       action_set([form])], style="emphasis")]


def describe_tracking(kind: str, data: dict) -> str | None:
    """A tracking entry of the history in words (typed text made inert)."""
    if kind == "tracking_outcome":
        what = {"new_school": "on roll at {}", "provision": "in other provision: {}",
                "receiving_authority": "located outside the area, {} told"}
        for name, words in what.items():
            if data.get(name):
                return "located: " + words.format(user_text(data[name]))
        return "located: " + data.get("outcome", "").replace("_", " ")
    if kind.startswith("handoff_"):
        return describe_handoff(kind, data)
    if kind == "not_located":
        return (f"not located: on the Lost Pupils Database since {data.get('lpd_recorded_on')}, review "
                f"{data.get('review_on')}")
    if kind == "kept_on_register":
        return "kept on the authority's register, out of provision (removed from roll before the register)"
    if kind == "linked_to_school":
        return f"linked to {user_text(data.get('school', ''))}, Day 1 {data.get('first_day_absent')}"
    if kind == "not_located_reviewed":
        return f"reviewed, not located; next review {data.get('review_on')}"
    return None
