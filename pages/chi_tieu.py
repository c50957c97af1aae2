"""Chỉ tiêu nghị quyết: each target of the year, how far along it is, and who the shortfall is in."""

import pandas as pd
import streamlit as st

from hxapp import ui
from hxcore.model.texts import t
from hxcore.model.vocab import sector_label
from hxcore.present import charts, fmt

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "targets_title")
if not ui.has_data(engine, view):
    st.stop()

targets = ui.targets_frame(engine, view.flt)
if view.flt.sectors:
    st.info(t("sector_caveat", lang), icon="ℹ️")
if targets.empty:
    st.info(t("no_targets", lang, year=view.period.year))
    st.stop()

resolution = targets["resolution"].iloc[0]
st.markdown(f"**{t('resolution', lang)} {resolution}**")
if view.flt.districts:
    st.warning(t("district_caveat", lang), icon="ℹ️")


def scope(sector) -> str:
    if isinstance(sector, str) and sector:
        return t("sector_scope", lang, sector=sector_label(sector, lang))
    return t("province_scope", lang)


def display_label(row) -> str:
    label = ui.indicator_label(row["indicator"], lang)
    if isinstance(row["sector"], str) and row["sector"]:
        label += f" ({sector_label(row['sector'], lang)})"
    return f"({row['item']}) {label}"


targets["display_label"] = targets.apply(display_label, axis=1)
st.caption(t("legend_bullet", lang))
ui.chart(charts.bullet_chart(charts.bullet_frame(targets, view.status_labels, lang), view.status_labels, lang=lang,
                             width=460))  # fits beside the sidebar at 1024×768
ui.as_of_caption(view)


def decimals(row) -> int:
    return 1 if row["unit"] == "%" or row["indicator_type"] == "average" else 0


def value(v, row) -> str:
    return fmt.indicator_value(v, row["unit"], decimals(row), lang)


table = pd.DataFrame({
    t("col_item", lang): targets["item"],
    t("col_indicator", lang): targets["display_label"].str.replace(r"^\(\d+\) ", "", regex=True),
    t("col_scope", lang): targets["sector"].map(scope),
    t("col_target", lang): [value(r["target"], r) + ("–" + value(r["target_high"], r)
                                                     if pd.notna(r["target_high"]) else "")
                            for r in targets.to_dict("records")],
    t("col_actual", lang): [value(r["actual"], r) + (f" ({fmt.ratio_note(r['numerator'], r['denominator'], lang)})"
                                                     if r["unit"] == "%" else "")
                            for r in targets.to_dict("records")],
    t("col_unit", lang): targets["unit"],
    t("col_attainment", lang): targets["attainment"].map(lambda v: fmt.percent(v, 1, lang)),
    t("col_expected", lang): [value(r["expected"], r) for r in targets.to_dict("records")],
    t("col_gap", lang): [value(r["gap"], r) for r in targets.to_dict("records")],
    t("col_needed", lang): [fmt.number(r["needed_per_month"], 1, lang) for r in targets.to_dict("records")],
    t("col_status", lang): targets["status"].map(lambda s: ui.status_label(s, lang)),
    t("col_wording", lang): targets["wording"],
})
st.subheader(t("target_table", lang))
st.dataframe(table, hide_index=True, width="stretch",
             column_config={t("col_wording", lang): st.column_config.TextColumn(width="large")})
ui.downloads(table, view, "chi-tieu", key="targets_dl", sheet=t("target_table", lang),
             codes=list(targets["indicator"].unique()))

st.subheader(t("shortfall_title", lang))
open_targets = targets[targets["status"].isin(["behind", "on_track"]) & (targets["comparator"] != "max")]
if open_targets.empty or view.flt.districts:
    st.caption(t("district_caveat", lang) if view.flt.districts else "")
else:
    options = list(open_targets.index)
    picked = st.selectbox(t("shortfall_pick", lang), options, format_func=lambda i: targets.loc[i, "display_label"],
                          key="shortfall_target", placeholder=t("shortfall_pick", lang))
    row = targets.loc[picked]
    sector = row["sector"] if isinstance(row["sector"], str) and row["sector"] else None
    gaps = ui.gap_frame(engine, view.flt, row["indicator"], sector)
    if not gaps.empty:
        gaps["text"] = gaps["contribution"].map(lambda v: fmt.percent(v, 1, lang))
        ui.chart(charts.ranking_chart(gaps, label="district_name", value="contribution", text="text", lang=lang,
                                      decimals=0))
        shown = pd.DataFrame({
            t("col_district", lang): gaps["district_name"],
            t("col_actual", lang): gaps["value"].map(lambda v: value(v, row)),
            t("col_needed_district", lang): gaps["needed"].map(lambda v: fmt.number(v, 1, lang)),
            t("col_contribution", lang): gaps["text"],
        })
        st.dataframe(shown, hide_index=True, width="stretch")
        ui.as_of_caption(view, row["display_label"])
