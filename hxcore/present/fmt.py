"""Vietnamese (and English) number and date formatting through Babel: 1.056.714 · 36,8% · 30/6/2023;
and outside text (URL values, file paths) made inert for Streamlit's Markdown."""

from __future__ import annotations

import math
import re
import string
from datetime import date

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

LOCALES = {"vi": "vi", "en": "en"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# Each language's group, decimal and minus signs, from Babel: number() writes with them directly.
_SIGNS = {lang: {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale),
                 ord("-"): get_minus_sign_symbol(locale)} for lang, locale in LOCALES.items()}
_EXACT_BELOW = 1e15  # digits a float carries exactly: above, Babel's own rounding is used


def number(value, decimals: int = 0, lang: str = "vi", missing: str = "–") -> str:
    """1056714 -> "1.056.714"; 4.383, 1 -> "4,4".

    Written with Python's formatting and the locale's signs, six times faster than Babel's
    format_decimal and the same text (tests/test_scale.py compares them); a national
    breakdown writes out thousands of figures.
    """
    if _missing(value):
        return missing
    rounded = round(float(value), decimals)
    if abs(rounded) * 10 ** decimals < _EXACT_BELOW:
        return f"{rounded:,.{decimals}f}".translate(_SIGNS[lang])
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=LOCALES[lang])


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


# ---------------------------------------------------------------------------------------------
# Outside text inside Markdown: shown exactly as written, never as a link, emphasis or formula.

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PUNCTUATION = frozenset(string.punctuation)


def _visible_controls(text: str) -> str:
    """Line breaks and other control characters as \\n-style escapes: one line, no Markdown block."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))


def code_span(text: str) -> str:
    """`text` as a Markdown code span: every character shown as written (`**x**[a](http://e)` stays that).
    The fence is one backtick longer than the longest run inside, and padded with spaces."""
    text = _visible_controls(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def markdown_escaped(text: str) -> str:
    """`text` with every ASCII punctuation character backslash-escaped (CommonMark): plain text in Markdown."""
    return "".join("\\" + c if c in _PUNCTUATION else c for c in _visible_controls(text))
