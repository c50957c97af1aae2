"""Resolution targets in the database, and the target columns of evaluate()'s rows."""

from __future__ import annotations

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


def load_targets(engine: Engine, year: int | None = None, resolution: str | None = None,
                 province: str | None = None) -> pd.DataFrame:
    """Targets of resolutions adopted for `province` (national ones when None; every one when "*"),
    each with the province it belongs to."""
    t, r = schema.targets, schema.resolutions
    statement = (select(t, r.c.province_code).join(r, t.c.resolution_code == r.c.code).order_by(t.c.item, t.c.id))
    if province != "*":
        statement = statement.where(r.c.province_code == province if province else r.c.province_code.is_(None))
    if year is not None:
        statement = statement.where(t.c.year == year)
    if resolution:
        statement = statement.where(t.c.resolution_code == resolution)
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).mappings().all(),
                            columns=[*(c.name for c in t.columns), "province_code"])


def resolutions(engine: Engine) -> list[dict]:
    r = schema.resolutions
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(r).order_by(r.c.adopted_on.desc())).mappings()]


def attach_targets(engine: Engine, frame: pd.DataFrame, flt: Filter) -> pd.DataFrame:
    """Add target columns to evaluate()'s rows where a target's scope is exactly the row's scope.

    A province's target applies to that province's rows without a district (on a national
    database broken down by province, each province's row meets its own resolution); a sector
    target to the row of that one sector.
    """
    period = flt.parsed_period
    columns = ("target", "target_high", "comparator", "attainment", "expected", "status", "target_item", "gap")
    values: dict[str, list] = {column: [None] * len(frame) for column in columns}
    # A province target is not a district's target: only rows without a district can carry one.
    candidates = [i for i, district in enumerate(frame["district"]) if not isinstance(district, str)]
    targets = load_targets(engine, period.year, province="*") if candidates else pd.DataFrame()
    by_scope = {(t["indicator"], t["sector_code"] if isinstance(t["sector_code"], str) else "",
                 t["province_code"] if isinstance(t["province_code"], str) else None): t
                for t in targets.to_dict("records")}
    default_province = scope_province(engine, flt) if candidates else None
    for position in candidates:
        row = frame.iloc[position]
        sector = row["sector"] if isinstance(row["sector"], str) else ""
        province = row["province"] if isinstance(row["province"], str) else default_province
        target = by_scope.get((row["indicator"], sector, province))
        if target is None:
            continue
        result = assess(row["value"], target["comparator"], target["value"], target["value_high"],
                        is_paced(INDICATORS_BY_CODE[row["indicator"]]), period.year_fraction)
        high = target["value_high"] if target["value_high"] is not None and not pd.isna(target["value_high"]) else None
        for column, item in zip(columns, (target["value"], high, target["comparator"], result.attainment,
                                          result.expected, result.status.value, int(target["item"]), result.gap),
                                strict=True):
            values[column][position] = item
    for column in columns:
        frame[column] = values[column]
    return frame
