"""Everything the half-year report says, computed: gather() runs evaluate, target_table, the lists and
the data checks once for a filter, and hands the results to hxcore.present.report, which writes them
as sentences without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Engine, select

from hxcore.db import schema
from hxcore.engine import checks, lists
from hxcore.engine.attainment import target_table
from hxcore.engine.compute import (
    compute_measures,
    district_choices,
    evaluate,
    part_choices,
    provinces_of,
)
from hxcore.engine.targets import resolutions, scope_province
from hxcore.model.catalog import ESTIMATED_RETURNS, INDICATORS, MEASURES_BY_CODE, Indicator, Time, org_type_of
from hxcore.model.filters import Filter
from hxcore.model.vocab import OrgType

# The annex: one row per district, one column per headline indicator.
ANNEX = ("coops_total", "coops_operating", "coop_charter_capital", "coop_members_workers", "coops_effective_share",
         "groups_total", "groups_members")
# Indicators the report breaks down by sector (§I.1, §I.2.3, the advice given in §II.2).
BY_SECTOR = ("groups_total", "coops_total", "coops_operating", "coops_inactive", "coop_members", "coop_workers",
             "coop_charter_capital", "coops_new_supported")
FACT_SOURCES = ("facts_end", "facts_ytd")


@dataclass(frozen=True)
class ReportData:
    """The figures of one report: the filter's totals, sectors and districts, targets, lists and checks."""

    flt: Filter
    totals: pd.DataFrame  # evaluate(): every indicator, with its comparison and target
    sectors: pd.DataFrame  # evaluate(by="sector"): BY_SECTOR at least
    districts: pd.DataFrame  # evaluate(by=parts) for ANNEX: the annex's rows
    targets: pd.DataFrame  # target_table()
    projects: pd.DataFrame  # lists.project_list()
    unions: pd.DataFrame  # lists.organisation_list(..., "union")
    district_names: dict[str, str]
    province_name: str | None
    resolution: dict | None  # the resolution whose targets §II.1 follows (code, title, adopted_on)
    estimated: frozenset[str] = frozenset()  # indicators resting on facts reported as estimates ("ước đạt")
    flags: dict = field(default_factory=dict)  # checks.Key -> labels of the rules the figure fails
    data_version: str = ""
    demo: bool = False
    parts: str = "district"  # what the annex's rows are: districts, or provinces (compute.parts_breakdown)
    part_names: dict[str, str] = field(default_factory=dict)  # their names


def _province_name(engine: Engine, flt: Filter) -> str | None:
    code = scope_province(engine, flt)
    if code is None:
        return None
    areas = schema.areas
    with engine.connect() as connection:
        return connection.execute(select(areas.c.name).where(areas.c.code == code)).scalar()


def _meta(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(select(schema.meta.c.key, schema.meta.c.value)).all())


def _is_estimated(ind: Indicator, found: dict[tuple[OrgType, str], bool]) -> bool:
    source = MEASURES_BY_CODE[ind.numerator].source
    org_type = org_type_of(ind)
    if source not in FACT_SOURCES or org_type is None:
        return False
    # A flow is summed from 1 January: any estimated return of the year counts; a stock: those at the end.
    return found[(org_type, "facts_ytd" if ind.time == Time.FLOW else "facts_end")]


def estimated_indicators(engine: Engine, flt: Filter) -> frozenset[str]:
    """Indicators computed from facts of which some were reported as estimates (vocab.Quality)."""
    counts = compute_measures(engine, [m.code for m in ESTIMATED_RETURNS.values()], replace(flt, sectors=()), None)
    found = {key: bool(counts[m.code].column[0] > 0) for key, m in ESTIMATED_RETURNS.items()}  # NaN: no data, none
    return frozenset(ind.code for ind in INDICATORS if _is_estimated(ind, found))


def _resolution(engine: Engine, targets: pd.DataFrame) -> dict | None:
    if targets.empty:
        return None
    code = targets["resolution"].iloc[0]
    return next((r for r in resolutions(engine) if r["code"] == code), {"code": code, "title": code, "adopted_on": None})


def _annex(parts: pd.DataFrame) -> pd.DataFrame:
    """The annex's indicators of the checks' frame of the parts."""
    return parts[parts["indicator"].isin(ANNEX)].reset_index(drop=True)


def gather(engine: Engine, flt: Filter) -> ReportData:
    """The report's figures for a period and districts (the report covers every sector)."""
    flt = replace(flt, sectors=())
    targets = target_table(engine, flt)
    info = _meta(engine)
    district_names = dict(district_choices(engine, flt.province))
    # The checks of the report's province (of its districts' province, when only districts are named),
    # so that the annex's districts carry their flags on a database of several provinces too.
    named = provinces_of(engine, flt.districts) if flt.districts and not flt.province else set()
    province = flt.province or (named.pop() if len(named) == 1 else None)
    checked = checks.data_frames(engine, flt.period, province)
    # Without districts named, province is flt.province: the checks' parts are the report's.
    parts = "district" if flt.districts else checks.parts_of(checked)
    # A report on the checks' own area, compared as they compare, reads their results (each built once).
    # Which communes' list is meant (old_communes) does not matter when no commune is named.
    own = replace(flt, old_communes=False) == Filter(flt.period, province=flt.province)
    return ReportData(
        flt=flt,
        totals=checked[None] if own else evaluate(engine, flt),
        sectors=checked["sector"] if own else evaluate(engine, flt, list(BY_SECTOR), by="sector", with_targets=False),
        districts=_annex(checked[parts]) if own else evaluate(engine, flt, list(ANNEX), by=parts, compare=False,
                                                            with_targets=False),
        targets=targets,
        projects=lists.project_list(engine, flt),
        unions=lists.organisation_list(engine, flt, OrgType.UNION.value),
        district_names=district_names,
        province_name=_province_name(engine, flt),
        resolution=_resolution(engine, targets),
        estimated=estimated_indicators(engine, flt),
        flags=checks.failing_figures(engine, flt.period, province, frames=checked),
        data_version=info.get("data_version", ""),
        demo=info.get("demo") == "true",
        parts=parts,
        part_names=district_names if parts == "district" else dict(part_choices(engine, flt.province)),
    )
