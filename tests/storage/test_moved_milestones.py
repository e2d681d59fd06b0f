"""A step that adds or removes one milestone (the tracking officer's notice, when the reason changes) leaves the
others as stored, and puts the case in or out of the tracking officer's list from the notice's date; on both
databases."""

from __future__ import annotations

from datetime import date

from cme.at_risk_change import change_at_risk
from cme.case import Risk
from cme.deadlines import Deadline
from cme.milestones import Milestone
from storage.cases import NewEvent, Recorded
from tests.storage.test_deadline_claims import CALENDAR, MONDAY, NOTICE, SAM, reported, school

LAST_ATTENDED = date(2026, 10, 23)
LATER = date(2026, 11, 10)  # the day of the change: the risk deadline stays on the report's day


async def change(store, case, reason: str, key: str):
    step = change_at_risk(case, [], reason, CALENDAR, LATER)
    result = await store.cases.record(step.case, NewEvent(step.event, step.data, SAM, key=key), step.milestones,
                                      step.done, step.reopened, moved=step.moved)
    assert result is Recorded.DONE
    return await store.cases.get(case.reference)


async def officers_list(store, on: date) -> list[str]:
    return [case.reference for case in (await store.cases.open_page(on, with_the_officer=True))[1]]


async def test_the_notice_is_added_and_removed_and_nothing_else_moves(store):
    oak = await school(store)
    case = await reported(store, oak.id, "Eli", reason="unknown", last_day_attended=LAST_ATTENDED,
                          risk=Risk(child_protection_plan=True))
    before = await store.cases.milestones(case.id)
    assert Deadline.OFFICER_TOLD not in before and before[Deadline.RISK_NOTIFIED] == (MONDAY, None)

    case = await change(store, case, "moved_no_school", "k1")
    added = await store.cases.milestones(case.id)
    assert added[Deadline.OFFICER_TOLD] == (NOTICE, None)
    assert {kind: due for kind, due in added.items() if kind is not Deadline.OFFICER_TOLD} == before
    assert await officers_list(store, NOTICE) == [case.reference], "the officer's from the notice's date"

    case = await change(store, case, "unknown", "k2")
    assert await store.cases.milestones(case.id) == before
    assert await officers_list(store, NOTICE) == [], "no longer"
    history = [(e.kind, e.data.get("notice")) for e in await store.cases.history(case.id)]
    assert history[1:] == [("at_risk_changed", {"before": None, "after": NOTICE.isoformat()}),
                           ("at_risk_changed", {"before": NOTICE.isoformat(), "after": None})]


async def test_a_notice_added_for_a_case_already_referred_is_done(store):
    oak = await school(store)
    case = await reported(store, oak.id, "Cy", reason="hard_to_place", last_day_attended=LAST_ATTENDED,
                          cme_referral_on=MONDAY)
    case = await change(store, case, "withdrawn_no_alternative", "k1")
    milestones = await store.cases.milestones(case.id)
    assert milestones[Deadline.OFFICER_TOLD] == (NOTICE, MONDAY)
    assert milestones[Milestone.DAY_5][1] is None
