"""Tổ hợp tác: cooperative groups by sector and district, and the list of groups."""

import streamlit as st

from hxcore import charts, fmt, ui
from hxcore.ui_text import t

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

st.subheader(t("heatmap_groups", lang))
heat = ui.heat_frame(engine, view, "groups_total", "group")
if not heat.empty:
    ui.chart(charts.heatmap_chart(heat, lang=lang))
ui.as_of_caption(view)

st.subheader(t("list_groups", lang))
orgs = ui.list_frame(engine, "groups", view.flt)
orgs = ui.search_box(orgs, ["name", "commune_name", "district_name"], lang, key="group_search")
table, config = ui.organisation_table(orgs, lang)
table = table.drop(columns=[t("col_capital", lang), t("col_rating", lang), t("col_alliance", lang)])
st.caption(t("rows_shown", lang, n=fmt.number(len(table), 0, lang)))
st.dataframe(ui.shown(table, lang), hide_index=True, width="stretch", column_config=config, height=420)
ui.downloads(table, view, "danh-sach-tht", key="groups_dl", sheet=t("list_groups", lang))
