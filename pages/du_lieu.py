"""Dữ liệu: the long indicator table for the filter, the unit-level rows, and downloads."""

import pandas as pd
import streamlit as st

from hxapp import ui
from hxcore.model.texts import t
from hxcore.present import export

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "data_title")
if not ui.has_data(engine, view):
    st.stop()

st.subheader(t("indicator_table", lang))
by = st.radio(t("breakdown", lang), ["none", "district", "sector"], horizontal=True, key="data_by",
              format_func=lambda b: {"none": t("breakdown_none", lang), "district": t("by_district", lang),
                                     "sector": t("by_sector", lang)}[b])
frame = ui.indicators_frame(engine, view.flt, by=None if by == "none" else by)
if by != "none":
    frame = ui.breakdown_labels(frame, by, lang)
table = export.indicator_export_frame(frame, lang)
if lang == "en":
    table[table.columns[1]] = frame["indicator"].map(lambda c: ui.indicator_label(c, lang)).to_numpy()
st.dataframe(ui.shown_indicators(table, frame["indicator"].reset_index(drop=True), lang), hide_index=True,
             width="stretch", height=460)
ui.downloads(table, view, "chi-so", key="data_dl", sheet=t("indicator_table", lang),
             codes=list(frame["indicator"].unique()))

st.subheader(t("unit_rows", lang))
names = {"coops": t("list_coops", lang), "groups": t("list_groups", lang), "projects": t("projects_list", lang),
         "loans": t("loans_list", lang), "training": t("training_list", lang)}
which = st.selectbox(t("which_list", lang), list(names), format_func=names.get, key="data_list",
                     placeholder=t("which_list", lang))
rows = ui.list_frame(engine, which, view.flt)
if which in ("coops", "groups"):
    rows, config = ui.organisation_table(rows, lang)
else:
    config = {}
    rows = rows.drop(columns=[c for c in rows.columns if c.endswith("_code") or c in ("id", "org_type")])
    rows = pd.DataFrame(rows)
st.dataframe(ui.shown(rows, lang), hide_index=True, width="stretch", column_config=config, height=380)
ui.downloads(rows, view, f"danh-sach-{which}", key="list_dl", sheet=names[which])
