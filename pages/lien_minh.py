"""Hoạt động Liên minh: training, the support fund, trade fairs, scheme 1054 and model cooperatives."""

import streamlit as st

from hxapp import data, widgets
from hxapp.view import current
from hxcore.model.texts import t
from hxcore.present import charts, frames

view = current()
engine = data.get_engine()
lang = view.lang

frame = data.indicators_frame(engine, view.flt)
st.subheader(t("training", lang))
if view.flt.sectors:
    st.info(t("training_not_sector", lang))
widgets.kpi_row(frame, ["training_classes", "training_trainees", "training_managers"], view, columns=3)
st.subheader(t("fund", lang))
widgets.kpi_row(frame, ["fund_loans_count", "fund_loans_amount", "fund_outstanding", "fund_recovered"], view)
st.subheader(t("fairs", lang))
widgets.kpi_row(frame, ["fairs_participants", "coops_new_supported", "coops_alliance_members", "coops_alliance_share"],
                view)
widgets.as_of_caption(view)

st.subheader(t("projects", lang))
widgets.kpi_row(frame, ["linkage_projects", "linkage_projects_submitted", "model_coops"], view, columns=3)
projects = data.list_frame(engine, "projects", view.flt, lang)
if not projects.empty:
    st.markdown(f"**{t('projects_status', lang)}**")
    for scheme, part in frames.project_status_frame(projects, lang).groupby("scheme_label", sort=False):
        st.caption(scheme)
        widgets.chart(charts.ranking_chart, part, label="name", value="value", text="text", lang=lang)
    widgets.as_of_caption(view)
    st.markdown(f"**{t('projects_list', lang)}**")
    project_table = frames.projects_table(projects, lang)
    widgets.table(project_table, dates=[t("col_selected", lang)])
    widgets.downloads(project_table, view, "du-an", key="projects_dl", sheet=t("projects_list", lang))

st.subheader(t("loans_list", lang))
loan_table = frames.loans_table(data.list_frame(engine, "loans", view.flt, lang), lang)
widgets.table(loan_table, lang, dates=[t("col_disbursed", lang)])
widgets.downloads(loan_table, view, "vay-von", key="loans_dl", sheet=t("loans_list", lang))

st.subheader(t("training_list", lang))
widgets.table(frames.classes_table(data.list_frame(engine, "training", view.flt, lang), lang), lang,
              dates=[t("col_held", lang)])
widgets.as_of_caption(view)
