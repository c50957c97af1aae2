"""Báo cáo: the half-year report written from the data, downloaded as a Word draft and previewed here;
the meeting's slides (.pptx) and A4 handout (PDF) for the same filter."""

from dataclasses import replace

import streamlit as st

from hxapp import artefacts, data
from hxapp.view import current
from hxcore.model.texts import t
from hxcore.present import export, report, report_docx

view = current()
engine = data.get_engine()
lang = view.lang
flt = replace(view.flt, sectors=())  # the report covers every sector

st.caption(t("report_intro", lang))
if view.flt.sectors:
    st.info(t("report_all_sectors", lang))
built = data.report(engine, flt)
if built.flagged:
    st.warning(t("report_flagged", lang, n=len(built.flagged)), icon=":material/warning:")
st.download_button(t("report_download", lang), lambda: data.report_document(engine, flt),  # written when clicked
                   file_name=export.file_name("bao-cao", flt, view.district_names, "docx", built.data_version), mime=report_docx.MIME,
                   key="report_docx", icon=":material/download:", type="primary", on_click="ignore")
artefacts.meeting_downloads(engine, view)
st.subheader(t("report_preview", lang))
with st.container(border=True):
    st.markdown(report.to_markdown(built, mark=":orange-background[**{text}**]"))
