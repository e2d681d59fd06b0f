"""What each card about a case said is kept for subject access (storage/card_messages.py): the removal request's
cards as sent, and again as each changes in place when the tracking officer agrees; the channel line's text, as
the line itself, names no pupil."""

from __future__ import annotations

from sqlalchemy import text

from tests.scenario.teams import TARA, TEAM
from tests.scenario.test_removal import PUPIL, decide, officer_card, removal_requested


async def _kept(store, case_id: int) -> list[tuple[str, str, str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(text("SELECT activity_id, conversation_id, conversation_kind, text "
                                             "FROM card_messages WHERE case_id = :id ORDER BY id"), {"id": case_id})
        return [tuple(row) for row in rows.all()]


async def test_each_card_about_the_case_is_kept_as_read_and_the_channel_lines_name_no_pupil(
        teams, connector, services, store):
    case, case_card, sent = await removal_requested(teams, connector, services)
    to_tara = officer_card(sent)
    line = next(s for s in sent if s.conversation_id.startswith(TEAM))

    kept = await _kept(store, case.id)
    by_activity = {activity: (kind, said) for activity, _, kind, said in kept}
    assert by_activity[case_card.activity_id][0] == "personal"
    assert PUPIL.full_name in by_activity[case_card.activity_id][1]
    kind, said = by_activity[to_tara.activity_id]
    assert kind == "personal" and f"Removal from roll requested: {case.reference}" in said and PUPIL.full_name in said
    assert "[Agree removal]" in said  # the buttons as the officer read them
    kind, said = by_activity[line.activity_id]
    assert kind == "channel" and case.reference in said

    status, _ = await decide(teams, TARA, to_tara, "Agree removal")
    assert status == 200
    versions = {}
    for activity, _, _kind, said in await _kept(store, case.id):
        versions.setdefault(activity, []).append(said)
    assert "Agreed by Tara Tracker" not in versions[line.activity_id][0]
    assert "Agreed by Tara Tracker" in versions[line.activity_id][-1]  # the line as it changed in place
    assert "Agreed by Tara Tracker" in versions[to_tara.activity_id][-1]  # the card Tara pressed, as answered
    assert "Agree removal" in versions[to_tara.activity_id][0]  # and as it was before
    channel = [said for _, conversation, kind, said in await _kept(store, case.id) if kind == "channel"]
    assert len(channel) >= 2 and all(conversation.startswith(TEAM) for _, conversation, kind, _ in
                                     await _kept(store, case.id) if kind == "channel")
    for said in channel:
        for detail in (PUPIL.forename, PUPIL.surname, PUPIL.address, PUPIL.postcode, PUPIL.carers[0].name):
            assert detail.lower() not in said.lower()
