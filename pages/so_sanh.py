"""So sánh: rank districts or sectors on any indicator; follow one indicator over periods."""

import streamlit as st

from hxapp import data, widgets
from hxapp.view import current
from hxcore.engine import frames as shaping
from hxcore.model.catalog import INDICATORS, INDICATORS_BY_CODE
from hxcore.model.texts import t
from hxcore.present import charts, frames

view = current()
engine = data.get_engine()
lang = view.lang

codes = [i.code for i in INDICATORS]
left, right = st.columns([2, 1])
code = left.selectbox(t("indicator", lang), codes, index=codes.index("coops_effective_share"),
                      format_func=lambda c: frames.indicator_label(c, lang), key="compare_indicator",
                      placeholder=t("indicator", lang))
by = right.radio(t("rank_by", lang), list(shaping.RANKINGS), horizontal=True, key="compare_by",
                 format_func=lambda b: frames.ranking_by_label(b, view.flt, lang))
ind = INDICATORS_BY_CODE[code]
targets = data.targets_frame(engine, view.flt)

st.subheader(frames.ranking_title(code, lang))
if not shaping.has_breakdown(code, by):
    st.info(t("not_by_sector", lang))
else:
    rows = data.indicators_frame(engine, view.flt, [code], by=by, compare=False, with_targets=False)
    ranked = frames.ranking_frame(frames.top_bars(frames.breakdown_labels(rows, by, lang), by, lang), code, lang)
    if not ranked.empty:
        target = shaping.ranking_target(targets, code)
        widgets.chart(charts.ranking_chart, ranked, label="name", value="value", text="text", target=target,
                      target_text=frames.target_line(target, code, lang), lang=lang,
                      decimals=ind.decimals)
widgets.as_of_caption(view, frames.indicator_label(code, lang))

st.subheader(t("over_periods", lang))
granularity = st.radio(t("granularity", lang), list(shaping.GRANULARITIES), horizontal=True,
                       key="compare_granularity", format_func=lambda g: t(f"granularity_{g}", lang))
widgets.trend_section(engine, view, code, granularity, target=shaping.trend_target(targets, code, granularity),
                      caption=frames.indicator_label(code, lang))
