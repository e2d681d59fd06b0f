"""Whatever a client posts, the bot answers below 500, refuses readably, logs no traceback and no typed value,
and leaves no case half written. `make fuzz` runs the same strategies for 10,000 examples."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes.teams import activity
from tests.databases import BACKENDS, postgres_required
from tests.fuzz.activities import SENTINEL, activities
from tests.fuzz.harness import RunningBot
from tests.scenario.teams import ADAM, SAM

EXAMPLES = 300


@pytest.fixture(scope="module", params=BACKENDS)
async def bot(request, tmp_path_factory, databases):
    """The bot on each database: a half-written case or a value a column refuses shows on PostgreSQL first."""
    if request.param == "postgresql" and not postgres_required():
        pytest.skip("CME_TEST_POSTGRES=skip")
    url = await databases[request.param].new()
    async with RunningBot(tmp_path_factory.mktemp("fuzz"), url) as running:
        yield running
    if request.param == "postgresql":
        await databases[request.param].drop(url)


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


def _sam_invoke(value, name: str = "adaptiveCard/action", user=SAM) -> dict:
    return activity("", user, kind="invoke", name=name, value=value)


@pytest.mark.parametrize("value", [
    {"action": {"type": "Action.Execute", "verb": "report.next", "data": [f"Zed {SENTINEL}"]}},
    {"action": f"Zed {SENTINEL}"},
    [1, 2, 3],
], ids=["data a list", "action a string", "value a list"])
async def test_a_card_click_with_unreadable_data_gets_a_card_saying_nothing_changed(bot, value):
    before = len(bot.captured.records)
    status, body = await _post(bot, _sam_invoke(value))
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "could not read that, so nothing was changed" in _card_text(body)
    assert not any(SENTINEL in record.getMessage() for record in bot.captured.records[before:])


@pytest.mark.parametrize("verb, data, named", [
    ("report.next", {"step": f"Zed {SENTINEL}"}, "the form step"),
    ("report.back", {"step": ["2"], "draft": 7}, "the form step"),
    ("report.back", {"step": 2, "draft": 7}, "the report's earlier steps"),
    ("report.next", {"step": 1, "draft": {"surname": [f"Zed {SENTINEL}"]}}, "the report's earlier steps"),
    ("report.next", {"step": 1, "forename": {"first": f"Zed {SENTINEL}"}}, "the forename"),
    ("report.next", {"step": 1, "forename": None}, "the forename"),
    ("report.next", {"step": 1, "forename": 12}, "the forename"),
    ("admin.grant", {"role": [f"Zed {SENTINEL}"], "person": "someone"}, "the role"),
    ("admin.grant", {"role": "school_staff", "person": "someone", "school": "²"}, "the school"),
    ("case.break", {"case": [f"Zed {SENTINEL}"]}, "the case reference"),
    ("cases.more", {"offset": 2 ** 70}, "the page"),
], ids=["step a word", "step a list", "draft a number", "draft holding a list", "input an object", "input null",
        "input a number", "role a list", "school not a number", "case a list", "offset huge"])
async def test_card_data_of_the_wrong_type_is_refused_naming_the_field_never_its_value(bot, verb, data, named):
    before = len(bot.captured.records)
    status, body = await _post(bot, _sam_invoke({"action": {"type": "Action.Execute", "verb": verb,
                                                            "data": {"verb": verb, **data}}},
                                                user=ADAM if verb.startswith("admin.") else SAM))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    said = _card_text(body)
    assert f"could not read {named} on that card, so nothing was changed" in said
    assert SENTINEL not in said
    assert not any(SENTINEL in record.getMessage() for record in bot.captured.records[before:])


async def test_a_typed_value_over_any_inputs_length_is_refused_as_too_long(bot):
    data = {"verb": "report.next", "step": 1, "forename": "x" * 100_000}
    status, body = await _post(bot, _sam_invoke({"action": {"type": "Action.Execute", "verb": "report.next",
                                                            "data": data}}))
    assert status == 200 and "The forename is too long: at most 5,000 characters" in _card_text(body)


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


async def test_confirm_removed_on_a_case_with_no_removal_request_says_so(bot):
    """Found by make fuzz once the catch-all no longer hid it: an AttributeError, refused as 'could not read that'."""
    case = bot.known.cases[0]
    data = {"verb": "removal.confirm", "case": case, "ctf_sent_on": "2026-11-16"}
    status, body = await _post(bot, _sam_invoke({"action": {"type": "Action.Execute", "verb": "removal.confirm",
                                                            "data": data}}))
    assert status == 200
    said = _card_text(body)
    assert "Removal from roll has not been agreed by the tracking officer." in said
