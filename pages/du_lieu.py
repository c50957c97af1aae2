"""Dữ liệu: the long indicator table for the filter, the unit-level rows, and downloads."""

import streamlit as st

from hxapp import data, widgets
from hxapp.view import current
from hxcore.model.texts import t
from hxcore.present import frames

view = current()
engine = data.get_engine()
lang = view.lang

st.subheader(t("indicator_table", lang))
by = st.radio(t("breakdown", lang), ["none", "district", "sector"], horizontal=True, key="data_by",
              format_func=lambda b: {"none": t("breakdown_none", lang), "district": t("by_district", lang),
                                     "sector": t("by_sector", lang)}[b])
frame = data.indicators_frame(engine, view.flt, by=None if by == "none" else by)
if by != "none":
    frame = frames.breakdown_labels(frame, by, lang)
table = frames.indicator_table(frame, lang)
page = widgets.page_of(table, "data_table", lang)  # by district nationally: 44 × 741 rows, written out a page at a time
widgets.table(frames.shown_indicators(page, frame["indicator"].reset_index(drop=True).loc[page.index], lang), height=460)
widgets.downloads(table, view, "chi-so", key="data_dl", sheet=t("indicator_table", lang),
                  codes=list(frame["indicator"].unique()))

st.subheader(t("unit_rows", lang))
names = {"coops": t("list_coops", lang), "groups": t("list_groups", lang), "projects": t("projects_list", lang),
         "loans": t("loans_list", lang), "training": t("training_list", lang)}
which = st.selectbox(t("which_list", lang), list(names), format_func=names.get, key="data_list",
                     placeholder=t("which_list", lang))
rows, dates = frames.unit_rows(widgets.list_rows(engine, view, which, f"data_{which}")[0], which, lang)
widgets.table(rows, lang, dates=dates, height=380)
widgets.downloads(lambda: frames.unit_rows(data.list_frame(engine, which, view.flt, lang), which, lang)[0],
                  view, f"danh-sach-{which}", key="list_dl", sheet=names[which])  # every row, read when clicked
