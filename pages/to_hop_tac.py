"""Tổ hợp tác: cooperative groups by sector and district, and the list of groups."""

import streamlit as st

from hxapp import ui
from hxcore.model.texts import t
from hxcore.present import charts, fmt

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "groups_title")
if not ui.has_data(engine, view):
    st.stop()

CODES = ["groups_total", "groups_new", "groups_dissolved", "groups_members", "groups_new_members", "group_avg_income"]
ui.kpi_row(ui.indicators_frame(engine, view.flt, CODES), CODES[:4], view)
ui.kpi_row(ui.indicators_frame(engine, view.flt, CODES), CODES[4:], view)
ui.as_of_caption(view)

left, right = st.columns(2)
for column, by in ((left, "sector"), (right, "district")):
    with column:
        st.markdown(f"**{t('by_sector' if by == 'sector' else 'by_district', lang)}**")
        frame = ui.breakdown_labels(ui.indicators_frame(engine, view.flt, ["groups_total"], by=by, compare=False,
                                                        with_targets=False), by, lang)
        frame["value"] = frame["value"].fillna(0)
        frame["text"] = [f"{fmt.number(v, 0, lang)} ({fmt.percent(s, 1, lang)})"
                         for v, s in zip(frame["value"], frame["share"], strict=True)]
        if by == "sector":
            ui.chart(charts.sector_bar_chart(frame, lang=lang))
        else:
            ui.chart(charts.ranking_chart(frame, label="name", value="value", text="text", lang=lang))
        ui.as_of_caption(view, ui.indicator_label("groups_total", lang))

ui.heatmap_section(engine, view, "groups_total", "group", "heatmap_groups")
ui.organisation_section(engine, view, "groups", "list_groups", "danh-sach-tht",
                        drop=("col_capital", "col_rating", "col_alliance"))
