"""Streamlit side of editor sign-in: the sidebar widget and `current_role()`.

The checks live in hxcore.io.auth (hashes, attempt limits kept in the database, session expiry); this file only keeps
the signed session in st.session_state and draws the form. Viewers never see a write page:
app.py adds the import page only when `current_role()` is "editor".
"""

from __future__ import annotations

import streamlit as st

from hxapp import data
from hxcore.io import auth
from hxcore.model.texts import t

_KEY = "hx_session"


def current_session() -> auth.Session | None:
    """The signed-in editor's session, refreshed; None (and signed out) once it has expired."""
    session = st.session_state.get(_KEY)
    if session is None:
        return None
    try:
        session = session.touch()
    except auth.PermissionDenied:
        st.session_state.pop(_KEY, None)
        st.session_state["hx_expired"] = True
        return None
    st.session_state[_KEY] = session
    return session


def current_role() -> str:
    """"editor" for a signed-in, unexpired editor; "viewer" for everyone else."""
    session = current_session()
    return session.role.value if session else auth.Role.VIEWER.value


def sign_out() -> None:
    st.session_state.pop(_KEY, None)


def sidebar_sign_in(lang: str = "vi") -> None:
    """The sidebar block: a small sign-in form for editors, or who is signed in and a sign-out button."""
    session = current_session()
    with st.sidebar:
        if session:
            st.caption(t("signed_in_as", lang, user=session.user))
            if st.button(t("sign_out", lang), key="hx_sign_out"):
                sign_out()
                st.rerun()
            return
        if st.session_state.pop("hx_expired", False):
            st.info(t("session_expired", lang))
        _sign_in_form(lang)


def _sign_in_form(lang: str) -> None:
    with st.expander(t("sign_in_title", lang)), st.form("hx_sign_in", clear_on_submit=True):
        st.text_input(t("sign_in_name", lang), key="hx_sign_in_name")
        st.text_input(t("sign_in_password", lang), type="password", key="hx_sign_in_password")
        # Signed in by the button's callback, which runs before the script does: a submission made
        # while the first run of a cold server is still drawing the page is not lost to that run.
        st.form_submit_button(t("sign_in", lang), on_click=_sign_in)
    if error := st.session_state.pop("hx_sign_in_error", None):
        st.error(error)


def _sign_in() -> None:
    name = st.session_state.get("hx_sign_in_name", "")
    password = st.session_state.get("hx_sign_in_password", "")
    try:
        # Attempts are counted in the app's database: shared with the CLI, kept across restarts.
        st.session_state[_KEY] = auth.sign_in(name, password, engine=data.get_engine())
    except auth.SignInError as error:
        st.session_state["hx_sign_in_error"] = str(error)
