"""Label tables: every closed vocabulary's display names, in one shape.

A label table maps a code (the control value, stored and compared) to (Vietnamese, English).
Code never compares against a label; `label()` is the only way from one to the other.
"""

from __future__ import annotations

from collections.abc import Mapping

Labels = Mapping[str, tuple[str, str]]  # code -> (Vietnamese, English)


def label(table: Labels, code, lang: str = "vi", missing: str = "") -> str:
    """The label of `code` in `lang`; an unknown code is shown as itself, a missing one as `missing`."""
    if code is None or (isinstance(code, float) and code != code):
        return missing
    pair = table.get(code)
    if pair is None:
        return str(code)
    return pair[1] if lang == "en" else pair[0]


def labels_in(table: Labels, lang: str = "vi") -> dict[str, str]:
    """{code: label} in one language, e.g. for pandas `Series.map`."""
    return {str(code): label(table, code, lang) for code in table}


def code_of(table: Labels, text: str) -> str | None:
    """The code whose label, in either language, is `text` (links may carry labels)."""
    return next((str(code) for code, pair in table.items() if text in pair), None)
