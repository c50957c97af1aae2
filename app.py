"""hx: the collective economy of Lai Châu on one screen. Router and frame only."""

import streamlit as st

from hxapp import ui
from hxapp.auth import current_role, sidebar_sign_in
from hxcore.model.texts import t

_present = st.query_params.get(ui.K_PRESENT) in ("1", "true") or st.session_state.get(ui.PRESENT_MODE, False)
st.set_page_config(page_title="KTTT Lai Châu", page_icon=":material/groups:", layout="wide",
                   initial_sidebar_state="collapsed" if _present else "expanded")


def pages(lang: str) -> list:
    listed = [
        st.Page("pages/tong_quan.py", title=t("page_overview", lang), icon=":material/dashboard:", default=True),
        st.Page("pages/chi_tieu.py", title=t("page_targets", lang), icon=":material/flag:"),
        st.Page("pages/hop_tac_xa.py", title=t("page_coops", lang), icon=":material/storefront:"),
        st.Page("pages/to_hop_tac.py", title=t("page_groups", lang), icon=":material/diversity_3:"),
        st.Page("pages/lien_minh.py", title=t("page_alliance", lang), icon=":material/handshake:"),
        st.Page("pages/so_sanh.py", title=t("page_compare", lang), icon=":material/leaderboard:"),
        st.Page("pages/du_lieu.py", title=t("page_data", lang), icon=":material/download:"),
        st.Page("pages/kiem_tra.py", title=t("page_checks", lang), icon=":material/fact_check:"),
    ]
    if current_role() == "editor":  # viewers never see a write page (the page and hxcore check again)
        listed.append(st.Page("pages/nhap_du_lieu.py", title=t("page_import", lang), icon=":material/upload_file:"))
    return listed


ui.open_wanted_page(pages(ui.url_lang()))  # a deep link opened first after a server start
if not _present:  # slides lay out their own rows
    ui.responsive_css()
view = ui.sidebar_filters()
st.session_state["hx_view"] = view
lang = view.lang
sidebar_sign_in()

if view.presentation:
    ui.presentation_css()
    page = st.navigation([st.Page("pages/trinh_chieu.py", title=t("page_present", lang), icon=":material/slideshow:",
                                  default=True)], position="hidden")
else:
    page = st.navigation(pages(lang))
    ui.finish_reset(page)
    ui.demo_banner(lang)
page.run()
