"""Nhập dữ liệu / Import: templates, upload, column matching, problems, preview of the changes, confirmation,
history and undo, saved column matchings. Editors only. The widgets are hxapp.importing's."""

from __future__ import annotations

import streamlit as st

from hxapp import importing
from hxapp.auth import current_role
from hxapp.data import get_engine
from hxapp.view import page_lang
from hxcore.model.texts import t

lang = page_lang()
if current_role() != "editor":  # also enforced in hxcore: commit_import, undo_import and profiles check the session
    st.warning(t("import_editors_only", lang))
    st.stop()

engine = get_engine()
importing.templates_section(lang)
upload = importing.upload(lang)
if upload is not None:
    reading = importing.read(engine, upload, lang)
    importing.problems_section(reading.plan, lang)
    if reading.plan.ok:
        importing.preview_section(engine, reading.plan, lang)
        importing.confirm(engine, upload, reading, lang)
importing.history_section(engine, lang)
importing.profiles_section(engine, lang)
