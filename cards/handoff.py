"""The cards of a hand-off to another local authority (policy 8.4.2, cme/handoff.py): the officers' parts of the
case card (sending: the form and what is pending; receiving: Accept), and the nameless line and reminder in the
receiving authority's channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adaptive_cards import card as ac

from cards.base import action_set, card, container, execute, facts, lines, show_card, submit, text
from cards.text import user_text
from cme.case import DeclinedHandoff, PendingHandoff
from cme.handoff import ANOTHER, POLICY

ACCEPT = "handoff.accept"
SEND = "handoff.send"
NOTIFIED = "handoff.notified"
WITHDRAW = "handoff.withdraw"
DECLINE = "handoff.decline"


def outside_area_form(reference: str, key: str, today: date, others: list[tuple[int, str]]):
    """"Outside the area": the deployment's other authorities to choose from, or another one typed."""
    choices = [ac.InputChoice(title=user_text(name), value=str(number)) for number, name in others]
    choices.append(ac.InputChoice(title="Another authority (type its name)", value=ANOTHER))
    return show_card("Outside the area", [
        text(f"The child lives in another local authority's area ({POLICY}): hand them over to it.", subtle=True),
        ac.InputChoiceSet(id="receiving_authority_id", label="Receiving local authority", is_required=True,
                          error_message="Choose the authority.", choices=choices,
                          value=str(others[0][0]) if others else ANOTHER),
        ac.InputText(id="receiving_authority", label="Another authority: its name"),
        ac.InputText(id="forwarding_address", label="Forwarding address", is_multiline=True, is_required=True,
                     error_message="Give the address."),
    ], [submit("Hand over", SEND, case=reference, key=key)])


def _withdraw_form(reference: str, key: str, handoff: PendingHandoff):
    told = " Its tracking officers are told." if handoff.on_deployment else ""
    return show_card("Withdraw", [
        text(f"Take the hand-off to {user_text(handoff.to_name)} back: the child stays on your register, out of "
             f"provision, and you record another outcome.{told}", subtle=True),
    ], [submit("Withdraw the hand-off", WITHDRAW, case=reference, key=key)])


def sending_part(reference: str, key: str, today: date, handoff: PendingHandoff, notification: str) -> list:
    """The sending officer's: awaiting acceptance, or the notification to send and "Recorded as sent"; Withdraw."""
    if handoff.on_deployment:
        return [container([text(f"Handed to {user_text(handoff.to_name)} on {handoff.since:%-d %B %Y}: awaiting "
                                "acceptance by its CME Pupil Tracking Officer. The child stays on your register "
                                "until then.", bold=True),
                           action_set([_withdraw_form(reference, key, handoff)])], style="emphasis")]
    form = show_card("Recorded as sent", [
        ac.InputDate(id="sent_on", label="Sent by secure e-mail on", is_required=True, error_message="Give the date.",
                     value=today.isoformat(), max=today.isoformat(), min=handoff.since.isoformat()),
    ], [submit("Save", NOTIFIED, case=reference, key=key)])
    return [container([
        text(f"Handed to {user_text(handoff.to_name)}, not on this system: send this notification to its CME lead "
             "by secure e-mail, then record that it was sent. Notification not yet sent.", bold=True,
             color="attention"),
        lines([user_text(line) or " " for line in notification.split("\n")]),
        action_set([form, _withdraw_form(reference, key, handoff)]),
    ], style="emphasis")]


def receiving_part(reference: str, key: str, handoff: PendingHandoff) -> list:
    """The receiving authority's tracking officer's: whose child, since when, Accept, and Decline with a reason."""
    decline_form = show_card("Decline", [
        text(f"The child stays on {user_text(handoff.from_name)}'s register, out of provision; its tracking officers "
             "are told why.", subtle=True),
        ac.InputText(id="reason", label="Why (for example, the child is not at that address)", is_multiline=True,
                     is_required=True, error_message="Say why.", max_length=500),
    ], [submit("Decline", DECLINE, style="destructive", case=reference, key=key)])
    return [container([
        text(f"Handed over by {user_text(handoff.from_name)} on {handoff.since:%-d %B %Y}: the child lives in your "
             f"area now ({POLICY}). Accept to take them onto your register, out of provision, or decline saying why.",
             bold=True),
        action_set([submit("Accept", ACCEPT, style="positive", case=reference, key=key), decline_form]),
    ], style="emphasis")]


def declined_line(declined: DeclinedHandoff):
    """On the sending officer's card, above the outcomes: the last hand-off was declined, and why."""
    return text(f"Declined by {user_text(declined.by_authority)} ({user_text(declined.by_name)}) on "
                f"{declined.on:%-d %B %Y}: {user_text(declined.reason)}. Record another outcome, or hand over again.",
                color="attention")


@dataclass(frozen=True)
class HandoffLine:
    """The nameless line in the receiving authority's channel."""

    reference: str
    from_name: str
    to_name: str
    since: date
    accepted_by: str = ""
    accepted_on: date | None = None
    notice: str | None = None
    ended: str = ""  # withdrawn or declined (bot/views/handoff_cards.py ended_words): no longer to accept


def handoff_line_card(line: HandoffLine) -> dict:
    body = [text(f"A child handed over by {user_text(line.from_name)}", bold=True),
            facts([("Case", line.reference), ("Handed over by", user_text(line.from_name)),
                   ("To", user_text(line.to_name)), ("Since", f"{line.since:%-d %B %Y}")])]
    if line.accepted_on:
        body.append(text(f"Accepted by {user_text(line.accepted_by)} on {line.accepted_on:%-d %B %Y}.",
                         color="good"))
    elif line.ended:
        body.append(text(user_text(line.ended), color="attention"))
    else:
        body.append(text("A CME Pupil Tracking Officer of the receiving authority accepts (or declines, saying why); "
                         "the child's details are in their personal chat.", subtle=True))
    if line.notice:
        body.append(text(line.notice, bold=True))
    done = line.accepted_on or line.ended
    actions = [] if done else [execute("Accept", ACCEPT, style="positive", case=line.reference)]
    return card(body, actions)


def handoff_reminder_card(line: HandoffLine, school_days: int) -> dict:
    return card([
        text(f"Reminder: a child handed over by {user_text(line.from_name)} is waiting to be accepted", bold=True,
             color="attention"),
        facts([("Case", line.reference), ("Handed over on", f"{line.since:%-d %B %Y}"),
               ("Waiting", f"{school_days} school days")]),
        text("A CME Pupil Tracking Officer of the receiving authority accepts it from the case card in their personal "
             "chat, or here.", subtle=True),
    ], [execute("Accept", ACCEPT, style="positive", case=line.reference)])


def describe_handoff(kind: str, data: dict) -> str | None:
    """A hand-off's entry of the history in words (typed text made inert)."""
    if kind == "handoff_sent":
        return f"handed to {user_text(data.get('to_authority', ''))}"
    if kind == "handoff_accepted":
        return (f"accepted by {user_text(data.get('to_authority', ''))} (handed over by "
                f"{user_text(data.get('from_authority', ''))})")
    if kind == "handoff_withdrawn":
        return f"hand-off to {user_text(data.get('to_authority', ''))} withdrawn"
    if kind == "handoff_declined":
        return f"declined by {user_text(data.get('to_authority', ''))}: {user_text(data.get('reason', ''))}"
    return None
