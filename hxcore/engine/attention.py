"""Cần chỉ đạo: what needs a decision at a period's end, as data.

Four lists, each a DataFrame with English column names and typed values (hxcore.present.frames
writes the text; pages and slides draw it):

- targets behind their pace, with two year-end projections (linear from year-to-date, and the
  same share of the year as last year), the gap in units and per remaining month, and the
  districts carrying most of it (attainment.gaps_by_area);
- cooperatives stopped at the end of this period and of the period before it, or longer;
- support-fund loans overdue (the data holds no loan terms: the rule is RULES below);
- 1054 projects without progress.

`needs_attention(engine, flt)` is the one entry point; the app, the slides and the CLI call it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, case, func, literal, select

from hxcore.db import schema
from hxcore.engine.attainment import gaps_by_area, target_table
from hxcore.engine.compute import evaluate
from hxcore.engine.lists import _area_names, _org_conditions, _sector_label_for, organisation_list, project_list
from hxcore.model.areas import after_reform
from hxcore.model.catalog import INDICATORS_BY_CODE, IndicatorType, is_paced
from hxcore.model.filters import Filter
from hxcore.model.periods import Period
from hxcore.model.vocab import ProjectScheme, ProjectStatus, Status

# The rules behind the lists: named here once, shown on the page beside each list.
STOPPED_MIN_PERIODS = 2  # stopped at this period's end and at the end of the period before it
STOPPED_LOOKBACK = 8  # periods looked back to say since when a cooperative is stopped
LOAN_GRACE_MONTHS = 12  # repayments start a year after disbursement (the demo's and the fund's practice)
LOAN_INSTALMENT_MONTHS = 6  # then an instalment every half-year: none for longer is overdue
GRACE, INSTALMENT = relativedelta(months=LOAN_GRACE_MONTHS), relativedelta(months=LOAN_INSTALMENT_MONTHS)
OWED_AT_LEAST = 1e-6  # million đồng: below it, a loan is repaid (sums of floats)
PROJECT_IDLE_MONTHS = 6  # a 1054 project without a new step for half a year has stalled
TOP_AREAS = 3  # districts named per target: those carrying most of its gap

TARGET_COLUMNS = ["row", "item", "indicator", "sector", "label", "unit", "indicator_type", "wording", "target",
                  "actual", "attainment", "expected", "status", "linear", "last_year_share", "gap", "gap_unit",
                  "needed_per_month", "remaining_months"]
AREA_COLUMNS = ["row", "indicator", "sector", "area", "area_name", "needed", "contribution"]
STOPPED_COLUMNS = ["id", "name", "district_code", "district_name", "commune_name", "sector_code", "sector_label",
                   "periods_stopped", "stopped_since", "at_least"]
LOAN_COLUMNS = ["id", "name", "district_code", "district_name", "sector_label", "disbursed_on", "amount",
                "outstanding", "last_paid_on", "due_since", "days_overdue"]
PROJECT_COLUMNS = ["id", "title", "name", "district_code", "district_name", "status", "status_label",
                   "last_step_on", "months_idle"]


@dataclass(frozen=True)
class Attention:
    """What needs a decision at the filter's period end. Each frame may be empty, never None."""

    period: str
    targets: pd.DataFrame  # TARGET_COLUMNS: one row per target behind its pace
    areas: pd.DataFrame  # AREA_COLUMNS: the districts carrying most of each target's gap (`row` links them)
    stopped: pd.DataFrame  # STOPPED_COLUMNS: cooperatives stopped STOPPED_MIN_PERIODS periods or more
    loans: pd.DataFrame  # LOAN_COLUMNS: fund loans overdue
    projects: pd.DataFrame  # PROJECT_COLUMNS: 1054 projects without progress

    @property
    def empty(self) -> bool:
        return all(frame.empty for frame in (self.targets, self.stopped, self.loans, self.projects))

    def counts(self) -> dict[str, int]:
        """How many lines each list has: the slide's and the page's headline."""
        return {"targets": len(self.targets), "stopped": len(self.stopped), "loans": len(self.loans),
                "projects": len(self.projects)}


def needs_attention(engine: Engine, flt: Filter) -> Attention:
    """Everything that needs a decision at `flt`'s period end, under its districts and sectors."""
    targets, areas = behind_targets(engine, flt)
    return Attention(flt.period, targets, areas, stopped_coops(engine, flt), overdue_loans(engine, flt),
                     idle_projects(engine, flt))


# ---------------------------------------------------------------------------------------------
# Targets behind their pace


def _sector_code(value) -> str | None:
    """A target's sector, or None for a province-wide one (the column holds NaN)."""
    return value if isinstance(value, str) and value else None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _values(engine: Engine, flt: Filter, period: Period, codes: list[str]) -> dict[str, float | None]:
    frame = evaluate(engine, replace(flt, period=period.code), codes, compare=False, with_targets=False)
    return {row["indicator"]: (None if _missing(row["value"]) else float(row["value"]))
            for row in frame.to_dict("records")}


def linear_projection(actual: float, start: float | None, year_fraction: float) -> float | None:
    """The year-end figure if the year goes on as it went: the change since 1 January, stretched
    over the whole year (flows start from 0; stocks, rates and averages from last year's end)."""
    if start is None or year_fraction <= 0:
        return None
    return start + (actual - start) / year_fraction


def share_projection(actual: float, last_year_end: float | None, last_year_same: float | None) -> float | None:
    """The year-end figure if the rest of the year adds what it added last year, in proportion:
    actual × (last year's year-end figure ÷ last year's figure at the same date)."""
    if last_year_end is None or not last_year_same:
        return None
    return actual * last_year_end / last_year_same


def _gap(row: dict) -> tuple[float | None, str]:
    """What is still missing to the full target, in the units a decision counts: a rate's gap in
    its numerator's units (effective HTX still needed), a count's in its own, an average's in its own."""
    ind = INDICATORS_BY_CODE[row["indicator"]]
    if _missing(row["gap"]):
        return None, "value"
    if ind.type == IndicatorType.RATIO and not _missing(row["denominator"]):
        level = row["target"] / ind.scale
        return max(level * row["denominator"] - row["numerator"], 0.0), "numerator"
    return float(row["gap"]), "value"


def _projections(engine: Engine, flt: Filter, behind: pd.DataFrame) -> dict[tuple, tuple]:
    """{(sector, indicator): (linear, last-year share)} for the targets behind, one evaluation per scope and period."""
    period = flt.parsed_period
    last_year, same_last_year = Period(period.year - 1), period.same_period_last_year()
    found = {}
    for sector, part in behind.groupby(behind["sector"].map(lambda s: _sector_code(s) or ""), sort=False):
        scope = replace(flt, sectors=(sector,) if sector else ())
        codes = sorted(set(part["indicator"]))
        end_before, same_before = _values(engine, scope, last_year, codes), _values(engine, scope, same_last_year, codes)
        for row in part.to_dict("records"):
            code = row["indicator"]
            start = 0.0 if is_paced(INDICATORS_BY_CODE[code]) else end_before.get(code)
            found[(sector, code)] = (linear_projection(row["actual"], start, period.year_fraction),
                                     share_projection(row["actual"], end_before.get(code), same_before.get(code)))
    return found


def _areas(engine: Engine, flt: Filter, rows: list[dict]) -> pd.DataFrame:
    # An average's gap is not a sum over districts.
    rows = [row for row in rows if row["gap_unit"] is not None and row["gap"]
            and row["indicator_type"] != IndicatorType.AVERAGE]
    # Districts until 30/6/2025, the 38 communes after: the units that exist at the period's end.
    by = "commune" if after_reform(flt.parsed_period.end) else "district"
    gaps = gaps_by_area(engine, flt, [(row["indicator"], row["sector"] or None) for row in rows], by) if rows else {}
    parts = []
    for row in rows:
        found = gaps[(row["indicator"], row["sector"] or None)]
        if found.empty:
            continue
        top = found[found["needed"] > 0].head(TOP_AREAS).copy()
        top["row"], top["indicator"], top["sector"] = row["row"], row["indicator"], row["sector"]
        parts.append(top[AREA_COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=AREA_COLUMNS)


def behind_targets(engine: Engine, flt: Filter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(targets behind their pace with projections and gaps, the districts carrying most of each gap)."""
    table = target_table(engine, flt)
    if table.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS), pd.DataFrame(columns=AREA_COLUMNS)
    behind = table[table["status"] == "behind"].copy()
    behind["row"] = behind.index
    behind["sector"] = behind["sector"].map(_sector_code).astype(object)
    projections = _projections(engine, flt, behind)
    remaining = 12 - flt.parsed_period.months_elapsed
    rows = []
    for row in behind.to_dict("records"):
        row["sector"] = _sector_code(row["sector"])
        gap, unit = _gap(row)
        linear, share = projections[(row["sector"] or "", row["indicator"])]
        per_month = gap / remaining if gap is not None and remaining and row["indicator_type"] != IndicatorType.AVERAGE else None
        rows.append({**row, "linear": linear, "last_year_share": share, "gap": gap, "gap_unit": unit,
                     "needed_per_month": per_month, "remaining_months": remaining})
    frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    return frame, _areas(engine, flt, rows)


# ---------------------------------------------------------------------------------------------
# Cooperatives stopped for two periods or more


def _returns(engine: Engine, ids: list[int], dates: list[date]) -> tuple[dict[int, int], dict[int, int]]:
    """Which of `dates` each organisation has a return at, and which of those returns say stopped:
    {organisation: bits}, bit i for dates[i]. Summed up in SQL from an index alone (ix_facts_as_of,
    ix_facts_stopped): a country's 3.000 stopped HTX have 20.000 returns at the dates looked back
    at, and reading them as rows took longer than finding them."""
    f = schema.facts
    bits = func.sum(case({day: 1 << i for i, day in enumerate(dates)}, value=f.c.as_of, else_=0))
    present = select(f.c.org_id, bits).where(f.c.org_id.in_(ids), f.c.as_of.in_(dates)).group_by(f.c.org_id)
    # The status written into the SQL: then SQLite knows the partial index holds every row asked for,
    # and reads no facts' row to check it (11 against 25 ms); PostgreSQL's generic plans need it too.
    stopped = present.where(f.c.status == literal(Status.STOPPED.value, literal_execute=True))
    with engine.connect() as connection:
        return tuple(dict(connection.execute(statement).all()) for statement in (present, stopped))


def stopped_coops(engine: Engine, flt: Filter) -> pd.DataFrame:
    """Cooperatives stopped at the period's end and at the end of each of the STOPPED_MIN_PERIODS − 1
    periods of the same kind before it. `periods_stopped` counts the run, `stopped_since` is its
    first period; `at_least` when the run reaches the oldest data (or STOPPED_LOOKBACK periods)."""
    coops = organisation_list(engine, flt, "coop", status=Status.STOPPED)
    if coops.empty:
        return pd.DataFrame(columns=STOPPED_COLUMNS)
    periods = [flt.parsed_period]
    while len(periods) < STOPPED_LOOKBACK:
        periods.append(periods[-1].previous())
    ids = [int(i) for i in coops["id"]]
    present, stopped = _returns(engine, ids, [p.end for p in periods[1:]])  # bit i: periods[i + 1]
    runs, since, at_least = [], [], []
    for org in ids:
        run, stopped_then = 1, stopped.get(org, 0)
        while run < len(periods) and stopped_then >> (run - 1) & 1:
            run += 1
        runs.append(run)
        since.append(periods[run - 1].code)
        at_least.append(run == len(periods) or not present.get(org, 0) >> (run - 1) & 1)
    coops = coops.assign(periods_stopped=runs, stopped_since=since, at_least=at_least)
    kept = coops[coops["periods_stopped"] >= STOPPED_MIN_PERIODS]
    return kept.sort_values(["periods_stopped", "district_name", "name"], ascending=[False, True, True])[
        STOPPED_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Fund loans overdue


def _months_between(first: date, last: date) -> int:
    delta = relativedelta(last, first)
    return delta.years * 12 + delta.months


def overdue_loans(engine: Engine, flt: Filter) -> pd.DataFrame:
    """Loans with money still owed at the period's end and no repayment for longer than an
    instalment: nothing paid within LOAN_INSTALMENT_MONTHS of the end, once the LOAN_GRACE_MONTHS
    after disbursement have passed. `due_since` is when the missed instalment fell due, `days_overdue`
    how long before the period's end."""
    end = flt.parsed_period.end
    o, loans, r = schema.organisations, schema.fund_loans, schema.fund_repayments
    paid = (select(r.c.loan_id, func.sum(r.c.amount).label("repaid"), func.max(r.c.paid_on).label("last_paid_on"))
            .where(r.c.paid_on <= end).group_by(r.c.loan_id).subquery())
    statement = (
        select(loans.c.id, o.c.name, o.c.district_code, o.c.sector_code, o.c.org_type, loans.c.disbursed_on,
               loans.c.amount, func.coalesce(paid.c.repaid, 0).label("repaid"), paid.c.last_paid_on)
        .select_from(loans.join(o, loans.c.org_id == o.c.id).outerjoin(paid, paid.c.loan_id == loans.c.id))
        # Only loans with money still owed: a country's fund has repaid most of its 2.300 loans.
        .where(loans.c.disbursed_on <= end, loans.c.amount - func.coalesce(paid.c.repaid, 0) > OWED_AT_LEAST,
               *_org_conditions(o, flt, None))
        .order_by(loans.c.disbursed_on, loans.c.id)
    )
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(statement).mappings()]
    overdue = []
    for row in rows:
        outstanding = float(row["amount"]) - float(row["repaid"])
        first_due = row["disbursed_on"] + GRACE
        last = row["last_paid_on"]
        due = max(first_due, last + INSTALMENT) if last else first_due
        if outstanding > OWED_AT_LEAST and due < end:
            overdue.append({**row, "outstanding": outstanding, "due_since": due, "days_overdue": (end - due).days})
    if not overdue:
        return pd.DataFrame(columns=LOAN_COLUMNS)
    frame = pd.DataFrame(overdue)
    frame["district_name"] = frame["district_code"].map(_area_names(engine, "district", end))
    frame["sector_label"] = [_sector_label_for(c, t) for c, t in zip(frame["sector_code"], frame["org_type"], strict=True)]
    return frame.sort_values(["due_since", "outstanding"], ascending=[True, False])[LOAN_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 1054 projects without progress


def idle_projects(engine: Engine, flt: Filter) -> pd.DataFrame:
    """Scheme 1054 projects not completed whose last step (or selection) is more than
    PROJECT_IDLE_MONTHS before the period's end."""
    end = flt.parsed_period.end
    projects = project_list(engine, flt)
    projects = projects[(projects["scheme"] == ProjectScheme.LINKAGE_1054) & (projects["status"] != ProjectStatus.COMPLETED)]
    if projects.empty:
        return pd.DataFrame(columns=PROJECT_COLUMNS)
    e = schema.project_events
    statement = (select(e.c.project_id, func.max(e.c.happened_on)).where(e.c.project_id.in_([int(i) for i in projects["id"]]),
                                                                         e.c.happened_on <= end).group_by(e.c.project_id))
    with engine.connect() as connection:
        last_step = dict(connection.execute(statement).all())
    projects = projects.assign(last_step_on=[last_step.get(int(i), selected) for i, selected in
                                             zip(projects["id"], projects["selected_on"], strict=True)])
    projects["months_idle"] = [_months_between(day, end) for day in projects["last_step_on"]]
    idle = projects[projects["months_idle"] >= PROJECT_IDLE_MONTHS]
    return idle.sort_values(["months_idle", "district_name"], ascending=[False, True])[PROJECT_COLUMNS].reset_index(drop=True)
