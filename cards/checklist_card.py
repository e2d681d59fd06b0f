"""The missing pupil checklist of Day 5, ticked in advance from the enquiries already logged."""

from __future__ import annotations

from adaptive_cards import card as ac

from cards.base import card, heading, submit, text
from cme.checklist import MISSING_PUPIL_CHECKLIST


def checklist_card(reference: str, done: set[str], key: str, problem: str | None = None) -> dict:
    body = [heading(f"Missing pupil checklist: {reference}"),
            text("Confirm each enquiry the school has made. The checklist goes with the CME referral to the "
                 "tracking officer.", subtle=True)]
    if problem:
        body.append(text(problem, color="attention", bold=True))
    body += [ac.InputToggle(id=f"check_{item}", title=label, value_on="true", value_off="false",
                            value="true" if item in done else "false")
             for item, label in MISSING_PUPIL_CHECKLIST]
    return card(body, [submit("Checklist complete", "case.checklist", case=reference, key=key)])
