"""Streamlit side of the targets editor (pages/sua_chi_tieu.py): pick or add a resolution, its fields,
its targets in st.data_editor (or from a file), save, and the change log.

The checks and the write live in hxcore.io.targets_edit; this file keeps the editor's state in
st.session_state and draws the widgets.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from hxapp.auth import current_session
from hxcore.engine.compute import province_choices
from hxcore.engine.targets import resolutions, scope_province
from hxcore.io import targets_edit
from hxcore.io.auth import PermissionDenied
from hxcore.io.targets_edit import FIELD_TEXT, Resolution, TargetsRejected
from hxcore.model.catalog import INDICATORS
from hxcore.model.filters import Filter
from hxcore.model.targets import COMPARATORS
from hxcore.model.texts import t
from hxcore.model.vocab import SECTOR_CODES, sector_label
from hxcore.present.export import csv_bytes
from hxcore.present.frames import indicator_label

_PICK = "targets_edit_pick"
_GOTO = "targets_edit_goto"  # the resolution to open on the next run (one just created)
_FLASH = "targets_edit_flash"  # the result of the last save, shown once after the rerun
_GENERATION = "targets_edit_generation"  # bumped by every save: the table reloads from the database
NEW = ""  # the picker's value for a new resolution
ALL_SECTORS = "*"  # the sector cell of a province-wide target (the file's blank): a blank cell reads as "None"
EDITOR_COLUMNS = ("item", "indicator", "wording", "comparator", "value", "value_high", "sector", "year")


def pick_resolution(engine, lang: str) -> str:
    """The code of the resolution to edit, or NEW."""
    if _GOTO in st.session_state:
        st.session_state[_PICK] = st.session_state.pop(_GOTO)
    titles = {r["code"]: f"{r['code']} · {r['title']}" for r in resolutions(engine)}
    return st.selectbox(t("targets_edit_pick", lang), [NEW, *titles], key=_PICK, placeholder=t("targets_edit_pick", lang),
                        format_func=lambda code: titles.get(code, t("targets_edit_new", lang)))


def resolution_fields(engine, code: str, lang: str) -> Resolution:
    """The resolution's number, date, title, year and province as the editor typed them."""
    today = date.today()
    found = targets_edit.resolution_of(engine, code) if code else None
    start = found or Resolution("", "", today, today.year, scope_province(engine, Filter(f"{today.year}-H1")))
    provinces = dict(province_choices(engine))
    left, middle, right = st.columns([2, 1, 1])
    number = left.text_input(t("targets_edit_code", lang), start.code, max_chars=targets_edit.CODE_MAX,
                             help=t("targets_edit_code_help", lang), disabled=bool(found), key=f"te-code-{code}")
    adopted = middle.date_input(t("targets_edit_adopted", lang), start.adopted_on, format="DD/MM/YYYY", key=f"te-day-{code}")
    year = right.number_input(t("targets_edit_year", lang), 2000, 2100, start.year, step=1, key=f"te-year-{code}")
    title = st.text_input(t("targets_edit_name", lang), start.title, max_chars=targets_edit.TITLE_MAX, key=f"te-title-{code}")
    options = [None, *provinces]
    province = st.selectbox(t("targets_edit_province", lang), options, options.index(start.province_code)
                            if start.province_code in options else 0, key=f"te-prov-{code}",
                            format_func=lambda c: provinces.get(c, t("whole_country", lang)))
    return Resolution(number.strip(), title, adopted, int(year), province)


def starting_rows(engine, code: str, resolution: Resolution, lang: str) -> tuple[pd.DataFrame, str]:
    """The rows the table starts from (the database's, or a checked file's) and the table's widget key."""
    generation = st.session_state.get(_GENERATION, 0)
    rows = targets_edit.targets_of(engine, code) if code else targets_edit.typed(pd.DataFrame())
    upload = st.file_uploader(t("targets_edit_upload", lang), type=["csv", "xlsx"], key=f"te-file-{code}-{generation}")
    key = f"te-table-{code}-{generation}"
    if upload is None:
        return rows, key
    try:
        text = targets_edit.read_targets_upload(upload.getvalue(), upload.name)
        problems = targets_edit.row_problems(targets_edit.as_text(text, resolution.code), resolution.code)
    except TargetsRejected as error:
        problems = error.problems
    if problems:
        st.error(t("targets_edit_file_problems", lang, name=upload.name, n=len(problems)))
        show_problems(problems, lang)
        return rows, key
    st.info(t("targets_edit_loaded", lang, n=len(text), name=upload.name))
    return targets_edit.typed(text), f"{key}-{hashlib.sha256(upload.getvalue()).hexdigest()[:12]}"


def targets_table(rows: pd.DataFrame, key: str, year: int, lang: str) -> pd.DataFrame:
    """The targets as the editor leaves them (rows added and deleted), numbered from 1 as shown."""
    def label(column: str) -> str:
        return t(FIELD_TEXT[column], lang)

    def sector_name(code: str) -> str:
        return t("targets_edit_all_sectors", lang) if code == ALL_SECTORS else sector_label(code, lang)

    names = {i.code: indicator_label(i.code, lang) for i in INDICATORS}
    config = {
        "item": st.column_config.NumberColumn(label("item"), min_value=1, step=1, format="%d", required=True),
        "indicator": st.column_config.SelectboxColumn(label("indicator"), options=list(names), required=True,
                                                      format_func=names.get, width="medium"),
        "wording": st.column_config.TextColumn(label("wording"), width="large"),
        "comparator": st.column_config.SelectboxColumn(label("comparator"), options=list(COMPARATORS), default="min",
                                                       required=True, format_func=lambda c: t(f"comparator_{c}", lang)),
        "value": st.column_config.NumberColumn(label("value"), required=True),
        "value_high": st.column_config.NumberColumn(label("value_high")),
        "sector": st.column_config.SelectboxColumn(label("sector"), options=[ALL_SECTORS, *SECTOR_CODES],
                                                   default=ALL_SECTORS, required=True, format_func=sector_name),
        "year": st.column_config.NumberColumn(label("year"), min_value=2000, max_value=2100, step=1, format="%d",
                                              default=year, required=True),
    }
    st.subheader(t("targets_edit_table", lang))
    shown = rows.assign(sector=rows["sector"].replace("", ALL_SECTORS))
    edited = st.data_editor(shown, column_config=config, column_order=EDITOR_COLUMNS, num_rows="dynamic",
                            hide_index=True, key=key, width="stretch", placeholder="–")
    return edited.assign(sector=edited["sector"].replace(ALL_SECTORS, "")).reset_index(drop=True)


def show_problems(problems: list, lang: str) -> None:
    st.markdown("\n".join(f"- {p.text(lang)}" for p in problems))


def save_button(engine, resolution: Resolution, edited: pd.DataFrame, creating: bool, lang: str) -> None:
    """The save button, then what the last save did."""
    if st.button(t("targets_edit_save", lang), type="primary"):
        try:
            saved = targets_edit.save_targets(engine, resolution, edited, current_session(), creating=creating)
        except TargetsRejected as error:
            st.error(t("targets_edit_problems", lang, n=len(error.problems)))
            show_problems(error.problems, lang)
        except PermissionDenied as error:
            st.error(str(error))
        else:
            st.cache_data.clear()  # the data version moved too: every cached figure is keyed by it
            st.session_state[_FLASH] = (t("targets_edit_saved", lang, code=resolution.code, n=saved.audit_rows,
                                          added=saved.added,
                                          changed=saved.changed, deleted=saved.deleted) if saved.version
                                        else t("targets_edit_unchanged", lang))
            st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1
            st.session_state[_GOTO] = resolution.code
            st.rerun()
    if _FLASH in st.session_state:
        st.success(st.session_state.pop(_FLASH))


def _change_log_shown(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    def shown(column: str, value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if column == "indicator":
            return indicator_label(value, lang)
        return sector_label(value, lang) if column == "sector_code" else t(FIELD_TEXT[value], lang)

    return pd.DataFrame({
        t("audit_col_when", lang): log["changed_at"],
        t("audit_col_who", lang): log["user_name"],
        t("resolution", lang): log["resolution_code"],
        t("indicator", lang): [shown("indicator", v) for v in log["indicator"]],
        t("col_sector", lang): [shown("sector_code", v) for v in log["sector_code"]],
        t("targets_col_year", lang): [str(int(y)) if pd.notna(y) else "" for y in log["year"]],
        t("audit_col_action", lang): [t(f"audit_{a}", lang) for a in log["action"]],
        t("audit_col_field", lang): [shown("field", v) for v in log["field"]],
        t("audit_col_old", lang): log["old_value"].fillna(""),
        t("audit_col_new", lang): log["new_value"].fillna(""),
    })


def change_log_section(engine, lang: str) -> None:
    """Every change to any resolution's targets, newest first, and its download."""
    st.subheader(t("targets_edit_audit", lang))
    log = targets_edit.change_log(engine)
    if log.empty:
        st.caption(t("targets_edit_audit_empty", lang))
        return
    shown = _change_log_shown(log, lang)
    st.dataframe(shown, hide_index=True)  # typed values shown as data, never as Markdown
    st.download_button(t("targets_edit_audit_download", lang), csv_bytes(shown), "nhat-ky-chi-tieu.csv", mime="text/csv")
