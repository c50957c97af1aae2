"""Tổ hợp tác: cooperative groups by sector and district, and the list of groups."""

import streamlit as st

from hxapp import data, widgets
from hxapp.view import current
from hxcore.present import frames

view = current()
engine = data.get_engine()
lang = view.lang

CODES = ["groups_total", "groups_new", "groups_dissolved", "groups_members", "groups_new_members", "group_avg_income"]
widgets.kpi_row(data.indicators_frame(engine, view.flt, CODES), CODES[:4], view)
widgets.kpi_row(data.indicators_frame(engine, view.flt, CODES), CODES[4:], view)
widgets.as_of_caption(view)

left, right = st.columns(2)
for column, by in ((left, "sector"), (right, "district")):
    with column:
        st.markdown(f"**{frames.ranking_by_label(by, view.flt, lang)}**")
        frame = frames.breakdown_labels(data.indicators_frame(engine, view.flt, ["groups_total"], by=by, compare=False,
                                                              with_targets=False), by, lang)
        widgets.breakdown_chart(frames.with_share_text(frames.top_bars(frame, by, lang), lang), by, lang)
        widgets.as_of_caption(view, frames.indicator_label("groups_total", lang))

widgets.heatmap_section(engine, view, "groups_total", "group", "heatmap_groups")
widgets.organisation_section(engine, view, "groups", "list_groups", "danh-sach-tht",
                             drop=("col_capital", "col_rating", "col_alliance"))
