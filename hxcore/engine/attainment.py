"""Attainment: every target of the period with its actual figure, and who accounts for a shortfall."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine

from hxcore.engine.compute import evaluate
from hxcore.engine.targets import load_targets, scope_province
from hxcore.model.catalog import INDICATORS_BY_CODE, Time, is_paced
from hxcore.model.filters import COMMUNE_BREAKDOWNS, Filter
from hxcore.model.targets import assess


def target_table(engine: Engine, flt: Filter, resolution: str | None = None) -> pd.DataFrame:
    """Every target of the period's year, with the actual figure at the target's own scope
    (with a sector filter: the targets of those sectors only).

    The filter's districts are kept (a district's progress toward the province target is
    shown against that target, without claiming the target is the district's).
    """
    period = flt.parsed_period
    targets = load_targets(engine, year=period.year, resolution=resolution, province=scope_province(engine, flt))
    if targets.empty:
        return pd.DataFrame()
    records = targets.to_dict("records")
    for target in records:
        target["sector_code"] = target["sector_code"] if isinstance(target["sector_code"], str) else None
    if flt.sectors:
        # A province-wide target is not a sector's: under a sector filter only that sector's targets apply.
        records = [target for target in records if target["sector_code"] in flt.sectors]
        if not records:
            return pd.DataFrame()
    # One evaluation per scope (the province, or one sector), not one per target.
    actuals = {}
    for sector in dict.fromkeys(t["sector_code"] for t in records):
        codes = sorted({t["indicator"] for t in records if t["sector_code"] == sector})
        scope = replace(flt, sectors=(sector,) if sector else ())
        frame = evaluate(engine, scope, codes, compare=False, with_targets=False)
        actuals.update({(sector, row["indicator"]): row for row in frame.to_dict("records")})
    rows = []
    remaining_months = 12 - period.months_elapsed
    for target in records:
        result = actuals[(target["sector_code"], target["indicator"])]
        ind = INDICATORS_BY_CODE[target["indicator"]]
        assessment = assess(result["value"], target["comparator"], target["value"], target["value_high"],
                            is_paced(ind), period.year_fraction)
        needed = None
        if is_paced(ind) and assessment.gap is not None and remaining_months:
            needed = assessment.gap / remaining_months
        rows.append({
            "resolution": target["resolution_code"],
            "item": target["item"],
            "indicator": ind.code,
            "label": ind.label_vi,
            "unit": ind.unit,
            "indicator_type": ind.type.value,
            "time": ind.time.value,
            "sector": target["sector_code"],
            "wording": target["wording"],
            "comparator": target["comparator"],
            "target": target["value"],
            "target_high": target["value_high"],
            "actual": result["value"],
            "numerator": result["numerator"],
            "denominator": result["denominator"],
            "attainment": assessment.attainment,
            "expected": assessment.expected,
            "gap": assessment.gap,
            "needed_per_month": needed,
            "status": assessment.status.value,
            "period": period.code,
            "as_of": period.end,
        })
    return pd.DataFrame(rows)


def gap_by_district(engine: Engine, flt: Filter, indicator_code: str, sector: str | None = None,
                    by: str = "district") -> pd.DataFrame:
    """How much of a province-wide shortfall each district (or, with `by="commune"`, each commune
    valid at the period's end: the 38 new ones after 1/7/2025) accounts for; the unit's code and
    name are in `area` and `area_name` whichever it is.

    Rates and averages decompose exactly: district d would need target·den_d − num_d more in
    the numerator to reach the target itself, and these sum to the province's shortfall.
    Counts are shared out in proportion to each district's organisations at the period's end.
    """
    period = flt.parsed_period
    targets = load_targets(engine, year=period.year, province=scope_province(engine, flt))
    match = targets[(targets["indicator"] == indicator_code) & (targets["sector_code"].fillna("") == (sector or ""))]
    if match.empty:
        return pd.DataFrame()
    target = match.iloc[0]
    ind = INDICATORS_BY_CODE[indicator_code]
    scope = replace(flt, sectors=(sector,) if sector else ())
    rows = evaluate(engine, scope, [indicator_code], by=by, compare=False, with_targets=False)
    key = "commune" if by in COMMUNE_BREAKDOWNS else "district"
    added = {"area": rows[key], "area_name": rows[f"{key}_name"]}  # added in one step: see compute._columns
    if ind.denominator:
        level = target["value"] / ind.scale
        added["needed"] = (level * rows["denominator"] - rows["numerator"]).clip(lower=0)
        added["needed_unit"] = "numerator"
    else:
        base_code = "coops_total" if ind.group != "groups" else "groups_total"
        base = evaluate(engine, scope, [base_code], by=by, compare=False, with_targets=False)
        weights = base.set_index(key)["value"]
        total = weights.sum()
        expected_total = target["value"] * (period.year_fraction if ind.time == Time.FLOW else 1)
        added["expected"] = rows[key].map(weights / total * expected_total if total else 0)
        added["needed"] = (added["expected"] - rows["value"]).clip(lower=0)
        added["needed_unit"] = "value"
    total_needed = added["needed"].sum()
    added["contribution"] = added["needed"] / total_needed * 100 if total_needed else 0.0
    rows = pd.concat([rows, pd.DataFrame(added, index=rows.index)], axis=1)
    return rows.sort_values("needed", ascending=False).reset_index(drop=True)
