"""The authority's register as an export: every line the register card would list with the same filters, all
pages, with each child's first day of absence and reason beside what the card shows."""

from __future__ import annotations

from collections.abc import Mapping

from bot.exports.registry import ExportOption, ExportRefused, export_kind
from bot.exports.table import Table
from bot.handlers.register import line_view
from cme.at_risk import GROUP_LABELS, reason_label
from cme.lifecycle import ProcedureError, State
from cme.register import NO_SCHOOL, RegisterFilter
from cme.roles import AUTHORITY_WIDE

OPTIONS = (
    ExportOption("stage", "a stage's key, e.g. out_of_provision"),
    ExportOption("school", f"a school: urn:<its URN> (cme-bot schools list), or {NO_SCHOOL} for children with no "
                           "school"),
    ExportOption("group", "an at-risk group's key (policy 6.2)"),
    ExportOption("reason", "a reason's key (policy 6.3)"),
    ExportOption("overdue_only", "only children with an overdue action", flag=True),
    ExportOption("min_weeks", "missing at least this many whole weeks"),
)
COLUMNS = ("Reference", "Name", "Date of birth", "School", "Stage", "Missing", "First day of absence", "Reason",
           "Next milestone", "Overdue", "At risk")
BATCH = 500
URN = "urn:"


def filters_of(params: Mapping[str, str], school_id: int | None = None) -> RegisterFilter:
    """The register card's filters from a link's or the CLI's options; ExportRefused saying which is wrong. A school
    is its id on a card, `urn:<URN>` on the command line (`school_id`, once looked up)."""
    school = params.get("school", "")
    if school.startswith(URN):
        if not school.removeprefix(URN).isdigit():
            raise ExportRefused("Give a school as urn: and its URN, e.g. urn:900001.")
        school = str(school_id or 0)
    weeks = params.get("min_weeks", "").strip()
    if weeks and not (weeks.isascii() and weeks.isdigit()):
        raise ExportRefused("Weeks missing must be a whole number.")
    try:
        return RegisterFilter(stage=params.get("stage", ""), school=school,
                              group=params.get("group", ""), reason=params.get("reason", ""),
                              overdue_only=params.get("overdue_only") == "true", min_weeks=int(weeks or 0))
    except ProcedureError as error:
        raise ExportRefused(str(error)) from error


def describe(filters: RegisterFilter, schools: dict) -> str:
    """The filters in words, for the printable page."""
    parts = []
    if filters.stage:
        parts.append(f"stage {State(filters.stage).label}")
    if filters.school == NO_SCHOOL:
        parts.append("no school")
    elif filters.school_id is not None:
        parts.append(schools[filters.school_id].name if filters.school_id in schools else "another school")
    if filters.group:
        parts.append(f"at risk: {GROUP_LABELS[filters.group]}")
    if filters.reason:
        parts.append(f"reason: {reason_label(filters.reason)}")
    if filters.overdue_only:
        parts.append("overdue actions only")
    if filters.min_weeks:
        parts.append(f"missing at least {filters.min_weeks} weeks")
    return "Filters: " + "; ".join(parts) if parts else "Every child on the register (no filters)."


def _check(params: Mapping[str, str]) -> None:
    filters_of(params)


@export_kind("register", title="The register", roles=AUTHORITY_WIDE, options=OPTIONS, check=_check)
async def register(services, person, params) -> Table:
    today, store = services.today(), services.store
    school = params.get("school", "")
    by_urn = await store.schools.by_urn(school.removeprefix(URN)) if school.startswith(URN) else None
    authority_ids = person.authority_ids(AUTHORITY_WIDE)
    if school.startswith(URN) and (by_urn is None or by_urn.authority_id not in authority_ids):
        raise ExportRefused(f"No school with URN {school.removeprefix(URN)} in your authority.")
    filters = filters_of(params, by_urn.id if by_urn else None)
    names = [a.name for a in await store.schools.authorities() if a.id in authority_ids]
    schools = {school.id: school for authority_id in authority_ids for school in await store.schools.all(authority_id)}
    rows, after = [], None
    while True:
        page = await store.register.page(authority_ids, today, filters, after, limit=BATCH)
        for line in page.lines:
            view, case = line_view(services, line, schools), line.case
            rows.append((case.reference, case.pupil.full_name, case.pupil.date_of_birth, view.school, case.state.label,
                         view.missing, case.first_day_absent, reason_label(case.reason),
                         view.next_milestone.removeprefix("next: "), "; ".join(view.overdue), ", ".join(view.tags)))
        if page.next_key is None:
            break
        after = page.next_key
    return Table(title=f"Register: {', '.join(names) or 'no authority'}", columns=COLUMNS, rows=rows,
                 notes=(f"As of {today:%A %-d %B %Y}, longest missing first.", describe(filters, schools)),
                 filename=f"register-{today.isoformat()}")
