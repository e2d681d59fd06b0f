"""`register`: the authority's register of children missing education and out of provision, for its officers in
their personal chats. It names the children."""

from __future__ import annotations

from dataclasses import dataclass, field

from adaptive_cards import card as ac

from cards.base import card, heading, show_card, submit, text
from cards.exports import download_action
from cards.text import user_text
from cme.at_risk import AT_RISK_GROUPS, REASON_LABELS
from cme.lifecycle import ON_REGISTER, State
from cme.paging import counted_text
from cme.register import NO_SCHOOL, SEARCHED, RegisterFilter

PAGE_VERB = "register.page"
ADD_VERB = "register.add"


@dataclass(frozen=True)
class RegisterLineView:
    reference: str
    name: str
    school: str  # its name, or "No school"
    stage: str
    missing: str  # "Day 12" or "10 weeks missing"
    next_milestone: str  # "" when none
    overdue: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisterView:
    authority: str
    lines: list[RegisterLineView]
    total: int
    first: int  # the position of the first line, from 1
    filters: RegisterFilter
    schools: list[tuple[int, str]] = field(default_factory=list)  # the authority's, for the filter
    next_key: str = ""  # the key of the next page; "" on the last
    problem: str | None = None
    notice: str | None = None
    form_key: str = ""  # the add form's, so a second click adds nobody twice
    whole: bool = True  # False: `total` was counted among the first SEARCHED children read only, "at least"
    searched: bool = False  # this page stopped after reading SEARCHED children, not full: there may be more


def _choices(pairs, everything: str) -> list:
    return [ac.InputChoice(title=everything, value="")] + [ac.InputChoice(title=title, value=value)
                                                          for value, title in pairs]


def _filters(view: RegisterView):
    f = view.filters
    stages = [(state.value, state.label) for state in State if state in ON_REGISTER]
    schools = [(str(number), user_text(name)) for number, name in view.schools] + [(NO_SCHOOL, "No school")]
    return show_card("Filters", [
        ac.InputChoiceSet(id="stage", label="Stage", value=f.stage, choices=_choices(stages, "Every stage")),
        ac.InputChoiceSet(id="school", label="School", value=f.school, choices=_choices(schools, "Every school")),
        ac.InputChoiceSet(id="group", label="At-risk group", value=f.group,
                          choices=_choices([(k, v) for k, v in AT_RISK_GROUPS], "Any or none")),
        ac.InputChoiceSet(id="reason", label="Why missing", value=f.reason,
                          choices=_choices(list(REASON_LABELS.items()), "Any reason")),
        ac.InputToggle(id="overdue_only", title="Overdue actions only", value="true" if f.overdue_only else "false",
                       value_on="true", value_off="false"),
        ac.InputNumber(id="min_weeks", label="Missing at least (weeks)", min=0, max=520,
                       value=f.min_weeks or None),
    ], [submit("Apply", PAGE_VERB)])


def _add_form(view: RegisterView):
    return show_card("Add a child", [
        text("A child waiting for a school place or an appeal (policy 6.1): on the register with no school, "
             "reason \"awaiting a school place\".", subtle=True),
        ac.InputText(id="forename", label="Forename", is_required=True, error_message="Give the forename."),
        ac.InputText(id="surname", label="Surname", is_required=True, error_message="Give the surname."),
        ac.InputDate(id="date_of_birth", label="Date of birth"),
        ac.InputText(id="address", label="Address", is_multiline=True),
        ac.InputText(id="postcode", label="Postcode"),
        ac.InputDate(id="since", label="Without a school place since", is_required=True,
                     error_message="Give the date."),
        ac.InputText(id="known_so_far", label="What is known (the application, the appeal)", is_multiline=True),
    ], [submit("Add to the register", ADD_VERB, form=view.form_key)])


def _line(line: RegisterLineView):
    details = " · ".join(part for part in (user_text(line.school), line.stage, line.missing, line.next_milestone)
                         if part)
    items = [text(f"**{line.reference}** {user_text(line.name)}"), text(details, subtle=True)]
    if line.overdue:
        items.append(text("; ".join(f"⚠ {what} overdue" for what in line.overdue), color="attention"))
    if line.tags:
        items.append(text(user_text(", ".join(line.tags)), color="warning"))
    return ac.ColumnSet(separator=True, columns=[
        ac.Column(width="stretch", items=items),
        ac.Column(width="auto", vertical_content_alignment="center",
                  items=[ac.ActionSet(actions=[submit("Open", "case.open", case=line.reference)])]),
    ])


def _summary(view: RegisterView) -> str:
    narrowed = " matching the filters" if view.filters.narrowed else ""
    shown = f" Showing {view.first} to {view.first + len(view.lines) - 1}." if view.lines else ""
    if view.whole:
        return f"{counted_text(view.total, 'child', 'children')} on the register{narrowed}, longest missing " \
               f"first.{shown}"
    return (f"At least {view.total:,} {'child' if view.total == 1 else 'children'} on the register{narrowed} "
            f"(counted among the {SEARCHED:,} longest missing), longest missing first.{shown}")


def register_card(view: RegisterView) -> dict:
    body = [heading(f"Register: {user_text(view.authority)}")]
    if view.problem:
        body.append(text(view.problem, color="attention", bold=True))
    if view.notice:
        body.append(text(view.notice, color="good", bold=True))
    body.append(text(_summary(view), subtle=True))
    body += [_line(line) for line in view.lines]
    if view.searched:
        body.append(text(f"This page searched the next {SEARCHED:,} children on the register and stopped there: "
                         "there may be more matching the filters. Press Next page to keep looking.", bold=True))
    actions = []
    if view.next_key:
        actions.append(submit("Next page", PAGE_VERB, after=view.next_key, first=str(view.first + len(view.lines)),
                              total=str(view.total), partial="false" if view.whole else "true",
                              **view.filters.as_data()))
    if view.lines or view.next_key:  # the same filters: what the card lists, every page of it
        actions.append(download_action("register", **view.filters.as_data()))
    return card(body, actions + [_filters(view), _add_form(view)])
