"""Trình chiếu: one indicator per screen for the projector: the figure, its target, the districts."""

import streamlit as st

from hxapp import artefacts, data, slides
from hxapp.view import current, leave_presentation
from hxcore.engine import frames as shaping
from hxcore.model.texts import t
from hxcore.present import frames

view = current()
engine = data.get_engine()
lang = view.lang

targets = data.targets_frame(engine, view.flt)
deck = shaping.slides(shaping.SLIDE_HEADLINES, targets)
count = len(deck) + 2  # then the map, and last Cần chỉ đạo


def move(step: int) -> None:
    st.session_state["present_slide"] = (st.session_state.get("present_slide", 0) + step) % count


top = st.columns([4, 2, 2, 2, 3])
auto = top[0].toggle(t("auto_advance", lang), key="present_auto")
with top[3]:
    artefacts.slides_button(engine, view, key="present_pptx", short=True)
top[4].button(t("exit_present", lang), on_click=leave_presentation, key="present_exit", width="stretch")
top[1].button(t("prev", lang), on_click=move, args=(-1,), key="present_prev", width="stretch")
top[2].button(t("next", lang), on_click=move, args=(1,), key="present_next", width="stretch", type="primary")
slides.keyboard("present_next", "present_prev")


@st.fragment(run_every=20 if auto else None)
def slide() -> None:
    if auto and st.session_state.get("present_ticked"):
        move(1)
    st.session_state["present_ticked"] = bool(auto)
    index = st.session_state.get("present_slide", 0) % count
    if index == len(deck):
        slides.map_page(engine, view)
    elif index == len(deck) + 1:
        slides.needs_decision(engine, view)
    else:
        shown = deck[index]
        st.title(frames.slide_title(shown, lang))
        left, right = st.columns([2, 3])
        with left:
            slides.figure(engine, view, shown, targets)
        with right:
            slides.ranking(engine, view, shown, targets)
    st.caption(t("slide", lang, i=index + 1, n=count) + " · "
               + frames.as_of_text(view.flt, view.district_names, lang))


slide()
