"""Check a card against the schema and size Teams accepts (adaptive-cards-py's Teams validator)."""

from __future__ import annotations

from adaptive_cards import card as ac
from adaptive_cards.validation import CardValidatorFactory

_VALIDATOR = CardValidatorFactory.create_validator_microsoft_teams()


def problems(card: dict) -> list[str]:
    """What is wrong with a card for Teams; empty when it is fine."""
    try:
        model = ac.AdaptiveCard.model_validate({k: v for k, v in card.items() if k not in ("msteams", "refresh")})
    except Exception as error:  # noqa: BLE001 - the model's own message says what is wrong
        return [f"not an adaptive card: {error}"]
    _VALIDATOR.validate(model, debug=False)
    return [f"{finding.failure.value}: {finding.message} {finding.message_additional}".strip()
            for finding in _VALIDATOR.details()]
