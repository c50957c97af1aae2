"""Tổng quan: the report's headline figures with their change, and a small trend."""

import streamlit as st

from hxapp import data, maps, widgets
from hxapp.view import current
from hxcore.model.texts import t
from hxcore.present.frames import indicator_label

view = current()
engine = data.get_engine()
lang = view.lang

frame = data.indicators_frame(engine, view.flt)
st.subheader(t("coops_block", lang))
widgets.kpi_row(frame, ["coops_total", "coops_operating", "coops_inactive", "coops_new"], view)
widgets.kpi_row(frame, ["coops_dissolved", "coop_charter_capital", "coop_members", "coop_workers"], view)
st.subheader(t("results_block", lang))
widgets.kpi_row(frame, ["coop_avg_revenue", "coop_avg_income", "coops_effective_share", "coops_alliance_share"], view)
st.subheader(t("others_block", lang))
widgets.kpi_row(frame, ["groups_total", "groups_members", "unions_total", "linkage_projects"], view)
widgets.as_of_caption(view)

maps.overview_map(engine, view)

st.subheader(t("trend", lang))
options = ["coops_total", "coops_operating", "coop_charter_capital", "coops_effective_share", "groups_total"]
code = st.selectbox(t("trend_indicator", lang), options, format_func=lambda c: indicator_label(c, lang),
                    key="overview_trend", placeholder=t("trend_indicator", lang))
widgets.trend_section(engine, view, code, "half")
