"""Case references a person can say on the phone: CME-2026-0042."""

import re

REFERENCE_PATTERN = re.compile(r"\bCME-(\d{4})-(\d{4,})\b", re.IGNORECASE)


def format_reference(year: int, number: int) -> str:
    return f"CME-{year}-{number:04d}"


def find_reference(text: str) -> str | None:
    match = REFERENCE_PATTERN.search(text or "")
    return format_reference(int(match.group(1)), int(match.group(2))) if match else None
