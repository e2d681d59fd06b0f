"""Card data read field by field: what a card sends is read, anything else is refused naming the field, never
quoting the value; and a handler failing on data it did not read so fails tests loudly, production readably."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.card_data import CardData, CardDataError, whole_number
from bot.teams.handler import STRICT, UNREADABLE, Handler
from bot.turn import ACTION, Sender, Turn
from cme.lifecycle import ProcedureError

TYPED = "Zed Fuzzly"
WRONG = [None, 12, 1.5, True, [TYPED], {"x": TYPED}, "\x00" + TYPED, "\ud800" + TYPED]


def refusal(read) -> str:
    with pytest.raises(CardDataError) as refused:
        read()
    return str(refused.value)


def test_what_a_card_sends_is_read():
    card = CardData({"note": " seen at home ", "step": 2, "offset": "20", "kind": "attended", "on": "2026-11-16",
                     "check_a": "true", "check_b": "false", "notified": "police,social_care", "cleared": "",
                     "draft": {"surname": "Example", "other": "kept out"}, "school": "3"})
    assert card.text("note") == " seen at home "
    assert card.text("missing") == "" and card.text("cleared", "default") == "default"
    assert card.number("step") == 2 and card.number("offset") == 20 and card.number("missing", 7) == 7
    assert card.choice("kind", ["attended", "authorised"]) == "attended"
    assert card.choice("cleared", ["attended"], "attended") == "attended" and card.choice("missing", ["a"]) is None
    assert card.date("on") == date(2026, 11, 16) and card.date("cleared") is None
    assert card.flag("check_a") and not card.flag("check_b") and not card.flag("missing")
    assert card.items("notified", {"police", "social_care"}) == ["police", "social_care"]
    assert card.items("missing") == []
    assert card.texts("draft", ["surname", "forename"]) == {"surname": "Example"}
    assert card.number("school") == 3


@pytest.mark.parametrize("wrong", WRONG, ids=repr)
@pytest.mark.parametrize("read, named", [
    (lambda card: card.text("note"), "the note"),
    (lambda card: card.choice("break_kind", ["attended"]), "the kind of break"),
    (lambda card: card.date("start_date"), "the start date"),
    (lambda card: card.items("notified"), "the people notified"),
    (lambda card: card.texts("draft", ["surname"]), "the report's earlier steps"),
])
def test_a_field_of_another_type_is_refused_by_its_name_never_its_value(wrong, read, named):
    data = {"note": wrong, "break_kind": wrong, "start_date": wrong, "notified": wrong, "draft": {"surname": wrong}}
    if isinstance(wrong, dict):
        data["draft"] = 7
    said = refusal(lambda: read(CardData(data)))
    assert f"I could not read {named} on that card, so nothing was changed." in said
    assert TYPED not in said and "Fuzzly" not in said


@pytest.mark.parametrize("wrong", [*WRONG[:6], "two", "2.5", "²", "-1", 4, 2 ** 70, "9" * 40])
def test_a_number_that_is_not_one_the_card_could_carry_is_refused(wrong):
    said = refusal(lambda: CardData({"step": wrong}).number("step", 1, low=1, high=3))
    assert said.startswith("I could not read the form step on that card")


@pytest.mark.parametrize("wrong", ["yes", "True", 1, [], {}])
def test_a_flag_is_true_or_false(wrong):
    assert "the check a" in refusal(lambda: CardData({"check_a": wrong}).flag("check_a"))


def test_a_choice_not_on_the_card_is_refused():
    assert "the outcome" in refusal(lambda: CardData({"outcome": TYPED}).choice("outcome", ["moved_school"]))
    assert "the people notified" in refusal(lambda: CardData({"notified": f"police,{TYPED}"}).items(
        "notified", {"police"}))


def test_a_date_that_is_not_one_says_how_to_give_it():
    said = refusal(lambda: CardData({"start_date": f"{TYPED} 2026"}).date("start_date"))
    assert said == "Give the start date as a date, for example 2026-11-16. Nothing was changed."


@pytest.mark.parametrize("draft", [
    {"forename": "Zed", "surname": None}, {"forename": "Zed\ud800", "surname": "\udc00Fuzzly"},
    {"forename": "Zed", "surname": "x" * 5_001}, {"forename": "Zed", "surname": "Fuzz\x00ly"}], ids=repr)
def test_an_earlier_step_is_refused_whichever_of_its_fields_is_wrong(draft):
    card = CardData({"draft": draft})
    assert "I could not read the report's earlier steps" in refusal(lambda: card.texts("draft", ["forename", "surname"]))


def test_an_earlier_step_is_read_as_sent_with_only_the_fields_asked():
    draft = {"forename": " Zed ", "surname": "", "upn": "x" * 5_000, "other": None}
    assert CardData({"draft": draft}).texts("draft", ["forename", "surname", "upn", "sex"]) == \
        {"forename": " Zed ", "surname": "", "upn": "x" * 5_000}


def test_text_longer_than_any_input_takes_is_refused_as_too_long():
    assert CardData({"note": "x" * 5_000}).text("note") == "x" * 5_000
    said = refusal(lambda: CardData({"note": "x" * 5_001}).text("note"))
    assert said == "The note is too long: at most 5,000 characters. Nothing was changed."
    assert "too long" in refusal(lambda: CardData({"case": "CME-" + "1" * 100}).text("case", limit=40))


def test_a_refusal_is_a_procedure_error_so_the_turn_answers_it_in_words():
    assert issubclass(CardDataError, ProcedureError)


def test_data_that_is_not_an_object_reads_as_empty():
    assert CardData([TYPED]).text("note") == "" and CardData(None).number("step", 1) == 1


@pytest.mark.parametrize("value, number", [(3, 3), ("42", 42), (" 7 ", 7), ("-5", -5), ("²", None), ("1e3", None),
                                           (True, None), (2.0, None), (2 ** 31, None), ("9" * 11, None)])
def test_whole_numbers_are_ascii_digits_that_fit_a_database_integer(value, number):
    assert whole_number(value) == number


def test_the_refusal_is_logged_by_field_and_verb_without_the_value(caplog):
    caplog.set_level(logging.INFO, logger="bot.card_data")
    refusal(lambda: CardData({"note": [TYPED]}, "case.ews").text("note"))
    assert [r.getMessage() for r in caplog.records] == ["card data refused: note of case.ews is not text"]


def test_every_handler_reads_card_data_through_the_reader():
    handlers = Path(__file__).parents[2] / "bot" / "handlers"
    reading_raw = [path.name for path in sorted(handlers.glob("*.py")) if "turn.data" in path.read_text()]
    assert reading_raw == [], "read context.card (bot/card_data.py), not turn.data"


def _action_turn() -> Turn:
    return Turn(ACTION, Sender("00000000-0000-4000-8000-0000000000d1", "Sam Staff"), "a:personal-sam", "personal",
                {"conversation": {"id": "a:personal-sam", "conversationType": "personal"}}, verb="case.ews")


async def _fails_on_data(turn, outbox):
    return [][0] if turn.data else {"unused": TYPED}.items()[0]


async def test_a_handler_failing_on_data_it_did_not_read_fails_the_tests_loudly(monkeypatch):
    monkeypatch.setenv(STRICT, "raise")
    with pytest.raises(TypeError):
        await Handler(_fails_on_data, "bot")._run(_action_turn(), TurnContext(object(), Activity(type="invoke")))


async def test_in_production_it_is_refused_readably_and_logged_by_line_without_the_value(monkeypatch, caplog):
    monkeypatch.delenv(STRICT, raising=False)
    caplog.set_level(logging.WARNING, logger="bot.teams.handler")
    card = await Handler(_fails_on_data, "bot")._run(_action_turn(), TurnContext(object(), Activity(type="invoke")))
    assert UNREADABLE.split(",")[0] in json.dumps(card)
    [logged] = [r.getMessage() for r in caplog.records]
    assert logged.startswith("action case.ews could not be read: TypeError at ") and "test_card_data.py" not in logged
    assert TYPED not in logged
