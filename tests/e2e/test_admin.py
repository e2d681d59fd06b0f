"""Adam Admin opens the admin card from the team's welcome card and gives a role to a team member."""

from __future__ import annotations

import pytest

from tests.e2e.playground import card_text, find_action
from tests.e2e.reporting import card_of, saying

pytestmark = [pytest.mark.e2e]


async def test_adam_gives_aggie_a_second_role_picked_from_the_team(playground):
    mark = playground.mark()
    await playground.install(playground.team_id)
    welcome = await playground.expect(saying("has joined this team"), since=mark, what="team welcome")
    button = find_action(card_of(welcome), title="People and roles (administrators)")
    adam = playground.user_id("Adam")
    conversation = welcome["message"].get("postConversationId") or welcome["actionConversationId"]
    answer = await playground.invoke(conversation, welcome["message"]["messageId"], button["verb"],
                                     button["data"], from_id=adam, title=button["title"])
    admin = answer["value"]
    assert "People, roles and schools" in card_text(admin)
    person = next(i for i in find_action(admin, title="Give a role")["card"]["body"] if i.get("id") == "person")
    names = {c["title"]: c["value"] for c in person["choices"]}
    assert {"Sam Staff", "Tara Tracker", "Aggie Agency"} <= set(names), names

    give = find_action(admin, title="Give the role")
    answer = await playground.invoke(conversation, welcome["message"]["messageId"], give["verb"],
                                     {**give["data"], "person": names["Aggie Agency"], "role": "ews_officer"},
                                     from_id=adam, title=give["title"])
    assert "Aggie Agency is now Education Welfare Service officer in Example Borough Council." in card_text(answer["value"])
