"""Resolution targets: loading them, and how far an actual figure is from its target.

Attainment = actual ÷ target. Count targets counted over the year (flows) also get the pace
expected at the period's end (at H1, half the annual target); levels and rates do not.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from hxcore import schema
from hxcore.catalog import INDICATORS_BY_CODE, Kind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TARGETS_CSV = DATA_DIR / "targets.csv"
RESOLUTIONS_CSV = DATA_DIR / "resolutions.csv"


class TargetStatus(StrEnum):
    # Written to CSV and used for chart colours: never rename.
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"


STATUS_LABELS = {
    TargetStatus.ACHIEVED: "Đạt",
    TargetStatus.ON_TRACK: "Đúng tiến độ",
    TargetStatus.BEHIND: "Chậm tiến độ",
    TargetStatus.NO_DATA: "Chưa có số liệu",
}
STATUS_LABELS_EN = {
    TargetStatus.ACHIEVED: "Achieved",
    TargetStatus.ON_TRACK: "On track",
    TargetStatus.BEHIND: "Behind",
    TargetStatus.NO_DATA: "No data",
}


class TargetFileError(ValueError):
    pass


@dataclass(frozen=True)
class Assessment:
    attainment: float | None  # percent of the target reached
    expected: float | None  # the pace expected at the period's end, for yearly counts
    status: TargetStatus
    gap: float | None  # what is still missing to the full target (0 once achieved)


def assess(actual: float | None, comparator: str, value: float, value_high: float | None,
           kind: str, year_fraction: float) -> Assessment:
    """Compare an actual figure with a target of the form "at least", "at most" or "low–high"."""
    if actual is None or pd.isna(actual):
        return Assessment(None, None, TargetStatus.NO_DATA, None)
    reference = value  # for a range "2–3", reaching the low end attains it
    attainment = actual / reference * 100 if reference else None
    paced = kind == Kind.FLOW.value and year_fraction < 1
    expected = reference * year_fraction if paced else None
    if comparator == "max":
        status = TargetStatus.ACHIEVED if actual <= value else TargetStatus.BEHIND
        return Assessment(attainment, None, status, max(actual - value, 0.0))
    if actual >= reference:
        status = TargetStatus.ACHIEVED
    elif expected is not None and actual >= expected:
        status = TargetStatus.ON_TRACK
    else:
        status = TargetStatus.BEHIND
    return Assessment(attainment, expected, status, max(reference - actual, 0.0))


TARGET_COLUMNS = ("resolution", "item", "indicator", "comparator", "value", "value_high", "sector", "year", "wording")


def read_targets_csv(path: Path = TARGETS_CSV) -> list[dict]:
    """Targets as officials edit them, checked: columns, known indicator and sector, comparator,
    numbers, and one target per indicator, sector and year of a resolution."""
    from hxcore.vocab import SECTOR_CODES

    rows, seen = [], {}
    with path.open(encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in TARGET_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TargetFileError(f"{path.name}: thiếu cột {', '.join(missing)} (cần: {', '.join(TARGET_COLUMNS)})")
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}, dòng {line}"
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if row["indicator"] not in INDICATORS_BY_CODE:
                raise TargetFileError(f"{where}: chỉ tiêu '{row['indicator']}' không có trong danh mục")
            if row["comparator"] not in ("min", "max", "range"):
                raise TargetFileError(f"{where}: so sánh phải là min, max hoặc range, không phải '{row['comparator']}'")
            if row["sector"] and row["sector"] not in SECTOR_CODES:
                raise TargetFileError(f"{where}: lĩnh vực '{row['sector']}' không có (chọn: {', '.join(SECTOR_CODES)})")
            try:
                value = float(row["value"])
                value_high = float(row["value_high"]) if row["value_high"] else None
                item, year = int(row["item"]), int(row["year"])
            except ValueError as error:
                raise TargetFileError(f"{where}: số không hợp lệ ({error})") from None
            if row["comparator"] == "range" and (value_high is None or value_high < value):
                raise TargetFileError(f"{where}: chỉ tiêu khoảng cần giá trị cao ≥ giá trị thấp")
            scope = (row["resolution"], row["indicator"], row["sector"], year)
            if scope in seen:
                raise TargetFileError(f"{where}: trùng chỉ tiêu với dòng {seen[scope]} (cùng nghị quyết, chỉ tiêu, "
                                      "lĩnh vực và năm)")
            seen[scope] = line
            rows.append({
                "resolution_code": row["resolution"], "item": item, "indicator": row["indicator"],
                "comparator": row["comparator"], "value": value, "value_high": value_high,
                "sector_code": row["sector"] or None, "year": year, "wording": row["wording"],
            })
    return rows


def read_resolutions_csv(path: Path = RESOLUTIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return [
            {"code": r["code"], "title": r["title"], "adopted_on": date.fromisoformat(r["adopted_on"]),
             "year": int(r["year"]), "province_code": r["province_code"] or None}
            for r in csv.DictReader(handle)
        ]


def scope_province(engine: Engine, flt) -> str | None:
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


def attach_targets(engine: Engine, frame: pd.DataFrame, flt) -> pd.DataFrame:
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
        result = assess(row["value"], target["comparator"], target["value"], target["value_high"], row["kind"],
                        period.year_fraction)
        high = target["value_high"] if target["value_high"] is not None and not pd.isna(target["value_high"]) else None
        for column, item in zip(columns, (target["value"], high, target["comparator"], result.attainment,
                                          result.expected, result.status.value, int(target["item"]), result.gap),
                                strict=True):
            values[column][position] = item
    for column in columns:
        frame[column] = values[column]
    return frame


def target_table(engine: Engine, flt, resolution: str | None = None) -> pd.DataFrame:
    """Every target of the period's year, with the actual figure at the target's own scope
    (with a sector filter: the targets of those sectors only).

    The filter's districts are kept (a district's progress toward the province target is
    shown against that target, without claiming the target is the district's).
    """
    from dataclasses import replace

    from hxcore.compute import evaluate

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
                            ind.kind.value, period.year_fraction)
        needed = None
        if ind.kind == Kind.FLOW and assessment.gap is not None and remaining_months:
            needed = assessment.gap / remaining_months
        rows.append({
            "resolution": target["resolution_code"],
            "item": target["item"],
            "indicator": ind.code,
            "label": ind.label_vi,
            "unit": ind.unit,
            "kind": ind.kind.value,
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


def gap_by_district(engine: Engine, flt, indicator_code: str, sector: str | None = None) -> pd.DataFrame:
    """How much of a province-wide shortfall each district accounts for.

    Rates and averages decompose exactly: district d would need target·den_d − num_d more in
    the numerator to reach the target itself, and these sum to the province's shortfall.
    Counts are shared out in proportion to each district's organisations at the period's end.
    """
    from dataclasses import replace

    from hxcore.compute import evaluate

    period = flt.parsed_period
    targets = load_targets(engine, year=period.year, province=scope_province(engine, flt))
    match = targets[(targets["indicator"] == indicator_code) & (targets["sector_code"].fillna("") == (sector or ""))]
    if match.empty:
        return pd.DataFrame()
    target = match.iloc[0]
    ind = INDICATORS_BY_CODE[indicator_code]
    scope = replace(flt, sectors=(sector,) if sector else ())
    rows = evaluate(engine, scope, [indicator_code], by="district", compare=False, with_targets=False)
    if ind.denominator:
        level = target["value"] / ind.scale
        rows["needed"] = (level * rows["denominator"] - rows["numerator"]).clip(lower=0)
        rows["needed_unit"] = "numerator"
    else:
        base_code = "coops_total" if ind.group != "groups" else "groups_total"
        base = evaluate(engine, scope, [base_code], by="district", compare=False, with_targets=False)
        weights = base.set_index("district")["value"]
        total = weights.sum()
        expected_total = target["value"] * (period.year_fraction if ind.kind == Kind.FLOW else 1)
        rows["expected"] = rows["district"].map(weights / total * expected_total if total else 0)
        rows["needed"] = (rows["expected"] - rows["value"]).clip(lower=0)
        rows["needed_unit"] = "value"
    total_needed = rows["needed"].sum()
    rows["contribution"] = rows["needed"] / total_needed * 100 if total_needed else 0.0
    return rows.sort_values("needed", ascending=False).reset_index(drop=True)
