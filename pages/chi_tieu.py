"""Chỉ tiêu nghị quyết: each target of the year, how far along it is, and who the shortfall is in."""

import streamlit as st

from hxapp import data, widgets
from hxapp.view import current
from hxcore.engine import frames as shaping
from hxcore.model.texts import t
from hxcore.present import charts, frames

view = current()
engine = data.get_engine()
lang = view.lang

targets = data.targets_frame(engine, view.flt)
if view.flt.sectors:
    st.info(t("sector_caveat", lang), icon="ℹ️")
if targets.empty:
    st.info(t("no_targets", lang, year=view.period.year))
    st.stop()

st.markdown(f"**{t('resolution', lang)} {targets['resolution'].iloc[0]}**")
if view.flt.districts:
    st.warning(t("district_caveat", lang), icon="ℹ️")
targets["display_label"] = frames.target_labels(targets, lang)
st.caption(t("legend_bullet", lang))
widgets.chart(charts.bullet_chart, charts.bullet_frame(targets, view.status_labels, lang), view.status_labels,
              lang=lang)  # as wide as the page: 1920 px or 1024 px with the sidebar
widgets.as_of_caption(view)

table = frames.target_table(targets, lang)
st.subheader(t("target_table", lang))
widgets.table(table, config={t("col_wording", lang): st.column_config.TextColumn(width="large")})
widgets.downloads(frames.target_export_table(targets, lang), view, "chi-tieu", key="targets_dl", sheet=t("target_table", lang),
                  codes=list(targets["indicator"].unique()))

st.subheader(t("shortfall_title", lang))
open_targets = shaping.open_targets(targets)
if open_targets.empty or view.flt.districts:
    st.caption(t("district_caveat", lang) if view.flt.districts else "")
    st.stop()
picked = st.selectbox(t("shortfall_pick", lang), list(open_targets.index), key="shortfall_target",
                      format_func=lambda i: targets.loc[i, "display_label"], placeholder=t("shortfall_pick", lang))
target = targets.loc[picked]
gaps = frames.gap_frame(data.gap_frame(engine, view.flt, target["indicator"], shaping.sector_or_none(target["sector"])),
                        lang)
if not gaps.empty:
    widgets.chart(charts.ranking_chart, gaps, label="area_name", value="contribution", text="text", lang=lang,
                  decimals=0)
    widgets.table(frames.gap_table(gaps, target, lang))
    widgets.as_of_caption(view, target["display_label"])
