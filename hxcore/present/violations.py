"""Violations of the data checks as a reader sees them: labels in the page's language and number formats.

What a check quotes or writes out (the report's sentence, the figures involved, how to reconcile
them) stays in Vietnamese: it quotes a Vietnamese report.
"""

from __future__ import annotations

import pandas as pd

from hxcore.engine.checks import RULES_BY_CODE, sources_label
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
ASPECT_LABELS: Labels = {"value": ("Giá trị", "Value"), "change": ("Tăng/giảm so với năm trước", "Change on last year"),
                         "share": ("Tỷ trọng", "Share"), "attainment": ("Mức đạt chỉ tiêu", "Attainment of target")}


def display_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Violations as a reader sees them: labels and number formats, blanks not "None"."""
    shown = frame.copy()
    shown["rule_label"] = [RULES_BY_CODE[code].name(lang) if code in RULES_BY_CODE else text
                           for code, text in zip(shown["rule"], shown["rule_label"], strict=True)]
    shown["source"] = shown["source"].map(lambda code: sources_label(code, lang))
    shown["indicator"] = shown["indicator"].map(
        lambda code: indicator_label(code, lang) if code in INDICATORS_BY_CODE else (code or ""))
    shown["aspect"] = shown["aspect"].map(lambda a: label(ASPECT_LABELS, a, lang) if a in ASPECT_LABELS else (a or ""))
    shown["sector"] = shown["sector"].map(lambda s: sector_label(s, lang) if isinstance(s, str) and s else "")
    shown["district"] = shown["district"].map(lambda d: d if isinstance(d, str) else "")
    shown["difference"] = shown["difference"].map(
        lambda d: fmt.signed(d, 2 if isinstance(d, float) and abs(d) < 100 and d != round(d) else 0, lang))
    shown = shown.astype(object).where(shown.notna(), "")
    columns = {key: label(VIOLATION_LABELS, key, lang) for key in VIOLATION_LABELS}
    return shown.rename(columns=columns)[list(columns.values())]
