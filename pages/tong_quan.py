"""Tổng quan: the report's headline figures with their change, and a small trend."""

import streamlit as st

from hxapp import ui
from hxcore.model.texts import t
from hxcore.present import charts

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "overview_title")
if not ui.has_data(engine, view):
    st.stop()

frame = ui.indicators_frame(engine, view.flt)

st.subheader(t("coops_block", lang))
ui.kpi_row(frame, ["coops_total", "coops_operating", "coops_inactive", "coops_new"], view)
ui.kpi_row(frame, ["coops_dissolved", "coop_charter_capital", "coop_members", "coop_workers"], view)
st.subheader(t("results_block", lang))
ui.kpi_row(frame, ["coop_avg_revenue", "coop_avg_income", "coops_effective_share", "coops_alliance_share"], view)
st.subheader(t("others_block", lang))
ui.kpi_row(frame, ["groups_total", "groups_members", "unions_total", "linkage_projects"], view)
ui.as_of_caption(view)

st.subheader(t("trend", lang))
options = ["coops_total", "coops_operating", "coop_charter_capital", "coops_effective_share", "groups_total"]
code = st.selectbox(t("trend_indicator", lang), options, format_func=lambda c: ui.indicator_label(c, lang),
                    key="overview_trend", placeholder=t("trend_indicator", lang))
trend = ui.trend_frame(engine, view, code, "half")
if not trend.empty:
    ui.chart(charts.trend_chart(trend, lang=lang, decimals=1 if code.endswith("share") else 0))
ui.as_of_caption(view)
