"""Benchmark: how fast hx serves its query shapes, against what a data person would reach for.

For each query shape it prints the median and the spread (min–max) over repeated runs and the
rows read; then, on the same data in the same run, one shape (cooperatives by district: counts,
capital, members, workers, effective and alliance shares) computed three ways: hx, pandas
reading the tables and grouping in memory, and DuckDB querying the same SQLite file. Figures are
printed, never asserted: speed goals live here, not in unit tests.
"""

from __future__ import annotations

import glob
import platform
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from hxcore.db import schema
from hxcore.engine import summary
from hxcore.engine.compute import evaluate
from hxcore.model.filters import Filter

SHAPE_INDICATORS = ["coops_total", "coops_operating", "coops_inactive", "coop_charter_capital", "coop_members",
                    "coop_workers", "coops_effective_share", "coops_alliance_share"]


def _time(run: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    run()  # warm-up: first-touch of pages and compiled statements
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        timings.append((time.perf_counter() - start) * 1000)
    return timings, result


def _fmt(timings: list[float]) -> str:
    return f"median {statistics.median(timings):8.1f} ms   (min {min(timings):.1f} – max {max(timings):.1f})"


def _rows_read(engine: Engine, flt: Filter) -> str:
    end = flt.parsed_period.end
    with engine.connect() as connection:
        facts = connection.execute(select(func.count()).select_from(schema.facts)
                                   .where(schema.facts.c.as_of.between(flt.parsed_period.year_start, end))).scalar()
        summarised = connection.execute(select(func.count()).select_from(summary.summary_org)
                                        .where(summary.summary_org.c.as_of == end)).scalar()
    return f"summary rows {summarised:,} (raw facts rows in the window {facts:,})"


def _pandas_by_district(engine: Engine, flt: Filter) -> pd.DataFrame:
    end = flt.parsed_period.end
    with engine.connect() as connection:
        orgs = pd.read_sql(select(schema.organisations), connection)
        facts = pd.read_sql(select(schema.facts).where(schema.facts.c.as_of == end), connection)
    coops = orgs[orgs["kind"].isin(["htx", "credit_fund"])]
    coops = coops.assign(registered_on=pd.to_datetime(coops["registered_on"]),
                         dissolved_on=pd.to_datetime(coops["dissolved_on"]),
                         alliance_joined_on=pd.to_datetime(coops["alliance_joined_on"]))
    end_ts = pd.Timestamp(end)
    existing = coops[(coops["registered_on"] <= end_ts)
                     & (coops["dissolved_on"].isna() | (coops["dissolved_on"] > end_ts))]
    joined = facts.merge(coops, left_on="org_id", right_on="id")
    operating = joined[joined["status"] == "operating"]
    by = operating.groupby("district_code")
    out = pd.DataFrame({
        "coops_total": existing.groupby("district_code").size(),
        "coops_operating": by.size(),
        "coops_inactive": joined[joined["status"] == "stopped"].groupby("district_code").size(),
        "coop_charter_capital": by["charter_capital"].sum(),
        "coop_members": by["members"].sum(),
        "coop_workers": by["workers"].sum(),
        "effective": operating[operating["rating"].isin(["tot", "kha"])].groupby("district_code").size(),
        "alliance": operating[operating["alliance_joined_on"] <= end_ts].groupby("district_code").size(),
    }).fillna(0)
    out["coops_effective_share"] = out["effective"] / out["coops_operating"] * 100
    out["coops_alliance_share"] = out["alliance"] / out["coops_operating"] * 100
    return out[SHAPE_INDICATORS]


def _duckdb_connection(sqlite_path: str):
    import duckdb

    connection = duckdb.connect()
    # The extension ships in a PyPI package: load it from there rather than from the network.
    import duckdb_extension_sqlite_scanner as package

    extension = glob.glob(str(Path(package.__file__).parent / "extensions" / "*" / "sqlite_scanner.duckdb_extension"))
    connection.execute(f"LOAD '{extension[0]}'")
    connection.execute(f"ATTACH '{sqlite_path}' AS hx (TYPE sqlite, READ_ONLY)")
    return connection


def _duckdb_by_district(connection, flt: Filter) -> pd.DataFrame:
    end = flt.parsed_period.end.isoformat()
    query = f"""
        WITH coops AS (SELECT * FROM hx.organisations WHERE kind IN ('htx', 'credit_fund')),
        existing AS (
            SELECT district_code, count(*) AS coops_total FROM coops
            WHERE registered_on <= DATE '{end}' AND (dissolved_on IS NULL OR dissolved_on > DATE '{end}')
            GROUP BY district_code),
        snapshot AS (
            SELECT c.district_code,
                   count(*) FILTER (WHERE f.status = 'operating') AS coops_operating,
                   count(*) FILTER (WHERE f.status = 'stopped') AS coops_inactive,
                   sum(f.charter_capital) FILTER (WHERE f.status = 'operating') AS coop_charter_capital,
                   sum(f.members) FILTER (WHERE f.status = 'operating') AS coop_members,
                   sum(f.workers) FILTER (WHERE f.status = 'operating') AS coop_workers,
                   count(*) FILTER (WHERE f.status = 'operating' AND f.rating IN ('tot', 'kha')) AS effective,
                   count(*) FILTER (WHERE f.status = 'operating' AND c.alliance_joined_on <= DATE '{end}') AS alliance
            FROM hx.facts f JOIN coops c ON f.org_id = c.id
            WHERE f.as_of = DATE '{end}' GROUP BY c.district_code)
        SELECT e.district_code, e.coops_total, s.coops_operating, s.coops_inactive, s.coop_charter_capital,
               s.coop_members, s.coop_workers,
               s.effective * 100.0 / s.coops_operating AS coops_effective_share,
               s.alliance * 100.0 / s.coops_operating AS coops_alliance_share
        FROM existing e JOIN snapshot s USING (district_code)
    """
    return connection.execute(query).df().set_index("district_code")


def _hx_by_district(engine: Engine, flt: Filter) -> pd.DataFrame:
    frame = evaluate(engine, flt, SHAPE_INDICATORS, by="district", compare=False, with_targets=False)
    return frame.pivot(index="district", columns="indicator", values="value")[SHAPE_INDICATORS]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    common = a.index.intersection(b.index)
    left = a.loc[common, SHAPE_INDICATORS].astype(float).fillna(0)
    right = b.loc[common, SHAPE_INDICATORS].astype(float).fillna(0)
    nonzero = a[a["coops_total"] > 0].index
    return len(common) >= len(nonzero) and ((left - right).abs() < 1e-6).all().all()


def run_benchmark(engine: Engine, period: str = "2023-H1", repeat: int = 7, print_=print) -> dict:
    """Print the benchmark; returns the medians (ms) by shape for callers that record them."""
    with engine.connect() as connection:
        provinces = connection.execute(select(func.count()).select_from(schema.areas)
                                       .where(schema.areas.c.level == "province")).scalar()
        organisations = connection.execute(select(func.count()).select_from(schema.organisations)).scalar()
        facts = connection.execute(select(func.count()).select_from(schema.facts)).scalar()
        first_district = connection.execute(select(schema.areas.c.code).where(schema.areas.c.level == "district")
                                            .order_by(schema.areas.c.code).limit(1)).scalar()
    print_(f"hx benchmark · {engine.dialect.name} · {provinces} province(s), {organisations:,} organisations, "
           f"{facts:,} fact rows · period {period}")
    print_(f"machine: {platform.machine()}, {platform.processor() or platform.system()}, "
           f"Python {platform.python_version()}; {repeat} runs after one warm-up")
    base = Filter(period)
    shapes = [
        ("panel, all indicators, whole area (+comparison, targets)", base, None),
        ("panel, all indicators, one district", replace(base, districts=(first_district,)), None),
        ("panel, all indicators, one sector", replace(base, sectors=("agriculture",)), None),
        ("by district, all indicators, whole area", base, "district"),
        ("by sector, all indicators, whole area", base, "sector"),
    ]
    medians = {}
    for name, flt, by in shapes:
        timings, frame = _time(lambda flt=flt, by=by: evaluate(engine, flt, by=by), repeat)
        medians[name] = statistics.median(timings)
        print_(f"  {name:<58} {_fmt(timings)}   {len(frame):,} rows out")
    print_(f"  rows read: {_rows_read(engine, base)}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_(f"  peak memory of this process while serving hx queries: {peak_mb:.0f} MB")

    print_("cooperatives by district (8 indicators), three ways on the same data:")
    hx_timings, hx_result = _time(lambda: _hx_by_district(engine, base), repeat)
    print_(f"  {'hx (SQL on summary tables)':<58} {_fmt(hx_timings)}")
    pandas_timings, pandas_result = _time(lambda: _pandas_by_district(engine, base), max(3, repeat // 2))
    print_(f"  {'pandas (read tables, group in memory)':<58} {_fmt(pandas_timings)}")
    hx_median = statistics.median(hx_timings)
    print_(f"  hx / pandas = {hx_median / statistics.median(pandas_timings):.3f}; "
           f"same figures: {'yes' if _same(pandas_result, hx_result) else 'NO'}")
    medians["hx by district (8)"] = hx_median
    medians["pandas by district (8)"] = statistics.median(pandas_timings)
    if engine.dialect.name == "sqlite":
        try:
            duck = _duckdb_connection(engine.url.database)
        except Exception as error:  # noqa: BLE001 - the comparison is optional, hx's figures stand
            print_(f"  DuckDB: not measured ({type(error).__name__}: {error})")
        else:
            duck_timings, duck_result = _time(lambda: _duckdb_by_district(duck, base), repeat)
            print_(f"  {'DuckDB (same SQLite file, sqlite_scanner)':<58} {_fmt(duck_timings)}")
            print_(f"  hx / DuckDB = {hx_median / statistics.median(duck_timings):.3f}; "
                   f"same figures: {'yes' if _same(duck_result, hx_result) else 'NO'}")
            medians["duckdb by district (8)"] = statistics.median(duck_timings)
    return medians
