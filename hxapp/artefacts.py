"""The meeting's files from the app: a chart's PNG, the slides (.pptx) and the A4 handout (PDF).

Every file is made when its button is clicked (st.download_button with a callable), never on a
page's run, and the slides and handout are cached on the filter and the data version: a page
with these buttons costs the same as without them.
"""

from __future__ import annotations

import streamlit as st

from hxapp import data
from hxapp.view import VIEW_KEY, View
from hxcore.engine import meeting
from hxcore.model.filters import Filter
from hxcore.model.texts import t
from hxcore.present import export, handout, images, slides_pptx

PNG_COUNT = "hx_png_count"  # (the run's View, charts numbered so far): each chart's button key


@st.cache_data(show_spinner=False, max_entries=20)
def _slides(_engine, version: str, flt: Filter, lang: str) -> bytes:
    return slides_pptx.write(meeting.gather(_engine, flt), lang)


@st.cache_data(show_spinner=False, max_entries=20)
def _handout(_engine, version: str, flt: Filter, lang: str) -> bytes:
    return handout.write(meeting.gather(_engine, flt), lang)


def slides_file(engine, flt: Filter, lang: str) -> bytes:
    """The slides (.pptx) of the filter, cached on the data version."""
    return _slides(engine, data.version(engine), flt, lang)


def handout_file(engine, flt: Filter, lang: str) -> bytes:
    """The A4 handout (PDF) of the filter, cached on the data version."""
    return _handout(engine, data.version(engine), flt, lang)


def slides_button(engine, view: View, key: str = "meeting_pptx", primary: bool = False, short: bool = False) -> None:
    """"Tải bản trình chiếu (PowerPoint)" ("Tải PowerPoint" when `short`, beside the projector's
    buttons): the projector's slides as a file."""
    label = t("slides_download_short" if short else "slides_download", view.lang)
    st.download_button(label, lambda: slides_file(engine, view.flt, view.lang),
                       file_name=export.file_name("trinh-chieu", view.flt, view.district_names, "pptx",
                                                  data.version(engine)),
                       mime=slides_pptx.MIME, key=key, icon=None if short else ":material/slideshow:", on_click="ignore",
                       type="primary" if primary else "secondary", width="stretch" if short else "content")


def handout_button(engine, view: View, key: str = "meeting_pdf") -> None:
    st.download_button(t("handout_download", view.lang), lambda: handout_file(engine, view.flt, view.lang),
                       file_name=export.file_name("tai-lieu", view.flt, view.district_names, "pdf", data.version(engine)),
                       mime=handout.MIME, key=key, icon=":material/picture_as_pdf:", on_click="ignore")


def meeting_downloads(engine, view: View) -> None:
    """The slides and the handout side by side, under a heading (the report page)."""
    st.subheader(t("meeting_files", view.lang))
    st.caption(t("meeting_intro", view.lang))
    left, right = st.columns(2)
    with left:
        slides_button(engine, view)
    with right:
        handout_button(engine, view)


def _chart_number() -> int:
    """1, 2, … for the charts of this run (the run is known by its View, made anew each run):
    their buttons' keys stay the same from one run to the next."""
    run = id(st.session_state.get(VIEW_KEY))
    last_run, count = st.session_state.get(PNG_COUNT, (None, 0))
    count = count + 1 if last_run == run else 1
    st.session_state[PNG_COUNT] = (run, count)
    return count


def png_button(spec, view: View | None = None) -> None:
    """"Tải ảnh PNG" under a chart: the chart drawn by vl-convert in the bundled font, on click."""
    view = view or st.session_state.get(VIEW_KEY)
    number = _chart_number()
    lang = view.lang if view else "vi"
    name = (export.file_name(f"bieu-do-{number}", view.flt, view.district_names, "png") if view
            else f"hx_bieu-do-{number}.png")
    st.download_button(t("png_download", lang), lambda: images.png(spec), file_name=name, mime=images.MIME,
                       key=f"hx_png_{number}", icon=":material/image:", on_click="ignore", type="tertiary")

