"""`stats`: an officer sees their own authority's figures, as charts with the numbers in words, in their personal
chat only; another authority's officer sees other numbers; school staff are not offered it."""

from __future__ import annotations

from datetime import date

from cards.stats import with_fallbacks
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA, TEAM
from tests.scenario.test_authorities import NADIA
from tests.scenario.test_my_cases import add


async def test_each_authoritys_officer_sees_their_own_authoritys_counts(teams, connector, services):
    for n in range(3):
        await add(services, "900001", f"Borough{n}", date(2026, 11, 9), risk_groups=("runaways",))
    await add(services, "900003", "North", date(2026, 10, 1), reason="hard_to_place")
    for person in (TARA, NADIA, SAM):
        await teams.install_personal(person)

    await teams.say(TARA, "stats")
    card = connector.to(TARA.personal_chat)[-1].card
    words = card_text(with_fallbacks(card))
    assert "Statistics: Example Borough Council" in words and "Open cases: 3." in words
    assert "Runaway" in words and "Hard to place" not in words
    assert any(item["type"] == "Chart.VerticalBar" for item in card["body"])
    assert "Borough0" not in words, "counts only"

    await teams.say(NADIA, "stats")
    words = card_text(with_fallbacks(connector.to(NADIA.personal_chat)[-1].card))
    assert "Statistics: Northfield Council (fictional)" in words and "Open cases: 1." in words
    assert "Hard to place" in words and "Runaway" not in words

    await teams.say(SAM, "stats")
    assert "for the CME Pupil Tracking Officer or Education Welfare Service officer" in \
        connector.to(SAM.personal_chat)[-1].text
    mark = connector.mark()
    await teams.install_team(TARA)
    await teams.say(TARA, "stats", channel=TEAM)
    answer = connector.since(mark)[-1]
    assert not answer.cards and "personal chat" in answer.text
