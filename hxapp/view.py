"""What every page looks at: the View (filter, language, projector mode), chosen in the shared
sidebar whose widgets are bound to the URL, so a copied link reproduces the view.

Bound widgets write their *labels* into the URL ("period=6 tháng đầu năm 2023"); links may also
name things by code, as the CLI and CSV files do (period=2023-H1, district=tam-duong or 106,
sector=agriculture), or in the other language: those are turned into labels before binding.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

from hxapp import data
from hxcore.model.areas import WHOLE_AREA, AmbiguousName, after_reform, match_area
from hxcore.model.filters import Filter
from hxcore.model.labels import code_of
from hxcore.model.periods import COMPARISON_LABELS, Comparison, Period
from hxcore.model.texts import t
from hxcore.model.vocab import SECTOR_CODES, sector_label
from hxcore.present import fmt, frames

# URL parameter names: part of every shared link, so never rename them.
K_LANG, K_PERIOD, K_DISTRICTS, K_SECTORS, K_COMPARE, K_PRESENT = "lang", "period", "district", "sector", "compare", "present"
K_PROVINCE = "province"
K_AREA = "area"  # communes valid at the period's end: the 38 new ones of Lai Châu from 1/7/2025
MULTI_KEYS = (K_DISTRICTS, K_SECTORS, K_AREA)  # parameters that may repeat
DEFAULT_PERIOD = "2023-H1"  # the period of the report the tool reproduces
EXTRA_PERIODS = ("2020-H1",)  # offered although the database has none, so "no data" can be asked for
LANG_OPTIONS = {"VI": "vi", "EN": "en"}
PRESENT_VALUES = {"1", "0", "true", "false"}
# Session keys
VIEW_KEY = "hx_view"  # the View app.py computed for this run
PRESENT_MODE = "hx_present_mode"  # is the app on the projector
WANTED_PAGE = "hx_wanted_page"  # the page a deep link asked for
BAD_PARAMS = "hx_bad_params"
RESET_FLAG = "hx_reset"


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
        return frames.status_labels(self.lang)


def current() -> View:
    """The View app.py computed for this run.

    A link straight to a page, opened first after the server starts, is run by Streamlit's old
    `pages/` routing, without app.py (st.navigation has not been seen yet): go through app.py,
    which registers the navigation and then opens the page asked for, with the link's filters.
    """
    if VIEW_KEY not in st.session_state:
        caller = Path(inspect.stack()[1].filename)
        st.session_state[WANTED_PAGE] = f"{caller.parent.name}/{caller.name}"
        st.switch_page("app.py", query_params=_all_params())
    return st.session_state[VIEW_KEY]


def open_wanted_page(pages: list) -> None:
    """The page a deep link asked for (see current()), once app.py has registered the navigation.

    Called before the sidebar binds its widgets to the URL: the link's filters go along."""
    wanted = st.session_state.pop(WANTED_PAGE, None)
    if not wanted:
        return
    st.navigation(pages)
    for page in pages:
        if page.url_path == wanted.rsplit("/", 1)[-1].removesuffix(".py"):
            st.switch_page(page, query_params=_all_params())


def _all_params() -> dict:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def url_lang() -> str:
    """The language asked for in the URL (or this session), before the sidebar is drawn."""
    raw = st.query_params.get(K_LANG, st.session_state.get(K_LANG, "VI"))
    return LANG_OPTIONS.get(str(raw).upper(), "vi")


def page_lang() -> str:
    """The page's language: the View's, or the URL's for a page run on its own (the import page)."""
    shown = st.session_state.get(VIEW_KEY)
    return shown.lang if shown is not None else url_lang()


# ---------------------------------------------------------------------------------------------
# URL values <-> labels


@dataclass(frozen=True)
class Labels:
    """code -> label of each bound choice, in one language: what the URL carries."""

    lang: str
    period: dict
    district: dict
    sector: dict
    comparison: dict
    commune: dict
    day: date = field(default=date(2023, 6, 30))  # the chosen period's end: district labels depend on it

    def valid(self) -> dict[str, set[str]]:
        return {K_PERIOD: set(self.period.values()), K_DISTRICTS: set(self.district.values()),
                K_SECTORS: set(self.sector.values()), K_COMPARE: {str(v) for v in self.comparison.values()},
                K_AREA: set(self.commune.values())}


def labels_for(lang: str, periods: list[str], districts: list[tuple[str, str]],
               communes: list[tuple[str, str]] = ()) -> Labels:
    return Labels(lang, {p: Period.parse(p).label(lang) for p in periods}, dict(districts),
                  {c: sector_label(c, lang) for c in SECTOR_CODES}, frames.comparison_labels(lang), dict(communes))


def _period_from(value: str, labels: Labels) -> str | None:
    try:
        code = Period.parse(value).code
    except ValueError:
        return None
    return labels.period.get(code)


def _district_from(value: str, labels: Labels) -> str | None:
    try:
        code = match_area(value, list(labels.district.items()))
    except AmbiguousName:
        return None
    return labels.district.get(code) if code else None


def _commune_from(value: str, labels: Labels) -> str | None:
    try:
        code = match_area(value, list(labels.commune.items()))
    except AmbiguousName:
        return None
    return labels.commune.get(code) if code else None


def _sector_from(value: str, labels: Labels) -> str | None:
    code = value.strip().lower().replace("-", "_")
    if code not in labels.sector:
        other = "en" if labels.lang == "vi" else "vi"
        code = next((c for c in labels.sector if sector_label(c, other) == value), None)
    return labels.sector.get(code) if code else None


def _comparison_from(value: str, labels: Labels) -> str | None:
    code = code_of(COMPARISON_LABELS, value)
    return labels.comparison.get(value) or (labels.comparison[Comparison(code)] if code else None)


TRANSLATORS: dict[str, Callable[[str, Labels], str | None]] = {
    K_PERIOD: _period_from, K_DISTRICTS: _district_from, K_SECTORS: _sector_from, K_COMPARE: _comparison_from,
    K_AREA: _commune_from}


def translated(key: str, values: list[str], labels: Labels) -> list[str] | None:
    """The URL's values of `key` as the labels its widget reads; None when there is nothing to
    change (all labels already, or nothing recognisable: the invalid-link notice will say so)."""
    valid = labels.valid()[key]
    if not values or all(v in valid for v in values):
        return None
    fixed = [v if v in valid else (TRANSLATORS[key](v, labels) or v) for v in values]
    return fixed if fixed != values else None


def _codes_to_labels(labels: Labels) -> None:
    """Rewrite the URL's codes as labels. Runs before the widgets bind the URL, while it may still be rewritten."""
    changed = False
    for key in TRANSLATORS:
        fixed = translated(key, st.query_params.get_all(key), labels)
        if fixed is None:
            continue
        try:
            st.query_params[key] = fixed if key in MULTI_KEYS else fixed[0]
        except Exception:  # noqa: BLE001 - already bound to a widget: leave it to the invalid-link notice
            return
        changed = True
    if changed:
        _rerun_on_this_page()


def _rerun_on_this_page() -> None:
    """Run again so the widgets bind to the URL as it now reads, on the page the link named: a bare
    rerun, before st.navigation has seen the page, would open the default page instead."""
    page = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
    if page:
        st.session_state[WANTED_PAGE] = f"pages/{page}.py"
    st.rerun()


def _lang_as_written() -> None:
    """`lang=en` (or `vi`) as the language switch writes it, `EN`: a link typed by hand works too."""
    raw = st.query_params.get(K_LANG)
    if raw and raw != raw.upper() and raw.upper() in LANG_OPTIONS:
        try:
            st.query_params[K_LANG] = raw.upper()
        except Exception:  # noqa: BLE001 - already bound: the invalid-link notice says so
            return
        _rerun_on_this_page()


def _bad_params(labels: Labels) -> list[str]:
    """Query parameters that name nothing: reported once, visibly, instead of silently dropped."""
    valid = {**labels.valid(), K_LANG: set(LANG_OPTIONS), K_PRESENT: PRESENT_VALUES}
    return [f"{key}={value}" for key, allowed in valid.items()
            for value in st.query_params.get_all(key) if value and value not in allowed]


# ---------------------------------------------------------------------------------------------
# Reset and presentation mode


def _reset(defaults: dict) -> None:
    for key, value in defaults.items():
        st.session_state[key] = value
    st.session_state[BAD_PARAMS] = []
    st.session_state[RESET_FLAG] = True


def finish_reset(page) -> None:
    """After "Đặt lại bộ lọc": reload the page with a clean URL (bound parameters cannot be deleted
    from code, only replaced by navigating), keeping the language."""
    if st.session_state.pop(RESET_FLAG, False):
        lang = st.session_state.get(K_LANG, "VI")
        st.switch_page(page, query_params={K_LANG: lang} if lang != "VI" else {})


def presenting() -> bool:
    """Whether the projector mode is on, before the sidebar is drawn (the URL or this session)."""
    return st.query_params.get(K_PRESENT) in ("1", "true") or st.session_state.get(PRESENT_MODE, False)


def _sync_present() -> None:
    # Not a bound widget: the URL says present=1, which a bound toggle would not accept.
    if st.session_state.get(PRESENT_MODE):
        st.query_params[K_PRESENT] = "1"
    elif K_PRESENT in st.query_params:
        del st.query_params[K_PRESENT]


def _toggle_present() -> None:
    st.session_state[PRESENT_MODE] = bool(st.session_state.get("hx_present"))
    _sync_present()


def leave_presentation() -> None:
    st.session_state[PRESENT_MODE] = False
    _sync_present()


# ---------------------------------------------------------------------------------------------
# The sidebar


def _language() -> str:
    choice = st.segmented_control(t("language", url_lang()), list(LANG_OPTIONS), default="VI", key=K_LANG,
                                  bind="query-params", persist_state="session", required=True)
    return LANG_OPTIONS.get(choice or "VI", "vi")


def _areas(engine, districts: list, labels: Labels) -> tuple[str | None, list, dict]:
    """The province (on a national database) and district choices: (province, districts, their names)."""
    lang, province, district_label = labels.lang, None, labels.district
    all_provinces = data.provinces(engine)
    if len(all_provinces) > 1:  # a national database: choose the province first
        names = dict(all_provinces)
        province = st.selectbox(t("province", lang), [c for c, _ in all_provinces], index=None,
                                format_func=lambda c: names.get(c, c), key=K_PROVINCE, bind="query-params",
                                persist_state="session", placeholder=t("whole_country", lang))
        districts = data.districts_in(engine, province) if province else []
        district_label = dict(districts)
    chosen = st.multiselect(t("districts_former" if after_reform(labels.day) else "districts", lang),
                            [c for c, _ in districts], format_func=lambda c: district_label.get(c, c),
                            key=K_DISTRICTS, bind="query-params", persist_state="session",
                            placeholder=t("districts_ph", lang), select_all=False)  # "Select all" is English
    return province, [c for c in (chosen or ()) if c in district_label], districts


def _communes(engine, day, province: str | None, districts: list[str], lang: str) -> tuple[list[str], dict]:
    """The commune filter: the units valid at the period's end (old communes until 30/6/2025, the
    38 new ones after), within the chosen (former) districts. Choices of the other side of the
    reform are dropped when the period crosses it, before the widget is drawn."""
    names = dict(data.communes_at(engine, day, province, tuple(districts)))
    if any(code not in names for code in st.session_state.get(K_AREA) or ()):
        st.session_state[K_AREA] = [code for code in st.session_state[K_AREA] if code in names]
    chosen = st.multiselect(t("communes", lang), list(names), format_func=lambda c: names.get(c, c), key=K_AREA,
                            bind="query-params", persist_state="session", placeholder=t("communes_ph", lang),
                            select_all=False)
    return [c for c in (chosen or ()) if c in names], names


def _widgets(engine, period_options: list[str], default_period: str, districts: list, defaults: dict) -> View:
    """The sidebar's widgets, each bound to the URL, in the language the first of them chooses."""
    lang = _language()
    labels = labels_for(lang, period_options, districts)
    period = st.selectbox(t("period", lang), period_options, index=period_options.index(default_period),
                          format_func=lambda p: labels.period[p], key=K_PERIOD, bind="query-params",
                          persist_state="session", placeholder=t("period_ph", lang))
    day = Period.parse(period or default_period).end
    province, chosen_districts, districts = _areas(engine, districts, replace(labels, day=day))
    chosen_communes, commune_names = _communes(engine, day, province, chosen_districts, lang)
    chosen_sectors = st.multiselect(t("sectors", lang), list(SECTOR_CODES), format_func=lambda c: labels.sector.get(c, c),
                                    key=K_SECTORS, bind="query-params", persist_state="session",
                                    placeholder=t("sectors_ph", lang), select_all=False)
    comparison = st.radio(t("comparison", lang), list(Comparison), format_func=lambda c: labels.comparison[c],
                          key=K_COMPARE, bind="query-params", persist_state="session")
    # The mode lives in its own session key, not in the toggle's widget state: the toggle sits
    # in the hidden sidebar during a presentation, and an unmounted widget loses its value.
    st.toggle(t("present", lang), value=st.session_state[PRESENT_MODE], key="hx_present", on_change=_toggle_present)
    st.button(t("reset", lang), on_click=_reset, args=(defaults,), icon=":material/restart_alt:", width="stretch")
    st.caption(t("app_subtitle", lang))
    flt = Filter(period=period or default_period, province=province, districts=tuple(chosen_districts),
                 sectors=tuple(chosen_sectors or ()), comparison=Comparison(comparison or Comparison.PREVIOUS_YEAR_END),
                 communes=tuple(chosen_communes), old_communes=not after_reform(day))
    return View(flt=flt, lang=lang, presentation=bool(st.session_state[PRESENT_MODE]),
                district_names={**_scope_names(engine, province, lang), **dict(districts), **commune_names})


def _scope_names(engine, province: str | None, lang: str) -> dict[str, str]:
    """On a database of several provinces, what the figures cover when no district is chosen: the
    chosen province by its name, else the whole country (frames.where_text reads them)."""
    provinces = dict(data.provinces(engine))
    if len(provinces) < 2:
        return {}
    return {province: provinces.get(province, province)} if province else {WHOLE_AREA: t("whole_country", lang)}


def _url_period(period_options: list[str], default_period: str) -> Period:
    """The period the link or the session asks for (the commune choices depend on it)."""
    for value in (st.query_params.get(K_PERIOD), st.session_state.get(K_PERIOD)):
        for code in period_options:
            if value in (code, Period.parse(code).label("vi"), Period.parse(code).label("en")):
                return Period.parse(code)
    return Period.parse(default_period)


def sidebar_filters() -> View:
    """Draw the shared sidebar and return the View (also kept for current()). Every widget is bound to the URL."""
    engine = data.get_engine()
    periods, districts = data.choices(engine)
    period_options = periods + [p for p in EXTRA_PERIODS if p not in periods]
    default_period = DEFAULT_PERIOD if DEFAULT_PERIOD in period_options else (periods[0] if periods else DEFAULT_PERIOD)
    _lang_as_written()
    labels = labels_for(url_lang(), period_options, districts,
                        data.communes_at(engine, _url_period(period_options, default_period).end))
    _codes_to_labels(labels)
    bad = _bad_params(labels)
    if bad:
        st.session_state[BAD_PARAMS] = bad
    if PRESENT_MODE not in st.session_state:
        st.session_state[PRESENT_MODE] = st.query_params.get(K_PRESENT) in ("1", "true")
    defaults = {K_PROVINCE: None, K_PERIOD: default_period, K_DISTRICTS: [], K_SECTORS: [], K_AREA: [],
                K_COMPARE: Comparison.PREVIOUS_YEAR_END}
    with st.sidebar:
        st.markdown(f"### {t('filters', url_lang())}")
        shown = _widgets(engine, period_options, default_period, districts, defaults)
    if st.session_state.get(BAD_PARAMS):
        # The URL's values as written, never as Markdown (a link or emphasis smuggled into a shared link).
        items = ", ".join(fmt.code_span(item) for item in st.session_state[BAD_PARAMS])
        st.warning(t("bad_param", shown.lang, items=items), icon=":material/warning:")
    st.session_state[VIEW_KEY] = shown
    return shown
