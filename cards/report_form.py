"""The report form, in three steps; every value typed is carried along and kept on errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from adaptive_cards import card as ac

from cards.base import card, container, heading, submit, text
from cards.text import user_text
from cme.at_risk import AT_RISK_GROUPS, MISSING_REASONS
from cme.census import SEXES
from cme.report import DATES, YEAR_GROUPS, after_today, dates_confirmation, long_date

# The fields of the report (cme.report.FIELDS) on each step; `report.next` checks one step's.
STEPS: tuple[tuple[str, ...], ...] = (
    ("school_id", "forename", "surname", "date_of_birth", "sex", "upn", "year_group", "address", "postcode",
     "carer1_name", "carer1_phone", "carer2_name", "carer2_phone"),
    ("first_day_absent", "last_day_attended", "confirm_dates", "known_so_far", "reason", "risk_groups"),
    ("risk_cp_plan", "risk_looked_after", "risk_harm", "confirm_dob"),
)
STEP_TITLES = ("The pupil", "The absence", "Day 1 risk")
RISK_QUESTIONS = (
    ("risk_cp_plan", "Is the child subject to a child protection plan?"),
    ("risk_looked_after", "Is the child looked after (in care)?"),
    ("risk_harm", "Is there reason to suspect the child is at risk of harm or a victim of crime?"),
)


@dataclass(frozen=True)
class ReportForm:
    form_id: str
    step: int
    values: dict
    schools: Sequence[tuple[int, str]]
    today: date
    errors: dict = field(default_factory=dict)
    warnings: dict = field(default_factory=dict)


def _value(form: ReportForm, key: str) -> str | None:
    value = form.values.get(key)
    return str(value) if value not in (None, "") else None


def _problem(form: ReportForm, key: str) -> list:
    if key in form.errors:
        return [text(form.errors[key], color="attention", id=f"error_{key}")]
    if key in form.warnings:
        return [text(form.warnings[key], color="warning", id=f"warning_{key}")]
    return []


def _text_input(form: ReportForm, key: str, label: str, *, required: bool = False, multiline: bool = False,
                placeholder: str | None = None, max_length: int | None = None) -> list:
    return [ac.InputText(id=key, label=label, value=_value(form, key), is_required=required or None,
                         is_multiline=multiline or None, placeholder=placeholder, max_length=max_length,
                         error_message="Required." if required else None)] + _problem(form, key)


def _date_limit_message(key: str, today: date, required: bool) -> str:
    """The client shows one message for any limit it enforces: empty, or after today."""
    if required:
        return f"The {DATES[key]} is needed, and cannot be after today, {long_date(today)}."
    return after_today(key, today)


def _as_written(form: ReportForm, key: str) -> list:
    """A date picker shows its value in the browser's format: the date in words beside it is unambiguous."""
    try:
        day = date.fromisoformat(_value(form, key) or "")
    except ValueError:
        return []
    return [] if key in form.errors else [text(long_date(day, weekday=True), subtle=True)]


def _date_input(form: ReportForm, key: str, label: str, *, required: bool = False) -> list:
    return [ac.InputDate(id=key, label=label, value=_value(form, key), max=form.today.isoformat(),
                         is_required=required or None,
                         error_message=_date_limit_message(key, form.today, required))
            ] + _as_written(form, key) + _problem(form, key)


def _choice_input(form: ReportForm, key: str, label: str, choices: Sequence[tuple[str, str]], *,
                  required: bool = False, multi: bool = False, expanded: bool = False) -> list:
    return [ac.InputChoiceSet(
        id=key, label=label, value=_value(form, key), is_required=required or None, is_multi_select=multi or None,
        style="expanded" if expanded else None, error_message="Required." if required else None,
        choices=[ac.InputChoice(title=title, value=value) for value, title in choices])] + _problem(form, key)


def _step_one(form: ReportForm) -> list:
    schools = [(str(school_id), name) for school_id, name in form.schools]
    return [
        *_choice_input(form, "school_id", "School", schools, required=True),
        *_text_input(form, "forename", "Pupil's forename", required=True, max_length=100),
        *_text_input(form, "surname", "Pupil's surname", required=True, max_length=100),
        *_date_input(form, "date_of_birth", "Date of birth", required=True),
        *_choice_input(form, "sex", "Sex", SEXES, required=True, expanded=True),
        *_text_input(form, "upn", "UPN (optional)", placeholder="13 characters, e.g. C801200102001"),
        *_choice_input(form, "year_group", "Year group", [(y, y) for y in YEAR_GROUPS], required=True),
        *_text_input(form, "address", "Home address", required=True, multiline=True, max_length=300),
        *_text_input(form, "postcode", "Postcode", required=True, placeholder="e.g. L17 7BN"),
        *_text_input(form, "carer1_name", "Parent or carer", required=True, max_length=100),
        *_text_input(form, "carer1_phone", "Their telephone number", required=True),
        *_text_input(form, "carer2_name", "Second parent or carer (optional)", max_length=100),
        *_text_input(form, "carer2_phone", "Their telephone number (optional)"),
    ]


def _confirm_dates(form: ReportForm) -> list:
    """Shown while school days between the two dates are to be explained; ticked, it confirms these two."""
    if "first_day_absent" not in form.warnings:
        return []
    return [ac.InputToggle(id="confirm_dates", title="Both dates are right: the pupil was not missing on the days "
                                                     "between", value_on=dates_confirmation(form.values),
                           value_off="false", value=form.values.get("confirm_dates") or "false")]


def _step_two(form: ReportForm) -> list:
    return [
        *_date_input(form, "first_day_absent", "First day of absence (Day 1)", required=True),
        *_confirm_dates(form),
        *_date_input(form, "last_day_attended", "Last day attended"),
        *_text_input(form, "known_so_far", "What is known so far", multiline=True, max_length=2000),
        *_choice_input(form, "reason", "Reason, if known", [(k, v) for k, v in MISSING_REASONS]),
        *_choice_input(form, "risk_groups", "At-risk groups that apply (policy 6.2)",
                       [(k, v) for k, v in AT_RISK_GROUPS], multi=True),
    ]


def _step_three(form: ReportForm) -> list:
    items = [text("If any answer is yes, the next card tells you what to do at once.", subtle=True)]
    for key, question in RISK_QUESTIONS:
        items += _choice_input(form, key, question, [("yes", "Yes"), ("no", "No")], required=True, expanded=True)
    if "date_of_birth" in form.warnings or form.values.get("confirm_dob") == "true":
        items.append(text(form.warnings.get("date_of_birth", "Date of birth confirmed."), color="warning"))
        items.append(ac.InputToggle(id="confirm_dob", title="The date of birth is right", value_on="true",
                                    value_off="false", value=form.values.get("confirm_dob") or "false"))
    return items


def report_form_card(form: ReportForm) -> dict:
    """Step `form.step` (1 to 3); its actions carry the other steps' values in `draft`."""
    fields_here = set(STEPS[form.step - 1])
    draft = {k: v for k, v in form.values.items() if k not in fields_here and v not in (None, "")}
    body = [
        heading(f"Report a missing pupil: step {form.step} of 3, {STEP_TITLES[form.step - 1].lower()}"),
        text("Nothing is saved until you submit the report at step 3.", subtle=True),
    ]
    shown = fields_here | ({"date_of_birth"} if form.step == 3 else set())
    problems = [key for key in (*form.errors, *form.warnings) if key in shown]
    if problems:
        body.append(container([text(f"Please check {len(problems)} thing{'s' if len(problems) > 1 else ''} "
                                    "below: what you typed is kept.", color="attention", bold=True)],
                              style="attention"))
    body += (_step_one, _step_two, _step_three)[form.step - 1](form)
    common = {"form": form.form_id, "step": form.step, "draft": draft}
    actions = []
    if form.step > 1:
        actions.append(submit("Back", "report.back", **common))
    if form.step < 3:
        actions.append(submit("Next", "report.next", style="positive", **common))
    else:
        actions.append(submit("Submit report", "report.submit", style="positive", **common))
    actions.append(submit("Cancel", "report.cancel", form=form.form_id))
    return card(body, actions)


def report_done_card(reference: str, pupil_name: str) -> dict:
    return card([heading(f"Reported: {reference}"),
                 text(f"{user_text(pupil_name)}'s case card follows. This form is closed.", subtle=True)])


def report_cancelled_card() -> dict:
    return card([text("Report cancelled: nothing was saved.", subtle=True)])
