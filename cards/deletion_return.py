"""The deletion return (regulation 13(4)): the school's form, the return as sent and acknowledged (for the school's
staff and the authority's tracking officers, in personal chats), the authority channel's nameless line, and the
list of returns and their status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from adaptive_cards import card as ac

from cards.base import LONDON, action_set, card, execute, facts, heading, lines, submit, text
from cards.exports import download_action
from cards.text import user_text
from cme.deletion_return import BY_KEY, GROUNDS, SAY, DeletionReturn
from cme.law import SAY_LAW

SUBMIT, ACKNOWLEDGE, SHOW = "return.submit", "return.ack", "return.show"


@dataclass(frozen=True)
class ReturnForm:
    form_id: str
    values: dict
    schools: Sequence[tuple[int, str]]  # the schools the sender may make it for (one: no choice shown)
    today: date
    case_reference: str = ""
    errors: dict = field(default_factory=dict)
    missing: Sequence[str] = ()


def _input(form: ReturnForm, key: str, label: str, *, required: bool = False, multiline: bool = False) -> list:
    value = str(form.values.get(key) or "") or None
    element = ac.InputText(id=key, label=label, value=value, is_required=required or None,
                           is_multiline=multiline or None, error_message="Required." if required else None)
    return [element, *_problem(form, key)]


def _date(form: ReturnForm, key: str, label: str, *, required: bool = False) -> list:
    value = str(form.values.get(key) or "") or None
    return [ac.InputDate(id=key, label=label, value=value, is_required=required or None,
                         error_message="Required." if required else None), *_problem(form, key)]


def _problem(form: ReturnForm, key: str) -> list:
    return [text(form.errors[key], color="attention", id=f"error_{key}")] if key in form.errors else []


def _school_choice(form: ReturnForm) -> list:
    if len(form.schools) < 2:
        return _problem(form, "school")  # a school this person is not staff of, sent by a card of another
    chosen = str(form.values.get("school") or "") or None
    return [ac.InputChoiceSet(id="school", label="School", value=chosen, is_required=True, error_message="Required.",
                              choices=[ac.InputChoice(title=user_text(name), value=str(school_id))
                                       for school_id, name in form.schools]), *_problem(form, "school")]


def deletion_return_form_card(form: ReturnForm) -> dict:
    """The form: what was typed kept, and each missing or wrong field named at the top and beside it."""
    title = f"Deletion return for {form.case_reference}" if form.case_reference else "Deletion return"
    body = [heading(title), text(SAY, subtle=True)]
    if form.errors:
        summary = f"Missing: {'; '.join(form.missing)}." if form.missing else "Please check the fields marked below."
        body += [text(summary, color="attention", bold=True), text("What you typed is kept.", subtle=True)]
    ground = str(form.values.get("ground") or "") or None
    body += [
        *_school_choice(form),
        ac.InputChoiceSet(id="ground", label="Ground of deletion (regulation 9(1) of the 2024 regulations)",
                          value=ground, is_required=True, error_message="Required.",
                          choices=[ac.InputChoice(title=g.label, value=g.key) for g in GROUNDS]),
        *_problem(form, "ground"),
        *_date(form, "deletion_on", "Date the name is (or was) deleted from the admission register", required=True),
        text("The pupil", bold=True),
        *_input(form, "forename", "Forename", required=True), *_input(form, "surname", "Surname", required=True),
        *_input(form, "address", "Address, with postcode", required=True, multiline=True),
        text("Each parent the pupil normally lives with (a carer counts), with an emergency telephone number",
             bold=True),
        *_input(form, "parent1_name", "Parent's full name", required=True),
        *_input(form, "parent1_address", "Parent's address", required=True, multiline=True),
        *_input(form, "parent1_phone", "Emergency telephone number", required=True),
        *_input(form, "parent2_name", "Second parent's full name, if the pupil lives with two"),
        *_input(form, "parent2_address", "Second parent's address", multiline=True),
        *_input(form, "parent2_phone", "Second parent's emergency telephone number"),
        text("Where the pupil is going, if known (needed for a new school, 9(1)(a) and (d), or a move away, "
             "9(1)(g): a pupil whose new address nobody knows may be missing education, so say **report**)",
             bold=True),
        *_input(form, "new_address", "New address", multiline=True), *_input(form, "new_school", "New school"),
        *_date(form, "new_school_start", "Start date at the new school"),
    ]
    data = {"form": form.form_id, **({"case": form.case_reference} if form.case_reference else {})}
    if len(form.schools) == 1:
        data["school"] = str(form.schools[0][0])
    return card(body, [submit("Send to the local authority", SUBMIT, style="positive", **data)])


@dataclass(frozen=True)
class ReturnView:
    reference: str
    return_id: int
    school_name: str
    deletion_return: DeletionReturn
    sent_at: datetime
    sent_by: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    case_reference: str = ""
    can_acknowledge: bool = False
    notice: str | None = None
    sent_on: date | None = None  # the school day it was sent; else the day of `sent_at`


def _when(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%A %-d %B %Y at %H:%M}"


def status_lines(view: ReturnView) -> list[str]:
    """What both sides see: sent on, and acknowledged on by (or not yet)."""
    said = [f"Sent on {_when(view.sent_at)} by {user_text(view.sent_by)}."]
    if view.acknowledged_at:
        said.append(f"Acknowledged on {_when(view.acknowledged_at)} by {user_text(view.acknowledged_by)}.")
    else:
        said.append("Not acknowledged yet by the local authority's CME Pupil Tracking Officer.")
    return said


def _facts(view: ReturnView) -> list[tuple[str, str]]:
    r = view.deletion_return
    pairs = [("School", user_text(view.school_name)), ("Ground", BY_KEY[r.ground].label),
             ("Date of deletion", f"{r.deletion_on:%-d %B %Y}"), ("Pupil", user_text(r.pupil_name)),
             ("Address", user_text(r.address))]
    if view.case_reference:
        pairs.insert(0, ("Case", view.case_reference))
    for n, parent in enumerate(r.parents, 1):
        pairs.append((f"Parent {n}", user_text(f"{parent.name}, {parent.address}; emergency telephone "
                                               f"{parent.phone}")))
    for label, value in (("New address", r.new_address), ("New school", r.new_school),
                         ("Start date there", f"{r.new_school_start:%-d %B %Y}" if r.new_school_start else "")):
        if value:
            pairs.append((label, user_text(value)))
    return pairs


def deletion_return_card(view: ReturnView) -> dict:
    body = [heading(f"Deletion return {view.reference}: {user_text(view.deletion_return.pupil_name)}")]
    if view.notice:
        body.append(text(view.notice, bold=True))
    body += [facts(_facts(view)), lines(status_lines(view))]
    if view.deletion_return.late(view.sent_on or view.sent_at.astimezone(LONDON).date()):
        body.append(text("Sent after the date of deletion: regulation 13 of the 2024 regulations asks for it no "
                         "later than the deletion.", color="warning"))
    body.append(text(SAY_LAW, subtle=True))
    actions = []
    if view.can_acknowledge and not view.acknowledged_at:
        actions.append(execute("Acknowledge", ACKNOWLEDGE, style="positive", id=str(view.return_id)))
    return card(body, actions)


def deletion_return_line_card(reference: str, school_name: str, ground: str) -> dict:
    """For the authority's channel: the reference, the school and the ground; never the pupil or a parent."""
    return card([text("Deletion return received", bold=True),
                 facts([("Return", reference), ("School", user_text(school_name)),
                        ("Ground", f"regulation {BY_KEY[ground].paragraph} of the 2024 regulations")]),
                 text("The CME Pupil Tracking Officers have it in their personal chats with me, to acknowledge.",
                      subtle=True)])


@dataclass(frozen=True)
class ListedReturn:
    return_id: int
    reference: str
    pupil_name: str
    school_name: str
    ground: str
    deletion_on: date
    sent_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""

    @property
    def status(self) -> str:
        if self.acknowledged_at:
            return (f"Acknowledged {self.acknowledged_at.astimezone(LONDON):%-d %b %Y} by "
                    f"{user_text(self.acknowledged_by)}.")
        return f"Sent {self.sent_at.astimezone(LONDON):%-d %b %Y}; not acknowledged yet."


def deletion_returns_card(title: str, sections: Sequence[tuple[str, Sequence[ListedReturn]]],
                          *, empty: str) -> dict:
    """Returns and their status, by section (the school's; or the officer's outstanding and lately acknowledged)."""
    body = [heading(title)]
    if not any(rows for _, rows in sections):
        body.append(text(empty))
    for name, rows in sections:
        if not rows:
            continue
        body.append(text(name, bold=True))
        for row in rows:
            body += [text(f"**{row.reference}** {user_text(row.pupil_name)}, {user_text(row.school_name)}: "
                          f"{BY_KEY[row.ground].paragraph}, deletion {row.deletion_on:%-d %b %Y}. {row.status}"),
                     action_set([submit("Open", SHOW, id=str(row.return_id))])]
    body.append(text("Say **deletion return** to make one.", subtle=True))
    # every return of the school (an officer: of the authority), not only those listed (bot/exports/kinds/)
    return card(body, [download_action("deletion-returns")] if any(rows for _, rows in sections) else [])
