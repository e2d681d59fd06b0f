"""The register's filters as an officer uses them: Apply keeps exactly the children the filters name, and when a page
stops after searching its share of a large register without finding enough, it says so and Next page goes on, so
an officer is never told "none" while there may be more; the download keeps every one (today is Monday 16 November
2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert

from cme.case import Case, Pupil
from cme.lifecycle import State
from cme.reference import format_reference
from cme.register import SEARCHED
from storage.mapping import row_values
from storage.models import CaseRow
from tests.scenario.cards import actions_of, press
from tests.scenario.connector import card_text
from tests.scenario.teams import EWAN
from tests.scenario.test_exports import _download, _get
from tests.scenario.test_my_cases import add, shown


async def _many_not_overdue(store, school, how_many: int) -> None:
    """Children at the school since 1 October with no milestone due: none overdue (in bulk, as an import would)."""
    now = datetime(2026, 11, 16, 9, tzinfo=UTC)
    rows = [{**row_values(Case(reference="", school_id=school.id, authority_id=school.authority_id,
                               state=State.ENQUIRIES, first_day_absent=date(2026, 10, 1), run_start=date(2026, 10, 1),
                               pupil=Pupil(f"Many{n}", "Listexample", date(2016, 1, 5)))),
             "reference": format_reference(2026, 5_000 + n), "submission_key": None, "created_by": "test",
             "created_at": now, "updated_at": now, "version": 1, "closed_at": None} for n in range(how_many)]
    async with store.engine.begin() as connection:
        await connection.execute(insert(CaseRow), rows)


async def test_overdue_at_one_school_found_after_a_page_that_searched_and_said_so(teams, connector, services, store):
    oak = await store.schools.by_urn("900001")
    await _many_not_overdue(store, oak, SEARCHED + 5)
    late = [await add(services, "900001", f"Late{n}", date(2026, 11, 2)) for n in range(2)]  # Day 5 not done
    elsewhere = await add(services, "900002", "Riverside", date(2026, 11, 2))  # overdue, at another school
    await teams.install_personal(EWAN)
    await teams.say(EWAN, "register")
    first = connector.to(EWAN.personal_chat)[-1]

    await teams.submit(EWAN, press(first.card, "Apply", school=str(oak.id), overdue_only="true"),
                       reply_to=first.activity_id)
    searched = connector.to(EWAN.personal_chat)[-1].card
    words = card_text(searched)
    assert shown(searched) == []
    assert f"This page searched the next {SEARCHED:,} children on the register and stopped there: there may be " \
           "more matching the filters. Press Next page to keep looking." in words
    assert f"At least 0 children on the register matching the filters (counted among the {SEARCHED:,} longest " \
           "missing)" in words
    assert "No children" not in words and "Next page" in actions_of(searched)

    await teams.submit(EWAN, press(searched, "Next page"), reply_to=first.activity_id)
    found = connector.to(EWAN.personal_chat)[-1].card
    assert shown(found) == [case.reference for case in late]
    assert "Showing 1 to 2." in card_text(found) and "searched the next" not in card_text(found)
    assert "Next page" not in actions_of(found) and elsewhere.reference not in card_text(found)

    _, html = await _get(teams, (await _download(teams, connector, searched, user=EWAN))["Printable page"])
    assert "Late0 Listexample" in html and "Late1 Listexample" in html and "Many1 " not in html
    assert "Riverside Listexample" not in html


async def test_a_group_with_overdue_only_keeps_exactly_those_children(teams, connector, services, store):
    runaway = await add(services, "900001", "Runaway", date(2026, 11, 2), risk_groups=("runaways",))
    await add(services, "900001", "Overdue", date(2026, 11, 2))
    await add(services, "900002", "Recent", date(2026, 11, 13), risk_groups=("runaways",))  # Day 5 not yet due
    await teams.install_personal(EWAN)
    await teams.say(EWAN, "register")
    first = connector.to(EWAN.personal_chat)[-1]
    await teams.submit(EWAN, press(first.card, "Apply", group="runaways", overdue_only="true"),
                       reply_to=first.activity_id)
    narrowed = connector.to(EWAN.personal_chat)[-1].card
    assert shown(narrowed) == [runaway.reference]
    assert "1 child on the register matching the filters, longest missing first. Showing 1 to 1." in \
        card_text(narrowed)
