"""The DfE Unique Pupil Number: 13 characters, the first a check letter computed from the others."""

from __future__ import annotations

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def normalise_upn(text: str) -> str:
    return "".join(text.split()).upper()


def _check_letter(body: str) -> str:
    """The check letter for characters 2 to 13; a letter in position 13 (a temporary UPN) counts as its index."""
    total = 0
    for position, char in enumerate(body, start=2):
        total += position * (int(char) if char.isdigit() else LETTERS.index(char))
    return LETTERS[total % 23]


def upn_with_check_letter(twelve: str) -> str:
    return _check_letter(twelve) + twelve


def upn_problem(text: str) -> str | None:
    upn = normalise_upn(text)
    if len(upn) != 13:
        return f"A UPN has 13 characters; this one has {len(upn)}."
    if upn[0] not in LETTERS:
        return "A UPN starts with its check letter (A to Z, without I, O and S)."
    if not upn[1:12].isdigit():
        return "Characters 2 to 12 of a UPN are digits."
    if not (upn[12].isdigit() or upn[12] in LETTERS):
        return "The last character of a UPN is a digit, or a letter for a temporary UPN."
    expected = _check_letter(upn[1:])
    if upn[0] != expected:
        return (f"The check letter should be {expected} for these digits: please check the UPN was copied "
                "correctly.")
    return None
