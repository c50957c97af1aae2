"""Hoạt động Liên minh: training, the support fund, trade fairs, scheme 1054 and model cooperatives."""

import pandas as pd
import streamlit as st

from hxapp import ui
from hxcore.engine.lists import project_status_counts
from hxcore.model.texts import t
from hxcore.present import charts, fmt

view = ui.current()
engine = ui.get_engine()
lang = view.lang
ui.page_header(view, "alliance_title")
if not ui.has_data(engine, view):
    st.stop()

frame = ui.indicators_frame(engine, view.flt)

st.subheader(t("training", lang))
if view.flt.sectors:
    st.info(t("training_not_sector", lang))
ui.kpi_row(frame, ["training_classes", "training_trainees", "training_managers"], view, columns=3)
st.subheader(t("fund", lang))
ui.kpi_row(frame, ["fund_loans_count", "fund_loans_amount", "fund_outstanding", "fund_recovered"], view)
st.subheader(t("fairs", lang))
ui.kpi_row(frame, ["fairs_participants", "coops_new_supported", "coops_alliance_members", "coops_alliance_share"],
           view)
ui.as_of_caption(view)

st.subheader(t("projects", lang))
ui.kpi_row(frame, ["linkage_projects", "linkage_projects_submitted", "model_coops"], view, columns=3)
projects = ui.list_frame(engine, "projects", view.flt)
if not projects.empty:
    counts = project_status_counts(projects)
    counts["name"] = counts["status_label"].fillna("–")
    counts["value"] = counts["count"]
    counts["text"] = counts["count"].map(lambda v: fmt.number(v, 0, lang))
    st.markdown(f"**{t('projects_status', lang)}**")
    for scheme, part in counts.groupby("scheme_label", sort=False):
        st.caption(scheme)
        ui.chart(charts.ranking_chart(part, label="name", value="value", text="text", lang=lang))
    ui.as_of_caption(view)
    st.markdown(f"**{t('projects_list', lang)}**")
    table = pd.DataFrame({
        t("col_title", lang): projects["title"], t("col_name", lang): projects["name"],
        t("col_district", lang): projects["district_name"], t("col_scheme", lang): projects["scheme_label"],
        t("col_selected", lang): projects["selected_on"],
        t("col_project_status", lang): projects["status_label"],
    })
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={t("col_selected", lang): st.column_config.DateColumn(format="D/M/YYYY")})
    ui.downloads(table, view, "du-an", key="projects_dl", sheet=t("projects_list", lang))

st.subheader(t("loans_list", lang))
loans = ui.list_frame(engine, "loans", view.flt)
loan_table = pd.DataFrame({
    t("col_disbursed", lang): loans["disbursed_on"], t("col_name", lang): loans["name"],
    t("col_district", lang): loans["district_name"], t("col_sector", lang): loans["sector_label"],
    t("col_amount", lang): loans["amount"], t("col_repaid", lang): loans["repaid"],
    t("col_purpose", lang): loans["purpose"],
})
st.dataframe(ui.shown(loan_table, lang), hide_index=True, width="stretch",
             column_config={t("col_disbursed", lang): st.column_config.DateColumn(format="D/M/YYYY")})
ui.downloads(loan_table, view, "vay-von", key="loans_dl", sheet=t("loans_list", lang))

st.subheader(t("training_list", lang))
classes = ui.list_frame(engine, "training", view.flt)
class_table = pd.DataFrame({
    t("col_held", lang): classes["held_on"], t("col_district", lang): classes["district_name"],
    t("col_kind", lang): classes["kind_label"], t("col_title", lang): classes["title"],
    t("col_trainees", lang): classes["trainees"],
})
st.dataframe(ui.shown(class_table, lang), hide_index=True, width="stretch",
             column_config={t("col_held", lang): st.column_config.DateColumn(format="D/M/YYYY")})
ui.as_of_caption(view)
