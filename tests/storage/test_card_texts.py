"""What each card posted about a case said (issue 17 item 6): kept on sending and on each update in place, a row a
version, in the same one statement as the card's ids; blanked with the case at erasure; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from storage.subject_access import SubjectAccess
from tests.storage.test_retention import _closed, _current, _rows
from tests.storage.test_storage import new_case

SENT = "Case CME-X\nPupil: Ada Example\n[Record an enquiry]"
UPDATED = "Case CME-X\nPupil: Ada Example\nEnquiry logged\n[Record an enquiry]"


async def _texts(store, case_id: int) -> list[tuple]:
    return await _rows(store, "SELECT purpose, conversation_id, activity_id, audience, conversation_kind, text "
                              "FROM card_messages WHERE case_id = :id ORDER BY id", id=case_id)


async def test_a_cards_text_is_kept_when_sent_and_again_each_time_it_is_updated_in_place(store):
    from sqlalchemy.ext.asyncio import async_sessionmaker

    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case = await _closed(store, oak.id)
    other = await _closed(store, oak.id)
    cards = store.card_messages
    await cards.add(case.id, "case_card", "a:personal", "act-1", "aad-sam", text=SENT, conversation_kind="personal")
    await cards.add(case.id, "line", "19:ch;messageid=9", "act-2", text="Case CME-X: Day 5 due",
                    conversation_kind="channel")

    await cards.updated(case.id, "act-1", UPDATED)
    await cards.updated(case.id, "act-unknown", "nothing")  # not a card kept about the case: nothing
    await cards.updated(other.id, "act-1", "nothing")  # nor one kept about another case

    assert await _texts(store, case.id) == [
        ("case_card", "a:personal", "act-1", "aad-sam", "personal", SENT),
        ("line", "19:ch;messageid=9", "act-2", None, "channel", "Case CME-X: Day 5 due"),
        ("case_card", "a:personal", "act-1", "aad-sam", "personal", UPDATED)]
    assert await _texts(store, other.id) == []
    # Updating in place still finds the one card (the newest version), and the erasure replaces it once.
    [latest] = await cards.latest(case.id, ("case_card",))
    assert (latest.activity_id, latest.audience) == ("act-1", "aad-sam")
    assert (await cards.posted(case.id, "act-1")).conversation_id == "a:personal"
    assert await store.retention.posted_cards(case.id) == [("a:personal", "act-1"), ("19:ch;messageid=9", "act-2")]

    access = SubjectAccess(async_sessionmaker(store.engine, expire_on_commit=False))
    assert [(c["purpose"], c["where"], c["version"], c["text"]) for c in await access.cards(case.id)] == [
        ("case_card", "personal", "sent", SENT), ("line", "channel", "sent", "Case CME-X: Day 5 due"),
        ("case_card", "personal", "updated in place", UPDATED)]


async def test_the_texts_go_with_the_case_at_erasure_and_another_cases_stay(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    gone, kept = await _closed(store, oak.id), await _closed(store, oak.id)
    for case in (gone, kept):
        await store.card_messages.add(case.id, "case_card", "a:personal", f"act-{case.id}", "aad-sam", text=SENT,
                                      conversation_kind="personal")
        await store.card_messages.updated(case.id, f"act-{case.id}", UPDATED)
    assert await store.retention.erase(gone.id, actor="t", rule="six_years", retained_until=date(2030, 1, 1))
    assert [row[-1] for row in await _texts(store, gone.id)] == [None, None]
    assert [row[:-1] for row in await _texts(store, gone.id)] == [
        ("case_card", "a:personal", f"act-{gone.id}", "aad-sam", "personal")] * 2  # what, where and when stay
    assert [row[-1] for row in await _texts(store, kept.id)] == [SENT, UPDATED]
    found = await _rows(store, "SELECT count(*) FROM card_messages WHERE text LIKE '%Ada Example%'")
    assert found == [(2,)]  # the other case's only


async def test_migration_0014_undoes_and_redoes(store):
    from storage.migrate import upgrade
    from tests.storage.test_migrations import _differences, _downgrade

    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case, _ = await store.cases.create(new_case(oak.id), *_reported())
    await store.card_messages.add(case.id, "case_card", "a:personal", "act-1", text=SENT, conversation_kind="personal")
    await _downgrade(store, "0014_card_texts")  # whatever was chained above it first
    await _downgrade(store, "0014_card_texts@-1")
    assert "0014_card_texts" not in await _current(store)
    assert await _rows(store, "SELECT activity_id FROM card_messages") == [("act-1",)]  # the ids stay
    await upgrade(store.engine)
    assert await _differences(store) == []
    assert await _texts(store, case.id) == [("case_card", "a:personal", "act-1", None, None, None)]


def _reported():
    from storage.cases import NewEvent
    from tests.storage.test_storage import DUE, REPORTER

    return NewEvent("reported", {}, REPORTER), DUE
