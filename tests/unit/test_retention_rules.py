"""When a closed case is past retention (cme/retention.py): 6 years after closing, or the 25th birthday if later for
child protection information; never without a date of birth to count that birthday from."""

from datetime import date

from cme.retention import CHILD_PROTECTION, SIX_YEARS, RetentionRules, Verdict, add_years, verdict

RULES = RetentionRules()


def test_six_years_after_closing():
    kept = verdict(RULES, date(2020, 7, 20), date(2012, 1, 1), child_protection=False)
    assert kept == Verdict(date(2026, 7, 20), SIX_YEARS)
    assert not kept.due(date(2026, 7, 19)) and kept.due(date(2026, 7, 20))


def test_child_protection_until_the_25th_birthday_when_later():
    assert verdict(RULES, date(2020, 7, 20), date(2012, 1, 1), child_protection=True) == Verdict(
        date(2037, 1, 1), CHILD_PROTECTION)
    # A child already 19 at closing: six years after closing comes after the 25th birthday.
    assert verdict(RULES, date(2020, 7, 20), date(2001, 1, 1), child_protection=True) == Verdict(
        date(2026, 7, 20), SIX_YEARS)


def test_child_protection_without_a_date_of_birth_is_kept():
    kept = verdict(RULES, date(2000, 1, 1), None, child_protection=True)
    assert kept.keep_until is None and not kept.due(date(2100, 1, 1))


def test_leap_day_and_configured_rules():
    assert add_years(date(2024, 2, 29), 6) == date(2030, 2, 28)
    assert verdict(RetentionRules(years=10, child_protection_age=30), date(2020, 1, 1), date(2010, 5, 5),
                   True).keep_until == date(2040, 5, 5)
    assert "25th birthday" in RULES.describe() and "21st" in RetentionRules(child_protection_age=21).describe()


def test_the_settings_refuse_a_retention_below_the_law_or_not_a_number():
    import pytest

    from bot.config import ConfigError, Settings

    defaults = Settings.from_env({})
    assert (defaults.retention_years, defaults.retention_child_protection_age) == (6, 25)
    assert Settings.from_env({"CME_RETENTION_YEARS": "10"}).retention_years == 10
    for name, value, says in (("CME_RETENTION_YEARS", "3", "from 6 to 100"), ("CME_RETENTION_YEARS", "six", "number"),
                              ("CME_RETENTION_CHILD_PROTECTION_AGE", "18", "from 25 to 120")):
        with pytest.raises(ConfigError, match=says):
            Settings.from_env({name: value})
