"""hx: the collective economy of Lai Châu on one screen. Router and frame only.

Every screen is a row of SCREENS; the frame (sidebar, demo banner, title, the "no data for this
period" notice) is drawn here, so a page only draws its own figures.
"""

import streamlit as st

from hxapp import frame, style, view
from hxapp.auth import current_role, sidebar_sign_in
from hxapp.frame import Screen

st.set_page_config(page_title="KTTT Lai Châu", page_icon=":material/groups:", layout="wide",
                   initial_sidebar_state="collapsed" if view.presenting() else "expanded")

SCREENS = [
    Screen("pages/tong_quan.py", "page_overview", ":material/dashboard:", "overview_title", default=True),
    Screen("pages/chi_tieu.py", "page_targets", ":material/flag:", "targets_title"),
    Screen("pages/can_chi_dao.py", "page_attention", ":material/priority_high:", "attention_title"),
    Screen("pages/hop_tac_xa.py", "page_coops", ":material/storefront:", "coops_title"),
    Screen("pages/to_hop_tac.py", "page_groups", ":material/diversity_3:", "groups_title"),
    Screen("pages/lien_minh.py", "page_alliance", ":material/handshake:", "alliance_title"),
    Screen("pages/so_sanh.py", "page_compare", ":material/leaderboard:", "compare_title"),
    Screen("pages/du_lieu.py", "page_data", ":material/download:", "data_title"),
    Screen("pages/bao_cao.py", "page_report", ":material/description:", "report_title"),
    Screen("pages/kiem_tra.py", "page_checks", ":material/fact_check:", "page_checks", filter_line=False,
           needs_data=False),
    Screen("pages/nhap_du_lieu.py", "page_import", ":material/upload_file:", "page_import", filter_line=False,
           needs_data=False, editors_only=True),
    Screen("pages/sua_chi_tieu.py", "page_targets_edit", ":material/edit_note:", "page_targets_edit", filter_line=False,
           needs_data=False, editors_only=True),
]
# The projector: one hidden page, its header a single bold line (no title_key).
PRESENTATION = Screen("pages/trinh_chieu.py", "page_present", ":material/slideshow:", default=True)

view.open_wanted_page(list(frame.navigation(SCREENS, view.url_lang(), current_role())))  # a deep link opened first
if not view.presenting():  # slides lay out their own rows
    style.responsive_css()
# The pages' menu sits above the filters; it is filled once st.navigation knows the pages. It is our
# own (config: showSidebarNavigation = false), so a cold server never flashes Streamlit's raw page list.
menu = st.sidebar.container()
frame.stop_unless_usable(SCREENS, view.url_lang())  # empty or half-built: said so, before the sidebar reads it
shown = view.sidebar_filters()
sidebar_sign_in(shown.lang)

if shown.presentation:
    style.presentation_css()
    screens = frame.navigation([PRESENTATION], shown.lang, current_role())
    page = st.navigation(list(screens), position="hidden")
else:
    screens = frame.navigation(SCREENS, shown.lang, current_role())
    page = st.navigation(list(screens), position="hidden")
    frame.menu(menu, screens)
    view.finish_reset(page)
    frame.demo_banner(shown.lang)
frame.header(screens[page], shown)
page.run()
