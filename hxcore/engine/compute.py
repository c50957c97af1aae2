"""evaluate(engine, filter) -> tidy DataFrame: every indicator, aggregated in SQL.

One GROUP BY query per source table computes all the measures that table feeds, each as a
conditional aggregate; ratios are formed afterwards from the summed numerators and
denominators, never by averaging percentages.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, case, distinct, func, select, true

from hxcore.db import measures as sql_measures
from hxcore.db import schema
from hxcore.db.schema import SUMMARY_SOURCES, summary_distinct, summary_org
from hxcore.engine import summary
from hxcore.engine.targets import attach_targets
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
from hxcore.model.filters import Filter, FilterError, Window, check_breakdown, resolve_area_tokens
from hxcore.model.periods import Period, comparison_period
from hxcore.model.vocab import SECTOR_CODES, sector_label, sectors_of


def _snapshot_dates(engine: Engine) -> tuple[set[date], bool]:
    """The dates the database has facts for, and whether the summary tables are current."""
    with engine.connect() as connection:
        fresh = summary.fresh_snapshots(connection)
        if fresh is not None:
            return fresh, True
        return set(connection.execute(select(schema.facts.c.as_of).distinct()).scalars()), False


def _grouped(connection, columns: list, group=None, where=(), from_clause=None) -> dict[str, dict]:
    """Run one aggregate SELECT: {column label: {breakdown key: value}}; without a breakdown the
    single value is keyed None and holds for every key ("broadcast")."""
    statement = select(*([group.label("key")] if group is not None else []), *columns)
    if from_clause is not None:
        statement = statement.select_from(from_clause)
    statement = statement.where(*where)
    if group is not None:
        statement = statement.group_by(group)
    rows = connection.execute(statement).mappings().all()
    labels = [column.name for column in columns]
    if group is None:
        return {label: {None: float(rows[0][label]) if rows else 0.0} for label in labels}
    return {label: {row["key"]: float(row[label]) for row in rows} for label in labels}


def _summary_filters(columns_of, flt: Filter, end: date) -> list:
    conditions = [columns_of.as_of == end]
    if flt.province:
        conditions.append(columns_of.province_code == flt.province)
    if flt.districts:
        conditions.append(columns_of.district_code.in_(flt.districts))
    return conditions


def _sector_restriction(columns_of, measure: Measure, flt: Filter):
    codes = sql_measures.sector_codes_for(measure, flt.sectors)
    return columns_of.sector_code.in_(codes) if codes else true()


def _breakdown_column(columns_of, by: str | None):
    names = {"district": "district_code", "sector": "sector_code", "province": "province_code"}
    return columns_of[names[by]] if by else None


def _summary_query(connection, measures: list[Measure], flt: Filter, by: str | None, end: date) -> dict:
    """All organisation-based measures for one date from the summary tables: one query for the
    additive ones, one per distinct count."""
    out: dict[str, dict] = {}
    additive = [m for m in measures if m.aggregation != Aggregation.COUNT_DISTINCT]
    if additive:
        columns = [func.coalesce(func.sum(case((_sector_restriction(summary_org.c, m, flt), summary_org.c[m.code]))),
                                 0).label(m.code) for m in additive]
        out.update(_grouped(connection, columns, _breakdown_column(summary_org.c, by),
                            _summary_filters(summary_org.c, flt, end)))
    table = summary_distinct
    for m in (m for m in measures if m.aggregation == Aggregation.COUNT_DISTINCT):
        where = [table.c.measure == m.code, _sector_restriction(table.c, m, flt), *_summary_filters(table.c, flt, end)]
        counted = _grouped(connection, [func.count(distinct(table.c.value)).label(m.code)],
                           _breakdown_column(table.c, by), where)
        out.update(counted)
    return out


def _raw_query(connection, measures: list[Measure], source, window: Window, flt: Filter, by: str | None) -> dict:
    """Measures of one source table from the raw rows: one GROUP BY, one conditional aggregate each."""
    conditions = [source.where]
    if flt.province and "province" in source.dims:
        conditions.append(source.dims["province"] == flt.province)
    if flt.districts and "district" in source.dims:
        conditions.append(source.dims["district"].in_(flt.districts))
    columns = [sql_measures.aggregate(m, source, window, flt.sectors).label(m.code) for m in measures]
    return _grouped(connection, columns, source.dims.get(by) if by else None, [and_(*conditions)], source.from_clause)


def compute_measures(
    engine: Engine, codes: list[str], flt: Filter, by: str | None, snapshots: tuple[set[date], bool] | None = None
) -> dict[str, dict[str | None, float | None]]:
    """{measure code: {breakdown key (None without `by`): value}} for one filter and period.

    Values are None where the database holds no data for the period (no snapshot at its end,
    or the period lies outside the years the database covers).
    """
    period = flt.parsed_period
    window = Window(period.year_start, period.end)
    dates, summaries_fresh = _snapshot_dates(engine) if snapshots is None else snapshots
    covered = bool(dates) and min(dates) <= period.end <= max(dates)
    by_source: dict[str, list[Measure]] = {}
    for code in codes:
        measure = MEASURES_BY_CODE[code]
        by_source.setdefault(measure.source, []).append(measure)

    out: dict[str, dict] = {}
    with engine.connect() as connection:
        if summaries_fresh and period.end in dates:
            summarised = [m for name in SUMMARY_SOURCES for m in by_source.pop(name, [])]
            out.update(_summary_query(connection, summarised, flt, by, period.end))
        for source_name, measures in by_source.items():
            source = sql_measures.source(source_name, window)
            if covered and (not source.needs_snapshot or period.end in dates):
                out.update(_raw_query(connection, measures, source, window, flt, by))
            else:
                out.update({measure.code: {None: None} for measure in measures})
    for code in codes:
        measure = MEASURES_BY_CODE[code]
        if measure.org_kinds and sql_measures.sector_codes_for(measure, flt.sectors) == ():
            out[code] = {None: None}  # the filter selects no sector of this kind of organisation
    return out


def _values_on(values: dict | None, keys: list) -> list:
    """A measure's values on the breakdown's keys: broadcast, missing keys as 0, no data as None."""
    if values is None:
        return [None] * len(keys)
    if None in values and len(values) == 1:
        return [values[None]] * len(keys)
    return [values.get(key, 0.0) for key in keys]


def _combine(ind: Indicator, numerator: float | None, denominator: float | None) -> float:
    nan = float("nan")
    if numerator is None:
        return nan
    if ind.type == IndicatorType.SIMPLE:
        return numerator * ind.scale
    if denominator is None:
        return nan
    if ind.type == IndicatorType.DIFFERENCE:
        return (numerator - denominator) * ind.scale
    return numerator / denominator * ind.scale if denominator else nan


def _applicable(ind: Indicator, flt: Filter, by: str | None) -> bool:
    return not ((flt.sectors or by == "sector") and "sector" not in ind.dimensions)


def breakdown_keys(engine: Engine, flt: Filter, by: str | None, ind: Indicator | None = None,
                   districts: list[str] | None = None) -> list:
    """The rows a breakdown has: each district (in the filter), each sector, or one row."""
    if by is None:
        return [None]
    if by == "district":
        return list(flt.districts) or districts or [code for code, _ in district_choices(engine, flt.province)]
    if by == "province":
        return [flt.province] if flt.province else [code for code, _ in province_choices(engine)]
    if by == "sector":
        org_type = org_type_of(ind) if ind is not None else None
        codes = [s.code for s in sectors_of(org_type)] if org_type else list(SECTOR_CODES)
        return [c for c in codes if not flt.sectors or c in flt.sectors]
    raise FilterError(f"Không thể phân tổ theo '{by}'.")


def _frame(engine, flt, indicators, by, snapshots) -> pd.DataFrame:
    codes = sorted({c for ind in indicators for c in (ind.numerator, ind.denominator) if c})
    measures = compute_measures(engine, codes, flt, by, snapshots)
    names = dict(district_choices(engine, flt.province))
    all_districts = list(names)
    end = flt.parsed_period.end
    filter_districts, filter_sectors = ",".join(flt.districts) or None, ",".join(flt.sectors) or None
    columns: dict[str, list] = {name: [] for name in (
        "indicator", "label", "unit", "indicator_type", "time", "province", "district", "sector", "value", "numerator",
        "denominator", "applicable")}
    for ind in indicators:
        keys = breakdown_keys(engine, flt, by, ind, all_districts)
        applicable = _applicable(ind, flt, by)
        numerators = _values_on(measures.get(ind.numerator) if applicable else None, keys)
        denominators = (_values_on(measures.get(ind.denominator) if applicable else None, keys)
                        if ind.denominator else [None] * len(keys))
        count = len(keys)
        columns["indicator"] += [ind.code] * count
        columns["label"] += [ind.label_vi] * count
        columns["unit"] += [ind.unit] * count
        columns["indicator_type"] += [ind.type.value] * count
        columns["time"] += [ind.time.value] * count
        columns["province"] += keys if by == "province" else [flt.province] * count
        columns["district"] += keys if by == "district" else [filter_districts] * count
        columns["sector"] += keys if by == "sector" else [filter_sectors] * count
        columns["value"] += [_combine(ind, n, d) for n, d in zip(numerators, denominators, strict=True)]
        columns["numerator"] += numerators
        columns["denominator"] += denominators
        columns["applicable"] += [applicable] * count
    frame = pd.DataFrame(columns)
    frame.insert(5, "period", flt.period)
    frame.insert(6, "as_of", end)
    frame.insert(9, "district_name", [names.get(d) if d and "," not in d else None for d in columns["district"]])
    frame.insert(11, "sector_label", [sector_label(s) if s and "," not in s else None for s in columns["sector"]])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    if by and not frame.empty:
        additive = frame["indicator"].map(lambda code: is_additive(INDICATORS_BY_CODE[code]))
        totals = frame["value"].groupby(frame["indicator"]).transform("sum")
        frame["share"] = (frame["value"] / totals * 100).where(additive & (totals != 0))
    else:
        frame["share"] = None
    return frame


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
    """
    check_breakdown(by)
    selected = [_indicator(code) for code in indicators] if indicators else list(INDICATORS)
    snapshots = _snapshot_dates(engine)
    frame = _frame(engine, flt, selected, by, snapshots)
    period = flt.parsed_period
    stock_previous = comparison_period(period, flt.comparison)
    # A year-to-date count is compared with the same months a year earlier: 13 HTX founded by
    # 30/6/2023 against the whole of 2022 would read as a fall that is not one.
    flow_previous = period.same_period_last_year()
    previous_of = {ind.code: flow_previous if counted_over_the_year(ind) else stock_previous for ind in selected}
    frame["previous_period"] = frame["indicator"].map(lambda code: previous_of[code].code)
    if compare:
        keys = ["indicator", "district", "sector", "province"]
        befores = []
        for previous in dict.fromkeys(previous_of.values()):
            group = [ind for ind in selected if previous_of[ind.code] == previous]
            befores.append(_frame(engine, replace(flt, period=previous.code), group, by, snapshots)[[*keys, "value"]])
        before = pd.concat(befores, ignore_index=True).rename(columns={"value": "previous_value"})
        frame = frame.merge(before, on=keys, how="left")
        frame["change"] = frame["value"] - frame["previous_value"]
    else:
        frame["previous_value"] = None
        frame["change"] = None
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


def district_choices(engine: Engine, province: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every district-level unit of the 2020–2025 hierarchy, in code order."""
    areas = schema.areas
    statement = select(areas.c.code, areas.c.name).where(areas.c.level == "district")
    if province:
        statement = statement.where(areas.c.parent_code == province)
    with engine.connect() as connection:
        return [(code, name) for code, name in connection.execute(statement.order_by(areas.c.code))]


def province_choices(engine: Engine) -> list[tuple[str, str]]:
    areas = schema.areas
    statement = select(areas.c.code, areas.c.name).where(areas.c.level == "province").order_by(areas.c.code)
    with engine.connect() as connection:
        return [(code, name) for code, name in connection.execute(statement)]


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
