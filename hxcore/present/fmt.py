"""Vietnamese (and English) number and date formatting through Babel: 1.056.714 · 36,8% · 30/6/2023."""

from __future__ import annotations

import math
from datetime import date

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

LOCALES = {"vi": "vi", "en": "en"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0, lang: str = "vi", missing: str = "–") -> str:
    """1056714 -> "1.056.714"; 4.383, 1 -> "4,4"."""
    if _missing(value):
        return missing
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(float(value), decimals), format=pattern, locale=LOCALES[lang])


def percent(value_in_percent, decimals: int = 1, lang: str = "vi", missing: str = "–") -> str:
    """36.81 (already in percent) -> "36,8%"."""
    if _missing(value_in_percent):
        return missing
    return number(value_in_percent, decimals, lang) + "%"


def signed(value, decimals: int = 0, lang: str = "vi", missing: str = "–") -> str:
    """+39.600 / −6: a change, always with its sign."""
    if _missing(value):
        return missing
    text = number(abs(value), decimals, lang)
    if round(float(value), decimals) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def day(value: date, lang: str = "vi") -> str:
    """30/6/2023 (Vietnamese writes day/month without leading zeros)."""
    return _babel_date(value, "d/M/yyyy" if lang == "vi" else "d MMM yyyy", locale=LOCALES[lang])


def indicator_value(value, unit: str, decimals: int = 0, lang: str = "vi") -> str:
    """A figure in its indicator's own style: percentages with %, others as numbers."""
    if unit == "%":
        return percent(value, decimals, lang)
    return number(value, decimals, lang)


def ratio_note(numerator, denominator, lang: str = "vi") -> str:
    """"120/326": the figures behind a percentage, so a small denominator cannot mislead."""
    if _missing(numerator) or _missing(denominator):
        return ""
    return f"{number(numerator, 0, lang)}/{number(denominator, 0, lang)}"
