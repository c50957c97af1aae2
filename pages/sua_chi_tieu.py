"""Sửa chỉ tiêu nghị quyết / Edit resolution targets: a resolution's number, date and title, its targets
(typed in or imported from a file), checked as data/targets.csv is, saved with a log. Editors only."""

from __future__ import annotations

import streamlit as st

from hxapp import targets_editor as editor
from hxapp.auth import current_role
from hxapp.data import get_engine
from hxapp.view import page_lang
from hxcore.model.texts import t

lang = page_lang()
if current_role() != "editor":  # also enforced in hxcore: save_targets checks the session
    st.warning(t("import_editors_only", lang))
    st.stop()

engine = get_engine()
st.caption(t("targets_edit_intro", lang))
code = editor.pick_resolution(engine, lang)
resolution = editor.resolution_fields(engine, code, lang)
rows, key = editor.starting_rows(engine, code, resolution, lang)
edited = editor.targets_table(rows, key, resolution.year, lang)
editor.save_button(engine, resolution, edited, creating=code == editor.NEW, lang=lang)
editor.change_log_section(engine, lang)
