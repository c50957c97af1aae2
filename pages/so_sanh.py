"""So sánh: rank districts or sectors on any indicator; follow one indicator over periods."""

import streamlit as st

from hxapp import ui
from hxcore.model.catalog import INDICATORS, INDICATORS_BY_CODE, is_additive
from hxcore.model.texts import t
from hxcore.present import charts, fmt

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "compare_title")
if not ui.has_data(engine, view):
    st.stop()

codes = [i.code for i in INDICATORS]
left, right = st.columns([2, 1])
code = left.selectbox(t("indicator", lang), codes, index=codes.index("coops_effective_share"),
                      format_func=lambda c: ui.indicator_label(c, lang), key="compare_indicator",
                      placeholder=t("indicator", lang))
by = right.radio(t("rank_by", lang), ["district", "sector"], horizontal=True, key="compare_by",
                 format_func=lambda b: t("by_district" if b == "district" else "by_sector", lang))
ind = INDICATORS_BY_CODE[code]
decimals = ind.decimals

# A province target is a yardstick for districts only when it is a level (a rate or an average).
targets = ui.targets_frame(engine, view.flt)
target = None
if not targets.empty and not is_additive(ind):
    match = targets[(targets["indicator"] == code) & targets["sector"].isna()]
    if not match.empty:
        target = float(match.iloc[0]["target"])
target_text = t("target_line", lang, value=fmt.indicator_value(target, ind.unit, decimals, lang)) if target else None

st.subheader(f"{t('ranking', lang)}: {ui.indicator_label(code, lang)} ({ind.unit})")
if by == "sector" and "sector" not in ind.dimensions:
    st.info(t("not_by_sector", lang))
else:
    frame = ui.breakdown_labels(ui.indicators_frame(engine, view.flt, [code], by=by, compare=False,
                                                    with_targets=False), by, lang)
    frame = frame[frame["value"].notna()].copy()
    frame["text"] = frame["value"].map(lambda v: fmt.indicator_value(v, ind.unit, decimals, lang))
    if ind.unit == "%":
        frame["text"] = [f"{txt} ({fmt.ratio_note(n, d, lang)})" for txt, n, d in
                         zip(frame["text"], frame["numerator"], frame["denominator"], strict=True)]
    if not frame.empty:
        ui.chart(charts.ranking_chart(frame, label="name", value="value", text="text", target=target,
                                      target_text=target_text, lang=lang, decimals=decimals))
ui.as_of_caption(view, ui.indicator_label(code, lang))

st.subheader(t("over_periods", lang))
kind = st.radio(t("period_kind", lang), ["half", "year", "quarter"], horizontal=True, key="compare_kind",
                format_func=lambda k: t(f"kind_{k}", lang))
trend = ui.trend_frame(engine, view, code, kind)
trend_target = target if not is_additive(ind) else None
if not targets.empty and is_additive(ind) and kind == "year":
    match = targets[(targets["indicator"] == code) & targets["sector"].isna()]
    trend_target = float(match.iloc[0]["target"]) if not match.empty else None
if not trend.empty:
    text = (t("target_line", lang, value=fmt.indicator_value(trend_target, ind.unit, decimals, lang))
            if trend_target else None)
    ui.chart(charts.trend_chart(trend, target=trend_target, target_text=text, lang=lang, decimals=decimals))
ui.as_of_caption(view, ui.indicator_label(code, lang))
