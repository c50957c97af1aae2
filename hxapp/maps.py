"""The tile map of the Overview and of a projector slide: which units (by the period's end: the
districts, or the 38 communes after the reform), which indicator, coloured by value or by the
resolution's target, each tile linking to the view filtered to its unit.

The figures come from hxapp.data's cached breakdowns; hxcore.present.maps draws them.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from hxapp import data
from hxapp.view import K_DISTRICTS, View
from hxapp.widgets import as_of_caption, chart_spec
from hxcore.model import map_tiles
from hxcore.model.areas import after_reform, slugify
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.texts import t
from hxcore.present import fmt
from hxcore.present.frames import indicator_label
from hxcore.present.maps import judged_by_unit, map_title, map_units, tile_map

K_AREA = "area"  # the commune filter's URL parameter (a GSO code; see hxapp/view.py)
MAP_INDICATORS = ("coops_total", "coops_operating", "coop_members_workers", "coop_charter_capital", "coops_new",
                  "coops_alliance_share", "coops_effective_share", "coop_avg_income_year", "groups_total")
LEVEL_LABELS = {"district": "map_districts", "commune": "map_communes", "former_district": "map_former_districts"}


def levels(view: View) -> list[str]:
    """The breakdowns the map can draw for the period: districts (and their 106 communes) before
    the reform, the 38 communes (and the former districts) after it."""
    return ["commune", "former_district"] if after_reform(view.period.end) else ["district", "commune"]


def _layout(level: str, view: View) -> str:
    if level == "commune":
        return map_tiles.commune_layout_on(view.period.end)
    return map_tiles.DISTRICTS_2020


def _links(level: str, layout: tuple) -> dict[str, str]:
    """code -> the current URL with the area filter set to that unit (districts by slug, communes
    by GSO code: two communes may share a slug), every other filter kept."""
    params = {key: st.query_params.get_all(key) for key in st.query_params if key not in (K_DISTRICTS, K_AREA)}
    links = {}
    for tile in layout:
        chosen = {K_AREA: tile.code} if level == "commune" else {K_DISTRICTS: slugify(tile.name)}
        links[tile.code] = "?" + urlencode({**params, **chosen}, doseq=True)
    return links


def _target(engine, view: View, code: str) -> pd.Series | None:
    """The resolution's province-wide target on `code` for the period, if one holds for each unit."""
    if not judged_by_unit(code):
        return None
    targets = data.targets_frame(engine, view.flt)
    if targets.empty:  # no resolution's target for the period
        return None
    rows = targets[(targets["indicator"] == code) & targets["sector"].isna()]
    return rows.iloc[0] if len(rows) else None


def map_chart(engine, view: View, code: str, level: str | None = None, by_status: bool = False,
              presentation: bool = False, links: bool = True) -> dict:
    """The map of `code` for the view's period and sectors over all units of `level` (the first
    of levels() by default), whatever area the view is filtered to: the slide's entry point. Its
    Vega-Lite spec, cached on what it is drawn from (widgets.chart_spec)."""
    level = level or levels(view)[0]
    layout = map_tiles.layout(_layout(level, view))
    whole = replace(view.flt, districts=(), communes=())
    rows = data.indicators_frame(engine, whole, [code], by=level, compare=False, with_targets=False)
    target = _target(engine, view, code) if by_status else None
    units = map_units(rows, code, "commune" if level == "commune" else "district", view.lang, target,
                      _links(level, layout) if links else None)
    return chart_spec(tile_map, units, layout, mode="status" if target is not None else "value",
                      title=map_title(code, view.lang), status_labels=view.status_labels, presentation=presentation,
                      lang=view.lang, decimals=INDICATORS_BY_CODE[code].decimals)


def overview_map(engine, view: View) -> None:
    """The Overview's map section: indicator, units and colouring chosen beside it, then the map and its notes."""
    lang = view.lang
    st.subheader(t("map_title", lang))
    left, middle, right = st.columns([2, 1, 1])
    code = left.selectbox(t("map_indicator", lang), MAP_INDICATORS, format_func=lambda c: indicator_label(c, lang),
                          key="overview_map_indicator", placeholder=t("map_indicator", lang))
    options = levels(view)
    after = after_reform(view.period.end)
    labels = {**LEVEL_LABELS, "commune": "map_communes_new" if after else "map_communes"}
    level = middle.radio(t("map_level", lang), options, format_func=lambda c: t(labels[c], lang),
                         key="overview_map_level", horizontal=False) if len(options) > 1 else options[0]
    target = _target(engine, view, code)
    by_status = target is not None and right.radio(
        t("map_colour", lang), [False, True], format_func=lambda s: t("map_by_status" if s else "map_by_value", lang),
        key="overview_map_colour") is True
    # Its own size, not the column's width: stretched, the tiles would stop being square.
    st.vega_lite_chart(map_chart(engine, view, code, level, by_status), width="content", theme=None)
    st.caption(f'{t("map_tiles_note", lang)} {t("map_click", lang)}')
    if by_status:
        st.caption(t("map_status_note", lang, target=fmt.indicator_value(target["target"], target["unit"],
                                                                          INDICATORS_BY_CODE[code].decimals, lang)))
    if level == "former_district" or (level == "district" and after):
        st.caption(t("map_former_note", lang))
    as_of_caption(view)


def map_slide(engine, view: View, code: str) -> None:
    """A projector slide's map of `code`: the units valid at the period's end, by target status
    where the resolution's target holds for each unit, else by value; no links (nothing to click on a projector).
    The tiles' note is the slide title's help: under the map, 6 rows of communes would not fit at 1280×720."""
    by_status = _target(engine, view, code) is not None
    st.vega_lite_chart(map_chart(engine, view, code, by_status=by_status, presentation=True, links=False),
                       width="content", theme=None)
