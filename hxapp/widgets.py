"""Drawing helpers every page shares: KPI cards, "as of" captions, charts, tables and downloads,
and the sections several pages draw alike (breakdown bars, trend, heat map, organisation list).

They draw what hxcore.present.frames has written; none computes a figure or formats a number.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from hxapp import artefacts, data
from hxapp.view import View
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.texts import t
from hxcore.present import charts, export, fmt, frames


@st.cache_data(show_spinner=False, max_entries=300, hash_funcs=data.FRAME_KEYS)
def _chart_spec(module: str, builder: str, args: tuple, kwargs: dict) -> dict:
    # Not validated here: tests/test_charts.py validates every builder's spec; validating costs ~30 ms a chart.
    return getattr(importlib.import_module(module), builder)(*args, **kwargs).to_dict(validate=False)


def chart_spec(builder: Callable, *args, **kwargs) -> dict:
    """The Vega-Lite spec of builder(*args, **kwargs) (a chart function of hxcore.present), cached on
    its inputs: a rerun, or another visitor with the same filter, does not build the chart again."""
    return _chart_spec(builder.__module__, builder.__name__, args, kwargs)


def chart(builder: Callable, *args, **kwargs) -> None:
    """Draw builder(*args, **kwargs) (a function of hxcore.present.charts) with our own theme
    (Streamlit's would override the Vietnamese locale), its spec cached (5 charts: ~0,3 s a rerun)."""
    spec = chart_spec(builder, *args, **kwargs)
    st.vega_lite_chart(spec, width="stretch", theme=None)
    artefacts.png_button(spec)  # "Tải ảnh PNG": drawn by vl-convert when clicked, not on every run


def as_of_caption(view: View, extra: str | None = None) -> None:
    """'Số liệu đến 30/6/2023 · Toàn tỉnh · tất cả lĩnh vực': under every chart, table and download."""
    st.caption(frames.as_of_text(view.flt, view.district_names, view.lang, extra))


def kpi(container, row, view: View, note: str | None = None) -> None:
    """A KPI card: the figure with its unit, its change against the comparison period, the ratio behind it."""
    card = frames.kpi_card(row, view.lang, note)
    if not card.applicable:
        container.metric(card.label, card.value, help=card.help, border=True)
        return
    container.metric(card.label, card.value, delta=card.delta, delta_color=card.colour, delta_arrow=card.arrow,
                     help=card.help, border=True, delta_description=None)
    if card.note:
        container.caption(card.note)


def kpi_row(frame: pd.DataFrame, codes: list[str], view: View, columns: int = 4) -> None:
    rows = frame.set_index("indicator")
    cols = st.columns(columns)
    for index, code in enumerate(codes):
        if code not in rows.index:
            continue
        row = rows.loc[code].to_dict()
        row["indicator"] = code
        kpi(cols[index % columns], row, view)


def table(frame: pd.DataFrame, lang: str | None = None, dates=(), config: dict | None = None, **options) -> None:
    """st.dataframe without the index, full width; numbers written out when `lang` is given,
    `dates` shown as 30/6/2023."""
    column_config = {**{d: st.column_config.DateColumn(format="D/M/YYYY") for d in dates}, **(config or {})}
    st.dataframe(data.shown(frame, lang) if lang else frame, hide_index=True, width="stretch",
                 column_config=column_config or None, **options)


PAGE_ROWS = 500  # a province's lists fit on one page; the country's are shown a page at a time


def pager(total: int, key: str, lang: str) -> int:
    """The page choice for a list of `total` rows, and where the page is; returns the page's first
    row (0-based). Nothing is drawn for a list that fits on one page."""
    pages = -(-total // PAGE_ROWS)
    if pages <= 1:
        return 0
    # The page count is part of the key: a shorter list (a search) starts again at page 1.
    page = int(st.number_input(t("table_page", lang), min_value=1, max_value=pages, value=1, step=1,
                               key=f"{key}_page_{pages}"))
    first = (page - 1) * PAGE_ROWS
    st.caption(t("table_page_rows", lang, first=fmt.number(first + 1, 0, lang),
                 last=fmt.number(min(first + PAGE_ROWS, total), 0, lang), n=fmt.number(total, 0, lang),
                 page=page, pages=pages))
    return first


def page_of(frame: pd.DataFrame, key: str, lang: str) -> pd.DataFrame:
    """The rows of a long table one page at a time: only the page is formatted and sent."""
    first = pager(len(frame), key, lang)
    return frame.iloc[first:first + PAGE_ROWS]


SEARCHED = ["name", "commune_name", "district_name"]  # what the search box of an organisation list looks in


def searched_list(engine, flt, name: str, lang: str, text: str = "") -> pd.DataFrame:
    """The whole list (cached), with only the rows `text` finds when there is a search."""
    return frames.search(data.list_frame(engine, name, flt, lang), SEARCHED, text)


def list_rows(engine, view: View, name: str, key: str, text: str = "") -> tuple[pd.DataFrame, int]:
    """The chosen page of a unit-level list, and the whole list's length. Without a search only
    that page is read (LIMIT/OFFSET in SQL); a search (accents ignored, which SQL cannot do on
    every database) reads the whole list once, cached, and searches it."""
    lang = view.lang
    if text:
        found = searched_list(engine, view.flt, name, lang, text)
        first = pager(len(found), key, lang)
        return found.iloc[first:first + PAGE_ROWS], len(found)
    total = data.list_length(engine, name, view.flt)
    first = pager(total, key, lang)
    return data.list_page(engine, name, view.flt, first, PAGE_ROWS, lang), total


def downloads(rows: pd.DataFrame | Callable[[], pd.DataFrame], view: View, topic: str, key: str,
              sheet: str | None = None, codes=None) -> None:
    """CSV (UTF-8 with BOM, ',' or ';') and .xlsx buttons for a table, named after the filter.

    The files are made when a button is clicked (Streamlit calls `data` then, on its own thread),
    not on every run of the page: a national list's workbook takes seconds to write. `rows` may be
    a function giving the table, so that a long list is read only then and a session keeps no
    copy of it for its download.
    """
    lang = view.lang

    def table_rows() -> pd.DataFrame:
        return rows() if callable(rows) else rows

    c1, c2, c3 = st.columns([2, 1, 1])
    sep = c1.radio(t("csv_sep", lang), [";", ","], format_func=lambda s: t("sep_semicolon" if s == ";" else
                                                                           "sep_comma", lang),
                   horizontal=True, key=f"{key}_sep")
    version = data.version(data.get_engine())  # in the file names and the filter sheet
    name = export.file_name(topic, view.flt, view.district_names, "csv", version)
    c2.download_button(t("download_csv", lang), lambda: export.csv_bytes(table_rows(), sep), file_name=name,
                       mime=export.CSV_MIME, key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    about = frames.about_rows(view.flt, view.district_names, lang, topic, version)

    def workbook() -> bytes:
        sheets = [(sheet or topic, table_rows())]
        definitions = export.definitions_frame(codes, lang)
        if codes is not None and not definitions.empty:
            sheets.append((t("definitions", lang), definitions))
        return export.xlsx_bytes(sheets, about, about_title=t("filters", lang))

    c3.download_button(t("download_xlsx", lang), workbook,
                       file_name=export.file_name(topic, view.flt, view.district_names, "xlsx", version),
                       mime=export.XLSX_MIME, key=f"{key}_xlsx", icon=":material/table_view:", on_click="ignore")
    as_of_caption(view, name)


# ---------------------------------------------------------------------------------------------
# Sections


def breakdown_chart(frame: pd.DataFrame, by: str, lang: str) -> None:
    """with_share_text() rows by sector (bars in each sector's colour) or by district (ranked bars)."""
    if by == "sector":
        chart(charts.sector_bar_chart, frame, lang=lang)
    else:
        chart(charts.ranking_chart, frame, label="name", value="value", text="text", lang=lang)


def trend_section(engine, view: View, code: str, granularity: str = "half", target: float | None = None,
                  caption: str | None = None) -> None:
    """One indicator over the periods up to the filter's, with its target as a red line."""
    trend = frames.trend_frame(data.trend_frame(engine, view.flt, code, granularity), code, view.lang)
    if not trend.empty:
        chart(charts.trend_chart, trend, target=target, target_text=frames.target_line(target, code, view.lang),
              lang=view.lang, decimals=INDICATORS_BY_CODE[code].decimals)
    as_of_caption(view, caption)


def heatmap_section(engine, view: View, code: str, org_type: str, title_key: str) -> None:
    """A district × sector heat map of one count, with its caption."""
    st.subheader(t(title_key, view.lang))
    heat = data.heat_cells(engine, view.flt, code, org_type, view.lang)
    if not heat.empty:
        chart(charts.heatmap_chart, heat, lang=view.lang)
    as_of_caption(view)


def organisation_section(engine, view: View, list_name: str, title_key: str, topic: str,
                         drop: tuple[str, ...] = ()) -> None:
    """The searchable list of organisations behind the figures, a page at a time, with its downloads (every row)."""
    lang, flt = view.lang, view.flt
    st.subheader(t(title_key, lang))
    text = st.text_input(t("search", lang), key=f"{list_name}_search", placeholder=t("search_ph", lang))
    dropped = [t(key, lang) for key in drop]
    orgs, total = list_rows(engine, view, list_name, f"{list_name}_list", text)
    st.caption(t("rows_shown", lang, n=fmt.number(total, 0, lang)))
    table(frames.organisation_table(orgs, lang).drop(columns=dropped), lang, dates=[t("col_registered", lang)],
          height=420)

    def every_row() -> pd.DataFrame:
        return frames.organisation_table(searched_list(engine, flt, list_name, lang, text), lang).drop(columns=dropped)

    downloads(every_row, view, topic, key=f"{list_name}_dl", sheet=t(title_key, lang))
