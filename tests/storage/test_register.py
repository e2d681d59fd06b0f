"""The authority's register on SQLite and PostgreSQL: open cases and children out of provision of one authority,
filtered in the database, in keyset pages (longest missing first), and the out-of-provision outcomes saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.deadlines import Deadline
from cme.lifecycle import Outcome, State
from cme.milestones import Milestone
from cme.register import NO_SCHOOL, PageKey, RegisterFilter
from cme.removal import confirm_removed
from cme.tracking import not_located, on_roll_at_school
from storage.cases import NewEvent
from tests.storage.test_authorities import _two_authorities
from tests.storage.test_storage import REPORTER, new_case

TODAY = date(2026, 12, 14)


async def _record(store, change):
    await store.cases.record(change.case, NewEvent(change.event, change.data, REPORTER), change.milestones,
                             change.done)
    return await store.cases.get(change.case.reference)


async def _make(store, case, due=None):
    made, _ = await store.cases.create(case, NewEvent("reported", {}, REPORTER), due or {})
    return made


async def _register(store):
    oak, hill = await _two_authorities(store)
    borough = oak.authority_id
    cases = {
        "overdue": await _make(store, new_case(oak.id, first_day_absent=date(2026, 11, 9), run_start=date(2026, 11, 9),
                                               risk_groups=("runaways",), reason="moved_no_school"),
                               {Milestone.DAY_5: date(2026, 11, 13), Milestone.DAY_20: date(2026, 12, 7)}),
        "recent": await _make(store, new_case(oak.id, first_day_absent=date(2026, 12, 10),
                                              run_start=date(2026, 12, 10), risk_groups=()),
                              {Milestone.DAY_5: date(2026, 12, 16), Milestone.DAY_20: date(2027, 1, 15)}),
        "no school": await _make(store, new_case(None, authority_id=borough, first_day_absent=date(2026, 12, 1),
                                                 run_start=date(2026, 12, 1), reason="awaiting_school_place")),
        "north": await _make(store, new_case(hill.id, first_day_absent=date(2026, 9, 1), run_start=date(2026, 9, 1))),
    }
    agreed = await _make(store, new_case(oak.id, state=State.REMOVAL_AGREED, off_roll_date=date(2026, 11, 30),
                                         first_day_absent=date(2026, 10, 5), run_start=date(2026, 10, 5),
                                         risk_groups=("young_carers", "runaways")))
    cases["removed"] = await _record(store, confirm_removed(agreed, TODAY, date(2026, 12, 1), date(2026, 12, 1)))
    lost = await _make(store, new_case(oak.id, state=State.REMOVAL_AGREED, off_roll_date=date(2026, 9, 30),
                                       first_day_absent=date(2026, 9, 1), run_start=date(2026, 9, 1)))
    lost = await _record(store, confirm_removed(lost, date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 1)))
    cases["lost"] = await _record(store, not_located(lost, date(2026, 10, 2), date(2026, 12, 1), "GP, housing",
                                                     date(2026, 10, 2)))
    found = await _make(store, new_case(oak.id, state=State.OUT_OF_PROVISION, first_day_absent=date(2026, 8, 1),
                                        run_start=date(2026, 8, 1)))
    cases["found"] = await _record(store, on_roll_at_school(found, "Pretend Academy (fictional)", TODAY, TODAY))
    return oak, hill, cases


def refs(page) -> list[str]:
    return [line.case.reference for line in page.lines]


async def test_the_register_holds_the_authoritys_open_and_out_of_provision_children_longest_missing_first(store):
    oak, hill, cases = await _register(store)
    page = await store.register.page([oak.authority_id], TODAY)
    assert refs(page) == [cases[k].reference for k in ("lost", "removed", "overdue", "no school", "recent")]
    assert page.next_key is None
    lines = {line.case.reference: line for line in page.lines}
    assert cases["removed"].state is State.OUT_OF_PROVISION and cases["removed"].outcome is Outcome.REMOVED_FROM_ROLL
    assert lines[cases["lost"].reference].case.state is State.NOT_LOCATED
    assert lines[cases["lost"].reference].overdue == 1  # its review was due on 1 December
    assert lines[cases["overdue"].reference].overdue == 2
    assert lines[cases["recent"].reference].next_due == date(2026, 12, 16)
    assert lines[cases["recent"].reference].next_kind is Milestone.DAY_5
    assert lines[cases["no school"].reference].school_name is None
    assert lines[cases["overdue"].reference].school_name == oak.name
    assert await store.register.count([oak.authority_id], TODAY) == 5
    assert refs(await store.register.page([hill.authority_id], TODAY)) == [cases["north"].reference]
    assert refs(await store.register.page([], TODAY)) == []

    found = await store.cases.get(cases["found"].reference)
    assert found.state is State.CLOSED and found.outcome is Outcome.ON_ROLL_ELSEWHERE
    history = [entry.kind for entry in await store.cases.history(found.id)]
    assert history == ["reported", "tracking_outcome"]
    assert await store.cases.milestones(cases["lost"].id) == {Deadline.LPD_REVIEW: (date(2026, 12, 1), None)}


async def test_keyset_pages_follow_on_without_repeats_or_gaps(store):
    oak, _, cases = await _register(store)
    seen, after = [], None
    while True:
        page = await store.register.page([oak.authority_id], TODAY, after=after, limit=2)
        seen += refs(page)
        assert len(page.lines) <= 2
        if page.next_key is None:
            break
        after = PageKey.parse(page.next_key.as_text())
    assert seen == [cases[k].reference for k in ("lost", "removed", "overdue", "no school", "recent")]


async def test_each_filter_narrows_the_register_in_the_database(store):
    oak, _, cases = await _register(store)

    async def only(**filters):
        wanted = RegisterFilter(**filters)
        page = await store.register.page([oak.authority_id], TODAY, wanted)
        assert await store.register.count([oak.authority_id], TODAY, wanted) == len(page.lines)
        return sorted(refs(page))

    def these(*keys):
        return sorted(cases[k].reference for k in keys)

    assert await only(stage="out_of_provision") == these("removed")
    assert await only(school=NO_SCHOOL) == these("no school")
    assert await only(school=str(oak.id)) == these("lost", "removed", "overdue", "recent")
    assert await only(group="runaways") == these("removed", "overdue")
    assert await only(group="young_carers") == these("removed", "lost", "no school")
    assert await only(reason="awaiting_school_place") == these("no school")
    assert await only(overdue_only=True) == these("lost", "overdue")
    assert await only(min_weeks=6) == these("lost", "removed")
    assert await only(min_weeks=5) == these("lost", "removed", "overdue")
    assert await only(min_weeks=5, group="runaways", stage="out_of_provision") == these("removed")
    assert replace(RegisterFilter(), min_weeks=0) == RegisterFilter()


async def test_the_panel_and_the_statistics_count_the_children_out_of_provision_as_on_the_register(store):
    oak, _, cases = await _register(store)
    panel = {case.reference: closed for case, closed in await store.copp.cases(oak.authority_id, date(2030, 1, 1))}
    assert panel[cases["removed"].reference] is None and panel[cases["lost"].reference] is None
    assert cases["found"].reference not in panel  # closed before the sitting
    counts = await store.stats.counts(oak.authority_id, TODAY)
    assert counts.by_state == {"out_of_provision": 1, "not_located": 1, "reported": 3}
