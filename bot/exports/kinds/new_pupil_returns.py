"""New pupil returns and expected starters as an export: each pupil a school expects from an agreed first day, with
whether they arrived (the new pupil return of regulation 13 of the 2024 regulations: the day, the address, the
previous school), are still expected, are past the 5 school days without arriving, or became a CME case. A school's
own for its staff, every school of the authority for its tracking officers. Names the pupils."""

from __future__ import annotations

from datetime import date

from bot.exports.registry import export_kind
from bot.exports.table import Table
from cme.expected_starters import NEW_PUPIL_RETURN, NON_ARRIVAL_DAYS, Starter, Status, non_arrival_due
from cme.roles import Role

STAFF, OFFICER = frozenset({Role.SCHOOL_STAFF}), frozenset({Role.TRACKING_OFFICER})
COLUMNS = ("Reference", "School", "Forename", "Surname", "Date of birth", "Year group", "Agreed first day", "Status",
           "Arrived on", "Address", "Postcode", "Previous school", "Not arrived from", "CME case")


def status(starter: Starter, due: date | None, today: date) -> str:
    if starter.status is Status.ARRIVED:
        return "arrived: new pupil return made"
    if starter.status is Status.CASE:
        return "did not arrive: CME case"
    if due is not None and due <= today:
        return f"not arrived within {NON_ARRIVAL_DAYS} school days"
    return "expected"


@export_kind("new-pupil-returns", title="New pupil returns and expected starters", roles=STAFF | OFFICER)
async def new_pupil_returns(services, person, params) -> Table:
    store, today = services.store, services.today()
    authority_ids = person.authority_ids(OFFICER)
    schools = await store.schools.of(set(person.school_ids()))
    for authority_id in authority_ids:
        schools |= {school.id: school for school in await store.schools.all(authority_id)}
    rows = []
    for starter in await store.expected_starters.every(list(schools)):
        school, pupil = schools[starter.school_id], starter.pupil
        due = non_arrival_due(starter, services.calendars.for_school(school))
        rows.append((starter.reference, school.name, pupil.forename, pupil.surname, pupil.date_of_birth,
                     pupil.year_group, starter.first_day, status(starter, due, today), starter.arrived_on,
                     pupil.address, pupil.postcode, starter.previous_school,
                     due if starter.status is Status.EXPECTED else None, starter.case_reference))
    whose = [a.name for a in await store.schools.authorities() if a.id in authority_ids]
    whose += [schools[school_id].name for school_id in person.school_ids() if school_id in schools]
    return Table(title=f"New pupil returns and expected starters: {', '.join(whose) or 'none of yours'}",
                 columns=COLUMNS, rows=rows,
                 notes=(f"As of {today:%A %-d %B %Y}, by school and agreed first day. Arrived: the new pupil return "
                        f"of {NEW_PUPIL_RETURN}. 'Not arrived from': the school day from which a pupil still "
                        f"expected has not arrived within {NON_ARRIVAL_DAYS} school days (each school's calendar).",
                        "Names the pupils: keep it only as your data protection policy allows."),
                 filename=f"new-pupil-returns-{today.isoformat()}")
