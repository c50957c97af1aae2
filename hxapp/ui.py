"""The Streamlit seam: the one hxcore module that imports Streamlit.

Engine and caches, the shared sidebar (filters bound to the URL), and small drawing helpers
(KPI cards, "as of" captions, downloads). Pages call these and hxcore; they never touch SQL.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import select

from hxcore.db import schema
from hxcore.engine import lists
from hxcore.engine.attainment import gap_by_district, target_table
from hxcore.engine.compute import available_periods, district_choices, evaluate, province_choices
from hxcore.io.demo import ensure_demo
from hxcore.model import vocab
from hxcore.model.areas import AmbiguousName, fold, match_area
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.filters import Filter
from hxcore.model.periods import COMPARISON_LABELS, Comparison, Period, PeriodKind
from hxcore.model.targets import STATUS_LABELS, STATUS_LABELS_EN
from hxcore.model.texts import EXPORT_COLUMNS, t
from hxcore.model.vocab import SECTOR_CODES, SECTORS, OrgType, sector_label, sectors_of
from hxcore.present import charts, export, fmt

# URL parameter names: part of every shared link, so never rename them.
K_LANG, K_PERIOD, K_DISTRICTS, K_SECTORS, K_COMPARE, K_PRESENT = "lang", "period", "district", "sector", "compare", "present"
K_PROVINCE = "province"
BOUND_KEYS = (K_PROVINCE, K_PERIOD, K_DISTRICTS, K_SECTORS, K_COMPARE)
DEFAULT_PERIOD = "2023-H1"  # the period of the report the tool reproduces
COMPARISON_LABELS_EN = {Comparison.PREVIOUS_YEAR_END: "Previous year end",
                        Comparison.SAME_PERIOD_LAST_YEAR: "Same period last year"}
LANG_OPTIONS = {"VI": "vi", "EN": "en"}
PRESENT_MODE = "hx_present_mode"  # session key: is the app on the projector


# ---------------------------------------------------------------------------------------------
# Engine and caches


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


@st.cache_resource(show_spinner=False)
def _engine_for(url: str):
    engine = _configured_connection() or schema.make_engine(url)

    ensure_demo(engine)
    return engine


def get_engine():
    """One engine per database URL for the whole server (HX_DATABASE_URL or data/hx.sqlite)."""
    return _engine_for(schema.database_url())


@st.cache_data(ttl=30, show_spinner=False)
def data_version(_engine, url: str) -> str:
    return schema.data_version(_engine)


def version(engine) -> str:
    return data_version(engine, str(engine.url))


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
def _targets(_engine, version: str, flt: Filter) -> pd.DataFrame:
    return target_table(_engine, flt)


def targets_frame(engine, flt: Filter) -> pd.DataFrame:
    return _targets(engine, version(engine), flt).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _gap(_engine, version: str, flt: Filter, code: str, sector: str | None) -> pd.DataFrame:
    return gap_by_district(_engine, flt, code, sector)


def gap_frame(engine, flt: Filter, code: str, sector: str | None = None) -> pd.DataFrame:
    return _gap(engine, version(engine), flt, code, sector).copy()


@st.cache_data(show_spinner=False, max_entries=200)
def _list(_engine, version: str, name: str, flt: Filter) -> pd.DataFrame:
    return lists.LISTS[name](_engine, flt)


def list_frame(engine, name: str, flt: Filter) -> pd.DataFrame:
    """A unit-level list from hxcore.lists: coops, groups, projects, loans, training; its labels
    in the page's language (hxcore.lists writes the report's Vietnamese)."""
    frame = _list(engine, version(engine), name, flt).copy()
    view = st.session_state.get("hx_view")
    if view is not None and view.lang == "en" and not frame.empty:

        english = {"status_label": ("status", vocab.PROJECT_STATUS_LABELS_EN if name == "projects"
                                    else vocab.STATUS_LABELS_EN),
                   "rating_label": ("rating", vocab.RATING_LABELS_EN),
                   "scheme_label": ("scheme", vocab.SCHEME_LABELS_EN),
                   "kind_label": ("kind", vocab.TRAINING_LABELS_EN),
                   "sector_label": ("sector_code", {sector.code: sector.label_en for sector in vocab.SECTORS
                                                    if (sector.org_type == "group") == (name == "groups")})}
        for label, (code, labels) in english.items():
            if label in frame.columns and code in frame.columns:
                frame[label] = frame[code].map(lambda c, m=labels: m.get(c, c) if isinstance(c, str) else None)
    return frame


@st.cache_data(show_spinner=False)
def _choices(_engine, version: str):
    return available_periods(_engine), district_choices(_engine), province_choices(_engine)


def choices(engine) -> tuple[list[str], list[tuple[str, str]]]:
    periods, districts, _ = _choices(engine, version(engine))
    return periods, districts


def provinces(engine) -> list[tuple[str, str]]:
    """(code, name) of the provinces: a province filter appears when there is more than one."""
    return _choices(engine, version(engine))[2]


@st.cache_data(show_spinner=False)
def _meta(_engine, version: str) -> dict[str, str]:
    with _engine.connect() as connection:
        return dict(connection.execute(select(schema.meta.c.key, schema.meta.c.value)).all())


def meta(engine) -> dict[str, str]:
    return _meta(engine, version(engine))


# ---------------------------------------------------------------------------------------------
# Sidebar


@dataclass(frozen=True)
class View:
    """What every page receives: the filter, the language and whether we are on the projector."""

    flt: Filter
    lang: str
    presentation: bool
    district_names: dict

    @property
    def period(self) -> Period:
        return self.flt.parsed_period

    @property
    def status_labels(self) -> dict[str, str]:
        return {str(k): v for k, v in (STATUS_LABELS_EN if self.lang == "en" else STATUS_LABELS).items()}


def _period_options(periods: list[str]) -> list[str]:
    # The database's periods plus years before it, so "no data" periods can be asked for.
    extra = [p for p in ("2020-H1",) if p not in periods]
    return periods + extra


def _labels(lang: str, periods, districts):
    period_label = {p: Period.parse(p).label(lang) for p in periods}
    comparison_label = COMPARISON_LABELS_EN if lang == "en" else COMPARISON_LABELS
    return period_label, dict(districts), {c: sector_label(c, lang) for c in SECTOR_CODES}, comparison_label


def _check_url(lang: str, period_label, district_label, sector_label_, comparison_label) -> list[str]:
    """Query parameters that name nothing: reported once, visibly, instead of silently dropped."""
    valid = {
        K_PERIOD: set(period_label.values()),
        K_DISTRICTS: set(district_label.values()),
        K_SECTORS: set(sector_label_.values()),
        K_COMPARE: {str(v) for v in comparison_label.values()},
        K_LANG: set(LANG_OPTIONS),
        K_PRESENT: {"1", "0", "true", "false"},
    }
    bad = []
    for key, allowed in valid.items():
        for value in st.query_params.get_all(key):
            if value and value not in allowed:
                bad.append(f"{key}={value}")
    return bad


def _codes_to_labels(lang: str, period_label, district_label, sector_label_, comparison_label) -> None:
    """Links may name things by code, as the CLI and CSV files do (period=2023-H1, district=tam-duong
    or 106, sector=agriculture), or by the other language's labels: turn them into the labels the
    bound widgets read. Runs before the widgets bind the URL, while it may still be rewritten."""

    def period(value):
        try:
            code = Period.parse(value).code
        except ValueError:
            return None
        return period_label.get(code)

    def district(value):
        try:
            code = match_area(value, list(district_label.items()))
        except AmbiguousName:
            return None
        return district_label.get(code) if code else None

    def sector(value):
        code = value.strip().lower().replace("-", "_")
        if code not in sector_label_:
            other = "en" if lang == "vi" else "vi"
            code = next((c for c in sector_label_ if sector_label(c, other) == value), None)
        return sector_label_.get(code) if code else None

    def comparison(value):
        return comparison_label.get(value) or next(
            (comparison_label[c] for c, text in {**COMPARISON_LABELS, **COMPARISON_LABELS_EN}.items()
             if text == value), None)

    translators = {K_PERIOD: (period, set(period_label.values())), K_DISTRICTS: (district, set(district_label.values())),
                   K_SECTORS: (sector, set(sector_label_.values())), K_COMPARE: (comparison, set(comparison_label.values()))}
    changed = False
    for key, (translate, labels) in translators.items():
        values = st.query_params.get_all(key)
        if not values or all(v in labels for v in values):
            continue
        fixed = [v if v in labels else (translate(v) or v) for v in values]
        if fixed == values:
            continue  # nothing recognisable: the invalid-link notice will say so
        try:
            st.query_params[key] = fixed if key in (K_DISTRICTS, K_SECTORS) else fixed[0]
        except Exception:  # noqa: BLE001 - already bound to a widget: leave it to the invalid-link notice
            return
        changed = True
    if changed:
        st.rerun()  # the widgets bind to the URL as it now reads


def _reset(defaults: dict) -> None:
    for key, value in defaults.items():
        st.session_state[key] = value
    st.session_state["hx_bad_params"] = []
    st.session_state["hx_reset"] = True


def finish_reset(page) -> None:
    """After "Đặt lại bộ lọc": reload the page with a clean URL (bound parameters cannot be deleted
    from code, only replaced by navigating), keeping the language."""
    if st.session_state.pop("hx_reset", False):
        lang = st.session_state.get(K_LANG, "VI")
        st.switch_page(page, query_params={K_LANG: lang} if lang != "VI" else {})


def sidebar_filters() -> View:
    """Draw the shared sidebar and return the View. Every widget is bound to the URL."""
    engine = get_engine()
    periods, districts = choices(engine)
    lang = url_lang()
    period_options = _period_options(periods)
    period_label, district_label, sector_label_, comparison_label = _labels(lang, period_options, districts)
    _codes_to_labels(lang, period_label, district_label, sector_label_, comparison_label)

    bad = _check_url(lang, period_label, district_label, sector_label_, comparison_label)
    if bad:
        st.session_state["hx_bad_params"] = bad
    present_param = st.query_params.get(K_PRESENT)
    if PRESENT_MODE not in st.session_state:
        st.session_state[PRESENT_MODE] = present_param in ("1", "true")

    default_period = DEFAULT_PERIOD if DEFAULT_PERIOD in period_options else (periods[0] if periods else "2023-H1")
    defaults = {K_PROVINCE: None, K_PERIOD: default_period, K_DISTRICTS: [], K_SECTORS: [],
                K_COMPARE: Comparison.PREVIOUS_YEAR_END}

    with st.sidebar:
        st.markdown(f"### {t('filters', lang)}")
        choice = st.segmented_control(t("language", lang), list(LANG_OPTIONS), default="VI", key=K_LANG,
                                      bind="query-params", persist_state="session", required=True)
        lang = LANG_OPTIONS.get(choice or "VI", "vi")
        period_label, district_label, sector_label_, comparison_label = _labels(lang, period_options, districts)
        period = st.selectbox(t("period", lang), period_options, index=period_options.index(default_period),
                              format_func=lambda p: period_label[p], key=K_PERIOD, bind="query-params",
                              persist_state="session", placeholder=t("period_ph", lang))
        province = None
        all_provinces = provinces(engine)
        if len(all_provinces) > 1:  # a national database: choose the province first
            names = dict(all_provinces)
            province = st.selectbox(t("province", lang), [c for c, _ in all_provinces], index=None,
                                    format_func=lambda c: names.get(c, c), key=K_PROVINCE, bind="query-params",
                                    persist_state="session", placeholder=t("whole_country", lang))
            districts = _districts_in(engine, version(engine), province) if province else []
            district_label = dict(districts)
        chosen_districts = st.multiselect(t("districts", lang), [c for c, _ in districts],
                                          format_func=lambda c: district_label.get(c, c), key=K_DISTRICTS,
                                          bind="query-params", persist_state="session",
                                          placeholder=t("districts_ph", lang))
        chosen_sectors = st.multiselect(t("sectors", lang), list(SECTOR_CODES),
                                        format_func=lambda c: sector_label_.get(c, c), key=K_SECTORS,
                                        bind="query-params", persist_state="session",
                                        placeholder=t("sectors_ph", lang))
        comparison = st.radio(t("comparison", lang), list(Comparison), format_func=lambda c: comparison_label[c],
                              key=K_COMPARE, bind="query-params", persist_state="session")
        # The mode lives in its own session key, not in the toggle's widget state: the toggle sits
        # in the hidden sidebar during a presentation, and an unmounted widget loses its value.
        st.toggle(t("present", lang), value=st.session_state[PRESENT_MODE], key="hx_present",
                  on_change=_toggle_present)
        presentation = st.session_state[PRESENT_MODE]
        st.button(t("reset", lang), on_click=_reset, args=(defaults,), icon=":material/restart_alt:",
                  width="stretch")
        st.caption(t("app_subtitle", lang))

    if st.session_state.get("hx_bad_params"):
        st.warning(t("bad_param", lang, items=", ".join(st.session_state["hx_bad_params"])), icon="⚠️")
    flt = Filter(period=period or default_period, province=province,
                 districts=tuple(c for c in (chosen_districts or ()) if c in district_label),
                 sectors=tuple(chosen_sectors or ()), comparison=Comparison(comparison or Comparison.PREVIOUS_YEAR_END))
    return View(flt=flt, lang=lang, presentation=bool(presentation), district_names=dict(districts))


def _toggle_present() -> None:
    st.session_state[PRESENT_MODE] = bool(st.session_state.get("hx_present"))
    _sync_present()


@st.cache_data(show_spinner=False)
def _districts_in(_engine, version: str, province: str) -> list[tuple[str, str]]:
    return district_choices(_engine, province)


def _sync_present() -> None:
    # Not a bound widget: the URL says present=1, which a bound toggle would not accept.
    if st.session_state.get(PRESENT_MODE):
        st.query_params[K_PRESENT] = "1"
    elif K_PRESENT in st.query_params:
        del st.query_params[K_PRESENT]


def leave_presentation() -> None:
    st.session_state[PRESENT_MODE] = False
    _sync_present()


# ---------------------------------------------------------------------------------------------
# Frame helpers


def demo_banner(lang: str) -> None:
    info = meta(get_engine())
    if info.get("demo") == "true":
        note = info.get("demo_note", "")
        if note.startswith(t("demo_notice", "vi")) and lang == "vi":
            head, _, rest = note.partition(":")
            st.info(f"**{head}:** {rest.strip()}", icon="ℹ️")
        else:
            st.info(f"**{t('demo_notice', lang)}.** {note}", icon="ℹ️")


def filter_text(view: View) -> str:
    """'Huyện Tam Đường · Nông, lâm nghiệp, thủy sản': what the figures cover."""
    where = ", ".join(view.district_names.get(c, c) for c in view.flt.districts) or t("whole_province", view.lang)
    what = ", ".join(sector_label(c, view.lang) for c in view.flt.sectors) or t("all_sectors", view.lang)
    return f"{where} · {what}"


def as_of_caption(view: View, extra: str | None = None) -> None:
    """'Số liệu đến 30/6/2023 · Toàn tỉnh · tất cả lĩnh vực': under every chart, table and download."""
    text = t("as_of", view.lang, day=fmt.day(view.period.end, view.lang)) + " · " + filter_text(view)
    st.caption(text + (f" · {extra}" if extra else ""))


def page_header(view: View, title_key: str) -> None:
    st.title(t(title_key, view.lang))
    st.markdown(f"**{view.period.label(view.lang)}** · {filter_text(view)}")


def has_data(engine, view: View) -> bool:
    periods, _ = choices(engine)
    if view.flt.period in periods:
        return True
    shown = ", ".join(Period.parse(p).label(view.lang) for p in periods[:6])
    st.warning(t("no_data", view.lang, period=view.period.label(view.lang), periods=shown + ", …"), icon="⚠️")
    return False


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def value_text(row, lang: str) -> str:
    ind = INDICATORS_BY_CODE[row["indicator"]]
    return fmt.indicator_value(row["value"], ind.unit, ind.decimals, lang)


def change_text(row, lang: str) -> tuple[str | None, str, str]:
    """("+7 so với năm 2022", arrow, colour): a figure's change against its comparison period."""
    ind = INDICATORS_BY_CODE[row["indicator"]]
    change = row.get("change")
    if _missing(change) or _missing(row.get("previous_value")):
        return None, "off", "gray"
    previous = Period.parse(row["previous_period"]).label(lang)
    previous = previous[0].lower() + previous[1:] if lang == "vi" else previous  # mid-sentence
    suffix = " điểm %" if ind.unit == "%" and lang == "vi" else (" pts" if ind.unit == "%" else "")
    delta = f"{fmt.signed(change, max(ind.decimals, 1 if ind.unit == '%' else 0), lang)}{suffix} " + t(
        "vs", lang, period=previous)
    rounded = round(float(change), max(ind.decimals, 1))
    if not rounded:
        return delta, "off", "gray"
    good = (rounded > 0) == ind.higher_is_better
    return delta, "up" if rounded > 0 else "down", "green" if good else "red"


def kpi(container, row, view: View, note: str | None = None) -> None:
    """A KPI card: the figure with its unit, its change against the comparison period, the ratio behind it."""
    ind = INDICATORS_BY_CODE[row["indicator"]]
    lang = view.lang
    label = ind.label_vi if lang == "vi" else ind.label_en
    if not row.get("applicable", True):
        container.metric(label, "–", help=t("not_applicable", lang), border=True)
        return
    value = value_text(row, lang)
    if ind.unit != "%":
        value = f"{value} {ind.unit}" if len(ind.unit) <= 12 else value
    delta, arrow, colour = change_text(row, lang)
    ratio = fmt.ratio_note(row.get("numerator"), row.get("denominator"), lang) if ind.unit == "%" else ""
    help_text = ind.definition or None
    if ind.unit != "%" and len(ind.unit) > 12:
        note = (note + " · " if note else "") + ind.unit
    if ratio:
        note = (note + " · " if note else "") + ratio
    container.metric(label, value, delta=delta, delta_color=colour, delta_arrow=arrow, help=help_text, border=True,
                     delta_description=None)
    if note:
        container.caption(note)


def kpi_row(frame: pd.DataFrame, codes: list[str], view: View, columns: int = 4) -> None:
    rows = frame.set_index("indicator")
    cols = st.columns(columns)
    for index, code in enumerate(codes):
        if code not in rows.index:
            continue
        row = rows.loc[code].to_dict()
        row["indicator"] = code
        kpi(cols[index % columns], row, view)


def status_label(status, lang: str) -> str:
    labels = STATUS_LABELS_EN if lang == "en" else STATUS_LABELS
    return labels.get(status, "") if isinstance(status, str) else ""


def downloads(frame: pd.DataFrame, view: View, topic: str, key: str, sheet: str | None = None,
              codes=None) -> None:
    """CSV (UTF-8 with BOM, ',' or ';') and .xlsx buttons for `frame`, named after the filter."""
    lang = view.lang
    c1, c2, c3 = st.columns([2, 1, 1])
    sep = c1.radio(t("csv_sep", lang), [";", ","], format_func=lambda s: t("sep_semicolon" if s == ";" else
                                                                           "sep_comma", lang),
                   horizontal=True, key=f"{key}_sep")
    name = export.file_name(topic, view.flt, view.district_names, "csv")
    c2.download_button(t("download_csv", lang), export.csv_bytes(frame, sep), file_name=name, mime=export.CSV_MIME,
                       key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    about = about_rows(view, topic)
    sheets = [(sheet or topic, frame)]
    definitions = export.definitions_frame(codes, lang)
    if codes is not None and not definitions.empty:
        sheets.append((t("definitions", lang), definitions))
    c3.download_button(t("download_xlsx", lang),
                       export.xlsx_bytes(sheets, about, about_title=t("filters", lang)),
                       file_name=export.file_name(topic, view.flt, view.district_names, "xlsx"),
                       mime=export.XLSX_MIME, key=f"{key}_xlsx", icon=":material/table_view:", on_click="ignore")
    as_of_caption(view, name)


def about_rows(view: View, topic: str) -> list[tuple[str, str]]:
    lang = view.lang
    comparison = (COMPARISON_LABELS_EN if lang == "en" else COMPARISON_LABELS)[view.flt.comparison]
    return [
        (t("app_title", lang), topic),
        (t("period", lang), view.period.label(lang)),
        (t("as_of", lang, day="").strip(), fmt.day(view.period.end, lang)),
        (t("districts", lang), filter_text(view).split(" · ")[0]),
        (t("sectors", lang), filter_text(view).split(" · ")[1]),
        (t("comparison", lang), comparison),
        (t("source", lang), ""),
    ]


PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"]
  { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 1rem !important; max-width: 100% !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 22px !important; color: #000 !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 64px !important; color: #000 !important;
  line-height: 1.15 !important; white-space: normal !important; }
[data-testid="stMetricLabel"] p { font-size: 26px !important; color: #000 !important; white-space: normal !important; }
[data-testid="stMetricDelta"] { font-size: 24px !important; }
button p { font-size: 22px !important; }
h1 { font-size: 44px !important; color: #000 !important; }
</style>
"""


def presentation_css() -> None:
    st.html(PRESENT_CSS)


# A projector at 1024×768 leaves about 560 px beside the sidebar: four KPI cards in a row would
# cut their figures ("1.05…"). Below 1200 px, rows of columns wrap two by two, and a figure that
# still does not fit wraps instead of being cut.
RESPONSIVE_CSS = """
<style>
@media (max-width: 1200px) {
  div[data-testid="stHorizontalBlock"] { flex-wrap: wrap; row-gap: 1rem; }
  div[data-testid="stHorizontalBlock"] > div[data-testid="stColumn"] {
    min-width: calc(50% - 1rem) !important; flex: 1 1 calc(50% - 1rem) !important; }
}
div[data-testid="stMetricValue"] *, div[data-testid="stMetricLabel"] *, div[data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
@media (max-width: 1200px) { div[data-testid="stMetricValue"] { font-size: 1.9rem !important; } }
</style>
"""


def responsive_css() -> None:
    st.html(RESPONSIVE_CSS)


WANTED_PAGE = "hx_wanted_page"


def current() -> View:
    """The View app.py computed for this run.

    A link straight to a page, opened first after the server starts, is run by Streamlit's old
    `pages/` routing, without app.py (st.navigation has not been seen yet): go through app.py,
    which registers the navigation and then opens the page asked for, with the link's filters.
    """
    if "hx_view" not in st.session_state:

        caller = Path(inspect.stack()[1].filename)
        st.session_state[WANTED_PAGE] = f"{caller.parent.name}/{caller.name}"
        st.switch_page("app.py", query_params={k: st.query_params.get_all(k) for k in st.query_params})
    return st.session_state["hx_view"]


def open_wanted_page(pages: list) -> None:
    """The page a deep link asked for (see current()), once app.py has registered the navigation.

    Called before the sidebar binds its widgets to the URL: the link's filters go along."""
    wanted = st.session_state.pop(WANTED_PAGE, None)
    if not wanted:
        return
    st.navigation(pages)
    for page in pages:
        if page.url_path == wanted.rsplit("/", 1)[-1].removesuffix(".py"):
            st.switch_page(page, query_params={k: st.query_params.get_all(k) for k in st.query_params})


def url_lang() -> str:
    """The language asked for in the URL (or this session), before the sidebar is drawn."""
    raw = st.query_params.get(K_LANG, st.session_state.get(K_LANG, "VI"))
    return LANG_OPTIONS.get(str(raw).upper(), "vi")


def trend_frame(engine, view: View, code: str, kind: str = "half") -> pd.DataFrame:
    """One row per period of `kind` the database covers, oldest first: the indicator under the filter."""

    periods, _ = choices(engine)
    wanted = {"half": PeriodKind.HALF, "year": PeriodKind.YEAR, "quarter": PeriodKind.QUARTER}[kind]
    chosen = sorted((Period.parse(p) for p in periods
                     if Period.parse(p).kind == wanted and Period.parse(p).end <= view.period.end), key=lambda p: p.end)
    ind = INDICATORS_BY_CODE[code]
    rows = []
    for p in chosen:
        frame = indicators_frame(engine, replace(view.flt, period=p.code), [code], compare=False, with_targets=False)
        value = frame.iloc[0]["value"]
        if _missing(value):
            continue
        rows.append({"period": p.code, "period_label": p.label(view.lang), "end": p.end.isoformat(),
                     "value": float(value), "text": fmt.indicator_value(value, ind.unit, ind.decimals, view.lang)})
    return pd.DataFrame(rows, columns=["period", "period_label", "end", "value", "text"])


def indicator_label(code: str, lang: str) -> str:
    ind = INDICATORS_BY_CODE[code]
    return ind.label_vi if lang == "vi" else ind.label_en


def chart(spec) -> None:
    """Draw an Altair chart with our own theme (Streamlit's would override the Vietnamese locale)."""
    st.altair_chart(spec, width="stretch", theme=None)


def state_frame(frame: pd.DataFrame, category: str, lang: str) -> pd.DataFrame:
    """evaluate(by=...) rows of coops_operating / coops_inactive -> the stacked chart's long table."""
    states = {"coops_operating": "operating", "coops_inactive": "stopped"}
    part = frame[frame["indicator"].isin(states)].copy()
    part["state"] = part["indicator"].map(states)
    part["state_label"] = part["state"].map(lambda s: t(s, lang))
    part["count"] = part["value"].fillna(0)
    part["count_text"] = part["count"].map(lambda v: fmt.number(v, 0, lang))
    part[category] = part[category].fillna("")
    return part[[category, "state", "state_label", "count", "count_text"]]


def breakdown_labels(frame: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """Name each breakdown row in the page's language (sector labels differ for HTX and THT)."""
    frame = frame.copy()
    if by == "sector":

        org = {"coops": "coop", "groups": "group"}
        def name(row):
            group = INDICATORS_BY_CODE[row["indicator"]].group
            for s in SECTORS:
                if s.code == row["sector"] and s.org_type == org.get(group, "coop"):
                    return s.label_vi if lang == "vi" else s.label_en
            return sector_label(row["sector"], lang)
        frame["name"] = frame.apply(name, axis=1)
        frame["sector_label"] = frame["name"]
    else:
        frame["name"] = frame["district_name"]
    return frame


def heat_frame(engine, view: View, code: str, org_type: str) -> pd.DataFrame:
    """District × sector values of one indicator, one evaluate() per sector (each cached)."""

    rows = []
    for s in sectors_of(OrgType(org_type)):
        if view.flt.sectors and s.code not in view.flt.sectors:
            continue
        part = indicators_frame(engine, replace(view.flt, sectors=(s.code,)), [code], by="district", compare=False,
                                with_targets=False)
        for r in part.to_dict("records"):
            rows.append({"district_name": r["district_name"], "sector_label": s.label_vi if view.lang == "vi"
                         else s.label_en, "value": r["value"] or 0.0,
                         "text": fmt.number(r["value"], 0, view.lang)})
    return pd.DataFrame(rows, columns=["district_name", "sector_label", "value", "text"])


def organisation_table(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
    """lists.organisation_list() -> the table shown and downloaded, with Vietnamese headers."""
    yes, no = t("yes", lang), t("no", lang)
    out = pd.DataFrame({
        t("col_name", lang): frame["name"],
        t("col_district", lang): frame["district_name"],
        t("col_commune", lang): frame["commune_name"],
        t("col_sector", lang): frame["sector_label"],
        t("col_registered", lang): frame["registered_on"],
        t("col_org_status", lang): frame["status_label"],
        t("col_capital", lang): frame["charter_capital"],
        t("col_members", lang): frame["members"],
        t("col_workers", lang): frame["workers"],
        t("col_rating", lang): frame["rating_label"],
        t("col_alliance", lang): frame["alliance_member"].map({True: yes, False: no}),
    })
    config = {t("col_registered", lang): st.column_config.DateColumn(format="D/M/YYYY")}
    return out, config


def search_box(frame: pd.DataFrame, columns: list[str], lang: str, key: str) -> pd.DataFrame:
    text = st.text_input(t("search", lang), key=key, placeholder=t("search_ph", lang))
    if not text:
        return frame

    needle = fold(text)
    mask = frame[columns].fillna("").astype(str).apply(lambda col: col.map(fold).str.contains(needle, regex=False))
    return frame[mask.any(axis=1)]


def heatmap_section(engine, view: View, code: str, org_type: str, title_key: str) -> None:
    """A district × sector heat map of one count, with its caption."""

    st.subheader(t(title_key, view.lang))
    heat = heat_frame(engine, view, code, org_type)
    if not heat.empty:
        chart(charts.heatmap_chart(heat, lang=view.lang))
    as_of_caption(view)


def organisation_section(engine, view: View, list_name: str, title_key: str, topic: str,
                         drop: tuple[str, ...] = ()) -> None:
    """The searchable list of organisations behind the figures, with its downloads."""
    lang = view.lang
    st.subheader(t(title_key, lang))
    orgs = list_frame(engine, list_name, view.flt)
    orgs = search_box(orgs, ["name", "commune_name", "district_name"], lang, key=f"{list_name}_search")
    table, config = organisation_table(orgs, lang)
    table = table.drop(columns=[t(key, lang) for key in drop])
    st.caption(t("rows_shown", lang, n=fmt.number(len(table), 0, lang)))
    st.dataframe(shown(table, lang), hide_index=True, width="stretch", column_config=config, height=420)
    downloads(table, view, topic, key=f"{list_name}_dl", sheet=t(title_key, lang))


def shown_indicators(table: pd.DataFrame, codes: pd.Series, lang: str) -> pd.DataFrame:
    """The indicator table for the screen: each figure with its own indicator's decimals (416 HTX,
    36,8%, 4,4 triệu đồng), counts behind ratios whole, shares and attainments to one decimal."""

    out = table.copy()
    decimals = codes.map(lambda code: INDICATORS_BY_CODE[code].decimals).to_numpy()
    per_indicator = ("value", "previous_value", "change", "target", "expected")
    fixed = {"numerator": 0, "denominator": 0, "share": 1, "attainment": 1}
    for key, (vi, en) in EXPORT_COLUMNS.items():
        column = en if lang == "en" else vi
        if column not in out.columns:
            continue
        if key == "as_of":
            out[column] = out[column].map(lambda d: fmt.day(d, lang) if not _missing(d) else "")
        elif key == "change":
            out[column] = [fmt.signed(v, int(d), lang, missing="") for v, d in zip(out[column], decimals, strict=True)]
        elif key in per_indicator:
            out[column] = [fmt.number(v, int(d), lang, missing="") for v, d in zip(out[column], decimals, strict=True)]
        elif key in fixed:
            out[column] = out[column].map(lambda v, p=fixed[key]: fmt.number(v, p, lang, missing=""))
    return out.astype(object).where(out.notna(), "")  # blanks, not "None"


def shown(frame: pd.DataFrame, lang: str, decimals: dict | None = None) -> pd.DataFrame:
    """A copy for st.dataframe with numeric columns written the Vietnamese way (1.056.714);
    downloads keep the typed numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            places = (decimals or {}).get(column, 0)
            out[column] = out[column].map(lambda v, p=places: fmt.number(v, p, lang))
    return out
