"""Drawing helpers every page shares: KPI cards, "as of" captions, charts, tables and downloads,
and the sections several pages draw alike (breakdown bars, trend, heat map, organisation list).

They draw what hxcore.present.frames has written; none computes a figure or formats a number.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hxapp import artefacts, data
from hxapp.view import View
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.texts import t
from hxcore.present import charts, export, fmt, frames


def chart(spec) -> None:
    """Draw an Altair chart with our own theme (Streamlit's would override the Vietnamese locale)."""
    st.altair_chart(spec, width="stretch", theme=None)
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


def page_of(frame: pd.DataFrame, key: str, lang: str) -> pd.DataFrame:
    """The rows of a long table one page at a time, with the page choice and where the page is:
    only the page is formatted and sent, so a page costs the same for 400 rows or 54.000."""
    pages = -(-len(frame) // PAGE_ROWS)
    if pages <= 1:
        return frame
    # The page count is part of the key: a shorter list (a search) starts again at page 1.
    page = int(st.number_input(t("table_page", lang), min_value=1, max_value=pages, value=1, step=1,
                               key=f"{key}_page_{pages}"))
    first = (page - 1) * PAGE_ROWS
    shown = frame.iloc[first:first + PAGE_ROWS]
    st.caption(t("table_page_rows", lang, first=fmt.number(first + 1, 0, lang), last=fmt.number(first + len(shown), 0, lang),
                 n=fmt.number(len(frame), 0, lang), page=page, pages=pages))
    return shown


def downloads(frame: pd.DataFrame, view: View, topic: str, key: str, sheet: str | None = None,
              codes=None) -> None:
    """CSV (UTF-8 with BOM, ',' or ';') and .xlsx buttons for `frame`, named after the filter.

    The files are made when a button is clicked (Streamlit calls `data` then, on its own thread),
    not on every run of the page: a national list's workbook takes seconds to write.
    """
    lang = view.lang
    c1, c2, c3 = st.columns([2, 1, 1])
    sep = c1.radio(t("csv_sep", lang), [";", ","], format_func=lambda s: t("sep_semicolon" if s == ";" else
                                                                           "sep_comma", lang),
                   horizontal=True, key=f"{key}_sep")
    version = data.version(data.get_engine())  # in the file names and the filter sheet
    name = export.file_name(topic, view.flt, view.district_names, "csv", version)
    c2.download_button(t("download_csv", lang), lambda: export.csv_bytes(frame, sep), file_name=name,
                       mime=export.CSV_MIME, key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    about = frames.about_rows(view.flt, view.district_names, lang, topic, version)

    def workbook() -> bytes:
        sheets = [(sheet or topic, frame)]
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
        chart(charts.sector_bar_chart(frame, lang=lang))
    else:
        chart(charts.ranking_chart(frame, label="name", value="value", text="text", lang=lang))


def trend_section(engine, view: View, code: str, granularity: str = "half", target: float | None = None,
                  caption: str | None = None) -> None:
    """One indicator over the periods up to the filter's, with its target as a red line."""
    trend = frames.trend_frame(data.trend_frame(engine, view.flt, code, granularity), code, view.lang)
    if not trend.empty:
        chart(charts.trend_chart(trend, target=target, target_text=frames.target_line(target, code, view.lang),
                                 lang=view.lang, decimals=INDICATORS_BY_CODE[code].decimals))
    as_of_caption(view, caption)


def heatmap_section(engine, view: View, code: str, org_type: str, title_key: str) -> None:
    """A district × sector heat map of one count, with its caption."""
    st.subheader(t(title_key, view.lang))
    heat = data.heat_cells(engine, view.flt, code, org_type, view.lang)
    if not heat.empty:
        chart(charts.heatmap_chart(heat, lang=view.lang))
    as_of_caption(view)


def organisation_section(engine, view: View, list_name: str, title_key: str, topic: str,
                         drop: tuple[str, ...] = ()) -> None:
    """The searchable list of organisations behind the figures, with its downloads."""
    lang = view.lang
    st.subheader(t(title_key, lang))
    orgs = data.list_frame(engine, list_name, view.flt, lang)
    text = st.text_input(t("search", lang), key=f"{list_name}_search", placeholder=t("search_ph", lang))
    orgs = frames.search(orgs, ["name", "commune_name", "district_name"], text)
    listed = frames.organisation_table(orgs, lang).drop(columns=[t(key, lang) for key in drop])
    st.caption(t("rows_shown", lang, n=fmt.number(len(listed), 0, lang)))
    table(page_of(listed, f"{list_name}_list", lang), lang, dates=[t("col_registered", lang)], height=420)
    downloads(listed, view, topic, key=f"{list_name}_dl", sheet=t(title_key, lang))
