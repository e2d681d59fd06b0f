"""The scenarios' fictional people, team and channels, and their activities as Teams sends them to the bot."""

from __future__ import annotations

import json

from fakes.teams import BOT, User, activity
from fakes.teams import TENANT as TENANT

TEAM = "19:cme-team-general@thread.tacv2"
REMINDERS = "19:cme-reminders@thread.tacv2"


def _user(n: int, name: str) -> User:
    return User(f"00000000-0000-4000-8000-000000000a0{n}", name, f"29:{name.lower().replace(' ', '-')}")


SAM = _user(1, "Sam Staff")          # school staff, Oakwood Primary School (fictional)
RIYA = _user(2, "Riya Staff")        # school staff, Riverside Academy (fictional)
EWAN = _user(3, "Ewan Welfare")      # EWS officer
TARA = _user(4, "Tara Tracker")      # CME Pupil Tracking Officer
AGGIE = _user(5, "Aggie Agency")     # agency referrer
ADAM = _user(6, "Adam Admin")        # admin
STRANGER = User("00000000-0000-4000-8000-0000000000ff", "Stella Stranger", "29:stella-stranger")


class Teams:
    """Builds activities from users and conversations; `post` sends them to the bot."""

    def __init__(self, client, service_url: str) -> None:
        self.client = client
        self.service_url = service_url

    def activity(self, user: User, conversation: str | None = None, *, kind: str = "message",
                 channel: str | None = None, **fields) -> dict:
        return activity(self.service_url, user, conversation, kind=kind, team=TEAM, channel=channel, **fields)

    async def post(self, activity: dict, headers: dict | None = None):
        response = await self.client.post("/api/messages", json=activity, headers=headers or {})
        body = await response.text()
        return response.status, body

    async def say(self, user: User, text: str, *, channel: str | None = None) -> dict:
        fields = {"text": text}
        if channel:
            mention = f"<at>{BOT['name']}</at>"
            fields = {"text": f"{mention} {text}",
                      "entities": [{"type": "mention", "text": mention, "mentioned": BOT}]}
        activity = self.activity(user, channel=channel, **fields)
        status, _ = await self.post(activity)
        assert status in (200, 201), status
        return activity

    async def submit(self, user: User, value: dict, *, reply_to: str | None = None, channel: str | None = None,
                     activity_id: str | None = None) -> dict:
        activity = self.activity(user, channel=channel, value=value, replyToId=reply_to)
        if activity_id:
            activity["id"] = activity_id
        status, _ = await self.post(activity)
        assert status in (200, 201), status
        return activity

    async def invoke(self, user: User, verb: str, data: dict, *, reply_to: str | None = None,
                     conversation: str | None = None, channel: str | None = None,
                     activity_id: str | None = None) -> tuple[int, dict]:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}},
                 "trigger": "manual"}
        activity = self.activity(user, conversation, kind="invoke", channel=channel, name="adaptiveCard/action",
                                 value=value, replyToId=reply_to)
        if activity_id:
            activity["id"] = activity_id
        status, body = await self.post(activity)
        return status, json.loads(body) if body else {}

    async def install_personal(self, user: User) -> None:
        activity = self.activity(user, kind="installationUpdate", action="add")
        status, _ = await self.post(activity)
        assert status in (200, 201), status

    async def install_team(self, user: User) -> None:
        activity = self.activity(user, TEAM, kind="conversationUpdate", channel=TEAM,
                                 membersAdded=[{"id": BOT["id"]}])
        status, _ = await self.post(activity)
        assert status in (200, 201), status
