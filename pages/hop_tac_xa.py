"""Hợp tác xã: cooperatives by sector and by district, capital, members, and the list behind them."""

import streamlit as st

from hxapp import ui
from hxcore.model.texts import t
from hxcore.present import charts, fmt

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "coops_title")
if not ui.has_data(engine, view):
    st.stop()

CODES = ["coops_total", "coops_operating", "coops_inactive", "coop_charter_capital", "coop_members", "coop_workers"]
ui.kpi_row(ui.indicators_frame(engine, view.flt, CODES), ["coops_total", "coops_operating", "coops_inactive",
                                                           "coop_charter_capital"], view)

by_sector, by_district = st.tabs([t("by_sector", lang), t("by_district", lang)])
for tab, by in ((by_sector, "sector"), (by_district, "district")):
    with tab:
        frame = ui.breakdown_labels(ui.indicators_frame(engine, view.flt, CODES, by=by, compare=False,
                                                        with_targets=False), by, lang)
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{t('operating_stopped', lang)}**")
            ui.chart(charts.status_stack_chart(ui.state_frame(frame, "name", lang), "name",
                                               {"operating": t("operating", lang), "stopped": t("stopped", lang)},
                                               lang=lang))
            ui.as_of_caption(view)
        with right:
            st.markdown(f"**{t('capital_share', lang)}**")
            capital = frame[frame["indicator"] == "coop_charter_capital"].copy()
            capital["value"] = capital["value"].fillna(0)
            capital["text"] = [f"{fmt.number(v, 0, lang)} ({fmt.percent(s, 1, lang)})"
                               for v, s in zip(capital["value"], capital["share"], strict=True)]
            if by == "sector":
                ui.chart(charts.sector_bar_chart(capital, lang=lang))
            else:
                ui.chart(charts.ranking_chart(capital, label="name", value="value", text="text", lang=lang))
            ui.as_of_caption(view, t("capital_share", lang))
        st.markdown(f"**{t('members_workers', lang)}**")
        wide = frame.pivot_table(index="name", columns="indicator", values="value", aggfunc="sum", sort=False)
        table = wide.reindex(columns=CODES).rename(columns=lambda c: ui.indicator_label(c, lang))
        table.index.name = t("col_sector" if by == "sector" else "col_district", lang)
        st.dataframe(ui.shown(table.reset_index(), lang), hide_index=True, width="stretch")
        ui.as_of_caption(view)

ui.heatmap_section(engine, view, "coops_total", "coop", "heatmap")
ui.organisation_section(engine, view, "coops", "list_coops", "danh-sach-htx")
