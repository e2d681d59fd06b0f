"""cards/readable.py: the text a person reads on a card, which the bot keeps for subject access."""

from __future__ import annotations

from cards.readable import card_text


def test_a_card_reads_as_its_text_facts_inputs_and_buttons_in_order():
    card = {"type": "AdaptiveCard", "body": [
        {"type": "TextBlock", "text": "Case CME-2026-0001"},
        {"type": "FactSet", "facts": [{"title": "Pupil", "value": "Ada Example"}]},
        {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "Day 5 due"}]},
        {"type": "Input.Text", "id": "note", "label": "Note", "value": "seen"},
        {"type": "Input.ChoiceSet", "id": "who", "label": "Who", "value": "p",
         "choices": [{"title": "Police", "value": "p"}]},
        {"type": "Image", "url": "https://example.invalid/x.png", "altText": "chart"}],
        "actions": [{"type": "Action.Submit", "title": "Record", "data": {"verb": "secret-ish", "case": "x"}}],
        "fallbackText": "old client"}
    assert card_text(card).splitlines() == ["Case CME-2026-0001", "Pupil: Ada Example", "Day 5 due", "Note: seen",
                                            "Who: Police", "Police", "[Record]"]


def test_no_card_reads_as_nothing():
    assert card_text(None) == "" and card_text({"type": "AdaptiveCard", "body": []}) == ""


def test_what_a_person_does_not_read_stays_out_however_deep_it_is():
    card = {"type": "AdaptiveCard", "body": [
        {"type": "Container", "selectAction": {"type": "Action.Submit", "title": "Hidden"},
         "items": [[{"type": "TextBlock", "text": "In a nested list"}], "a loose string", 5, None],
         "fallback": {"type": "TextBlock", "text": "Only for old clients"}},
        {"type": "TextBlock", "text": "   "},
        {"type": "TextBlock"},
        {"type": "Column", "items": [{"type": "TextBlock", "text": "Deep", "data": {"type": "TextBlock", "text": "x"}}]}],
        "actions": [{"type": "Action.ShowCard", "title": "More", "card": {"type": "AdaptiveCard", "body": [
            {"type": "Input.ChoiceSet", "id": "why", "label": "Why", "value": "a,b,zz", "isMultiSelect": True,
             "choices": [{"title": "Moved", "value": "a"}, {"title": "Unknown", "value": "b"}]},
            {"type": "Input.Date", "id": "on", "placeholder": "When"}]}}]}
    assert card_text(card).splitlines() == ["In a nested list", "Deep", "[More]", "Why: Moved, Unknown, zz", "Moved",
                                            "Unknown", "When"]


def test_a_card_read_back_as_another_kind_of_mapping_reads_the_same():
    from collections import OrderedDict

    card = {"type": "AdaptiveCard", "body": [{"type": "FactSet", "facts": [{"title": "Day", "value": 5}]},
                                             {"type": "TextBlock", "text": "<b>as typed</b>"}]}
    again = OrderedDict(type="AdaptiveCard", body=[OrderedDict(type="FactSet", facts=[OrderedDict(title="Day", value=5)]),
                                                   OrderedDict(type="TextBlock", text="<b>as typed</b>")])
    assert card_text(card) == "Day: 5\n<b>as typed</b>"
    assert card_text([again]) == card_text(card)
