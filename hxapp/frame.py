"""The frame around every screen: which screens exist, the demo banner, and each screen's header
with the guard that stops the screen when its period has no data. app.py draws it before page.run()."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from hxapp import data
from hxapp.view import View, leave_presentation
from hxcore.model.texts import t
from hxcore.present import fmt, frames


@dataclass(frozen=True)
class Screen:
    """One page of the app: its file, its menu entry, and what the frame draws above it."""

    path: str
    menu_key: str  # texts key of its navigation entry
    icon: str
    title_key: str | None = None  # texts key of its title; None: a projector slide's banner line
    filter_line: bool = True  # the period and the filter under the title
    needs_data: bool = True  # a period without data shows a notice instead of the screen
    editors_only: bool = False  # listed only for a signed-in editor (the page and hxcore check again)
    default: bool = False


def navigation(screens: list[Screen], lang: str, role: str) -> dict:
    """{st.Page: Screen} of the screens `role` may open, titled in `lang`, for st.navigation."""
    return {st.Page(s.path, title=t(s.menu_key, lang), icon=s.icon, default=s.default): s
            for s in screens if role == "editor" or not s.editors_only}


def menu(container, pages: dict) -> None:
    """The sidebar's menu of the pages st.navigation registered, the current one highlighted."""
    for page in pages:
        container.page_link(page, label=page.title, icon=page.icon)
    container.divider()


def stop_unless_usable(screens: list[Screen], lang: str) -> None:
    """An empty, half-built or unreachable database: one error saying what is wrong and what to do,
    then st.stop(), before the sidebar reads it (never "–" for every figure, never a traceback)."""
    engine = data.get_engine()
    state = data.unusable(engine)
    if state is None:
        notice = data.upgrade_notice(engine)
        if notice:  # on every page for an hour after the upgrade: what was done, where the backup copy is
            st.success(notice, icon=":material/check_circle:")
        return
    st.navigation(list(navigation(screens, lang, "viewer")), position="hidden")  # no pages/ menu either
    problem = state.problem or t("db_unreachable", lang, detail=state.detail)
    if state.upgrade_failed:  # an office's database, as it was: never a suggestion that could overwrite it
        problem, advice = t("db_upgrade_failed", lang, detail=state.detail), t("db_upgrade_advice", lang)
    elif state.imports:  # people's work was in it: nothing that could overwrite it is suggested
        backup = fmt.code_span(state.backup) if state.backup else t("db_no_backup", lang)
        advice = t("db_problem_imports", lang, n=state.imports, backup=backup)
    else:
        advice = t("db_problem_empty", lang)
    st.error(t("db_problem", lang, problem=fmt.markdown_escaped(problem), url=fmt.code_span(state.url)) + "\n\n" + advice,
             icon=":material/error:")
    st.stop()


def demo_banner(lang: str) -> None:
    info = data.meta(data.get_engine())
    if info.get("demo") == "true":
        note = info.get("demo_note", "")
        if note.startswith(t("demo_notice", "vi")) and lang == "vi":
            head, _, rest = note.partition(":")
            st.info(f"**{head}:** {rest.strip()}", icon="ℹ️")
        elif lang == "en":  # hx's own demo: its note in English, not the database's Vietnamese
            extra = " " + t("demo_note_national", lang) if info.get("scale") == "national" else ""
            st.info(f"**{t('demo_notice', lang)}.** {t('demo_note_body', lang)}{extra}", icon="ℹ️")
        else:
            st.info(f"**{t('demo_notice', lang)}.** {note}", icon="ℹ️")


def has_data(view: View) -> bool:
    """Whether the database has the view's period; if not, a notice naming the periods it has."""
    periods, _ = data.choices(data.get_engine())
    if view.flt.period in periods:
        return True
    st.warning(frames.no_data_text(view.flt, periods, view.lang), icon=":material/warning:")
    return False


def header(screen: Screen, view: View) -> None:
    """The screen's title and filter line (on the projector, one bold line); then, for a screen
    that needs figures, a notice and st.stop() when the period has none."""
    lang = view.lang
    if screen.title_key is None:
        st.markdown(f"**{t('app_title', lang)} · {view.period.label(lang)} · "
                    f"{frames.filter_text(view.flt, view.district_names, lang)}**")
    else:
        st.title(t(screen.title_key, lang))
        if screen.filter_line:
            st.markdown(frames.header_text(view.flt, view.district_names, lang))
            for note in frames.reform_notes(view.flt, lang):
                st.caption(f"ⓘ {note}")
    if screen.needs_data and not has_data(view):
        if view.presentation:  # the sidebar is hidden: the way out must stay on screen
            st.button(t("exit_present", lang), on_click=leave_presentation, key="present_exit")
        st.stop()
