"""Between the procedure's Case and the row that stores it."""

from __future__ import annotations

from datetime import date

from cme.case import Carer, Case, DeclinedHandoff, LegalTests, PendingHandoff, Pupil, Risk
from cme.lifecycle import Outcome, State
from cme.milestones import Break, BreakKind
from storage.models import CaseRow

_DETAIL_FIELDS = ("forwarding_address", "new_school", "referrer")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _tests_to_json(tests: LegalTests | None) -> dict | None:
    return {"confirmed": sorted(tests.confirmed), "by": tests.by, "on": tests.on.isoformat()} if tests else None


def _tests_from_json(data: dict | None) -> LegalTests | None:
    return LegalTests(frozenset(data["confirmed"]), data["by"], date.fromisoformat(data["on"])) if data else None


def _handoff_to_json(handoff: PendingHandoff | None) -> dict | None:
    return {"to_authority_id": handoff.to_authority_id, "to_name": handoff.to_name, "since": handoff.since.isoformat(),
            "from_name": handoff.from_name} if handoff else None


def _handoff_from_json(data: dict | None) -> PendingHandoff | None:
    return PendingHandoff(data.get("to_authority_id"), data.get("to_name", ""), date.fromisoformat(data["since"]),
                          data.get("from_name", "")) if data else None


def _declined_to_json(declined: DeclinedHandoff | None) -> dict | None:
    return {"by_authority": declined.by_authority, "by_name": declined.by_name, "reason": declined.reason,
            "on": declined.on.isoformat()} if declined else None


def _declined_from_json(data: dict | None) -> DeclinedHandoff | None:
    return DeclinedHandoff(data.get("by_authority", ""), data.get("by_name", ""), data.get("reason", ""),
                           date.fromisoformat(data["on"])) if data else None


def pupil_to_json(pupil: Pupil) -> dict:
    return {
        "forename": pupil.forename, "surname": pupil.surname, "date_of_birth": _iso(pupil.date_of_birth),
        "upn": pupil.upn, "year_group": pupil.year_group, "address": pupil.address, "postcode": pupil.postcode,
        "carers": [{"name": c.name, "phone": c.phone, "relationship": c.relationship} for c in pupil.carers],
    }


def pupil_from_json(data: dict) -> Pupil:
    return Pupil(
        forename=data.get("forename", ""), surname=data.get("surname", ""),
        date_of_birth=_day(data.get("date_of_birth")), upn=data.get("upn", ""),
        year_group=data.get("year_group", ""), address=data.get("address", ""), postcode=data.get("postcode", ""),
        carers=tuple(Carer(**c) for c in data.get("carers", [])),
    )


def row_values(case: Case) -> dict:
    details = {name: getattr(case, name) for name in _DETAIL_FIELDS}
    details["breaks"] = [{"on": b.on.isoformat(), "kind": b.kind.value} for b in case.breaks]
    details["enquiry_kinds"] = sorted(case.enquiry_kinds)
    details["enquiry_dates"] = {kind: on.isoformat() for kind, on in sorted(case.enquiry_dates.items())}
    details["legal_tests"] = _tests_to_json(case.legal_tests)
    details["ctf_sent_on"] = _iso(case.ctf_sent_on)
    details["deletion_return_on"] = _iso(case.deletion_return_on)
    details["handoff"] = _handoff_to_json(case.handoff)
    details["handoff_declined"] = _declined_to_json(case.handoff_declined)
    return {
        "school_id": case.school_id, "authority_id": case.authority_id, "state": case.state.value,
        "outcome": case.outcome.value if case.outcome else None,
        "pupil": pupil_to_json(case.pupil), "first_day_absent": case.first_day_absent,
        "last_day_attended": case.last_day_attended, "run_start": case.run_start,
        "risk": {"child_protection_plan": case.risk.child_protection_plan, "looked_after": case.risk.looked_after,
                 "suspected_harm_or_crime": case.risk.suspected_harm_or_crime},
        "risk_groups": list(case.risk_groups), "reason": case.reason, "known_so_far": case.known_so_far,
        "sex": case.sex,
        "details": details, "triage_recorded_on": case.triage_recorded_on,
        "ews_contacted_on": case.ews_contacted_on, "checklist_completed_on": case.checklist_completed_on,
        "day20_review_on": case.day20_review_on, "cme_referral_on": case.cme_referral_on,
        "removal_requested_on": case.removal_requested_on, "off_roll_date": case.off_roll_date,
    }


def case_from_row(row: CaseRow) -> Case:
    details = row.details or {}
    return Case(
        id=row.id, reference=row.reference, school_id=row.school_id, authority_id=row.authority_id,
        state=State(row.state),
        outcome=Outcome(row.outcome) if row.outcome else None, pupil=pupil_from_json(row.pupil),
        first_day_absent=row.first_day_absent, last_day_attended=row.last_day_attended, run_start=row.run_start,
        risk=Risk(**row.risk), risk_groups=tuple(row.risk_groups), reason=row.reason,
        known_so_far=row.known_so_far, sex=row.sex or "not_known",
        breaks=tuple(Break(date.fromisoformat(b["on"]), BreakKind(b["kind"])) for b in details.get("breaks", [])),
        enquiry_kinds=frozenset(details.get("enquiry_kinds", [])),
        enquiry_dates={kind: date.fromisoformat(on) for kind, on in details.get("enquiry_dates", {}).items()},
        legal_tests=_tests_from_json(details.get("legal_tests")),
        ctf_sent_on=_day(details.get("ctf_sent_on")), deletion_return_on=_day(details.get("deletion_return_on")),
        handoff=_handoff_from_json(details.get("handoff")),
        handoff_declined=_declined_from_json(details.get("handoff_declined")),
        triage_recorded_on=row.triage_recorded_on, ews_contacted_on=row.ews_contacted_on,
        checklist_completed_on=row.checklist_completed_on, day20_review_on=row.day20_review_on,
        cme_referral_on=row.cme_referral_on, removal_requested_on=row.removal_requested_on,
        off_roll_date=row.off_roll_date, created_at=row.created_at, created_by=row.created_by,
        version=row.version,
        **{name: details.get(name, "") for name in _DETAIL_FIELDS},
    )
