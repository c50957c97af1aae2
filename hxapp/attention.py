"""Cần chỉ đạo on screen: hxcore's lists cached on the data version, drawn as links (the page) or
as the first lines of each list (the projector slide)."""

from __future__ import annotations

import streamlit as st

from hxapp import data
from hxapp.view import View
from hxapp.widgets import as_of_caption, table
from hxcore.engine.attention import Attention, needs_attention
from hxcore.model.filters import Filter
from hxcore.model.texts import t
from hxcore.present import attention as shown
from hxcore.present import fmt

SLIDE_LINES = 3  # lines of each list a slide has room for at 1024×768
PAGE_LINES = 20  # linked lines of each list on the page, the areas with most first


@st.cache_data(show_spinner=False, max_entries=50)
def _attention(_engine, version: str, flt: Filter) -> Attention:
    return needs_attention(_engine, flt)


def attention(engine, flt: Filter) -> Attention:
    """needs_attention(), cached on the filter and the data version."""
    return _attention(engine, data.version(engine), flt)


def link(line: shown.Line) -> None:
    """A line as a link to the page and filter that explain it (the filter named by code, as in a shared link)."""
    st.page_link(f"pages/{line.page}.py", label=line.text, query_params=line.params, icon=":material/arrow_forward:")
    if line.detail:
        st.caption(line.detail)


def page(engine, view: View) -> None:
    """Every list: its rule, its linked lines, and the rows behind them in a collapsed table."""
    lang = view.lang
    found = attention(engine, view.flt)
    st.markdown(f"**{shown.summary(found, lang)}**")
    for section in shown.sections(found, view.flt, lang):
        st.subheader(f"{section.title} ({fmt.number(len(section.table), 0, lang)})")
        st.caption(section.rule)
        for line in section.lines[:PAGE_LINES]:
            link(line)
        if len(section.lines) > PAGE_LINES:  # a country has hundreds of districts: the rest are in the table
            st.caption(t("attention_more", lang, n=fmt.number(len(section.lines) - PAGE_LINES, 0, lang)))
        if not section.table.empty:
            with st.expander(t("attention_rows", lang, n=fmt.number(len(section.table), 0, lang))):
                table(section.table, lang)
    as_of_caption(view)


def slide(engine, view: View) -> None:
    """The projector's "Cần chỉ đạo": the four lists two by two, each its count and first lines in short."""
    lang = view.lang
    found = attention(engine, view.flt)
    parts = shown.sections(found, view.flt, lang)
    for row in (parts[:2], parts[2:]):
        for column, section in zip(st.columns(2), row, strict=True):
            items = [f"- {line.short or line.text}" for line in section.lines[:SLIDE_LINES]]
            if len(section.lines) > SLIDE_LINES:
                items.append(f"- {t('attention_more', lang, n=len(section.lines) - SLIDE_LINES)}")
            column.markdown(f"### {section.title}: {fmt.number(len(section.table), 0, lang)}\n\n" + "\n".join(items))
