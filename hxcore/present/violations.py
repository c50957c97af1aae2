"""Violations of the data checks as a reader sees them: labels, sentences and numbers in the page's language.

The engine keeps each violation as language-neutral parts (hxcore.engine.checks.Violation, in the
frame's attrs); here they are written out in Vietnamese or English from the templates of
hxcore.model.texts, numbers by hxcore.present.fmt (1.056.714 · 4,38 / 1,056,714 · 4.38). Only the
report's own sentence is quoted as printed, in Vietnamese.
"""

from __future__ import annotations

import pandas as pd

from hxcore.engine.checks import RULES_BY_CODE, VIOLATION_PARTS, WRITTEN_COLUMNS, sources_label, written
from hxcore.model.areas import is_province_code
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.labels import Labels, label
from hxcore.model.vocab import sector_label
from hxcore.present import fmt
from hxcore.present.frames import indicator_label

VIOLATION_LABELS: Labels = {
    "rule_label": ("Quy tắc", "Rule"), "source": ("Nguồn", "Sources"), "indicator": ("Chỉ tiêu", "Indicator"),
    "aspect": ("Loại số", "Figure"), "sector": ("Lĩnh vực", "Sector"), "district": ("Huyện", "District"),
    "stated": ("Số ghi", "Stated"), "computed": ("Số tính được", "Computed"), "difference": ("Chênh lệch", "Difference"),
    "figures": ("Các số liên quan", "Figures involved"),
    "reconcile": ("Để khớp, từng số cần là", "To agree, each figure would need to be"),
    "suspect": ("Số nên xem lại", "Figure to review"), "note": ("Ghi chú", "Note"),
    "sentence": ("Câu trong báo cáo", "Sentence in the report"),
}
PROVINCE_COLUMN: Labels = {"district": ("Tỉnh", "Province")}
ASPECT_LABELS: Labels = {"value": ("Giá trị", "Value"), "change": ("Tăng/giảm so với năm trước", "Change on last year"),
                         "share": ("Tỷ trọng", "Share"), "attainment": ("Mức đạt chỉ tiêu", "Attainment of target")}


def number(value: float, lang: str = "vi", decimals: int | None = None) -> str:
    """A figure of a violation: exactly `decimals` decimals, or (None) up to two without trailing zeros
    ("4,38", "4,3", "900")."""
    if decimals is None:
        rounded = round(value, 2)
        decimals = next(d for d in (0, 1, 2) if round(value, d) == rounded)
    return fmt.number(value, decimals, lang)


def written_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The violations with their sentences (stated, computed, figures, reconcile, note, suspect) written in
    `lang` from their parts; a row without parts (a frame that lost its attrs) keeps the engine's Vietnamese."""
    parts = frame.attrs.get(VIOLATION_PARTS, {})
    out = frame.copy()
    rows = [written(parts[index], lang, number) if index in parts else None for index in frame.index]
    for column in WRITTEN_COLUMNS:
        if column in out:
            out[column] = [row[column] if row else text for row, text in zip(rows, out[column], strict=True)]
    return out


def display_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Violations as a reader sees them: labels, sentences and number formats in `lang`, blanks not "None"."""
    shown = written_frame(frame, lang)
    shown["rule_label"] = [RULES_BY_CODE[code].name(lang) if code in RULES_BY_CODE else text
                           for code, text in zip(shown["rule"], shown["rule_label"], strict=True)]
    shown["source"] = shown["source"].map(lambda code: sources_label(code, lang))
    shown["indicator"] = shown["indicator"].map(
        lambda code: indicator_label(code, lang) if code in INDICATORS_BY_CODE else (code or ""))
    shown["aspect"] = shown["aspect"].map(lambda a: label(ASPECT_LABELS, a, lang) if a in ASPECT_LABELS else (a or ""))
    shown["sector"] = shown["sector"].map(lambda s: sector_label(s, lang) if isinstance(s, str) and s else "")
    provinces = any(isinstance(d, str) and d and is_province_code(d) for d in shown["district"])
    shown["district"] = shown["district"].map(lambda d: d if isinstance(d, str) else "")
    shown["difference"] = shown["difference"].map(
        lambda d: fmt.signed(d, 2 if isinstance(d, float) and abs(d) < 100 and d != round(d) else 0, lang))
    shown = shown.astype(object).where(shown.notna(), "")
    columns = {key: label(VIOLATION_LABELS, key, lang) for key in VIOLATION_LABELS}
    if provinces:  # a whole country's checks: its parts are provinces
        columns["district"] = label(PROVINCE_COLUMN, "district", lang)
    shown = shown.rename(columns=columns)[list(columns.values())]
    shown.attrs.clear()  # the parts are written out: nothing for st.dataframe to serialise
    return shown
