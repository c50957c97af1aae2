"""Streamlit side of editor sign-in: the sidebar widget and `current_role()`.

The checks live in hxcore.auth (hashes, attempt limits, session expiry); this file only keeps
the signed session in st.session_state and draws the form. Viewers never see a write page:
app.py adds the import page only when `current_role()` is "editor".
"""

from __future__ import annotations

import streamlit as st

from hxcore.io import auth

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


def sidebar_sign_in() -> None:
    """The sidebar block: a small sign-in form for editors, or who is signed in and a sign-out button."""
    session = current_session()
    with st.sidebar:
        if session:
            st.caption(f"Biên tập viên: {session.user}")
            if st.button("Đăng xuất", key="hx_sign_out"):
                sign_out()
                st.rerun()
            return
        if st.session_state.pop("hx_expired", False):
            st.info("Phiên làm việc đã hết hạn, hãy đăng nhập lại.")
        with st.expander("Đăng nhập biên tập viên"), st.form("hx_sign_in", clear_on_submit=True):
            name = st.text_input("Tên đăng nhập")
            password = st.text_input("Mật khẩu", type="password")
            if st.form_submit_button("Đăng nhập"):
                try:
                    st.session_state[_KEY] = auth.sign_in(name, password)
                except auth.SignInError as error:
                    st.error(str(error))
                else:
                    st.rerun()
