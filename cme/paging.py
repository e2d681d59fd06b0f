"""How far a list of cases is counted (`my cases`, the register): exactly up to COUNTED, then "more than COUNTED".

An exact count of 50,000 open cases costs as much as reading them; nobody pages through a thousand cases
twenty at a time, and the authority's figures (`stats`) say how many there are.
"""

COUNTED = 1_000


def counted_text(total: int, one: str, many: str) -> str:
    """'24 open cases', '1 open case', or 'More than 1,000 open cases' when the count stopped."""
    if total > COUNTED:
        return f"More than {COUNTED:,} {many}"
    return f"{total:,} {one if total == 1 else many}"


def open_cases_text(total: int) -> str:
    return counted_text(total, "open case", "open cases")
