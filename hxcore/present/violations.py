"""Violations of the data checks as a reader sees them: Vietnamese labels and number formats."""

from __future__ import annotations

import pandas as pd

from hxcore.engine.checks import sources_label
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.vocab import sector_label
from hxcore.present import fmt

VIOLATION_LABELS = {"rule_label": "Quy tắc", "source": "Nguồn", "indicator": "Chỉ tiêu", "aspect": "Loại số",
                    "sector": "Lĩnh vực", "district": "Huyện", "stated": "Số ghi", "computed": "Số tính được",
                    "difference": "Chênh lệch", "figures": "Các số liên quan", "reconcile": "Để khớp, từng số cần là",
                    "suspect": "Số nên xem lại", "note": "Ghi chú", "sentence": "Câu trong báo cáo"}


ASPECT_LABELS = {"value": "Giá trị", "change": "Tăng/giảm so với năm trước", "share": "Tỷ trọng",
                 "attainment": "Mức đạt chỉ tiêu"}


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Violations as a reader sees them: Vietnamese labels and number formats, blanks not "None"."""

    shown = frame.copy()
    shown["source"] = shown["source"].map(sources_label)
    shown["indicator"] = shown["indicator"].map(
        lambda code: INDICATORS_BY_CODE[code].label_vi if code in INDICATORS_BY_CODE else (code or ""))
    shown["aspect"] = shown["aspect"].map(lambda a: ASPECT_LABELS.get(a, a or ""))
    shown["sector"] = shown["sector"].map(lambda s: sector_label(s) if isinstance(s, str) and s else "")
    shown["district"] = shown["district"].map(lambda d: d if isinstance(d, str) else "")
    shown["difference"] = shown["difference"].map(
        lambda d: fmt.signed(d, 2 if isinstance(d, float) and abs(d) < 100 and d != round(d) else 0))
    shown = shown.astype(object).where(shown.notna(), "")
    return shown.rename(columns=VIOLATION_LABELS)[list(VIOLATION_LABELS.values())]
