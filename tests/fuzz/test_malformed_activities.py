"""Whatever a client posts, the bot answers below 500, refuses readably, logs no traceback and no typed value,
and leaves no case half written. `make fuzz` runs the same strategies for 10,000 examples."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes.teams import activity
from tests.fuzz.activities import SENTINEL, activities
from tests.fuzz.harness import RunningBot
from tests.scenario.teams import SAM

EXAMPLES = 300


@pytest.fixture(scope="module")
async def bot(tmp_path_factory):
    async with RunningBot(tmp_path_factory.mktemp("fuzz")) as running:
        yield running


def _card_text(body: dict) -> str:
    return json.dumps(body.get("value"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
async def test_no_server_error_no_traceback_no_typed_value_in_the_log(bot, data):
    body = data.draw(activities(bot.known), label="posted")
    outcome = await bot.post(body)
    assert not outcome.failed, outcome.why()


async def test_nothing_is_half_written(bot):
    assert await bot.half_written() == []


async def _post(bot, body: dict) -> tuple[int, dict]:
    body = {**body, "serviceUrl": bot.connector.url}
    async with bot.client.post("/api/messages", json=body) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else {}


def _sam_invoke(value, name: str = "adaptiveCard/action") -> dict:
    return activity("", SAM, kind="invoke", name=name, value=value)


@pytest.mark.parametrize("value", [
    {"action": {"type": "Action.Execute", "verb": "report.next", "data": [f"Zed {SENTINEL}"]}},
    {"action": f"Zed {SENTINEL}"},
    [1, 2, 3],
    {"action": {"type": "Action.Execute", "verb": "report.next", "data": {"step": f"Zed {SENTINEL}"}}},
    {"action": {"type": "Action.Execute", "verb": "report.back", "data": {"step": ["2"], "draft": 7}}},
], ids=["data a list", "action a string", "value a list", "step not a number", "draft not an object"])
async def test_a_card_click_with_unreadable_data_gets_a_card_saying_nothing_changed(bot, value):
    before = len(bot.captured.records)
    status, body = await _post(bot, _sam_invoke(value))
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "could not read that, so nothing was changed" in _card_text(body)
    assert not any(SENTINEL in record.getMessage() for record in bot.captured.records[before:])


async def test_an_invoke_the_bot_does_not_handle_gets_a_400_saying_so(bot):
    status, body = await _post(bot, _sam_invoke({}, name="task/fetch"))
    assert status == 400
    assert body["type"] == "application/vnd.microsoft.error" and "does not handle" in body["value"]["message"]


@pytest.mark.parametrize("field, broken", [("conversation", None), ("from", f"Zed {SENTINEL}"),
                                           ("channelData", [1]), ("entities", {"type": "mention"}),
                                           ("entities", [{"text": "<at>CME Tracker</at>"}]),
                                           ("timestamp", 12), ("serviceUrl", None)])
async def test_an_activity_missing_a_part_teams_always_sends_gets_a_400_naming_it(bot, field, broken):
    body = activity("", SAM, text="help")
    if broken is None:
        body.pop(field)
    else:
        body[field] = broken
    async with bot.client.post("/api/messages", json={**body, **({"serviceUrl": bot.connector.url}
                                                               if field != "serviceUrl" else {})}) as response:
        assert response.status == 400
        assert field in (await response.json())["error"]
