"""Teams-shaped activities, as the Bot Connector POSTs them to the bot's /api/messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

TENANT = "5e1f0000-0000-4000-8000-00000000c3e0"
BOT = {"id": "28:00000000-0000-4000-8000-00000000cb07", "name": "CME Tracker"}


@dataclass(frozen=True)
class User:
    aad_object_id: str
    name: str
    teams_id: str

    @property
    def personal_chat(self) -> str:
        return f"a:personal-{self.teams_id.split(':', 1)[1]}"


def activity(service_url: str, user: User, conversation: str | None = None, *, kind: str = "message",
             team: str | None = None, channel: str | None = None, **fields) -> dict:
    """From `user` in their personal chat, or in `channel` of `team` (a new thread unless `conversation`)."""
    if channel:
        conv = {"id": conversation or f"{channel};messageid={uuid.uuid4().hex[:8]}", "conversationType": "channel",
                "isGroup": True, "tenantId": TENANT}
        channel_data = {"team": {"id": team}, "channel": {"id": channel}, "tenant": {"id": TENANT}}
    else:
        conv = {"id": conversation or user.personal_chat, "conversationType": "personal", "tenantId": TENANT}
        channel_data = {"tenant": {"id": TENANT}}
    return {
        "type": kind, "id": f"act-{uuid.uuid4().hex}", "timestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": conv, "recipient": BOT, "channelData": channel_data, "locale": "en-GB", **fields,
    }
