"""Nhập dữ liệu / Import: templates, upload, preview, dry-run report, commit, history and undo. Editors only."""

from __future__ import annotations

import streamlit as st

from hxapp.auth import current_role, current_session
from hxapp.ui import get_engine
from hxcore.io import importer, templates
from hxcore.io.auth import PermissionDenied
from hxcore.model.periods import Period

st.title("Nhập dữ liệu")
if current_role() != "editor":  # also enforced in hxcore: commit_import and undo_import check the session
    st.warning("Trang này dành cho biên tập viên. Hãy đăng nhập ở thanh bên.")
    st.stop()

engine = get_engine()

with st.expander("Tải mẫu nhập liệu"):
    st.download_button("Mẫu Excel (tất cả các bảng)", templates.template_xlsx(), templates.XLSX_FILE_NAME,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    columns = st.columns(len(importer.SHEETS))
    for column, sheet in zip(columns, importer.SHEETS, strict=True):
        column.download_button(f"CSV: {sheet.title}", templates.template_csv(sheet.key),
                               templates.TEMPLATE_FILE_NAMES[sheet.key], mime="text/csv", key=f"tpl-{sheet.key}")

this_year = Period.parse("2023-H1")
period = st.text_input("Kỳ báo cáo của số liệu", value=this_year.code, help="Ví dụ 2023-H1 (30/6/2023), 2023-H2")
upload = st.file_uploader("Tệp Excel (.xlsx) hoặc CSV", type=["xlsx", "csv"])
if upload is None:
    st.stop()
data = upload.getvalue()
if len(data) > importer.MAX_FILE_BYTES:
    st.error(f"Tệp lớn hơn {importer.MAX_FILE_BYTES // (1024 * 1024)} MB.")
    st.stop()
try:
    Period.parse(period)
except ValueError as error:
    st.error(str(error))
    st.stop()

plan = importer.prepare_import(engine, data, upload.name, period)
st.subheader("Chạy thử")
st.dataframe(plan.summary_frame(), hide_index=True)
for name, frame in plan.previews.items():
    with st.expander(f"Xem trước: {name} ({len(frame)} dòng)"):
        st.dataframe(frame, hide_index=True)  # file contents shown as data, never as HTML or Markdown
if plan.problems:
    warnings = len(plan.problems) - len(plan.errors)
    label = f"{len(plan.errors)} lỗi" + (f", {warnings} cảnh báo" if warnings else "")
    st.error(label) if plan.errors else st.warning(label)
    st.dataframe(plan.problems_frame(), hide_index=True)
    st.download_button("Tải danh sách lỗi (CSV)", plan.problems_csv(), "loi-nhap-du-lieu.csv", mime="text/csv")
if plan.ok:
    st.success(f"Có thể nhập: thêm {plan.rows_added} dòng, thay đổi {plan.rows_changed} dòng.")
    if st.button("Ghi vào cơ sở dữ liệu", type="primary"):
        try:
            record = importer.commit_import(engine, data, upload.name, period, current_session())
        except (PermissionDenied, importer.ImportRejected) as error:
            st.error(str(error))
        else:
            st.cache_data.clear()
            st.success(f"Đã nhập (lần {record.id}): thêm {record.rows_added}, thay đổi {record.rows_changed} dòng.")

st.subheader("Các lần nhập")
history = importer.import_history(engine)
st.dataframe(history, hide_index=True)
active = history[history["status"] == "committed"]
if not active.empty:
    latest = int(active["id"].iloc[0])
    if st.button(f"Hoàn tác lần nhập {latest}"):
        try:
            importer.undo_import(engine, latest, current_session())
        except (PermissionDenied, ValueError) as error:
            st.error(str(error))
        else:
            st.cache_data.clear()
            st.success(f"Đã hoàn tác lần nhập {latest}.")
