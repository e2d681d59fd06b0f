"""Compulsory school age (Education Act 1996, section 8): from the prescribed day on or after the fifth
birthday (31 December, 31 March or 31 August) to the last Friday of June of the school year in which
the child turns 16."""

from __future__ import annotations

from datetime import date, timedelta

PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        return date(born.year + age, 3, 1)


def begins(born: date) -> date:
    fifth = _birthday(born, 5)
    return min(date(fifth.year + (date(fifth.year, m, d) < fifth), m, d) for m, d in PRESCRIBED_DAYS)


def ends(born: date) -> date:
    sixteenth = _birthday(born, 16)
    june = date(sixteenth.year + (sixteenth.month >= 9), 6, 30)
    return june - timedelta(days=(june.weekday() - 4) % 7)


def of_compulsory_school_age(born: date, on: date) -> bool:
    return begins(born) <= on <= ends(born)
