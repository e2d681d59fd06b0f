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
