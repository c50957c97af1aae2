"""Kiểm tra số liệu / Data checks: the declared rules run on published reports and on the data. Read-only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hxcore import validation
from hxcore.ui import get_engine

st.title("Kiểm tra số liệu")
st.caption("Mỗi quy tắc nói những số nào phải khớp nhau. Một số in ra được hiểu theo cách làm tròn của nó "
           "(\"1,1%\" là 1,05–1,15%; \"hơn 900\" là từ 901).")
engine = get_engine()
reports = validation.published_reports(engine)
choice = st.selectbox("Kiểm tra", ["Dữ liệu (kỳ mới nhất)", *reports], index=1 if reports else 0,
                      placeholder="Chọn báo cáo")
frame = validation.check(engine, report=None if choice not in reports else choice)
with st.expander("Các quy tắc"):
    st.dataframe(pd.DataFrame([{"Mã": r.code, "Quy tắc": r.label_vi} for r in validation.RULES]), hide_index=True)
if frame.empty:
    st.success("Không có vi phạm nào.")
    st.stop()
st.warning(f"{len(frame)} vi phạm")
shown = frame.rename(columns=validation.VIOLATION_LABELS)[list(validation.VIOLATION_LABELS.values())]
st.dataframe(shown, hide_index=True)
st.download_button("Tải về (CSV)", shown.to_csv(index=False).encode("utf-8-sig"), "kiem-tra-so-lieu.csv", mime="text/csv")
