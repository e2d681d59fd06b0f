"""`stats`' figures, on SQLite and PostgreSQL: counted by the database (GROUP BY) for one authority only."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cme.casework import record_outcome
from cme.lifecycle import Outcome, State
from storage.cases import NewEvent
from storage.engine.db import sessionmaker
from storage.tallies import Tallies
from tests.storage.test_authorities import _two_authorities
from tests.storage.test_storage import DUE, REPORTER, new_case


async def test_an_authoritys_open_cases_are_counted_by_state_reason_group_weeks_and_month(store):
    oak, hill = await _two_authorities(store)
    today = datetime.now(UTC).date()
    cases = [
        new_case(oak.id, authority_id=oak.authority_id, risk_groups=("young_carers", "runaways"),
                 reason="moved_no_school", first_day_absent=date.fromordinal(today.toordinal() - 3)),
        new_case(oak.id, authority_id=oak.authority_id, risk_groups=("runaways",), state=State.ENQUIRIES,
                 first_day_absent=date.fromordinal(today.toordinal() - 20)),
        new_case(oak.id, authority_id=oak.authority_id, risk_groups=(),
                 first_day_absent=date.fromordinal(today.toordinal() - 100)),
        new_case(oak.id, authority_id=oak.authority_id, first_day_absent=date(2026, 11, 2)),
        new_case(hill.id, authority_id=hill.authority_id, risk_groups=("refuges",), reason="hard_to_place"),
    ]
    made = [(await store.cases.create(c, NewEvent("reported", {}, REPORTER), DUE))[0] for c in cases]
    closing = record_outcome(made[3], Outcome.RETURNED, today)
    await store.cases.record(closing.case, NewEvent(closing.event, closing.data, REPORTER))

    counts = await store.stats.counts(oak.authority_id, today)
    assert counts.by_state == {"reported": 2, "enquiries": 1}
    assert counts.by_reason == {"moved_no_school": 1, "unknown": 2}
    assert counts.by_group == {"runaways": 2, "young_carers": 1}
    assert counts.by_weeks == {"Under 2 weeks": 1, "2 to 3 weeks": 1, "12 weeks or more": 1}
    assert counts.opened == {(today.year, today.month): 4} and counts.closed == {(today.year, today.month): 1}
    assert [(x.school_id, x.first_day_absent, x.closed_on, x.cases) for x in counts.located] == [
        (oak.id, date(2026, 11, 2), today, 1)]

    north = await store.stats.counts(hill.authority_id, today)
    assert north.by_state == {"reported": 1} and north.by_group == {"refuges": 1}
    assert north.by_reason == {"hard_to_place": 1} and north.closed == {} and north.located == []


async def test_each_child_located_is_counted_once_however_the_tallies_changes_are_added(store):
    """Another process adding the changes waiting to the tallies, between two reads or not, changes no figure."""
    oak, _ = await _two_authorities(store)
    today = datetime.now(UTC).date()
    elsewhere = Tallies(sessionmaker(store.engine))  # as another process
    made = [(await store.cases.create(new_case(oak.id, authority_id=oak.authority_id), NewEvent("reported", {}, REPORTER),
                                      DUE))[0] for _ in range(4)]
    for n, case in enumerate(made, start=1):
        closing = record_outcome(case, Outcome.RETURNED, today)
        await store.cases.record(closing.case, NewEvent(closing.event, closing.data, REPORTER))
        assert sum(x.cases for x in (await store.stats.counts(oak.authority_id, today)).located) == n
        if n % 2:
            await elsewhere.add_changes(when_many=False)
        counts = await store.stats.counts(oak.authority_id, today)
        assert sum(x.cases for x in counts.located) == n and sum(counts.closed.values()) == n
