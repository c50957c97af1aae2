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
    return gaps_by_area(engine, flt, [(indicator_code, sector)], by)[(indicator_code, sector)]


def gaps_by_area(engine: Engine, flt: Filter, wanted: list[tuple[str, str | None]],
                 by: str = "district") -> dict[tuple[str, str | None], pd.DataFrame]:
    """gap_by_district() of several (indicator, sector) at once: the targets read once, and one
    evaluate per sector for all its indicators and the counts that share a shortfall out."""
    period = flt.parsed_period
    targets = load_targets(engine, year=period.year, province=scope_province(engine, flt))
    gaps: dict[tuple[str, str | None], pd.DataFrame] = {key: pd.DataFrame() for key in wanted}  # no target: none
    target_of: dict[str | None, dict[str, pd.Series]] = {}  # {sector: {indicator: its target}}
    for code, sector in wanted:
        match = targets[(targets["indicator"] == code) & (targets["sector_code"].fillna("") == (sector or ""))]
        if not match.empty:
            target_of.setdefault(sector, {})[code] = match.iloc[0]
    for sector, found in target_of.items():
        bases = [_base_code(INDICATORS_BY_CODE[code]) for code in found if not INDICATORS_BY_CODE[code].denominator]
        scope = replace(flt, sectors=(sector,) if sector else ())
        frame = evaluate(engine, scope, list(dict.fromkeys([*found, *bases])), by=by, compare=False, with_targets=False)
        rows_of = {code: part.reset_index(drop=True) for code, part in frame.groupby("indicator", sort=False)}
        for code, target in found.items():
            gaps[(code, sector)] = _gaps(target, INDICATORS_BY_CODE[code], period, rows_of[code], rows_of, by)
    return gaps


def _base_code(ind) -> str:
    """The count a shortfall of a count is shared out by: the areas' HTX, or their THT."""
    return "coops_total" if ind.group != "groups" else "groups_total"


def _gaps(target, ind, period, rows: pd.DataFrame, rows_of: dict[str, pd.DataFrame], by: str) -> pd.DataFrame:
    key = "commune" if by in COMMUNE_BREAKDOWNS else "district"
    added = {"area": rows[key], "area_name": rows[f"{key}_name"]}  # added in one step: see compute._columns
    if ind.denominator:
        level = target["value"] / ind.scale
        added["needed"] = (level * rows["denominator"] - rows["numerator"]).clip(lower=0)
        added["needed_unit"] = "numerator"
    else:
        weights = rows_of[_base_code(ind)].set_index(key)["value"]
        total = weights.sum()
        expected_total = target["value"] * (period.year_fraction if ind.time == Time.FLOW else 1)
        added["expected"] = rows[key].map(weights / total * expected_total if total else 0)
        added["needed"] = (added["expected"] - rows["value"]).clip(lower=0)
        added["needed_unit"] = "value"
    total_needed = added["needed"].sum()
    added["contribution"] = added["needed"] / total_needed * 100 if total_needed else 0.0
    rows = pd.concat([rows, pd.DataFrame(added, index=rows.index)], axis=1)
    return rows.sort_values("needed", ascending=False).reset_index(drop=True)
