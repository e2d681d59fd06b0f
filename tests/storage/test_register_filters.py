"""Every register filter, alone and together, on SQLite and PostgreSQL: exactly the children it keeps, longest missing
first, across pages, whichever index the page walks; a page that stops after reading its bound of rows says so and
the next goes on from there, and a count made on that bound says "at least"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from cme.lifecycle import Outcome, State
from cme.milestones import Milestone
from cme.register import NO_SCHOOL, RegisterFilter
from storage.cases import NewEvent
from storage.engine.db import sessionmaker
from storage.register import Counted, Register
from tests.storage.test_storage import REPORTER, new_case

TODAY = date(2026, 12, 14)
STATES = (State.REPORTED, State.ENQUIRIES, State.REFERRED_TO_EWS, State.CME_REFERRAL)


@dataclass(frozen=True)
class Child:
    reference: str
    id: int
    first_day: date
    school: str
    state: str
    groups: tuple[str, ...]
    reason: str
    overdue: bool

    def keeps(self, f: RegisterFilter) -> bool:
        return ((not f.stage or self.state == f.stage) and (not f.school or self.school == f.school)
                and (not f.group or f.group in self.groups) and (not f.reason or self.reason == f.reason)
                and (not f.overdue_only or self.overdue)
                and self.first_day <= TODAY - timedelta(weeks=f.min_weeks))


async def _children(store) -> tuple[int, list[Child]]:
    """24 children of one authority: two schools and none, four stages, groups, reasons, some overdue; several
    missing since the same day. Beside them a closed case and another authority's child that every filter keeps."""
    oak = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council", actor="t")
    river = await store.schools.add("900002", "Riverside Academy (fictional)", "Example Borough Council", actor="t")
    hill = await store.schools.add("900003", "Hillside Primary (fictional)", "Northfield Council (fictional)",
                                   actor="t")
    borough, children = oak.authority_id, []
    for n in range(24):
        school = (oak, river, None)[n % 3]
        groups = ("young_carers", "runaways") if n % 5 == 0 else ("runaways",) if n % 2 == 0 else ()
        first_day = date(2026, 9, 1) + timedelta(days=(n * 7) % 40)
        overdue = n % 4 != 1
        due = {Milestone.DAY_5: TODAY - timedelta(days=3) if overdue else TODAY + timedelta(days=3)}
        case, _ = await store.cases.create(
            new_case(school.id if school else None, authority_id=borough, state=STATES[n % 4], risk_groups=groups,
                     reason=("moved_no_school", "unknown", "never_started")[n % 3 if n % 2 else 0],
                     first_day_absent=first_day, run_start=first_day), NewEvent("reported", {}, REPORTER), due)
        children.append(Child(case.reference, case.id, first_day, str(school.id) if school else NO_SCHOOL,
                              case.state.value, groups, case.reason, overdue))
    everything = dict(risk_groups=("runaways", "young_carers"), reason="unknown", first_day_absent=date(2026, 8, 3),
                      run_start=date(2026, 8, 3))
    closed, _ = await store.cases.create(new_case(oak.id, **everything), NewEvent("reported", {}, REPORTER),
                                         {Milestone.DAY_5: date(2026, 8, 7)})
    await store.cases.record(replace(closed, state=State.CLOSED, outcome=Outcome.LOCATED_IN_AREA),
                             NewEvent("closed", {}, REPORTER))
    await store.cases.create(new_case(hill.id, **everything), NewEvent("reported", {}, REPORTER),
                             {Milestone.DAY_5: date(2026, 8, 7)})
    return borough, sorted(children, key=lambda child: (child.first_day, child.id))


def _filters(children: list[Child]) -> list[RegisterFilter]:
    oak = children[0].school if children[0].school != NO_SCHOOL else children[1].school
    return [RegisterFilter(), RegisterFilter(stage="enquiries"), RegisterFilter(school=oak),
            RegisterFilter(school=NO_SCHOOL), RegisterFilter(group="runaways"), RegisterFilter(group="young_carers"),
            RegisterFilter(group="exploitation"), RegisterFilter(reason="unknown"), RegisterFilter(overdue_only=True),
            RegisterFilter(min_weeks=12), RegisterFilter(group="runaways", overdue_only=True),
            RegisterFilter(school=oak, stage="reported", overdue_only=True),
            RegisterFilter(school=NO_SCHOOL, group="runaways"), RegisterFilter(reason="never_started", min_weeks=13),
            RegisterFilter(stage="cme_referral", group="runaways", overdue_only=True, min_weeks=11),
            RegisterFilter(overdue_only=True, min_weeks=13), RegisterFilter(reason="unknown", stage="enquiries")]


async def _every_page(register: Register, borough: int, wanted: RegisterFilter, limit: int):
    seen, pages, after = [], [], None
    while True:
        page = await register.page([borough], TODAY, wanted, after, limit=limit)
        seen += [line.case.reference for line in page.lines]
        pages.append(page)
        if page.next_key is None:
            return seen, pages
        after = page.next_key


async def test_each_filter_and_combination_keeps_exactly_its_children_in_order_on_one_page(store):
    borough, children = await _children(store)
    for wanted in _filters(children):
        kept = [child.reference for child in children if child.keeps(wanted)]
        page = await store.register.page([borough], TODAY, wanted, limit=50)
        assert [line.case.reference for line in page.lines] == kept, wanted
        assert page.next_key is None and not page.searched
        counted = await store.register.counted([borough], TODAY, wanted)
        assert (counted.number, counted.whole) == (len(kept), True), wanted


async def test_pages_that_read_a_bounded_number_of_rows_miss_nobody_and_say_when_they_stopped(store):
    borough, children = await _children(store)
    register = Register(sessionmaker(store.engine), searched=4)
    stopped = 0
    for wanted in _filters(children):
        kept = [child.reference for child in children if child.keeps(wanted)]
        seen, pages = await _every_page(register, borough, wanted, limit=3)
        assert seen == kept, wanted  # no child twice, none left out, in the register's order
        for page in pages:
            assert len(page.lines) <= 3
            if page.searched:  # stopped short of a full page: there was more to read
                stopped += 1
                assert len(page.lines) < 3 and page.next_key is not None
        counted = await register.counted([borough], TODAY, wanted)
        assert counted.number == len(kept) if counted.whole else counted.number <= len(kept)
    assert stopped > 0
    rare = RegisterFilter(school=NO_SCHOOL, group="young_carers", stage="reported")  # one child, walked by no school
    seen, pages = await _every_page(register, borough, rare, limit=3)
    assert seen == [child.reference for child in children if child.keeps(rare)] and len(seen) == 1
    assert pages[0].lines == [] and pages[0].searched  # the first four read keep nobody: "looked", never "none"
    assert (await register.counted([borough], TODAY, rare)) == Counted(1, False)  # "at least 1"


async def test_a_childs_groups_and_first_day_changed_move_them_in_the_group_filter(store):
    borough, children = await _children(store)
    runaways = RegisterFilter(group="runaways")
    last = children[-1]
    case = await store.cases.get(last.reference)
    assert last.reference not in [line.case.reference for line in (await store.register.page(
        [borough], TODAY, RegisterFilter(group="exploitation"))).lines]
    await store.cases.record(replace(case, risk_groups=("exploitation",), first_day_absent=date(2026, 1, 5)),
                             NewEvent("risk_changed", {}, REPORTER))
    exploitation = await store.register.page([borough], TODAY, RegisterFilter(group="exploitation"))
    assert [line.case.reference for line in exploitation.lines] == [last.reference]
    runaway_refs = [line.case.reference for line in (await store.register.page([borough], TODAY, runaways,
                                                                                limit=50)).lines]
    assert last.reference not in runaway_refs
    await store.cases.record(replace(await store.cases.get(last.reference), risk_groups=("runaways",)),
                             NewEvent("risk_changed", {}, REPORTER))
    runaway_refs = [line.case.reference for line in (await store.register.page([borough], TODAY, runaways,
                                                                                limit=50)).lines]
    assert runaway_refs[0] == last.reference  # missing since January now: the longest
