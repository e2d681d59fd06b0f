"""A second run of absence stored with its own milestones, reminded afresh; the legal tests of removal and the
dates of the deletion return and the Common Transfer File kept with the case (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.casework import Change, record_break
from cme.milestones import BreakKind, Milestone, due_dates
from cme.removal import agree_removal, confirm_removed, request_removal, unmet
from storage.cases import Actor, NewEvent, Recorded
from tests.unit.builders import CALENDAR, DAY_1, DAY_20, DAY_21, EVERY_LEGAL_TEST, worked_to_day_20

SAM = Actor("00000000-0000-0000-0000-0000000000b1", "Sam Staff (fictional)")
RUN_2_DAY_5 = date(2026, 12, 7)
RUN_2_DAY_20 = date(2027, 1, 12)


async def saved(store, change: Change):
    assert await store.cases.record(change.case, NewEvent(change.event, change.data, SAM), change.milestones,
                                    change.done, change.reopened) is Recorded.DONE
    return await store.cases.get(change.case.reference)


async def worked_case(store):
    case = replace(worked_to_day_20(), school_id=None)
    case, _ = await store.cases.create(case, NewEvent("reported", {}, SAM), due_dates(CALENDAR, DAY_1))
    return await store.cases.get(case.reference)


async def test_a_second_run_gets_milestones_not_done_and_its_own_reminders(store):
    case = await worked_case(store)
    assert await store.cases.milestones(case.id) == {Milestone.DAY_5: (date(2026, 11, 6), date(2026, 11, 6)),
                                                     Milestone.DAY_20: (DAY_20, DAY_20)}
    case = await saved(store, record_break(case, BreakKind.ATTENDED, DAY_21, CALENDAR, DAY_21))

    assert await store.cases.milestones(case.id) == {Milestone.DAY_5: (RUN_2_DAY_5, None),
                                                     Milestone.DAY_20: (RUN_2_DAY_20, None)}
    due = await store.reminders.due(RUN_2_DAY_5)
    assert [(d.reference, d.milestone, d.run_start) for d in due] == [
        (case.reference, Milestone.DAY_5, date(2026, 12, 1))]
    assert case.ews_contacted_on is None and case.cme_referral_on is None and case.enquiry_kinds == frozenset()
    assert "CME referral completed" in [p.label for p in unmet(case, CALENDAR, RUN_2_DAY_20)]
    history = await store.cases.history(case.id)
    assert history[-1].kind == "break_recorded" and history[-1].data["run"] == 2
    assert history[-1].data["set_aside"] == ["checklist_completed_on", "cme_referral_on", "day20_review_on",
                                             "ews_contacted_on"]


async def test_the_legal_tests_and_the_dates_of_the_return_and_the_ctf_are_kept(store):
    case = await worked_case(store)
    case = replace(case, legal_tests=None)
    case = await saved(store, request_removal(case, CALENDAR, DAY_21, "r1", EVERY_LEGAL_TEST, SAM.name))
    assert case.legal_tests.confirmed == EVERY_LEGAL_TEST
    assert (case.legal_tests.by, case.legal_tests.on) == (SAM.name, DAY_21)
    assert case.enquiry_dates == {"phone_call": DAY_1, "home_visit": date(2026, 11, 3)}
    requested = (await store.cases.history(case.id))[-1]
    assert requested.actor_name == SAM.name and requested.data["legal_tests_on"] == "2026-11-30"

    case = await saved(store, agree_removal(case, CALENDAR, DAY_21, "r1", "r1"))
    case = await saved(store, confirm_removed(case, date(2026, 12, 2), date(2026, 12, 1), DAY_21))
    assert (case.ctf_sent_on, case.deletion_return_on) == (date(2026, 12, 1), DAY_21)
    removed = (await store.cases.history(case.id))[-1]
    assert removed.data == {"off_roll_date": "2026-11-30", "ctf_sent_on": "2026-12-01",
                            "deletion_return_on": "2026-11-30"}
