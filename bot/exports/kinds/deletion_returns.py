"""The deletion returns (regulation 13(4) of the 2024 regulations) as an export: a school's own for its staff, the
authority's for its tracking officers; each with its status (sent, acknowledged), its ground and the regulation
9(1) paragraph, its dates, and the data the regulation asks for (the pupil, each parent, where the pupil is going).
Names the pupil and parents: the links go only to a personal chat, as the returns' cards do."""

from __future__ import annotations

from bot.exports.registry import export_kind
from bot.exports.table import Table
from cme.deletion_return import BY_KEY
from cme.law import DELETION_RETURN
from cme.roles import Role
from storage.deletion_returns import ReturnRecord

STAFF, OFFICER = frozenset({Role.SCHOOL_STAFF}), frozenset({Role.TRACKING_OFFICER})
COLUMNS = ("Reference", "School", "Case", "Status", "Ground", "Regulation", "Date of deletion", "Sent on", "Sent by",
           "Sent late", "Acknowledged on", "Acknowledged by", "Forename", "Surname", "Address", "Parent 1",
           "Parent 1 address", "Parent 1 emergency telephone", "Parent 2", "Parent 2 address",
           "Parent 2 emergency telephone", "New address", "New school", "Start date at the new school")


def _parents(record: ReturnRecord) -> list[str]:
    cells = []
    for n in range(2):
        parent = record.deletion_return.parents[n] if n < len(record.deletion_return.parents) else None
        cells += [parent.name, parent.address, parent.phone] if parent else ["", "", ""]
    return cells


def row(record: ReturnRecord, school: str, case: str, zone) -> tuple:
    r = record.deletion_return
    acknowledged = record.acknowledged_at.astimezone(zone).replace(tzinfo=None) if record.acknowledged_at else None
    status = "acknowledged" if record.acknowledged else "sent, not acknowledged yet"
    return (record.reference, school, case, status, BY_KEY[r.ground].meaning, f"regulation {BY_KEY[r.ground].paragraph}",
            r.deletion_on, record.sent_at.astimezone(zone).replace(tzinfo=None), record.sent_by_name,
            r.late(record.sent_on or record.sent_at.date()), acknowledged, record.acknowledged_by_name or "",
            r.forename, r.surname, r.address, *_parents(record), r.new_address, r.new_school, r.new_school_start)


@export_kind("deletion-returns", title="Deletion returns", roles=STAFF | OFFICER)
async def deletion_returns(services, person, params) -> Table:
    store, today, zone = services.store, services.today(), services.settings.zone
    school_ids, authority_ids = person.school_ids(), person.authority_ids(OFFICER)
    records = await store.deletion_returns.every(school_ids=school_ids, authority_ids=authority_ids)
    schools = await store.schools.of({record.school_id for record in records} | set(school_ids))
    cases: dict[int, str] = {}
    for case_id in {record.case_id for record in records if record.case_id}:
        case = await store.cases.by_id(case_id)
        cases[case_id] = case.reference if case else ""
    whose = [a.name for a in await store.schools.authorities() if a.id in authority_ids]
    whose += [schools[school_id].name for school_id in school_ids if school_id in schools]
    rows = [row(record, schools[record.school_id].name if record.school_id in schools else "",
                cases.get(record.case_id, ""), zone) for record in records]
    return Table(title=f"Deletion returns: {', '.join(whose) or 'none of yours'}", columns=COLUMNS, rows=rows,
                 notes=(f"As of {today:%A %-d %B %Y}, oldest first. The deletion return of {DELETION_RETURN}: "
                        "the ground is a paragraph of regulation 9(1); times are local.",
                        "Names the pupil and their parents: keep it only as your data protection policy allows."),
                 filename=f"deletion-returns-{today.isoformat()}")
