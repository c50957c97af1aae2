"""Resolution targets in the database, and the target columns of evaluate()'s rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from hxcore.db import schema
from hxcore.model.catalog import INDICATORS_BY_CODE, is_paced
from hxcore.model.filters import Filter
from hxcore.model.targets import assess


def scope_province(engine: Engine, flt: Filter) -> str | None:
    """The province a filter looks at: its own, or the database's only province (None: the nation)."""
    if flt.province:
        return flt.province
    areas = schema.areas
    with engine.connect() as connection:
        codes = connection.execute(select(areas.c.code).where(areas.c.level == "province").limit(2)).scalars().all()
    return codes[0] if len(codes) == 1 else None


def _targets_statement(year: int | None = None, resolution: str | None = None, province: str | None = None):
    t, r = schema.targets, schema.resolutions
    statement = (select(t, r.c.province_code).join(r, t.c.resolution_code == r.c.code).order_by(t.c.item, t.c.id))
    if province != "*":
        statement = statement.where(r.c.province_code == province if province else r.c.province_code.is_(None))
    if year is not None:
        statement = statement.where(t.c.year == year)
    if resolution:
        statement = statement.where(t.c.resolution_code == resolution)
    return statement


def load_targets(engine: Engine, year: int | None = None, resolution: str | None = None,
                 province: str | None = None) -> pd.DataFrame:
    """Targets of resolutions adopted for `province` (national ones when None; every one when "*"),
    each with the province it belongs to."""
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(_targets_statement(year, resolution, province)).mappings().all(),
                            columns=[*(c.name for c in schema.targets.columns), "province_code"])


def resolutions(engine: Engine) -> list[dict]:
    r = schema.resolutions
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(r).order_by(r.c.adopted_on.desc())).mappings()]


TARGET_COLUMNS = ("target", "target_high", "comparator", "attainment", "expected", "status", "target_item", "gap")


def _targets_by_scope(engine: Engine, year: int) -> dict[tuple, dict]:
    """Every resolution's targets for `year`, by (indicator, sector or "", province or None)."""
    with engine.connect() as connection:
        rows = connection.execute(_targets_statement(year, province="*")).mappings().all()
    return {(t["indicator"], t["sector_code"] or "", t["province_code"] or None): dict(t) for t in rows}


def _row_values(value, indicator: str, target: dict, year_fraction: float) -> tuple:
    result = assess(value, target["comparator"], target["value"], target["value_high"],
                    is_paced(INDICATORS_BY_CODE[indicator]), year_fraction)
    return (target["value"], target["value_high"], target["comparator"], result.attainment, result.expected,
            result.status.value, int(target["item"]), result.gap)


def _matches(frame: pd.DataFrame, by_scope: dict, default_province: str | None, year_fraction: float) -> dict:
    """{row position: target column values} for the rows a target's scope is exactly. Only rows
    without a district can match (a province target is not a district's target), and only rows of
    an indicator some target names are looked at."""
    named = {indicator for indicator, _, _ in by_scope}
    candidates = np.flatnonzero((frame["district"].isna() & frame["indicator"].isin(named)).to_numpy())
    if not len(candidates):
        return {}
    columns = {name: frame[name].to_numpy(dtype=object)[candidates] for name in ("indicator", "sector", "province")}
    values = frame["value"].to_numpy()[candidates]
    found = {}
    for i, position in enumerate(candidates.tolist()):
        sector = columns["sector"][i] if isinstance(columns["sector"][i], str) else ""
        province = columns["province"][i] if isinstance(columns["province"][i], str) else default_province
        target = by_scope.get((columns["indicator"][i], sector, province))
        if target is not None:
            found[position] = _row_values(float(values[i]), columns["indicator"][i], target, year_fraction)
    return found


def attach_targets(engine: Engine, frame: pd.DataFrame, flt: Filter) -> pd.DataFrame:
    """Add target columns to evaluate()'s rows where a target's scope is exactly the row's scope.

    A province's target applies to that province's rows without a district (on a national
    database broken down by province, each province's row meets its own resolution); a sector
    target to the row of that one sector. A breakdown by district has no row a target could
    match: its rows are not read one by one, nor are the targets loaded.
    """
    period = flt.parsed_period
    found: dict[int, tuple] = {}
    if not frame.empty and frame["district"].isna().any():
        by_scope = _targets_by_scope(engine, period.year)
        if by_scope:
            found = _matches(frame, by_scope, scope_province(engine, flt), period.year_fraction)
    columns = {}
    for index, column in enumerate(TARGET_COLUMNS):
        values = [None] * len(frame) if found else None
        for position, items in found.items():
            values[position] = items[index]
        columns[column] = values
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)
