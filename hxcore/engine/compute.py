"""evaluate(engine, filter) -> tidy DataFrame: every indicator, aggregated in SQL.

One GROUP BY query per source table computes all the measures that table feeds, each as a
conditional aggregate; ratios are formed afterwards from the summed numerators and
denominators, never by averaging percentages.

Python stays out of the way: the statements are built once and reused for every period (the
period is a parameter), the result is assembled column by column with numpy and pandas (a
national breakdown has 32.604 rows), the comparison periods' values are set beside the
period's by position on the same rows, and targets are matched only on the rows one can apply to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from itertools import repeat

import numpy as np
import pandas as pd
from sqlalchemy import Date, Engine, and_, bindparam, case, distinct, func, select, true

from hxcore.db import measures as sql_measures
from hxcore.db import reading, schema
from hxcore.db.schema import SUMMARY_SOURCES, summary_distinct, summary_org, summary_province
from hxcore.engine import summary
from hxcore.engine.targets import attach_targets
from hxcore.model.areas import REFORM_DATE
from hxcore.model.catalog import (
    INDICATORS,
    INDICATORS_BY_CODE,
    MEASURES_BY_CODE,
    Aggregation,
    Indicator,
    IndicatorType,
    Measure,
    Time,
    is_additive,
    org_type_of,
)
from hxcore.model.filters import (
    COMMUNE_BREAKDOWNS,
    DISTRICT_BREAKDOWNS,
    Filter,
    FilterError,
    Window,
    check_breakdown,
    resolve_area_tokens,
)
from hxcore.model.periods import Comparison, Period, comparison_period
from hxcore.model.vocab import SECTOR_CODES, sector_label, sectors_of


def _snapshot_dates(engine: Engine) -> tuple[frozenset[date], bool]:
    """The dates the database has facts for, and whether the summary tables are current."""
    with reading.connect(engine) as connection:
        fresh = summary.fresh_snapshots(connection)
        if fresh is not None:
            return fresh, True
        return frozenset(summary.fact_days(connection)), False


# The period enters every statement as two parameters, so a statement built once serves every
# period: building SQLAlchemy expressions costs more than running them on a small database.
WINDOW = Window(bindparam("window_start", type_=Date), bindparam("window_end", type_=Date))


@dataclass(frozen=True)
class _Query:
    """One aggregate SELECT, its value columns' labels, and whether it is grouped by a breakdown key."""

    statement: object
    labels: tuple[str, ...]
    grouped: bool


def _query(columns: list, group=None, where=(), from_clause=None) -> _Query:
    statement = select(*([group.label("key")] if group is not None else []), *columns)
    if from_clause is not None:
        statement = statement.select_from(from_clause)
    statement = statement.where(*where)
    if group is not None:
        statement = statement.group_by(group)
    return _Query(statement, tuple(column.name for column in columns), group is not None)


@dataclass(frozen=True)
class _Measured:
    """A measure's values from one SELECT: `column[row[key]]`, a key the SELECT did not return
    reading the 0 kept after the last row. Without a breakdown (`row` None) the single value holds
    for every key ("broadcast"); NaN where there is no data."""

    row: dict | None
    column: np.ndarray

    @staticmethod
    def broadcast(value: float | None) -> _Measured:
        return _Measured(None, np.array([np.nan if value is None else float(value)]))


NO_DATA = _Measured.broadcast(None)


def _grouped(connection, query: _Query, window: Window) -> dict[str, _Measured]:
    """Run one aggregate SELECT: {column label: its values}, converted to floats in one step."""
    rows = connection.execute(query.statement, {"window_start": window.start, "window_end": window.end}).all()
    labels = query.labels
    if not query.grouped:
        first = rows[0] if rows else (0.0,) * len(labels)
        return {label: _Measured.broadcast(value) for label, value in zip(labels, first, strict=True)}
    keys, *columns = zip(*rows, strict=True) if rows else [()] * (len(labels) + 1)  # column by column
    row = dict(zip(keys, range(len(keys)), strict=True))  # shared by the SELECT's columns
    values = np.zeros((len(labels), len(keys) + 1))  # after the last row: the 0 of keys not returned
    if rows:
        values[:, :-1] = columns
    return {label: _Measured(row, values[j]) for j, label in enumerate(labels)}


def _summary_filters(columns_of, flt: Filter) -> list:
    conditions = [columns_of.as_of == WINDOW.end]
    if flt.province:
        conditions.append(columns_of.province_code == flt.province)
    if flt.districts:
        conditions.append(columns_of.district_code.in_(flt.districts))
    return conditions


def _sector_restriction(columns_of, measure: Measure, flt: Filter):
    codes = sql_measures.sector_codes_for(measure, flt.sectors)
    return columns_of.sector_code.in_(codes) if codes else true()


def _in_sectors(columns_of, measure: Measure, flt: Filter, value):
    """`value` where the row is in the filter's sectors for this measure; the column itself without a sector filter."""
    codes = sql_measures.sector_codes_for(measure, flt.sectors)
    return case((columns_of.sector_code.in_(codes), value)) if codes else value


def _breakdown_column(columns_of, by: str | None):
    # The summaries' district column is the former district after the reform (db/schema.py).
    names = {"district": "district_code", "former_district": "district_code", "sector": "sector_code",
             "province": "province_code"}
    return columns_of[names[by]] if by else None


def _summarised(flt: Filter, by: str | None) -> bool:
    """Whether the summary tables hold what is asked: they are kept per district, not per commune."""
    return not flt.communes and by not in COMMUNE_BREAKDOWNS


def additive_summary(flt: Filter, by: str | None):
    """The summary table of additive measures that holds what is asked at the coarsest grain: its
    provinces' sums (~10× fewer rows nationally) unless districts are named or broken down."""
    return summary_org if flt.districts or by in DISTRICT_BREAKDOWNS else summary_province


@lru_cache(maxsize=256)
def _summary_queries(codes: tuple[str, ...], flt: Filter, by: str | None) -> tuple[_Query, ...]:
    """All organisation-based measures from the summary tables: one query for the additive ones,
    one per distinct count. `flt` without its period: the date is a parameter."""
    measures = [MEASURES_BY_CODE[code] for code in codes]
    queries = []
    # A measure of rows without the breakdown's column (classes and communes have no sector) has one
    # value for every key, as from the raw rows: its own SELECT, not grouped.
    broken_down = {m.code: by is not None and by in _source(m.source).dims for m in measures}
    for grouped in (True, False):
        additive = [m for m in measures if m.aggregation != Aggregation.COUNT_DISTINCT and broken_down[m.code] == grouped]
        if additive:
            rows = additive_summary(flt, by).c
            columns = [func.coalesce(func.sum(_in_sectors(rows, m, flt, rows[m.code])), 0).label(m.code) for m in additive]
            queries.append(_query(columns, _breakdown_column(rows, by) if grouped else None, _summary_filters(rows, flt)))
    table = summary_distinct
    for m in (m for m in measures if m.aggregation == Aggregation.COUNT_DISTINCT):
        where = [table.c.measure == m.code, _sector_restriction(table.c, m, flt), *_summary_filters(table.c, flt)]
        group = _breakdown_column(table.c, by) if broken_down[m.code] else None
        queries.append(_query([func.count(distinct(table.c.value)).label(m.code)], group, where))
    return tuple(queries)


@lru_cache(maxsize=32)
def _source(name: str):
    return sql_measures.source(name, WINDOW)


@lru_cache(maxsize=256)
def _raw_query(source_name: str, codes: tuple[str, ...], flt: Filter, by: str | None) -> _Query:
    """Measures of one source table from the raw rows: one GROUP BY, one conditional aggregate each."""
    source = _source(source_name)
    conditions = [source.where]
    if flt.province and "province" in source.dims:
        conditions.append(source.dims["province"] == flt.province)
    if flt.districts and "district" in source.dims:
        conditions.append(source.dims["district"].in_(flt.districts))
    units = "commune_old" if flt.old_communes else "commune_2025"
    if flt.communes and units in source.dims:
        conditions.append(source.dims[units].in_(flt.communes))
    columns = [sql_measures.aggregate(MEASURES_BY_CODE[code], source, WINDOW, flt.sectors).label(code) for code in codes]
    return _query(columns, source.dims.get(by) if by else None, [and_(*conditions)], source.from_clause)


def compute_measures(
    engine: Engine, codes: list[str], flt: Filter, by: str | None, snapshots: tuple[frozenset[date], bool] | None = None
) -> dict[str, _Measured]:
    """{measure code: its values by breakdown key} for one filter and period.

    Values are NaN where the database holds no data for the period (no snapshot at its end,
    or the period lies outside the years the database covers).
    """
    period = flt.parsed_period
    window = Window(period.year_start, period.end)
    scope = replace(flt, period="", comparison=Comparison.PREVIOUS_YEAR_END)  # what the statements depend on
    dates, summaries_fresh = _snapshot_dates(engine) if snapshots is None else snapshots
    covered = bool(dates) and min(dates) <= period.end <= max(dates)
    by_source: dict[str, list[str]] = {}
    for code in codes:
        by_source.setdefault(MEASURES_BY_CODE[code].source, []).append(code)

    out: dict[str, dict] = {}
    with reading.connect(engine) as connection:
        if summaries_fresh and period.end in dates and _summarised(flt, by):
            summarised = tuple(code for name in SUMMARY_SOURCES for code in by_source.pop(name, []))
            for query in _summary_queries(summarised, scope, by):
                out.update(_grouped(connection, query, window))
        for source_name, source_codes in by_source.items():
            if covered and (not _source(source_name).needs_snapshot or period.end in dates):
                out.update(_grouped(connection, _raw_query(source_name, tuple(source_codes), scope, by), window))
            else:
                out.update({code: NO_DATA for code in source_codes})
    for code in codes:
        measure = MEASURES_BY_CODE[code]
        if measure.org_kinds and sql_measures.sector_codes_for(measure, flt.sectors) == ():
            out[code] = NO_DATA  # the filter selects no sector of this kind of organisation
    return out


def _keys_by_group(engine: Engine, flt: Filter, by: str | None, indicators: list[Indicator],
                   districts: list[str]) -> tuple[dict, list]:
    """The breakdown's keys, computed once per kind of key list: {group: keys}, and each
    indicator's group (by sector, an indicator's rows are its organisation type's sectors)."""
    groups = [org_type_of(ind) if by == "sector" else None for ind in indicators]
    keys: dict = {}
    for group, ind in zip(groups, indicators, strict=True):
        if group not in keys:
            keys[group] = breakdown_keys(engine, flt, by, ind, districts)
    return keys, groups


class _Layout:
    """The rows of one result, each indicator × its breakdown keys in order: shared by the
    period asked for and its comparison periods, so their values line up by position."""

    def __init__(self, engine: Engine, flt: Filter, indicators: list[Indicator], by: str | None, districts: list[str]):
        self.flt, self.by, self.indicators = flt, by, indicators
        self.keys, self.groups = _keys_by_group(engine, flt, by, indicators, districts)
        self.counts = [len(self.keys[group]) for group in self.groups]
        self.size = sum(self.counts)
        self.applicable = [_applicable(ind, flt, by) for ind in indicators]
        self.forms = _forms(tuple(ind.code for ind in indicators), tuple(self.counts))
        # Every distinct key list once, and each row's position in them.
        self.key_list = [key for keys in self.keys.values() for key in keys]
        starts = dict(zip(self.keys, np.cumsum([0, *map(len, self.keys.values())]).tolist(), strict=False))
        self.key_of_row = _stacked([np.arange(starts[group], starts[group] + count)
                                    for group, count in zip(self.groups, self.counts, strict=True)]).astype(int)

    def repeat(self, values: list):
        """One value per indicator, repeated over its rows."""
        return _repeated(tuple(values), tuple(self.counts))

    def per_key(self, function):
        """function(key) on every row's breakdown key, computed once per distinct key."""
        return _column([function(key) for key in self.key_list], self.key_of_row)

    def rows_of(self, codes: set[str]) -> np.ndarray:
        """Whether each row belongs to one of these indicators."""
        return np.repeat(np.array([ind.code in codes for ind in self.indicators], dtype=bool), self.counts)


@dataclass(frozen=True)
class _Forms:
    """How each row's value is formed from its measures (catalog.IndicatorType), as arrays over the
    rows: every indicator of a result is formed at once, not one by one."""

    rows: tuple[slice, ...]  # each indicator's rows
    scale: np.ndarray
    difference: np.ndarray  # numerator − denominator
    quotient: np.ndarray  # numerator ÷ denominator (ratios and averages)


@lru_cache(maxsize=64)
def _forms(codes: tuple[str, ...], counts: tuple[int, ...]) -> _Forms:
    indicators = [INDICATORS_BY_CODE[code] for code in codes]
    ends = np.cumsum(counts).tolist()
    types = np.repeat(np.array([ind.type.value for ind in indicators], dtype=object), counts)
    forms = _Forms(tuple(slice(end - count, end) for end, count in zip(ends, counts, strict=True)),
                   np.repeat(np.array([ind.scale for ind in indicators], dtype=float), counts),
                   types == IndicatorType.DIFFERENCE.value,
                   (types == IndicatorType.RATIO.value) | (types == IndicatorType.AVERAGE.value))
    for array in (forms.scale, forms.difference, forms.quotient):
        array.flags.writeable = False  # shared by every result of this layout
    return forms


def _formed(forms: _Forms, numerators: np.ndarray, denominators: np.ndarray) -> np.ndarray:
    """Each row's value from its measures: NaN where there is no data or nothing to divide by."""
    values = numerators * forms.scale
    if forms.difference.any():
        values = np.where(forms.difference, (numerators - denominators) * forms.scale, values)
    if forms.quotient.any():
        quotients = np.full(len(numerators), np.nan)
        np.divide(numerators, denominators, out=quotients, where=forms.quotient & (denominators != 0))
        values = np.where(forms.quotient, quotients * forms.scale, values)
    return values


def _objects(values: list) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _column(values: list, positions: np.ndarray):
    """values[positions] as pandas stores a list of them: text (with gaps) as its string type, made
    by one take rather than one Python object per row; anything else (all None) as objects."""
    texts = [value for value in values if value is not None]
    if len(positions) and texts and all(isinstance(value, str) for value in texts):
        return pd.array(values, dtype="str").take(positions)
    return _objects(values)[positions]


# The indicators' own columns (code, label, unit, ...) depend only on which indicators and how many rows
# each: every page asks the same few layouts again. Shared safely: pandas copies a dict's arrays into
# its frame, and its string arrays cannot be changed in place. Few entries: a national breakdown's
# columns are 32.604 rows each.
@lru_cache(maxsize=32)
def _repeated(values: tuple, counts: tuple):
    return _column(list(values), np.repeat(np.arange(len(counts)), counts))


def _positions(row: dict, keys: list) -> np.ndarray:
    """Each key's row in a _Measured's column (a key not returned: the 0 after the last row)."""
    return np.fromiter(map(row.get, keys, repeat(len(row))), dtype=np.intp, count=len(keys))


def indicator_value(ind: Indicator, numerator: float, denominator: float | None) -> float:
    """One figure of the indicator from its measures' (summed) values, as evaluate forms it."""
    parts = np.array([numerator], dtype=float), np.array([np.nan if denominator is None else denominator], dtype=float)
    return float(_formed(_forms((ind.code,), (1,)), *parts)[0])


@dataclass(frozen=True)
class _Values:
    """One period's numerators, denominators and values on a layout's rows (NaN: none)."""

    numerators: np.ndarray
    denominators: np.ndarray
    values: np.ndarray


def _period_values(engine: Engine, flt: Filter, layout: _Layout, wanted: set[str] | None, snapshots) -> _Values:
    """One period's figures on the layout's rows; only for the indicators in `wanted` (all when
    None), the other rows NaN."""
    chosen = [(i, ind) for i, ind in enumerate(layout.indicators)
              if layout.applicable[i] and (wanted is None or ind.code in wanted)]
    codes = sorted({c for _, ind in chosen for c in (ind.numerator, ind.denominator) if c})
    measures = compute_measures(engine, codes, flt, layout.by, snapshots)
    positions: dict[tuple, np.ndarray] = {}  # per SELECT and key list: the measures of one SELECT share them
    numerators, denominators = np.full(layout.size, np.nan), np.full(layout.size, np.nan)

    def fill(out: np.ndarray, code: str, i: int) -> None:
        """Set the measure's values on indicator i's rows."""
        measured, rows = measures.get(code, NO_DATA), layout.forms.rows[i]
        if measured.row is None:
            out[rows] = measured.column[0]
            return
        group = layout.groups[i]
        if (id(measured.row), group) not in positions:
            positions[(id(measured.row), group)] = _positions(measured.row, layout.keys[group])
        out[rows] = measured.column[positions[(id(measured.row), group)]]

    for i, ind in chosen:
        fill(numerators, ind.numerator, i)
        if ind.denominator:
            fill(denominators, ind.denominator, i)
    return _Values(numerators, denominators, _formed(layout.forms, numerators, denominators))


def _applicable(ind: Indicator, flt: Filter, by: str | None) -> bool:
    by_sector = (flt.sectors or by == "sector") and "sector" not in ind.dimensions
    by_commune = (flt.communes or by in COMMUNE_BREAKDOWNS) and "commune" not in ind.dimensions
    return not (by_sector or by_commune)


def breakdown_keys(engine: Engine, flt: Filter, by: str | None, ind: Indicator | None = None,
                   districts: list[str] | None = None) -> list:
    """The rows a breakdown has: each district (in the filter), each sector, or one row."""
    if by is None:
        return [None]
    if by in DISTRICT_BREAKDOWNS:
        return list(flt.districts) or districts or [code for code, _ in district_choices(engine, flt.province)]
    if by in COMMUNE_BREAKDOWNS:
        day = flt.parsed_period.end if by == "commune" else REFORM_DATE
        return list(flt.communes) if by == "commune" and flt.communes else [
            code for code, _ in commune_choices(engine, day, flt.province, flt.districts)]
    if by == "province":
        return [flt.province] if flt.province else [code for code, _ in province_choices(engine)]
    if by == "sector":
        org_type = org_type_of(ind) if ind is not None else None
        codes = [s.code for s in sectors_of(org_type)] if org_type else list(SECTOR_CODES)
        return [c for c in codes if not flt.sectors or c in flt.sectors]
    raise FilterError(f"Không thể phân tổ theo '{by}'.")


def _stacked(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0)


def _measure_column(values: np.ndarray) -> np.ndarray:
    """Numerators or denominators as a column: floats, or None throughout when no row has one."""
    return values if len(values) and not np.isnan(values).all() else _objects([None] * len(values))


def _one_area(value: str | None, names: dict) -> str | None:
    return names.get(value) if value and "," not in value else None


def _one_sector(value: str | None) -> str | None:
    return sector_label(value) if value and "," not in value else None


def _dimension(layout: _Layout, dimension: str | tuple[str, ...], fixed: str | None,
               label=None) -> tuple[np.ndarray, np.ndarray | None]:
    """A dimension column (the breakdown's keys, or the filter's value on every row) and its labels."""
    if layout.by in ((dimension,) if isinstance(dimension, str) else dimension):
        return layout.per_key(lambda key: key), layout.per_key(label) if label else None
    every_row = np.zeros(sum(layout.counts), dtype=int)
    return _column([fixed], every_row), _column([label(fixed)], every_row) if label else None


def _columns(layout: _Layout, values: _Values, names: dict) -> dict:
    """The result's columns, as arrays (the frame is made once, from all of them: adding columns
    one by one to a frame costs more than the SQL on a small result)."""
    flt, indicators = layout.flt, layout.indicators
    district, district_name = _dimension(layout, DISTRICT_BREAKDOWNS, ",".join(flt.districts) or None,
                                         lambda d: _one_area(d, names))
    commune, commune_name = _dimension(layout, COMMUNE_BREAKDOWNS, ",".join(flt.communes) or None,
                                       lambda c: _one_area(c, names))
    sector, label_of_sector = _dimension(layout, "sector", ",".join(flt.sectors) or None, _one_sector)
    province, _ = _dimension(layout, "province", flt.province)
    columns = {
        "indicator": layout.repeat([ind.code for ind in indicators]),
        "label": layout.repeat([ind.label_vi for ind in indicators]),
        "unit": layout.repeat([ind.unit for ind in indicators]),
        "indicator_type": layout.repeat([ind.type.value for ind in indicators]),
        "time": layout.repeat([ind.time.value for ind in indicators]),
        "period": _repeated((flt.period,), (layout.size,)),  # a text given once costs pandas ~0,1 ms to repeat
        "as_of": flt.parsed_period.end,
        "province": province, "district": district, "district_name": district_name,
        "commune": commune, "commune_name": commune_name,
        "sector": sector, "sector_label": label_of_sector,
        "value": values.values,
        "numerator": _measure_column(values.numerators),
        "denominator": _measure_column(values.denominators),
        "applicable": np.repeat(np.array(layout.applicable, dtype=bool), layout.counts),
    }
    columns["share"] = None
    if layout.by and len(columns["value"]):
        additive = np.repeat(np.array([is_additive(ind) for ind in indicators], dtype=bool), layout.counts)
        value = pd.Series(columns["value"])
        totals = value.groupby(np.repeat(np.arange(len(indicators)), layout.counts)).transform("sum")
        columns["share"] = (value / totals * 100).where(additive & (totals != 0)).to_numpy()
    return columns


@reading.in_one_state  # every statement sees the same commit, even while an import commits
def evaluate(
    engine: Engine,
    flt: Filter,
    indicators: list[str] | tuple[str, ...] | None = None,
    by: str | None = None,
    compare: bool = True,
    with_targets: bool = True,
) -> pd.DataFrame:
    """One row per indicator × breakdown value, with its comparison and its target.

    Columns: indicator, label, unit, kind, period, as_of, district, sector, value, numerator,
    denominator, share (of the breakdown's total), previous_period (the same months a year earlier for flows), previous_value, change,
    target, target_high, comparator, attainment, expected, status, target_item.

    The rows are laid out once; the period's values and each comparison period's are computed
    on that layout and set side by side, by position.
    """
    check_breakdown(by)
    selected = [_indicator(code) for code in indicators] if indicators else list(INDICATORS)
    snapshots = _snapshot_dates(engine)
    names, districts = area_names(engine, flt, by)
    layout = _Layout(engine, flt, selected, by, districts)
    columns = _columns(layout, _period_values(engine, flt, layout, None, snapshots), names)
    period = flt.parsed_period
    stock_previous = comparison_period(period, flt.comparison)
    # A year-to-date count is compared with the same months a year earlier: 13 HTX founded by
    # 30/6/2023 against the whole of 2022 would read as a fall that is not one.
    flow_previous = period.same_period_last_year()
    previous_of = {ind.code: flow_previous if counted_over_the_year(ind) else stock_previous for ind in selected}
    columns["previous_period"] = layout.repeat([previous_of[ind.code].code for ind in selected])
    columns["previous_value"], columns["change"] = None, None
    if compare:
        previous_values = np.full(layout.size, np.nan)
        for previous in dict.fromkeys(previous_of.values()):
            wanted = {code for code, other in previous_of.items() if other == previous}
            rows = layout.rows_of(wanted)
            previous_values[rows] = _period_values(engine, replace(flt, period=previous.code), layout, wanted,
                                                   snapshots).values[rows]
        columns["previous_value"] = previous_values
        columns["change"] = columns["value"] - columns["previous_value"]
    frame = pd.DataFrame(columns)
    if with_targets:
        frame = attach_targets(engine, frame, flt)
    return frame


def counted_over_the_year(ind: Indicator) -> bool:
    """Flows, and averages of flows (revenue per HTX), are counted from 1 January."""
    return ind.time == Time.FLOW


def _indicator(code: str) -> Indicator:
    if code not in INDICATORS_BY_CODE:
        raise FilterError(f"Chỉ tiêu không tồn tại: '{code}'. Chọn một trong: {', '.join(INDICATORS_BY_CODE)}")
    return INDICATORS_BY_CODE[code]


def area_names(engine: Engine, flt: Filter, by: str | None) -> tuple[dict, list[str]]:
    """{code: name} of the areas a result names (the breakdown's and the filter's), and the
    districts a district breakdown lists; a whole-area panel needs none."""
    names: dict[str, str] = {}
    districts: list[str] = []
    if by in DISTRICT_BREAKDOWNS or flt.districts:
        names.update(district_choices(engine, flt.province))
        districts = list(names) if by in DISTRICT_BREAKDOWNS else []
    if by in COMMUNE_BREAKDOWNS or flt.communes:
        day = REFORM_DATE if by == "commune_2025" else flt.parsed_period.end
        names.update(commune_choices(engine, day, flt.province))
    return names, districts


def commune_choices(engine: Engine, day: date, province: str | None = None,
                    former_districts: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(code, name) of the communes valid on `day`, optionally within some (former) districts, in code order."""
    areas = schema.areas
    statement = select(areas.c.code, areas.c.name).where(areas.c.level == "commune", sql_measures.valid_at(areas, day))
    if province:
        statement = statement.where(areas.c.province_code == province)
    if former_districts:
        statement = statement.where(areas.c.former_district_code.in_(former_districts))
    with reading.connect(engine) as connection:
        return [(code, name) for code, name in connection.execute(statement.order_by(areas.c.code)).all()]


def resolve_communes(engine: Engine, tokens, day: date, province: str | None = None) -> tuple[str, ...]:
    """GSO codes of communes valid on `day`, given by code, ASCII slug or Vietnamese name."""
    return resolve_area_tokens(tokens, commune_choices(engine, day, province), "xã/phường/thị trấn")


def district_choices(engine: Engine, province: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every district-level unit of the 2020–2025 hierarchy, in code order."""
    areas = schema.areas
    statement = select(areas.c.code, areas.c.name).where(areas.c.level == "district")
    if province:
        statement = statement.where(areas.c.parent_code == province)
    with reading.connect(engine) as connection:
        return [(code, name) for code, name in connection.execute(statement.order_by(areas.c.code)).all()]


def province_choices(engine: Engine) -> list[tuple[str, str]]:
    areas = schema.areas
    statement = select(areas.c.code, areas.c.name).where(areas.c.level == "province").order_by(areas.c.code)
    with reading.connect(engine) as connection:
        return [(code, name) for code, name in connection.execute(statement).all()]


def _several_provinces(engine: Engine, province: str | None) -> list[tuple[str, str]]:
    """The provinces, when none is chosen on a database of several; else nothing."""
    provinces = province_choices(engine) if province is None else []
    return provinces if len(provinces) > 1 else []


def parts_breakdown(engine: Engine, province: str | None) -> str:
    """The units an area is made of, one level down: a province's districts; with no province chosen on
    a database of several, its provinces (a country's report lists 63 provinces, not 700 districts)."""
    return "province" if _several_provinces(engine, province) else "district"


def part_choices(engine: Engine, province: str | None) -> list[tuple[str, str]]:
    """(code, name) of the units parts_breakdown() names."""
    return _several_provinces(engine, province) or district_choices(engine, province)


def provinces_of(engine: Engine, districts) -> set[str]:
    """The provinces these districts belong to (areas.province_code, or a district's parent)."""
    areas = schema.areas
    statement = select(areas.c.province_code, areas.c.parent_code, areas.c.level).where(areas.c.code.in_(list(districts)))
    with reading.connect(engine) as connection:
        found = {province or (parent if level == "district" else None)
                 for province, parent, level in connection.execute(statement)}
    found.discard(None)
    return found


def resolve_districts(engine: Engine, tokens, province: str | None = None) -> tuple[str, ...]:
    """GSO codes for districts given by code, ASCII slug or Vietnamese name."""
    return resolve_area_tokens(tokens, district_choices(engine, province))


def available_periods(engine: Engine) -> list[str]:
    """Period codes the database has snapshots for (years, halves and quarters), newest first."""
    snapshots, _ = _snapshot_dates(engine)
    if not snapshots:
        return []
    periods = []
    for year in range(min(snapshots).year, max(snapshots).year + 1):
        for part in (None, "H2", "H1", "Q4", "Q3", "Q2", "Q1"):
            period = Period(year, part)
            if period.end in snapshots:
                periods.append(period)
    periods.sort(key=lambda p: (p.end, p.kind != "year", p.kind == "quarter"), reverse=True)
    return [p.code for p in periods]
