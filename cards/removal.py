"""Cards of a removal from roll request: the tracking officer's, the channel line, and the school's.

The officer's and the school's cards are sent in personal chats to people with a role on the case and
name the pupil; the channel line shows only the case reference, the school and Day N.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from adaptive_cards import card as ac

from cards.base import LONDON, bullets, card, container, facts, heading, lines, show_card, submit, text
from cards.base import execute as button
from cards.text import user_text
from cme.law import SAY_LAW
from cme.removal import AFTER_AGREEMENT, AGREEMENT_DAY, LAW, LEGAL_TESTS, Precondition


def sentence(said: str) -> str:
    """`said` ending with one full stop, however the person typing it ended it."""
    return said if said.rstrip().endswith((".", "!", "?")) else said + "."


@dataclass(frozen=True)
class Decision:
    what: str  # "agreed", "declined" or "asked for more enquiries"
    by: str
    at: datetime
    why: str = ""
    off_roll_date: date | None = None

    @property
    def agreed(self) -> bool:
        return self.what == "agreed"

    def line(self, *, with_why: bool = True) -> str:
        said = f"{self.what.capitalize()} by {user_text(self.by)} on {self.at.astimezone(LONDON):%A %-d %B %Y at %H:%M}"
        if self.off_roll_date:
            said += f". Off-roll date: {self.off_roll_date:%-d %B %Y} (the date of agreement)"
        if self.why and with_why:
            said += f". {'Reason' if self.what == 'declined' else 'Enquiries asked for'}: {user_text(self.why)}"
        return sentence(said)


@dataclass(frozen=True)
class RemovalView:
    reference: str
    school_name: str
    day: int
    request_id: str
    requested_by: str
    requested_at: datetime
    preconditions: list[Precondition]
    pupil_name: str = ""
    requested_by_aad_object_id: str = ""
    decision: Decision | None = None
    removed: tuple[str, datetime] | None = None  # confirmed by, when
    counted_until: date | None = None  # the term dates' last date, when today is past it: `day` is the count then
    not_known: str = ""  # why a date past the term dates is not known
    earliest_off_roll: date | None = None
    watchers: tuple[str, ...] | None = None  # Teams ids the card refreshes for by itself; None: everyone (<= 60)
    deletion_return: tuple[str, date] | None = None  # the latest made from this case: its reference, when sent

    @property
    def ready(self) -> bool:
        return all(p.met for p in self.preconditions)


def _day(view: RemovalView) -> str:
    if view.counted_until is None:
        return f"Day {view.day}"
    return f"Day {view.day} on {view.counted_until:%-d %B %Y}, not known since"


def _earliest_off_roll(view: RemovalView) -> list:
    if view.decision or view.removed:
        return []
    when = f"{view.earliest_off_roll:%A %-d %B %Y}" if view.earliest_off_roll else f"not known yet: {view.not_known}"
    return [text(f"Earliest off-roll date: {when}. Removal may be requested on Day 20 but agreed, and the off-roll "
                 f"date set, only from Day {AGREEMENT_DAY}, once twenty whole school days of absence are complete: "
                 f"the off-roll date is the date of agreement, a school day, never back-dated ({LAW}).")]


def legal_tests_inputs() -> list:
    """The school confirms the tests of regulation 9(1)(i) where it requests removal; all three are needed."""
    return [text("The school confirms (regulation 9(1)(i) of the 2024 regulations):", bold=True),
            *(ac.InputToggle(id=key, title=question, value_on="true", value_off="false", value="false", wrap=True)
              for key, _, question in LEGAL_TESTS)]


def refresh(view: RemovalView) -> dict:
    """Teams asks for the card as it now stands whenever someone listed (or anyone, if none is) views it."""
    verb, data = "removal.refresh", {"case": view.reference, "request": view.request_id}
    block: dict = {"action": {"type": "Action.Execute", "title": "Refresh", "verb": verb, "data": {"verb": verb, **data}}}
    if view.watchers is not None:
        block["userIds"] = list(view.watchers[:60])
    return block


def _requested(view: RemovalView) -> str:
    return f"Requested by {user_text(view.requested_by)} on {view.requested_at.astimezone(LONDON):%A %-d %B %Y at %H:%M}."


def _status(view: RemovalView, *, shared: bool = False) -> list:
    """Who decided and when; in a shared channel without the officer's free-text reason."""
    if view.removed:
        who, when = view.removed
        return [container([text(f"Removed from roll: confirmed by {user_text(who)} on {when.astimezone(LONDON):%-d %B %Y}. "
                                "Case closed.", bold=True)], style="good")]
    if view.decision:
        style = "good" if view.decision.agreed else "warning"
        return [container([text(view.decision.line(with_why=not shared), bold=True)], style=style)]
    return []


def _preconditions(view: RemovalView) -> list:
    return [text("Before removal can be agreed", bold=True),
            lines(f"{'✅' if p.met else '❌'} {p.label}: {p.detail}" for p in view.preconditions)]


def _decisions(view: RemovalView) -> list:
    data = {"case": view.reference, "request": view.request_id}
    return [
        button("Agree removal", "removal.agree", style="positive", **data),
        show_card("Decline", [ac.InputText(id="why", label="Why removal is declined (the school is told)",
                                           is_multiline=True, is_required=True, error_message="Give the reason.")],
                  [button("Decline removal", "removal.decline", style="destructive", **data)]),
        show_card("Ask for more enquiries", [ac.InputText(id="why", label="Which enquiries the school should make",
                                                          is_multiline=True, is_required=True,
                                                          error_message="Say which enquiries.")],
                  [button("Ask for more enquiries", "removal.more", **data)]),
    ]


def removal_request_card(view: RemovalView, *, problem: str | None = None, notice: str | None = None) -> dict:
    """For the CME Pupil Tracking Officer: the request, each precondition, and the decision."""
    body = [heading(f"Removal from roll requested: {view.reference}")]
    if problem:
        body.append(container([text(problem, color="attention", bold=True)], style="attention"))
    if notice:
        body.append(text(notice, bold=True))
    body.append(facts([("Case", view.reference), ("Pupil", user_text(view.pupil_name)), ("School", user_text(view.school_name)),
                       ("Continuous absence", f"{_day(view)} (school days)")]))
    body.append(text(_requested(view), subtle=True))
    body += _earliest_off_roll(view)
    body += _preconditions(view)
    body += [text("After agreement the school must", bold=True), bullets(AFTER_AGREEMENT)]
    body.append(text(SAY_LAW, subtle=True))
    body += _status(view)
    if view.decision or view.removed:
        return card(body, refresh=refresh(view))
    actions = _decisions(view)
    if not view.ready:
        body.append(text("Agreement is not possible until every precondition above is met.", color="warning"))
    return card(body, actions, refresh=refresh(view))


def removal_channel_card(view: RemovalView, *, problem: str | None = None, notice: str | None = None) -> dict:
    """For the local authority's channel: no name, no address; a tracking officer may decide here too."""
    body = [text(f"Removal from roll requested: **{view.reference}** · {user_text(view.school_name)} · {_day(view)}")]
    if problem:
        body.append(container([text(problem, color="attention", bold=True)], style="attention"))
    if notice:
        body.append(text(notice, bold=True))
    body.append(text(_requested(view), subtle=True))
    status = _status(view, shared=True)
    if status:
        return card(body + status, refresh=refresh(view))
    missing = [p.label for p in view.preconditions if not p.met]
    body.append(text(f"Not met yet: {'; '.join(missing)}." if missing else "Every precondition is met.",
                     color="warning" if missing else "good"))
    body.append(text("Waiting for the CME Pupil Tracking Officer's decision. The pupil's details are in the "
                     "tracking officer's personal chat with me.", subtle=True))
    return card(body, _decisions(view), refresh=refresh(view))


def removal_school_card(view: RemovalView, *, notice: str | None = None) -> dict:
    """For the school's staff: the decision, and after agreement the exact next steps and Confirm removed."""
    body = [heading(f"Removal from roll of {view.reference}: {user_text(view.pupil_name)}")]
    if notice:
        body.append(text(notice, bold=True))
    body += _status(view)
    if view.removed:
        return card(body, refresh=refresh(view))
    decision = view.decision
    if decision is None:
        body.append(text("Waiting for the CME Pupil Tracking Officer's decision.", subtle=True))
        return card(body, refresh=refresh(view))
    if not decision.agreed:
        body.append(text("The case is back with enquiries and the Day 20 reminders continue: record a new Day 20 "
                         "review with EWS when the enquiries are done, then request removal again if the pupil "
                         "is still missing.", subtle=True))
        return card(body, refresh=refresh(view))
    body.append(text("Next steps", bold=True))
    body.append(lines(f"{n}. {step}" for n, step in enumerate(AFTER_AGREEMENT, 1)))
    body.append(text(SAY_LAW, subtle=True))
    body.append(text("When the name is deleted from the admission register, confirm it here with the dates of "
                     "steps 1 and 3: the case closes as removed from roll.", subtle=True))
    made = view.deletion_return
    if made:
        body.append(text(f"Deletion return {made[0]} sent to the local authority on {made[1]:%-d %B %Y}.",
                         color="good"))
    body += [ac.InputDate(id="return_sent_on", label="Deletion return sent to the local authority on",
                          value=made[1].isoformat() if made else None,
                          is_required=True, error_message="Give the date the return was sent."),
             ac.InputDate(id="ctf_sent_on", label="Common Transfer File uploaded to S2S (Lost Pupils Database) on",
                          is_required=True, error_message="Give the date the file was uploaded.")]
    make = [] if made else [submit("Make the deletion return", "return.open", case=view.reference)]
    return card(body, [*make,
                       button("Confirm removed", "removal.confirm", style="positive", case=view.reference,
                              request=view.request_id)], refresh=refresh(view))
