"""A projector slide's two halves: the figure (or the target and its bullet), and the district ranking."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_shortcuts import add_shortcuts

from hxapp import attention, data, maps, style
from hxapp.view import View
from hxapp.widgets import chart
from hxcore.engine import frames as shaping
from hxcore.engine.meeting import MAP_INDICATOR
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.texts import t
from hxcore.present import charts, frames

# The district ranking's height on a slide: 8 districts (or the lead's communes) fit in it at
# 1280×720, the shortest projector screen, beside the figure, with the title and buttons above.
RANKING_HEIGHT = 300
# Keys of a keyboard and of presentation clickers (which send PageDown/PageUp): e.key, lower case.
NEXT_KEYS, PREVIOUS_KEYS = ["arrowright", "pagedown", " "], ["arrowleft", "pageup"]
BULLET_WIDTH = 290  # a facet does not stretch: this fits the figure's column at 1024 px


def figure(engine, view: View, slide: shaping.Slide, targets: pd.DataFrame) -> None:
    """The big figure with its change and ratio; for a sector target, that sector's figure; for a
    target, the target, the pace due, the status and the bullet."""
    lang = view.lang
    if slide.sector is None:
        row = data.indicators_frame(engine, view.flt).set_index("indicator").loc[slide.code].to_dict()
        row["indicator"] = slide.code
        big = frames.slide_figure(row, lang)
        st.markdown(style.BIG_FIGURE.format(value=big.value, unit=big.unit), unsafe_allow_html=True)
        if big.delta:
            st.markdown(f"### :{big.colour}[{big.delta}]")
        if big.ratio:
            st.markdown(f"### {big.ratio}")
    else:
        actual, ratio = frames.slide_actual(targets.loc[slide.target], lang)  # the title names it: no card label
        st.markdown(style.BIG_FIGURE.format(value=actual, unit=""), unsafe_allow_html=True)
        st.caption(ratio)
    if slide.is_target:
        _target(view, slide, targets)


def _target(view: View, slide: shaping.Slide, targets: pd.DataFrame) -> None:
    lang = view.lang
    line, status = frames.slide_target_lines(targets.loc[slide.target], lang)
    st.markdown(line)
    st.markdown(f"### {status}")
    bullet = targets.loc[[slide.target]].copy()
    bullet["display_label"] = frames.slide_title(slide, lang)
    chart(charts.bullet_chart, charts.bullet_frame(bullet, view.status_labels, lang), view.status_labels,
          presentation=True, lang=lang, width=BULLET_WIDTH)


def ranking(engine, view: View, slide: shaping.Slide, targets: pd.DataFrame) -> None:
    """The districts ranked on the slide's indicator (a sector target: within its sector), with
    the target as a line where it is a level."""
    lang = view.lang
    st.markdown(f"**{frames.ranking_by_label('district', view.flt, lang)}**")  # former districts after 1/7/2025
    rows = data.indicators_frame(engine, shaping.slide_scope(view.flt, slide), [slide.code], by="district",
                                 compare=False, with_targets=False)
    ranked = frames.ranking_frame(rows, slide.code, lang, ratio=False)
    if not ranked.empty:
        chart(charts.ranking_chart, ranked, label="district_name", value="value", text="text",
              target=shaping.slide_target(targets, slide), presentation=True, lang=lang,
              decimals=INDICATORS_BY_CODE[slide.code].decimals, height=RANKING_HEIGHT)


def map_page(engine, view: View) -> None:
    """The map slide: operating HTX on the tile map of the units valid at the period's end."""
    st.title(t("map_slide_title", view.lang, indicator=frames.indicator_label(MAP_INDICATOR, view.lang)),
             help=t("map_tiles_note", view.lang))
    maps.map_slide(engine, view, MAP_INDICATOR)


def needs_decision(engine, view: View) -> None:
    """The last slide, "Cần chỉ đạo": what needs a decision, each list's count and first lines."""
    st.title(t("page_attention", view.lang))
    attention.slide(engine, view)


def keyboard(next_key: str, previous_key: str) -> None:
    """→, PageDown and Space press the button keyed `next_key`; ←, PageUp the one keyed `previous_key`."""
    add_shortcuts(**{next_key: NEXT_KEYS, previous_key: PREVIOUS_KEYS})
