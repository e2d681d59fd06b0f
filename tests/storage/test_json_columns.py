"""JSON columns are written by orjson (storage/engine/db.py), which refuses what the json module wrote before it:
keys that are not text and integers past 64 bits. Those are still written as json wrote them, and read back whole
(orjson would read such an integer as a float); on both databases."""

from __future__ import annotations

from sqlalchemy import insert, select

from storage.models import CaseEvent
from storage.types import utcnow
from tests.storage.test_retention import _closed


async def _written_and_read(store, case_id: int, data: dict) -> dict:
    async with store.engine.begin() as connection:
        entry = await connection.scalar(insert(CaseEvent).values(
            case_id=case_id, at=utcnow(), actor_aad_object_id="aad-test", actor_name="Test", kind="note",
            data=data).returning(CaseEvent.id))
    async with store.engine.connect() as connection:
        return await connection.scalar(select(CaseEvent.data).where(CaseEvent.id == entry))


async def test_a_history_entrys_data_is_read_back_as_the_json_module_wrote_it(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case = await _closed(store, oak.id)
    plain = {"reason": "moved away", "groups": ["cp_plan"], "day": 5, "text": "Zoë Ñandú \"quoted\" <b>"}
    assert await _written_and_read(store, case.id, plain) == plain
    assert await _written_and_read(store, case.id, {2026: "a year as a key", "big": 2 ** 70 + 1}) == \
        {"2026": "a year as a key", "big": 2 ** 70 + 1}
