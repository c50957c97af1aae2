"""Hợp tác xã: cooperatives by sector and by district, capital, members, and the list behind them."""

import streamlit as st

from hxapp import data, widgets
from hxapp.view import current
from hxcore.model.texts import t
from hxcore.present import charts, frames

view = current()
engine = data.get_engine()
lang = view.lang

CODES = ["coops_total", "coops_operating", "coops_inactive", "coop_charter_capital", "coop_members", "coop_workers"]
widgets.kpi_row(data.indicators_frame(engine, view.flt, CODES), CODES[:4], view)

# The tabs keep which one is open, and only that one is drawn: a hidden tab built two charts for nothing.
by_sector, by_district = st.tabs([t("by_sector", lang), frames.ranking_by_label("district", view.flt, lang)],
                                 key="coops_breakdown", on_change="rerun")
for tab, by in ((by_sector, "sector"), (by_district, "district")):
    if not tab.open:
        continue
    with tab:
        frame = frames.breakdown_labels(data.indicators_frame(engine, view.flt, CODES, by=by, compare=False,
                                                              with_targets=False), by, lang)
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{t('operating_stopped', lang)}**")
            states = frames.top_bars(frame, by, lang, ["coops_operating", "coops_inactive"])
            widgets.chart(charts.status_stack_chart, frames.state_frame(states, "name", lang), "name",
                          frames.state_labels(lang), lang=lang)
            widgets.as_of_caption(view)
        with right:
            st.markdown(f"**{t('capital_share', lang)}**")
            capital = frames.with_share_text(frames.top_bars(frame, by, lang, ["coop_charter_capital"]), lang)
            widgets.breakdown_chart(capital, by, lang)
            widgets.as_of_caption(view, t("capital_share", lang))
        st.markdown(f"**{t('members_workers', lang)}**")
        widgets.table(frames.breakdown_table(frame, CODES, by, lang), lang)
        widgets.as_of_caption(view)

widgets.heatmap_section(engine, view, "coops_total", "coop", "heatmap")
widgets.organisation_section(engine, view, "coops", "list_coops", "danh-sach-htx")
