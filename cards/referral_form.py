"""`refer`: the shorter card for police, health, social care and housing to refer a child."""

from __future__ import annotations

from adaptive_cards import card as ac

from cards.base import card, heading, submit, text
from cme.report import AGENCIES


def referral_form_card(form_id: str, values: dict, errors: dict, today_iso: str) -> dict:
    def field(key: str, label: str, *, required: bool = False, multiline: bool = False, date: bool = False) -> list:
        value = values.get(key) or None
        if date:
            element = ac.InputDate(id=key, label=label, value=value, max=today_iso, is_required=required or None)
        else:
            element = ac.InputText(id=key, label=label, value=value, is_required=required or None,
                                   is_multiline=multiline or None, error_message="Required." if required else None)
        problem = [text(errors[key], color="attention")] if key in errors else []
        return [element, *problem]

    body = [heading("Refer a child missing education"),
            text("For agencies: the CME Pupil Tracking Officer receives this and takes it from here.", subtle=True)]
    if errors:
        body.append(text("Please check the fields marked below: what you typed is kept.", color="attention",
                         bold=True))
    body += [
        *field("forename", "Child's forename", required=True), *field("surname", "Child's surname", required=True),
        *field("date_of_birth", "Date of birth, if known", date=True),
        *field("address", "Last known address, if known", multiline=True), *field("postcode", "Postcode, if known"),
        *field("known_so_far", "What is known", required=True, multiline=True),
        ac.InputChoiceSet(id="agency", label="Your agency", value=values.get("agency") or None, is_required=True,
                          error_message="Choose one.",
                          choices=[ac.InputChoice(title=label, value=key) for key, label in AGENCIES]),
        *([text(errors["agency"], color="attention")] if "agency" in errors else []),
        *field("referrer_name", "Your name", required=True), *field("referrer_phone", "Your telephone"),
        *field("referrer_email", "Your e-mail"),
    ]
    return card(body, [submit("Send referral", "refer.submit", style="positive", form=form_id)])
