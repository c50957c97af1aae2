"""What the screens show, as data: trends over periods, district × sector grids, rankings, and
which resolution target applies where. Numbers only: hxcore.present.frames writes the text.

Pages used to hold these rules; they live here so the CLI, the app and the tests share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from hxcore.engine.compute import available_periods, evaluate, indicator_value
from hxcore.model.catalog import INDICATORS_BY_CODE, IndicatorType, is_additive
from hxcore.model.filters import COMMUNE_BREAKDOWNS, DISTRICT_BREAKDOWNS, Filter
from hxcore.model.periods import Period, PeriodKind
from hxcore.model.vocab import OrgType, sectors_of

# How finely a trend is cut: the codes of the "over periods" choice (never Vietnamese labels).
GRANULARITIES = {"half": PeriodKind.HALF, "year": PeriodKind.YEAR, "quarter": PeriodKind.QUARTER}
TREND_COLUMNS = ["period", "end", "value"]
HEAT_COLUMNS = ["district_name", "sector", "org_type", "value"]
# A chart by area draws at most this many bars; the other areas become one bar (a country has 741 districts).
TOP_BARS = 20
OTHERS = "others"  # the key of that bar: never an area code
# The two indicators the operating/stopped bars stack, and the state code each one is.
COOP_STATES = {"coops_operating": "operating", "coops_inactive": "stopped"}
# Target statuses a district shortfall is worth showing for (achieved ones have none).
OPEN_STATUSES = ("behind", "on_track")


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def sector_or_none(value) -> str | None:
    """A target's sector as a code, or None for a province-wide target (the column holds NaN)."""
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------------------------
# Over periods


def trend_periods(periods: list[str], granularity: str, until: date) -> list[Period]:
    """The periods of `granularity` among `periods` ending by `until`, oldest first."""
    wanted = GRANULARITIES[granularity]
    parsed = (Period.parse(code) for code in periods)
    return sorted((p for p in parsed if p.kind == wanted and p.end <= until), key=lambda p: p.end)


def trend_frame(engine: Engine, flt: Filter, code: str, granularity: str = "half") -> pd.DataFrame:
    """One row per period of `granularity` the database covers up to the filter's period, oldest
    first: the indicator under the filter (periods without a figure are left out)."""
    rows = []
    for period in trend_periods(available_periods(engine), granularity, flt.parsed_period.end):
        frame = evaluate(engine, replace(flt, period=period.code), [code], compare=False, with_targets=False)
        value = frame.iloc[0]["value"]
        if not missing(value):
            rows.append({"period": period.code, "end": period.end.isoformat(), "value": float(value)})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


# ---------------------------------------------------------------------------------------------
# District × sector


def heat_frame(engine: Engine, flt: Filter, code: str, org_type: str) -> pd.DataFrame:
    """District × sector values of one indicator (the sectors of `org_type` the filter keeps)."""
    parts = []
    for sector in sectors_of(OrgType(org_type)):
        if flt.sectors and sector.code not in flt.sectors:
            continue
        part = evaluate(engine, replace(flt, sectors=(sector.code,)), [code], by="district", compare=False,
                        with_targets=False)
        # Column by column: a country's 741 districts as dicts, for each sector, took longer than the SQL.
        parts.append(pd.DataFrame({"district_name": part["district_name"], "sector": sector.code,
                                   "org_type": str(sector.org_type), "value": part["value"]}, columns=HEAT_COLUMNS))
    heat = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=HEAT_COLUMNS)
    return _top_districts(heat) if is_additive(INDICATORS_BY_CODE[code]) else heat


def _top_districts(heat: pd.DataFrame, n: int = TOP_BARS) -> pd.DataFrame:
    """The heat map's rows of the n districts with the most, and one row per sector summing the others
    (district_name None, `others` = how many districts)."""
    totals = heat.groupby("district_name", sort=False)["value"].sum()
    if len(totals) <= n + 1:
        return heat
    top = totals.sort_values(ascending=False, kind="stable").index[:n]
    rest = heat[~heat["district_name"].isin(top)]
    others = rest.groupby(["sector", "org_type"], sort=False, as_index=False)["value"].sum()
    others["others"] = rest["district_name"].nunique()
    return pd.concat([heat[heat["district_name"].isin(top)], others], ignore_index=True)


def coop_states(frame: pd.DataFrame) -> pd.DataFrame:
    """evaluate(by=...) rows -> the operating/stopped rows, with their state code and count (0 when missing)."""
    part = frame[frame["indicator"].isin(COOP_STATES)].copy()
    part["state"] = part["indicator"].map(COOP_STATES)
    part["count"] = part["value"].fillna(0)
    return part


RANKINGS = ("district", "commune", "sector")  # what the Compare page ranks by


def has_breakdown(code: str, by: str) -> bool:
    """Whether an indicator can be ranked by `by` (by sector or commune: not the alliance's classes and loans)."""
    dimension = "commune" if by in COMMUNE_BREAKDOWNS else by
    return dimension not in ("sector", "commune") or dimension in INDICATORS_BY_CODE[code].dimensions


def with_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a ranking draws: those with a figure."""
    return frame[frame["value"].notna()].copy()


_NO_COMPARISON = ("previous_period", "previous_value", "change", "target", "target_high", "comparator", "attainment",
                  "expected", "status", "target_item")


def breakdown_key(by: str) -> str:
    """The column of evaluate(by=...) that holds the breakdown's key."""
    return "commune" if by in COMMUNE_BREAKDOWNS else "district" if by in DISTRICT_BREAKDOWNS else by


def top_and_others(frame: pd.DataFrame, key: str, n: int = TOP_BARS) -> pd.DataFrame:
    """evaluate(by=...) rows of the `n` keys with the largest figures (summed over the frame's indicators,
    so a stack ranks by its total) and, per indicator, one row for all the other keys (key OTHERS,
    `others` = how many): measures summed and the figure formed from the sums, so a rate is the other
    areas' rate, never an average of their rates. The frame unchanged when it has at most n + 1 keys."""
    totals = frame.groupby(key, sort=False)["value"].sum()
    if len(totals) <= n + 1:
        return frame
    top = totals.sort_values(ascending=False, kind="stable").index[:n]
    rest = frame[~frame[key].isin(top)]
    others = [_others_row(rows, key) for _, rows in rest.groupby("indicator", sort=False)]
    return pd.concat([frame[frame[key].isin(top)], pd.DataFrame(others, columns=[*frame.columns, "others"])],
                     ignore_index=True)


def _others_row(rows: pd.DataFrame, key: str) -> dict:
    ind = INDICATORS_BY_CODE[rows["indicator"].iloc[0]]
    numerator = rows["numerator"].sum(min_count=1)
    denominator = rows["denominator"].sum(min_count=1) if rows["denominator"].notna().any() else None
    value = math.nan if pd.isna(numerator) else indicator_value(ind, numerator, denominator)
    row = rows.iloc[0].to_dict() | {key: OTHERS, f"{key}_name": None, "others": rows[key].nunique(),
                                    "numerator": numerator, "denominator": denominator, "value": value,
                                    "share": rows["share"].sum(min_count=1) if is_additive(ind) else math.nan}
    return row | {column: None for column in _NO_COMPARISON if column in row}


def indicator_table(frame: pd.DataFrame, codes: list[str], index: str) -> pd.DataFrame:
    """evaluate(by=...) rows -> one row per `index` value, one column per indicator, in `codes` order."""
    wide = frame.pivot_table(index=index, columns="indicator", values="value", aggfunc="sum", sort=False)
    return wide.reindex(columns=codes)


# ---------------------------------------------------------------------------------------------
# Targets: which one applies where


def province_target(targets: pd.DataFrame, code: str) -> float | None:
    """The province-wide (no sector) target of `code` among target_table() rows, if any."""
    if targets.empty:
        return None
    match = targets[(targets["indicator"] == code) & targets["sector"].isna()]
    return float(match.iloc[0]["target"]) if not match.empty else None


def ranking_target(targets: pd.DataFrame, code: str) -> float | None:
    """The target line on a ranking of districts or sectors: a province target is a yardstick for
    a district only when it is a level (a rate or an average); a count's target is the province's sum."""
    return None if is_additive(INDICATORS_BY_CODE[code]) else province_target(targets, code)


def trend_target(targets: pd.DataFrame, code: str, granularity: str) -> float | None:
    """The target line over periods: a level's target holds for every period; a count's annual
    target is comparable only with whole years."""
    if is_additive(INDICATORS_BY_CODE[code]) and granularity != "year":
        return None
    return province_target(targets, code)


def target_decimals(unit: str, indicator_type: str) -> int:
    """Decimals of a target and its actual figure: rates and averages to one place, counts whole."""
    return 1 if unit == "%" or indicator_type == IndicatorType.AVERAGE else 0


def open_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Targets not yet met that a shortfall can be shared out for ("at most" targets have none)."""
    if targets.empty:
        return targets
    return targets[targets["status"].isin(OPEN_STATUSES) & (targets["comparator"] != "max")]


# ---------------------------------------------------------------------------------------------
# Projector slides


@dataclass(frozen=True)
class Slide:
    """One projector screen: a headline indicator, or one target (its row in target_table())."""

    code: str
    target: int | None = None  # index of the target_table() row
    sector: str | None = None  # a sector target's sector

    @property
    def is_target(self) -> bool:
        return self.target is not None


# The presentation's headline indicators, in order, before the targets: the app's projector mode
# and the .pptx show the same sequence.
SLIDE_HEADLINES = ("coops_total", "coops_operating", "coop_charter_capital", "coop_members_workers", "groups_total")


def slides(headlines: list[str] | tuple[str, ...], targets: pd.DataFrame) -> list[Slide]:
    """The headline indicators, then every target of the period."""
    out = [Slide(code) for code in headlines]
    for index, row in targets.iterrows():
        out.append(Slide(row["indicator"], index, sector_or_none(row["sector"])))
    return out


def slide_scope(flt: Filter, slide: Slide) -> Filter:
    """The filter a slide's district ranking is computed under: a sector target's own sector."""
    return replace(flt, sectors=(slide.sector,)) if slide.sector else flt


def slide_target(targets: pd.DataFrame, slide: Slide) -> float | None:
    """The target line on a slide's district ranking (levels only, as on rankings)."""
    if not slide.is_target or is_additive(INDICATORS_BY_CODE[slide.code]):
        return None
    return float(targets.loc[slide.target, "target"])
