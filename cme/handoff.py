"""Handing a child over to the local authority where they now live (policy 8.4.2): pure rules, no I/O.

When the tracking officer locates a child out of provision in another authority's area:

- that authority is on this deployment: the hand-off is pending. The child stays on the sending authority's
  register, marked "handed to <authority>, awaiting acceptance since <date>", until a tracking officer of the
  receiving authority accepts; then the case is the receiving authority's (its register, out of provision, tracked
  by it until it records an outcome) and the sending authority's part closes. Unaccepted after
  ACCEPT_WITHIN school days (the receiving authority's calendar) it is reminded of each school day.
- it is not: the officer sends the notification (`notification_text`, what the receiving authority needs under
  policy 8.4.2 and the September 2025 statutory guidance) by secure e-mail and records the day it was sent,
  which closes the case as located outside the area. Until then the register marks "notification not yet sent".

Until it is accepted (or the notification recorded as sent), the sending tracking officer may withdraw the hand-off,
and a tracking officer of the receiving authority may decline it with a reason (the child is not at that address):
either way the child stays on the sending authority's register, out of provision, and its officer records another
outcome (or hands the child over again); a declined one is marked "declined by <authority>: <reason>" meanwhile.

Each step is one entry in the case's history, with who and when (the caller records it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.calendar import SchoolCalendar
from cme.case import Case, DeclinedHandoff, PendingHandoff
from cme.casework import Change, take_step
from cme.deadlines import Deadline
from cme.lifecycle import ProcedureError, State, Step
from cme.tracking import located_outside_area

ACCEPT_WITHIN = 5  # school days before the receiving authority is reminded
ANOTHER = "another"  # the form's choice for an authority not on this deployment
POLICY = "policy 8.4.2"


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ProcedureError(f"Give {what}.")
    return value[:limit]


def hand_off(case: Case, to_authority_id: int | None, to_name: str, from_name: str, forwarding_address: str,
             today: date) -> Change:
    """The child is in another authority's area: handed over to it (pending until accepted, or until the
    notification to an authority not on this deployment is recorded as sent)."""
    if case.handoff is not None:
        raise ProcedureError(f"This child was handed to {case.handoff.to_name} on {case.handoff.since:%-d %B %Y} "
                             "already.")
    if to_authority_id is not None and to_authority_id == case.authority_id:
        raise ProcedureError("That is your own authority: record where the child is instead.")
    name = _text(to_name, "the receiving local authority", 200)
    address = _text(forwarding_address, "the forwarding address", 300)
    pending = PendingHandoff(to_authority_id, name, today, from_name)
    on = "awaiting its acceptance" if pending.on_deployment else "the notification to send by secure e-mail"
    return take_step(case, Step.HAND_OFF, today, "handoff_sent",
                     {"to_authority_id": to_authority_id, "to_authority": name, "from_authority": from_name,
                      "forwarding_address": address, "on_deployment": pending.on_deployment},
                     f"Located outside the area: handed to {name}, {on}",
                     handoff=pending, forwarding_address=address, handoff_declined=None)


def accept(case: Case, authority_ids: list[int], today: date) -> Change:
    """A tracking officer of the receiving authority (one of `authority_ids`) accepts: the case is its now."""
    pending = case.handoff
    if pending is None or not pending.on_deployment:
        raise ProcedureError("This child is not waiting to be accepted.")
    if pending.to_authority_id not in authority_ids:
        raise ProcedureError(f"Only a tracking officer of {pending.to_name} can accept this child.")
    change = take_step(case, Step.ACCEPT_HANDOFF, today, "handoff_accepted",
                       {"from_authority_id": case.authority_id, "from_authority": pending.from_name,
                        "to_authority_id": pending.to_authority_id, "to_authority": pending.to_name,
                        "since": pending.since.isoformat()},
                       f"Accepted by {pending.to_name}: the child is on its register, out of provision; "
                       f"{pending.from_name or 'the sending authority'}'s part is closed (located outside the area, "
                       f"accepted on {today:%-d %B %Y})",
                       authority_id=pending.to_authority_id, handoff=None)
    if case.state is State.NOT_LOCATED:  # located after all: the review that was due is done
        return replace(change, done={Deadline.LPD_REVIEW: today})
    return change


def withdraw(case: Case, today: date) -> Change:
    """The sending authority takes the hand-off back before it is done with: the child stays on its register, out of
    provision (the caller has checked that its tracking officer presses)."""
    pending = case.handoff
    if pending is None:
        raise ProcedureError("This child is not handed to another authority now: there is nothing to withdraw.")
    return take_step(case, Step.WITHDRAW_HANDOFF, today, "handoff_withdrawn",
                     {"to_authority_id": pending.to_authority_id, "to_authority": pending.to_name,
                      "from_authority": pending.from_name, "since": pending.since.isoformat()},
                     f"Hand-off to {pending.to_name} withdrawn: the child stays on your register, out of provision",
                     handoff=None)


def decline(case: Case, authority_ids: list[int], reason: str, by_name: str, today: date) -> Change:
    """A tracking officer of the receiving authority (one of `authority_ids`) declines, saying why: the child stays on
    the sending authority's register, out of provision, marked as declined."""
    pending = case.handoff
    if pending is None or not pending.on_deployment:
        raise ProcedureError("This child is not waiting to be accepted.")
    if pending.to_authority_id not in authority_ids:
        raise ProcedureError(f"Only a tracking officer of {pending.to_name} can decline this child.")
    why = _text(reason, "the reason (for example, the child is not at that address)", 500)
    declined = DeclinedHandoff(pending.to_name, by_name[:200], why, today)
    return take_step(case, Step.DECLINE_HANDOFF, today, "handoff_declined",
                     {"to_authority_id": pending.to_authority_id, "to_authority": pending.to_name,
                      "from_authority": pending.from_name, "since": pending.since.isoformat(), "reason": why},
                     f"Declined by {pending.to_name}: the child stays on {pending.from_name or 'the sending authority'}"
                     "'s register, out of provision",
                     handoff=None, handoff_declined=declined)


def notification_sent(case: Case, sent_on: date | None, today: date) -> Change:
    """The notification to an authority not on this deployment was sent by secure e-mail on `sent_on`: the case
    closes as located outside the area (cme/tracking.py)."""
    pending = case.handoff
    if pending is None or pending.on_deployment:
        raise ProcedureError("There is no notification waiting to be sent for this child.")
    if sent_on is not None and sent_on < pending.since:
        raise ProcedureError(f"The notification cannot have been sent before the hand-off, "
                             f"{pending.since:%-d %B %Y}.")
    change = located_outside_area(replace(case, handoff=None), pending.to_name, sent_on, "secure_email",
                                  case.forwarding_address, today)
    return replace(change, data={**change.data, "notification_sent": True})


def reminder_from(since: date, calendar: SchoolCalendar) -> date:
    """The first day the receiving authority is reminded: the ACCEPT_WITHIN-th school day after the hand-off."""
    return calendar.date_of_day(calendar.next_school_day(since), ACCEPT_WITHIN)


def reminder_due(since: date, calendar: SchoolCalendar, today: date) -> bool:
    """Remind today: a school day, on or after `reminder_from` (each such day while it is not accepted)."""
    return calendar.is_school_day(today) and today >= reminder_from(since, calendar)


def register_mark(handoff: PendingHandoff | None, declined: DeclinedHandoff | None = None) -> str | None:
    """What the sending authority's register says of a child handed over and not yet done with, or whose hand-off
    the receiving authority declined."""
    if handoff is None:
        return f"declined by {declined.by_authority}: {declined.reason}" if declined else None
    if handoff.on_deployment:
        return f"handed to {handoff.to_name}, awaiting acceptance since {handoff.since:%-d %B %Y}"
    return f"handed to {handoff.to_name}: notification not yet sent"


def _line(label: str, value: str) -> str:
    """One field a line: a value typed on several lines (an address) is joined with commas."""
    value = ", ".join(part.strip() for part in value.splitlines() if part.strip())
    return f"{label}: {value or 'not known'}"


def notification_text(case: Case, *, school_name: str, officer_name: str, officer_authority: str,
                      reasons: str, at_risk: str, today: date) -> str:
    """The notification to send by secure e-mail to an authority not on this deployment (policy 8.4.2 and the
    September 2025 statutory guidance on children missing education): plain text, named, for the officer's personal
    chat only."""
    pupil, pending = case.pupil, case.handoff
    to = pending.to_name if pending else "the receiving local authority"
    dob = f"{pupil.date_of_birth:%-d %B %Y}" if pupil.date_of_birth else ""
    address = ", ".join(part for part in (pupil.address, pupil.postcode) if part)
    lines = [
        _line("To", f"the Children Missing Education lead, {to}"),
        _line("From", f"{officer_name}, CME Pupil Tracking Officer, {officer_authority}"),
        "",
        f"Children missing education: a child now living in your area ({POLICY}). We believe the child below has "
        "moved to your area and is not receiving a suitable education. Please make your enquiries and confirm "
        "to us that you have received this notification.",
        "",
        _line("Child's name", pupil.full_name),
        _line("Date of birth", dob),
        _line("Unique pupil number", pupil.upn),
        _line("Last known address", address),
        _line("Parents or carers", "; ".join(" ".join(part for part in (c.name, f"({c.relationship})"
                                                                        if c.relationship else "", c.phone) if part)
                                             for c in pupil.carers)),
        _line("Forwarding address", case.forwarding_address),
        _line("Last school", school_name),
        _line("First day of absence", f"{case.first_day_absent:%-d %B %Y}"),
        _line("Last day attended", f"{case.last_day_attended:%-d %B %Y}" if case.last_day_attended else ""),
        _line("Removed from roll on", f"{case.off_roll_date:%-d %B %Y}" if case.off_roll_date else ""),
        _line("Reasons", reasons),
        _line("At-risk groups", at_risk or "none recorded"),
        _line("Our reference", case.reference),
        "",
        _line("Contact", f"{officer_name}, {officer_authority} (reply to this secure e-mail). Sent {today:%-d %B %Y}."),
    ]
    return "\n".join(lines)
