"""Nhập dữ liệu / Import: templates, upload, preview, dry-run report, commit, history and undo. Editors only."""

from __future__ import annotations

import streamlit as st

from hxapp.auth import current_role, current_session
from hxapp.data import get_engine
from hxapp.view import DEFAULT_PERIOD, page_lang
from hxcore.io import importer, templates
from hxcore.io.auth import PermissionDenied
from hxcore.model.periods import Period
from hxcore.model.texts import t

lang = page_lang()
if current_role() != "editor":  # also enforced in hxcore: commit_import and undo_import check the session
    st.warning(t("import_editors_only", lang))
    st.stop()

engine = get_engine()
with st.expander(t("import_templates", lang)):
    st.download_button(t("import_template_xlsx", lang), templates.template_xlsx(), templates.XLSX_FILE_NAME,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    for column, sheet in zip(st.columns(len(importer.SHEETS)), importer.SHEETS, strict=True):
        column.download_button(t("import_template_csv", lang, sheet=sheet.title), templates.template_csv(sheet.key),
                               templates.TEMPLATE_FILE_NAMES[sheet.key], mime="text/csv", key=f"tpl-{sheet.key}")

period = st.text_input(t("import_period", lang), value=DEFAULT_PERIOD, help=t("import_period_help", lang))
upload = st.file_uploader(t("import_file", lang), type=["xlsx", "csv"])
if upload is None:
    st.stop()
data = upload.getvalue()
if len(data) > importer.MAX_FILE_BYTES:
    st.error(t("import_too_big", lang, mb=importer.MAX_FILE_BYTES // (1024 * 1024)))
    st.stop()
try:
    Period.parse(period)
except ValueError as error:
    st.error(str(error))
    st.stop()

plan = importer.prepare_import(engine, data, upload.name, period)
st.subheader(t("import_dry_run", lang))
st.dataframe(plan.summary_frame(), hide_index=True)
for name, frame in plan.previews.items():
    with st.expander(t("import_preview", lang, sheet=name, n=len(frame))):
        st.dataframe(frame, hide_index=True)  # file contents shown as data, never as HTML or Markdown
if plan.problems:
    warnings = sum(p.severity == importer.Severity.WARNING for p in plan.problems)
    label = t("import_errors", lang, n=len(plan.errors)) + (t("import_warnings", lang, n=warnings) if warnings else "")
    st.error(label) if plan.errors else st.warning(label)
    st.dataframe(plan.problems_frame(), hide_index=True)
    st.download_button(t("import_problems_download", lang), plan.problems_csv(), "loi-nhap-du-lieu.csv", mime="text/csv")
if plan.ok:
    st.success(t("import_ready", lang, added=plan.rows_added, changed=plan.rows_changed))
    if st.button(t("import_commit", lang), type="primary"):
        try:
            record = importer.commit_import(engine, data, upload.name, period, current_session(), checked=plan)
        except (PermissionDenied, importer.ImportRejected) as error:
            st.error(str(error))
        else:
            st.cache_data.clear()
            st.info(record.note) if record.unchanged else st.success(
                t("import_done", lang, id=record.id, added=record.rows_added, changed=record.rows_changed))

st.subheader(t("import_history", lang))
history = importer.import_history(engine)
st.dataframe(history, hide_index=True)
active = history[history["status"] == "committed"]
if not active.empty:
    latest = int(active["id"].iloc[0])
    if st.button(t("import_undo", lang, id=latest)):
        try:
            importer.undo_import(engine, latest, current_session())
        except (PermissionDenied, ValueError) as error:
            st.error(str(error))
        else:
            st.cache_data.clear()
            st.success(t("import_undone", lang, id=latest))
