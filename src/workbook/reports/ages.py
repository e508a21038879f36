"""Ages as printed: whole years on the day of printing, or months for a baby under two."""

from __future__ import annotations

from datetime import date


def age_on(dob: str, today: date) -> str:
    """"" when the date of birth is missing, malformed or in the future (never a guess)."""
    try:
        born = date.fromisoformat(dob)
    except ValueError:
        return ""
    if born > today:
        return ""
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 24:
        return f"{months}m"
    return str(months // 12)
