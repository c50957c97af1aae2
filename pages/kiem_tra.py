"""Kiểm tra số liệu / Data checks: the declared rules run on published reports and on the data. Read-only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hxapp import data
from hxapp.view import current
from hxcore.engine import checks as validation
from hxcore.model.periods import Period
from hxcore.model.texts import t
from hxcore.present import export, violations

view = current()
lang = view.lang
engine = data.get_engine()

st.caption(t("checks_intro", lang))
periods_of = validation.published_report_periods(engine)  # named by what they report on, not by their code
reports = sorted(periods_of)
DATA = "__data__"
choice = st.selectbox(t("checks_what", lang), [DATA, *reports], index=1 if reports else 0,
                      format_func=lambda c: t("checks_data", lang, period=view.period.label(lang)) if c == DATA
                      else t("checks_report", lang, period=Period.parse(periods_of[c]).label(lang)),
                      placeholder=t("checks_what_ph", lang))
frame = data.checks_frame(engine, report=None if choice == DATA else choice,
                          period=view.flt.period if choice == DATA else None)
with st.expander(t("checks_rules", lang)):
    st.dataframe(pd.DataFrame([{t("checks_col_code", lang): r.code, t("checks_col_rule", lang): r.name(lang)}
                               for r in validation.RULES]), hide_index=True)
if frame.empty:
    st.success(t("checks_none", lang))
    st.stop()
st.warning(t("checks_found", lang, n=len(frame)))
shown = violations.display_frame(frame, lang)
st.dataframe(shown, hide_index=True)
name = "kiem-tra_" + ("du-lieu_" + view.flt.period if choice == DATA else choice.lower()) + ".csv"
st.download_button(t("checks_download", lang), lambda: export.csv_bytes(shown), name, mime="text/csv")  # made when clicked
