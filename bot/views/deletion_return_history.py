"""A deletion return made from a CME case, in the case's own history: its sending and its acknowledgement are each
an append-only case event (who, when, through `Cases.record`, once: keyed by the return), so the case card's
history says "deletion return DR-… sent on …" and "… acknowledged on …", as the return's own history does
(storage/deletion_returns.py). Every posted copy of the case card is then refreshed."""

from __future__ import annotations

import logging

from bot.services import Services
from bot.views.case_cards import refresh_other_copies
from storage.cases import Actor, NewEvent, Recorded
from storage.deletion_returns import ReturnRecord

log = logging.getLogger(__name__)
SENT, ACKNOWLEDGED = "deletion_return_sent", "deletion_return_acknowledged"


def event_data(record: ReturnRecord, kind: str, zone) -> dict:
    data = {"return": record.reference, "ground": record.deletion_return.ground,
            "deletion_on": record.deletion_return.deletion_on.isoformat(), "sent_on": record.sent_on.isoformat()}
    if kind == ACKNOWLEDGED and record.acknowledged_at:
        data["acknowledged_on"] = record.acknowledged_at.astimezone(zone).date().isoformat()
    return data


async def record_on_case(services: Services, record: ReturnRecord, kind: str) -> bool:
    """The return's `kind` (SENT, ACKNOWLEDGED) in its case's history, by who sent or acknowledged it; False for a
    return with no case, or not acknowledged, or once recorded already (a redelivery, a second press)."""
    if record.case_id is None or (kind == ACKNOWLEDGED and not record.acknowledged):
        return False
    actor = (Actor(record.acknowledged_by, record.acknowledged_by_name or "") if kind == ACKNOWLEDGED
             else Actor(record.sent_by, record.sent_by_name))
    event = NewEvent(kind, event_data(record, kind, services.settings.zone), actor, key=f"{kind}:{record.id}")
    for _ in range(3):  # another step saved meanwhile: read the case again
        case = await services.store.cases.by_id(record.case_id)
        if case is None:
            return False
        result = await services.store.cases.record(case, event)
        if result is Recorded.ALREADY_DONE:
            return False
        if result is Recorded.DONE:
            await refresh_other_copies(services, case, skip=set())
            return True
    log.warning("deletion return %s: %s not recorded on its case (it kept changing)", record.reference, kind)
    return False
