"""The children not in school register (Children's Wellbeing and Schools Act 2026, s.38; ss.436B-436G of the
Education Act 1996) as an export: off until the section is in force (CME_CNIS_REGISTER_EXPORT=on)."""

from __future__ import annotations

from bot.exports.registry import ExportRefused, export_kind
from bot.exports.table import Table
from cme import cnis_register
from cme.roles import AUTHORITY_WIDE

NOT_IN_FORCE = ("The children not in school register (Children's Wellbeing and Schools Act 2026, s.38) is not in "
                "force yet. When it is, an administrator sets CME_CNIS_REGISTER_EXPORT=on.")


@export_kind("cnis-register", title="The children not in school register (CWS Act 2026)", roles=AUTHORITY_WIDE)
async def children_not_in_school(services, person, params) -> Table:
    if not services.settings.cnis_register_export:
        raise ExportRefused(NOT_IN_FORCE)
    today, store = services.today(), services.store
    authority_ids = person.authority_ids(AUTHORITY_WIDE)
    names = [a.name for a in await store.schools.authorities() if a.id in authority_ids]
    rows = [tuple(cnis_register.row(case, provision)[column] for column in cnis_register.COLUMNS)
            for case, provision in await store.cnis_register.candidates(authority_ids)
            if cnis_register.belongs(case, today)]
    return Table(title=f"Children not in school register: {', '.join(names) or 'no authority'}",
                 columns=cnis_register.COLUMNS, rows=rows,
                 notes=(f"As of {today:%A %-d %B %Y}. The fields of s.436C of the Education Act 1996; "
                        "'not held' marks a field the bot does not record (docs/children-not-in-school-register.md).",),
                 filename=f"children-not-in-school-{today.isoformat()}")
