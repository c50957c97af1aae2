"""The app's data: one engine per database (st.cache_resource) and hxcore's results cached with
st.cache_data, keyed by the filter and the data version (an import invalidates them at once).

Every function returns a copy a page may change; none writes SQL or computes a figure itself.
"""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hxcore.db import health, schema
from hxcore.engine import checks as validation
from hxcore.engine import frames, lists
from hxcore.engine.attainment import gap_by_district, target_table
from hxcore.engine.compute import available_periods, commune_choices, district_choices, evaluate, province_choices
from hxcore.engine.report_data import gather
from hxcore.io.demo import ensure_demo
from hxcore.io.upgrade import outdated, upgrade
from hxcore.model.areas import after_reform
from hxcore.model.filters import Filter
from hxcore.present import report_docx
from hxcore.present.frames import heat_frame as heat_cells_of
from hxcore.present.frames import list_labels
from hxcore.present.frames import shown as shown_of
from hxcore.present.report import Report, build

# ---------------------------------------------------------------------------------------------
# Engine and data version


def _configured_connection():
    """The engine of `[connections.hx]` in secrets.toml, when an office configured one."""
    try:
        if "connections" in st.secrets and "hx" in st.secrets["connections"]:
            return st.connection("hx", type="sql").engine
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a missing or unreadable secrets file means "not configured"
        return None
    return None


# What bringing each database to this version's schema did at the server's start (hxcore.io.upgrade):
# url -> (the message of a done upgrade, or None; the error of a failed one, or None; when, time.time()).
UPGRADES: dict[str, tuple[str | None, str | None, float]] = {}
UPGRADE_NOTICE_SECONDS = 3600  # how long every page says the database was upgraded, with its backup's path


def _upgraded(engine) -> None:
    """A database made by an earlier hx gets this version's columns before anything reads it (with
    a backup copy first); a failed upgrade changes nothing and is reported by unusable(), which tries
    again on every run (a lock held elsewhere, a disk full: fixed meanwhile, the next page works)."""
    url = health.shown_url(engine)
    try:
        if not outdated(engine):  # only reads; an unreachable database is health's to report, not ours
            UPGRADES.pop(url, None)
            return
    except SQLAlchemyError:
        return
    try:
        UPGRADES[url] = (upgrade(engine), None, time.time())
    except Exception as error:  # noqa: BLE001 - any failure is shown to the user; the database is as it was
        UPGRADES[url] = (None, health.error_line(error), time.time())


@st.cache_resource(show_spinner=False)
def _engine_for(url: str, bundled: bool):
    configured = _configured_connection()
    if configured is not None:
        _upgraded(configured)
        return configured
    engine = schema.make_engine(url)
    _upgraded(engine)
    if bundled:  # only the bundled data/hx.sqlite gets the demo on first start: a database an office
        ensure_demo(engine)  # chose is never filled with invented data (an empty one is reported, see unusable())
    return engine


def get_engine():
    """One engine per database URL for the whole server (HX_DATABASE_URL or data/hx.sqlite)."""
    return _engine_for(schema.database_url(), not os.environ.get(schema.DATABASE_URL_VARIABLE))


@dataclass(frozen=True)
class Unusable:
    """Why the database cannot be read: health's sentence (None when it cannot even be reached),
    the driver's error, where it is, and whether people's imports were in it."""

    problem: str | None
    detail: str
    url: str
    imports: int = 0
    backup: str | None = None
    upgrade_failed: bool = False  # made by an earlier hx, and bringing it to this version failed


def upgrade_notice(engine) -> str | None:
    """What the upgrade at the server's start did to this database (with its backup copy), if anything."""
    message, _, when = UPGRADES.get(health.shown_url(engine), (None, None, 0.0))
    return message if message and time.time() - when < UPGRADE_NOTICE_SECONDS else None


def unusable(engine) -> Unusable | None:
    """None when the database can be read; else what is wrong with it (checked on every run: a
    database built or emptied meanwhile is seen at once)."""
    if UPGRADES.get(health.shown_url(engine), (None, None, 0.0))[1]:
        _upgraded(engine)  # again: what made it fail may be gone
        failed = UPGRADES.get(health.shown_url(engine), (None, None, 0.0))[1]
        if failed:
            return Unusable(None, failed, health.shown_url(engine), upgrade_failed=True)
    try:
        problem = health.database_problem(engine)
        if problem is None:
            return None
        imports = health.import_count(engine)
        return Unusable(problem, "", health.shown_url(engine), imports, health.latest_backup(engine) if imports else None)
    except SQLAlchemyError as error:
        return Unusable(None, health.error_line(error), health.shown_url(engine))


@st.cache_data(ttl=30, show_spinner=False)
def data_version(_engine, url: str) -> str:
    return schema.data_version(_engine)


def version(engine) -> str:
    return data_version(engine, str(engine.url))


# ---------------------------------------------------------------------------------------------
# Figures


@st.cache_data(show_spinner=False, max_entries=500)
def _evaluate(_engine, version: str, flt: Filter, indicators: tuple | None, by: str | None, compare: bool,
              with_targets: bool) -> pd.DataFrame:
    return evaluate(_engine, flt, list(indicators) if indicators else None, by=by, compare=compare,
                    with_targets=with_targets)


def indicators_frame(engine, flt: Filter, indicators=None, by=None, compare=True, with_targets=True) -> pd.DataFrame:
    """evaluate(), cached on the filter and the data version."""
    codes = tuple(indicators) if indicators else None
    return _evaluate(engine, version(engine), flt, codes, by, compare, with_targets).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _trend(_engine, version: str, flt: Filter, code: str, granularity: str) -> pd.DataFrame:
    return frames.trend_frame(_engine, flt, code, granularity)


def trend_frame(engine, flt: Filter, code: str, granularity: str = "half") -> pd.DataFrame:
    """engine.frames.trend_frame(): one row per half-year, year or quarter up to the filter's period."""
    return _trend(engine, version(engine), flt, code, granularity).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _heat(_engine, version: str, flt: Filter, code: str, org_type: str) -> pd.DataFrame:
    return frames.heat_frame(_engine, flt, code, org_type)


def heat_frame(engine, flt: Filter, code: str, org_type: str) -> pd.DataFrame:
    """engine.frames.heat_frame(): district × sector values of one indicator."""
    return _heat(engine, version(engine), flt, code, org_type).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _heat_cells(_engine, version: str, flt: Filter, code: str, org_type: str, lang: str) -> pd.DataFrame:
    return heat_cells_of(_heat(_engine, version, flt, code, org_type), lang)


def heat_cells(engine, flt: Filter, code: str, org_type: str, lang: str) -> pd.DataFrame:
    """present.frames.heat_frame() of heat_frame(): the map's cells with their numbers written out
    (5.000 of them for the country: written once per data version, not on every rerun)."""
    return _heat_cells(engine, version(engine), flt, code, org_type, lang).copy()


def frame_key(frame: pd.DataFrame) -> bytes:
    """A frame argument's cache key: its labels, dtypes and index, then each column's values (numbers
    as their bytes, anything else as the repr of its list), each part prefixed by its length. Equal
    frames give equal keys however they were made (a pickle differs between a frame and its copy).
    Streamlit's own hash of a frame's values took 4 ms for a breakdown of 352 rows, this 1,5 ms, and
    a rerun hashes every chart's and table's frame again; above 50.000 rows Streamlit hashes a sample."""
    dtypes = [repr((str(dtype), getattr(dtype, "categories", None) is not None and dtype.categories.tolist(),
                    getattr(dtype, "ordered", None))) for dtype in frame.dtypes]
    parts = [repr((frame.columns.tolist(), frame.columns.names, dtypes, frame.index.tolist(), frame.index.names)).encode()]
    for _, column in frame.items():
        numeric = isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufmM"
        values = None if numeric else column.tolist()
        if numeric:
            parts.append(column.to_numpy().tobytes())
        elif all(value is None or isinstance(value, PLAIN) for value in values):
            parts.append(repr(values).encode())  # reprs of these tell any two values apart
        else:  # other objects (an array's repr is cut short): their pickle, equal only for equal values
            parts.append(pickle.dumps(values, protocol=5))
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


PLAIN = (str, int, float, bool, date, pd.Timestamp)  # values whose repr is exact


FRAME_KEYS = {pd.DataFrame: frame_key}  # hash_funcs of every cached function taking frames
HASHED_WHOLE = 50_000  # larger tables are written each time, not kept in the cache


@st.cache_data(show_spinner=False, max_entries=200, hash_funcs=FRAME_KEYS)
def _shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return shown_of(frame, lang)


def shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """present.frames.shown(): a table's numbers written out, cached on the table's content (a
    national breakdown has thousands of figures to write; a rerun should not write them again)."""
    return _shown(frame, lang).copy() if len(frame) < HASHED_WHOLE else shown_of(frame, lang)


@st.cache_data(show_spinner=False, max_entries=50)
def _checks(_engine, version: str, report: str | None, period: str | None) -> pd.DataFrame:
    return validation.check(_engine, report=report, period=period)


def checks_frame(engine, report: str | None = None, period: str | None = None) -> pd.DataFrame:
    """engine.checks.check(): the data checks of a published report or of a period, cached on the data version."""
    return _checks(engine, version(engine), report, period).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _targets(_engine, version: str, flt: Filter) -> pd.DataFrame:
    return target_table(_engine, flt)


def targets_frame(engine, flt: Filter) -> pd.DataFrame:
    return _targets(engine, version(engine), flt).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _gap(_engine, version: str, flt: Filter, code: str, sector: str | None, by: str) -> pd.DataFrame:
    return gap_by_district(_engine, flt, code, sector, by)


def gap_frame(engine, flt: Filter, code: str, sector: str | None = None) -> pd.DataFrame:
    """Each unit's share of a shortfall: districts until 30/6/2025, the 38 communes after."""
    by = "commune" if after_reform(flt.parsed_period.end) else "district"
    return _gap(engine, version(engine), flt, code, sector, by).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _list(_engine, version: str, name: str, flt: Filter) -> pd.DataFrame:
    return lists.LISTS[name](_engine, flt)


def list_frame(engine, name: str, flt: Filter, lang: str = "vi") -> pd.DataFrame:
    """A unit-level list from hxcore.engine.lists (coops, groups, projects, loans, training), its
    labels in the page's language."""
    return list_labels(_list(engine, version(engine), name, flt).copy(), name, lang)


@st.cache_data(show_spinner=False, max_entries=200)
def _list_page(_engine, version: str, name: str, flt: Filter, first: int, rows: int) -> pd.DataFrame:
    return lists.list_page(_engine, name, flt, first, rows)


def list_page(engine, name: str, flt: Filter, first: int, rows: int, lang: str = "vi") -> pd.DataFrame:
    """Rows first … first+rows-1 of a list, read alone (a country's list is never read whole to show a page)."""
    return list_labels(_list_page(engine, version(engine), name, flt, first, rows).copy(), name, lang)


@st.cache_data(show_spinner=False, max_entries=200)
def _list_length(_engine, version: str, name: str, flt: Filter) -> int:
    return lists.list_length(_engine, name, flt)


def list_length(engine, name: str, flt: Filter) -> int:
    return _list_length(engine, version(engine), name, flt)


@st.cache_data(show_spinner=False, max_entries=50)
def _report(_engine, version: str, flt: Filter) -> Report:
    return build(gather(_engine, flt))


def report(engine, flt: Filter) -> Report:
    """The report for the filter (present.report.build over engine.report_data.gather)."""
    return _report(engine, version(engine), flt)


@st.cache_data(show_spinner=False, max_entries=20)
def _report_document(_engine, version: str, flt: Filter) -> bytes:
    return report_docx.write(_report(_engine, version, flt))


def report_document(engine, flt: Filter) -> bytes:
    """The report's .docx bytes, written when asked for (a country's annex table takes seconds)."""
    return _report_document(engine, version(engine), flt)


# ---------------------------------------------------------------------------------------------
# Choices and metadata


# The sidebar's choices are shared by every session (st.cache_resource, tuples of (code, name)), not
# copied into each (st.cache_data unpickles a copy on every call): the country's ~11.800 district and
# commune names, held by each session's View and by its filter widgets' labels, were ~2–3 MB of
# strings per session, kept until Streamlit drops the session. Callers get a new list of the shared
# (immutable) tuples.
def _frozen(pairs) -> tuple[tuple[str, str], ...]:
    return tuple((code, name) for code, name in pairs)


@st.cache_resource(show_spinner=False, max_entries=8)  # one entry per data version: old versions are dropped
def _choices(_engine, version: str):
    return tuple(available_periods(_engine)), _frozen(district_choices(_engine)), _frozen(province_choices(_engine))


def choices(engine) -> tuple[list[str], list[tuple[str, str]]]:
    """The periods with data (newest first) and the (code, name) of the districts."""
    periods, districts, _ = _choices(engine, version(engine))
    return list(periods), list(districts)


def provinces(engine) -> list[tuple[str, str]]:
    """(code, name) of the provinces: a province filter appears when there is more than one."""
    return list(_choices(engine, version(engine))[2])


@st.cache_resource(show_spinner=False, max_entries=128)  # one entry per data version and province
def _districts_in(_engine, version: str, province: str) -> tuple[tuple[str, str], ...]:
    return _frozen(district_choices(_engine, province))


def districts_in(engine, province: str) -> list[tuple[str, str]]:
    return list(_districts_in(engine, version(engine), province))


@st.cache_resource(show_spinner=False, max_entries=64)
def _communes_at(_engine, version: str, day, province: str | None,
                 districts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return _frozen(commune_choices(_engine, day, province, districts))


def communes_at(engine, day, province: str | None = None, districts: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(code, name) of the communes valid on `day` (the 38 new ones of Lai Châu from 1/7/2025),
    within the chosen (former) districts."""
    return list(_communes_at(engine, version(engine), day, province, tuple(districts)))


@st.cache_data(show_spinner=False, max_entries=8)  # one entry per data version: old versions are dropped
def _meta(_engine, version: str) -> dict[str, str]:
    with _engine.connect() as connection:
        return dict(connection.execute(select(schema.meta.c.key, schema.meta.c.value)).all())


def meta(engine) -> dict[str, str]:
    return _meta(engine, version(engine))
