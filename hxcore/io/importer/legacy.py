"""Text typed with the pre-Unicode Vietnamese fonts (TCVN3/ABC ".VnTime", VNI "VNI-Times"): detect, convert.

A spreadsheet typed in such a font stores Latin-1 letters that the font draws as Vietnamese:
"Hîp t¸c x·" (TCVN3) and "Hôïp taùc xaõ" (VNI) are both "Hợp tác xã". Each font has letters no
Unicode Vietnamese text contains (TCVN3: "¸ · µ ¶ ¹ ¨ © ª « ¬ ®"…; VNI: a vowel followed by "ù ø û
ï" or "â" for a circumflex, "ñ" for "đ"). The file's text cells are counted against both; a file is
converted only when one font is clearly there and the other is not, else the clerk is asked to
convert it with Unikey. The letters of both fonts are data: data/reference/vietnamese-legacy-fonts.csv.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONTS_CSV = Path(__file__).resolve().parents[3] / "data" / "reference" / "vietnamese-legacy-fonts.csv"
FONT_NAMES = {"tcvn3": "TCVN3 (ABC, .VnTime)", "vni": "VNI (VNI-Times)"}
MIN_CELLS = 2  # a single odd cell is a typo, not a font
UNIKEY_ADVICE = ("hãy mở tệp trong Excel, chuyển mã sang Unicode bằng Unikey (Công cụ chuyển mã: nguồn TCVN3 hoặc VNI "
                 "Windows, đích Unicode), lưu lại rồi nhập lại")

# Letters of each font that Unicode Vietnamese never uses (É, Ê, Ô, Õ… are left out: they are Vietnamese too).
_SIGNATURES = {
    # TCVN3's letters that VNI never writes either (VNI uses "ï ñ ö ø…" too), so a VNI file is never taken for TCVN3.
    "tcvn3": re.compile("[\u00a1-\u00ae\u00b5-\u00b9\u00bb-\u00be\u00c7\u00d7\u00de\u00df\u00e7\u00f7\u00fe]"),
    "vni": re.compile("[aeiouyAEIOUYôöÔÖ][ùøûïÙØÛÏ]|[aeoAEO][âÂ]|[ñÑ]"),
}


@dataclass(frozen=True)
class Detected:
    font: str | None  # "tcvn3", "vni", or None: Unicode
    sure: bool
    cells: int  # text cells showing the font's letters
    sample: str = ""  # one of them, as the file has it


@cache
def _tables() -> dict[str, tuple[re.Pattern, dict[str, str]]]:
    """Per font: one pattern matching its letters, longest first, and legacy text -> Unicode."""
    with FONTS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tables: dict[str, dict[str, str]] = {}
    for row in rows:
        tables.setdefault(row["font"], {})[row["legacy"]] = row["unicode"]
    return {font: (re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))), table)
            for font, table in tables.items()}


def detect(texts: Iterable[str]) -> Detected:
    """Which legacy font the texts are typed in, and whether that is sure."""
    hits = {font: 0 for font in _SIGNATURES}
    samples: dict[str, str] = {}
    for text in texts:
        for font, pattern in _SIGNATURES.items():
            if pattern.search(text):
                hits[font] += 1
                samples.setdefault(font, text)
    found = [font for font, n in hits.items() if n]
    if not found:
        return Detected(None, True, 0)
    # A TCVN3 text also shows VNI's "ñ"/"ù" now and then, never the reverse as often: the larger count wins clearly.
    best = max(found, key=lambda font: hits[font])
    other = sum(n for font, n in hits.items() if font != best)
    sure = hits[best] >= MIN_CELLS and other * 3 <= hits[best]
    return Detected(best, sure, hits[best], samples[best])


def convert(text: str, font: str) -> str:
    """Legacy-font text -> Unicode (NFC)."""
    pattern, table = _tables()[font]
    return pattern.sub(lambda match: table[match.group(0)], text)


def encode(text: str, font: str) -> str:
    """Unicode -> the legacy font's letters: how an old machine would have typed it (the test corpus uses it)."""
    _, table = _tables()[font]
    back = {u: legacy for legacy, u in table.items()}
    return "".join(back.get(char, char) for char in text)
