"""What a card sent back, read field by field: every handler reads `turn.data` through `CardData` (context.card).

A card's data comes from whatever client sent it, so any field may be missing, of another type or huge.
A field that cannot be what the card would have sent is refused with a `CardDataError` that names the
field and never quotes its value; it is a ProcedureError, so the turn answers it in words and saves nothing.
An absent field, or an input left empty, is the caller's `default`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from datetime import date

from cme.lifecycle import ProcedureError

log = logging.getLogger(__name__)

LONGEST = 5_000  # characters: more than any input on our cards takes
# How a field is named to the person, where its key does not read well.
LABELS = {"case": "case reference", "step": "form step", "draft": "report's earlier steps", "form": "form",
          "key": "card", "offset": "page", "grant": "role to remove", "break_on": "day of the break",
          "break_kind": "kind of break", "ctf_sent_on": "day the CTF was sent",
          "return_sent_on": "day the return was sent", "notified": "people notified", "school": "school",
          "urn": "school's URN", "why": "reason", "request": "removal request"}
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,10}")
LARGEST = 2 ** 31 - 1  # an INTEGER column
ABSENT = object()


class CardDataError(ProcedureError):
    """A field of a card's data that is not what the card sends: said by the field's name, never its value."""


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def whole_number(value: object) -> int | None:
    """An int, or a string of ASCII digits (an id carried on a card), that a database column holds; else None."""
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= LARGEST:
        return value
    return None


def _storable(value: str) -> bool:
    """Text a person could have typed: UTF-8, without NUL (which PostgreSQL refuses to store)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _all_storable(values: Collection) -> bool:
    """Whether every value is storable text of at most LONGEST characters (an empty one too)."""
    try:
        joined = "".join(values)  # refuses anything but a str
    except TypeError:
        return False
    return _storable(joined) and max(map(len, values), default=0) <= LONGEST


class CardData:
    """`turn.data` read as the card's inputs and the action's data: each field by name and kind."""

    def __init__(self, data: dict, verb: str = "") -> None:
        self._data = data if isinstance(data, dict) else {}
        self._verb = verb

    def refused(self, name: str, why: str) -> CardDataError:
        log.info("card data refused: %s of %s %s", name, self._verb or "a card", why)
        return CardDataError(f"I could not read the {label(name)} on that card, so nothing was changed. "
                             "Say **help** to start again.")

    def _given(self, name: str) -> object:
        """The field as sent (null included), or ABSENT when it is missing or an input left empty."""
        value = self._data.get(name, ABSENT)
        return ABSENT if value == "" else value

    def has(self, name: str) -> bool:
        return self._given(name) is not ABSENT

    def text(self, name: str, default: str = "", *, limit: int = LONGEST) -> str:
        """A typed or carried string; absent or empty is `default`."""
        value = self._given(name)
        if value is ABSENT:
            return default
        if not isinstance(value, str) or not _storable(value):
            raise self.refused(name, "is not text")
        if len(value) > limit:
            log.info("card data refused: %s of %s is too long", name, self._verb or "a card")
            raise CardDataError(f"The {label(name)} is too long: at most {limit:,} characters. Nothing was changed.")
        return value

    def choice(self, name: str, allowed: Iterable[str], default: str | None = None) -> str | None:
        """One of `allowed` (a choice set's values); absent or empty is `default`."""
        value = self.text(name, limit=200)
        if not value:
            return default
        if value not in set(allowed):
            raise self.refused(name, "is not one of its choices")
        return value

    def items(self, name: str, allowed: Collection[str] | None = None) -> list[str]:
        """A multi-select choice set's values (comma-separated), each one of `allowed` if given."""
        chosen = [item for item in self.text(name).split(",") if item]
        if allowed is not None and any(item not in allowed for item in chosen):
            raise self.refused(name, "is not among its choices")
        return chosen

    def flag(self, name: str) -> bool:
        """A toggle or checkbox: "true" or "false" (or a JSON boolean); absent is False."""
        value = self._given(name)
        if value is ABSENT or isinstance(value, bool):
            return value is True
        if value in ("true", "false"):
            return value == "true"
        raise self.refused(name, "is not true or false")

    def date(self, name: str) -> date | None:
        """A date input (YYYY-MM-DD); absent or empty is None."""
        value = self.text(name, limit=40)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            log.info("card data refused: %s of %s is not a date", name, self._verb or "a card")
            raise CardDataError(f"Give the {label(name)} as a date, for example 2026-11-16. "
                                "Nothing was changed.") from None

    def number(self, name: str, default: int | None = None, *, low: int = 0, high: int = LARGEST) -> int | None:
        """A whole number the card carries (a step, a page, an id), from `low` to `high`; absent is `default`."""
        value = self._given(name)
        if value is ABSENT:
            return default
        value = whole_number(value)
        if value is None or not low <= value <= high:
            raise self.refused(name, "is not a number it could be")
        return value

    def texts(self, name: str, keys: Iterable[str]) -> dict[str, str]:
        """An object of strings the card carries along (a form's earlier steps): only `keys`, each a string."""
        value = self._given(name)
        if value is ABSENT:
            return {}
        if not isinstance(value, dict):
            raise self.refused(name, "is not an object")
        given = {key: value[key] for key in keys if key in value}
        if _all_storable(given.values()):  # read at once: the field by field reading below refuses the rest
            return given
        inner = CardData(value, self._verb)
        try:
            return {key: inner.text(key) for key in keys if key in value}
        except CardDataError:
            raise self.refused(name, "holds a field that is not text") from None
