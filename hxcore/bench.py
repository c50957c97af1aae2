"""Benchmark: hx against what an analyst would set up, on the same question, in one process.

Questions (whole area, period 2023-H1 unless told):
  panel        the organisation indicators: every indicator hx serves from its summary tables
               (30 of the 44: HTX, THT and unions), one row;
  by district  the same indicators, one row per district;
and hx alone against its own SQL, for the two queries the app makes: all 44 indicators with the
comparison and the targets, for the whole area and by district.

Contenders, each answering from data it holds (loaded once, before any timing):
  hx                  evaluate(): SQL on the summary tables, then pandas;
  hx's SQL alone      the statements hx sent, replayed on one DB-API connection, rows fetched, no Python;
  limit               one indexed SELECT on the summary table hx reads forming the indicators in SQL,
                      rows fetched (summary_province for the whole area, summary_org by district);
  DuckDB, summary     the same SELECT on DuckDB's native copy of that table;
  DuckDB, raw rows    hx's raw-row SQL (one GROUP BY per source table) on DuckDB native tables;
  pandas, summary     that table as a frame: filter the date, group, sum;
  pandas, raw rows    organisations and facts as frames: the catalog's conditions as masks, group, sum.
Each contender runs once to warm up and its answer is checked equal to hx's; then `repeat`
rounds, every contender once per round in a shuffled order; medians are compared and every
ratio is printed, whoever wins. Last, a cold start: `python -m hxcore indicators` in a fresh
process, its whole time against the time its imports take. Figures are printed, never asserted.
"""

from __future__ import annotations

import gc
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, Engine, event, func, literal, select, text
from sqlalchemy.dialects import postgresql

from hxcore.db import measures, schema
from hxcore.db.health import database_problem, shown_url
from hxcore.db.schema import DEFAULT_SQLITE_PATH, PROJECT_DIR, make_engine, summary_org, summary_province
from hxcore.engine import summary
from hxcore.engine.compute import additive_summary, evaluate
from hxcore.io.demo import ensure_demo
from hxcore.io.upgrade import upgrade
from hxcore.model.catalog import INDICATORS, MEASURES_BY_CODE, Aggregation, IndicatorType
from hxcore.model.filters import Filter, Window

# The organisations and their returns: the tables every contender loads (the alliance's own
# activity, a few thousand rows, is left out of the question).
QUESTION_SOURCES = ("organisations", "facts_end", "facts_ytd")
# Every indicator of those hx answers from its additive summaries alone: the question all contenders answer.
QUESTION = tuple(ind for ind in INDICATORS if all(
    MEASURES_BY_CODE[code].source in QUESTION_SOURCES and MEASURES_BY_CODE[code].aggregation != Aggregation.COUNT_DISTINCT
    for code in (ind.numerator, ind.denominator) if code))
CODES = [ind.code for ind in QUESTION]
QUESTION_MEASURES = tuple(dict.fromkeys(c for ind in QUESTION for c in (ind.numerator, ind.denominator) if c))
WHOLE = "*"  # the key of a whole-area answer's one row
KEY_COLUMN = {"district": "district_code"}
BENCH_SCHEMA = "hx_bench"  # where the benchmark puts its data on the test server, away from the tests' tables


@dataclass(frozen=True)
class Question:
    title: str
    flt: Filter
    by: str | None
    everything: bool = False  # the app's query: all indicators, comparison and targets (hx only)


@dataclass(frozen=True)
class Contender:
    name: str
    run: Callable[[], object]
    answer: Callable[[object], pd.DataFrame] | None  # the result as key × indicator values, for the check


@dataclass
class Results:
    """Medians (ms) and checks by (question title, contender name); cold start figures (ms)."""

    medians: dict[tuple[str, str], float] = field(default_factory=dict)
    same: dict[tuple[str, str], bool] = field(default_factory=dict)
    cold: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Data the contenders hold, loaded once


def _read(raw, table) -> pd.DataFrame:
    """A whole table as a frame: dates as datetime64, booleans as nullable booleans."""
    cursor = raw.cursor()
    cursor.execute(f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name}")
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=[c.name for c in table.columns])
    cursor.close()
    for column in table.columns:
        if isinstance(column.type, Date):
            frame[column.name] = pd.to_datetime(frame[column.name])
        elif isinstance(column.type, Boolean):
            frame[column.name] = frame[column.name].astype("boolean")
    return frame


LOADED = (schema.organisations, schema.facts, summary_org, summary_province)


def _load_frames(raw) -> SimpleNamespace:
    frames = SimpleNamespace(**{t.name: _read(raw, t) for t in LOADED})
    frames.organisations_by_id = frames.organisations.set_index("id")
    return frames


def _duckdb(frames: SimpleNamespace):
    import duckdb  # optional: only the benchmark compares with it

    connection = duckdb.connect()
    for name in (table.name for table in LOADED):
        connection.register("loaded", getattr(frames, name))
        connection.execute(f"CREATE TABLE {name} AS SELECT * FROM loaded")
        connection.unregister("loaded")
    return connection


# ---------------------------------------------------------------------------------------------
# The question as SQL and as arithmetic on measures


def _formed(ind, numerator, denominator):
    """An indicator from its measures, as the catalog forms it (works on SQL expressions and Series)."""
    if ind.type == IndicatorType.SIMPLE:
        return numerator * ind.scale
    if ind.type == IndicatorType.DIFFERENCE:
        return (numerator - denominator) * ind.scale
    return numerator / denominator * ind.scale


def _indicators(sums: pd.DataFrame) -> pd.DataFrame:
    """QUESTION's indicators from a frame of measure sums, one row per key."""
    return pd.DataFrame({ind.code: _formed(ind, sums[ind.numerator], sums[ind.denominator].where(
        sums[ind.denominator] != 0) if ind.denominator else None) for ind in QUESTION}, index=sums.index)


def _summary_select(question: Question, dialect) -> str:
    """One SELECT on the summary table hx reads answering the question, the indicators formed in SQL."""
    s = additive_summary(question.flt, question.by).c
    sums = {code: func.coalesce(func.sum(s[code]), 0) for code in QUESTION_MEASURES}
    columns = [_formed(ind, sums[ind.numerator], func.nullif(sums[ind.denominator], 0) if ind.denominator else None)
               .label(ind.code) for ind in QUESTION]
    key = s[KEY_COLUMN[question.by]] if question.by else literal(WHOLE)
    statement = select(key.label("key"), *columns).where(s.as_of == question.flt.parsed_period.end)
    if question.by:
        statement = statement.group_by(key)
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _raw_selects(question: Question) -> list[str]:
    """hx's raw-row SQL for the question: one GROUP BY per source table, as PostgreSQL text."""
    period = question.flt.parsed_period
    window = Window(period.year_start, period.end)
    texts = []
    for name in QUESTION_SOURCES:
        source = measures.source(name, window)
        wanted = [MEASURES_BY_CODE[c] for c in QUESTION_MEASURES if MEASURES_BY_CODE[c].source == name]
        key = source.dims[question.by] if question.by else literal(WHOLE)
        statement = (select(key.label("key"), *(measures.aggregate(m, source, window, ()).label(m.code) for m in wanted))
                     .select_from(source.from_clause).where(source.where))
        if question.by:
            statement = statement.group_by(key)
        texts.append(str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})))
    return texts


class _Column(pd.Series):
    """A frame's column answering the few SQLAlchemy column methods the catalog's conditions use."""

    @property
    def _constructor(self):
        return _Column

    def is_(self, value):
        return self.isna() if value is None else self.eq(value).fillna(False)

    def is_not(self, value):
        return self.notna() if value is None else ~self.is_(value)

    def in_(self, values):
        return self.isin(list(values))


def _namespace(frame: pd.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(c=SimpleNamespace(**{name: _Column(frame[name]) for name in frame.columns}))


def _source_rows(frames: SimpleNamespace, name: str, window: SimpleNamespace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The rows a source table reads: organisations, or facts (at the date or over the year) with their organisation."""
    if name == "organisations":
        return frames.organisations, None
    facts = frames.facts
    when = facts["as_of"] == window.end if name == "facts_end" else facts["as_of"].between(window.start, window.end)
    rows = facts[when].reset_index(drop=True)
    return frames.organisations_by_id.loc[rows["org_id"].to_numpy()].reset_index(), rows


def _masked(measure, tables: SimpleNamespace, window: SimpleNamespace) -> pd.Series:
    parts = list(measure.where(tables, window))
    if measure.org_kinds:
        parts.append(tables.o.c.kind.in_(k.value for k in measure.org_kinds))
    mask = pd.Series(True, index=tables.o.c.id.index)
    for part in parts:
        mask &= part.fillna(False).astype(bool)
    if measure.aggregation == Aggregation.COUNT:
        return mask.astype(float)
    return measure.value(tables).where(mask)


def _pandas_raw(frames: SimpleNamespace, question: Question) -> pd.DataFrame:
    period = question.flt.parsed_period
    window = SimpleNamespace(start=pd.Timestamp(period.year_start), end=pd.Timestamp(period.end))
    parts = []
    for name in QUESTION_SOURCES:
        o, f = _source_rows(frames, name, window)
        tables = SimpleNamespace(o=_namespace(o), f=_namespace(f) if f is not None else None)
        values = pd.DataFrame({code: _masked(MEASURES_BY_CODE[code], tables, window) for code in QUESTION_MEASURES
                               if MEASURES_BY_CODE[code].source == name})
        key = o[KEY_COLUMN[question.by]].to_numpy() if question.by else np.full(len(o), WHOLE)
        parts.append(values.groupby(key).sum())
    return _indicators(pd.concat(parts, axis=1).fillna(0.0))


def _pandas_summary(frames: SimpleNamespace, question: Question) -> pd.DataFrame:
    table = getattr(frames, additive_summary(question.flt, question.by).name)
    rows = table[table["as_of"] == pd.Timestamp(question.flt.parsed_period.end)]
    columns = list(QUESTION_MEASURES)
    sums = rows.groupby(KEY_COLUMN[question.by])[columns].sum() if question.by else rows[columns].sum().to_frame(WHOLE).T
    return _indicators(sums)


# ---------------------------------------------------------------------------------------------
# Contenders


def _rows_answer(rows) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in rows], columns=["key", *CODES]).set_index("key").astype(float)


def _hx_answer(question: Question):
    def answer(frame: pd.DataFrame) -> pd.DataFrame:
        keyed = frame.assign(key=frame[question.by] if question.by else WHOLE)
        return keyed.pivot(index="key", columns="indicator", values="value")[CODES]
    return answer


def _fetch_all(cursor, sql: str, parameters=None):
    cursor.execute(sql, parameters) if parameters is not None else cursor.execute(sql)
    return cursor.fetchall() if cursor.description else None


def _captured(engine: Engine, run: Callable[[], object]) -> list[tuple[str, object]]:
    """The statements (and parameters) `run` sends to the database."""
    statements: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        if statement != "BEGIN":  # evaluate's read transaction (db/reading.py): the replay reads on its own
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def _hx_contenders(engine: Engine, raw, question: Question) -> list[Contender]:
    codes = None if question.everything else CODES
    run = lambda: evaluate(engine, question.flt, codes, by=question.by, compare=question.everything,  # noqa: E731
                           with_targets=question.everything)
    statements = _captured(engine, run)
    cursor = raw.cursor()
    replay = lambda: [_fetch_all(cursor, sql, parameters) for sql, parameters in statements]  # noqa: E731
    return [Contender("hx (evaluate)", run, None if question.everything else _hx_answer(question)),
            Contender(f"hx's SQL alone ({len(statements)} statements replayed)", replay, None)]


LIMIT = "limit: one SELECT on hx's summary table"


def _other_contenders(engine: Engine, raw, frames: SimpleNamespace, duck, question: Question) -> list[Contender]:
    cursor = raw.cursor()
    limit_sql = _summary_select(question, engine.dialect)
    duck_sql = _summary_select(question, postgresql.dialect())
    raw_sqls = _raw_selects(question)

    def duck_raw() -> pd.DataFrame:
        parts = [duck.execute(sql).df().set_index("key") for sql in raw_sqls]
        return _indicators(pd.concat(parts, axis=1).fillna(0.0))

    contenders = [Contender(LIMIT, lambda: _fetch_all(cursor, limit_sql), _rows_answer)]
    if duck is not None:
        contenders += [Contender("DuckDB, summary (native copy)", lambda: duck.execute(duck_sql).fetchall(), _rows_answer),
                       Contender("DuckDB, raw rows (native tables)", duck_raw, lambda frame: frame)]
    contenders += [Contender("pandas, summary (frame in memory)", lambda: _pandas_summary(frames, question),
                             lambda frame: frame),
                   Contender("pandas, raw rows (frames in memory)", lambda: _pandas_raw(frames, question),
                             lambda frame: frame)]
    return contenders


def same_answer(expected: pd.DataFrame, got: pd.DataFrame) -> bool:
    """Equal figures on every key: a key only one side has must hold only zeros or no figure."""
    if not set(got.index) <= set(expected.index) or list(got.columns) != list(expected.columns):
        return False
    aligned = got.reindex(expected.index).astype(float)
    missing = aligned.isna().all(axis=1).to_numpy()
    left = expected.astype(float).to_numpy()
    if not np.all(np.isnan(left[missing]) | (left[missing] == 0)):
        return False
    return bool(np.isclose(left[~missing], aligned.to_numpy()[~missing], rtol=1e-9, atol=1e-9, equal_nan=True).all())


# ---------------------------------------------------------------------------------------------
# Timing


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def _race(contenders: list[Contender], repeat: int, rng: random.Random) -> tuple[dict[str, list[float]], dict[str, bool]]:
    """Warm up and check every contender, then `repeat` rounds in a shuffled order."""
    gc.collect()  # what earlier questions left behind is not collected during this one's timings
    answers = {c.name: c.run() for c in contenders}
    reference = contenders[0].answer(answers[contenders[0].name]) if contenders[0].answer else None
    same = {c.name: same_answer(reference, c.answer(answers[c.name])) for c in contenders[1:]
            if c.answer is not None and reference is not None}
    timings: dict[str, list[float]] = {c.name: [] for c in contenders}
    for _ in range(repeat):
        order = contenders[:]
        rng.shuffle(order)
        for contender in order:
            timings[contender.name].append(_timed(contender.run))
    return timings, same


def _ratio_text(hx: float, other: float) -> str:
    if other <= 0:
        return ""
    ratio = hx / other
    return f"hx slower ×{ratio:.2f}" if ratio > 1 else f"hx faster ×{1 / ratio:.2f}"


def _report(question: Question, timings: dict[str, list[float]], same: dict[str, bool], print_) -> dict[str, float]:
    medians = {name: statistics.median(values) for name, values in timings.items()}
    hx = medians["hx (evaluate)"]
    print_(f"{question.title}")
    print_(f"  {'contender':<52}{'median':>10}{'min':>9}{'max':>9}   hx ÷ it   answer")
    for name, values in timings.items():
        check = "yes" if same.get(name) else ("NO" if name in same else "–")
        ratio = f"{hx / medians[name]:8.2f}  " if name != "hx (evaluate)" else f"{'':8}  "
        print_(f"  {name:<52}{medians[name]:>8.1f}ms{min(values):>7.1f}ms{max(values):>7.1f}ms {ratio} "
               f"{check:<4}{_ratio_text(hx, medians[name]) if name != 'hx (evaluate)' else ''}")
    return medians


# ---------------------------------------------------------------------------------------------
# Cold start


def _import_times(stderr: str) -> list[tuple[str, float]]:
    """The heaviest top-level packages (cumulative ms) from `-X importtime`."""
    packages: dict[str, float] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| *(\S+)", line)
        if match and "." not in match.group(2) and match.group(2) not in packages:
            packages[match.group(2)] = int(match.group(1)) / 1000
    return sorted(packages.items(), key=lambda item: -item[1])[:6]


# Run in the fresh process: the same command, timing its import and its run from inside.
SPLIT_TIMING = ("import sys, time; start = time.perf_counter(); import hxcore.cli as cli; imported = time.perf_counter(); "
                "cli.main(sys.argv[1:]); done = time.perf_counter(); "
                "sys.stderr.write(f'hx-timing {imported - start} {done - imported}')")


def cold_start(url: str, period: str, runs: int, rng: random.Random) -> dict:
    """`python -m hxcore indicators` in fresh processes: the whole run, the import of hxcore.cli and
    the command itself (timed inside the process), the interpreter's own start, the heaviest imports."""
    env = {**os.environ, schema.DATABASE_URL_VARIABLE: url}  # in the environment: a password stays off `ps`
    arguments = ["indicators", "--period", period, "--format", "csv"]
    kinds = {"total": [sys.executable, "-m", "hxcore", *arguments],
             "split": [sys.executable, "-c", SPLIT_TIMING, *arguments],
             "importtime": [sys.executable, "-X", "importtime", "-m", "hxcore", *arguments],
             "interpreter": [sys.executable, "-c", "pass"]}
    times: dict[str, list[float]] = {kind: [] for kind in (*kinds, "import", "command")}
    heaviest: list = []
    for _ in range(runs):
        order = list(kinds)
        rng.shuffle(order)
        for kind in order:
            start = time.perf_counter()
            done = subprocess.run(kinds[kind], env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
            times[kind].append((time.perf_counter() - start) * 1000)
            if kind == "importtime":
                heaviest = _import_times(done.stderr)
            elif kind == "split":
                imported, command = re.search(r"hx-timing (\S+) (\S+)", done.stderr).groups()
                times["import"].append(float(imported) * 1000)
                times["command"].append(float(command) * 1000)
    medians = {kind: statistics.median(values) for kind, values in times.items() if kind != "importtime"}
    return {**medians, "heaviest": heaviest}


def _print_cold(cold: dict, print_) -> None:
    print_("cold start: python -m hxcore indicators --period … (all 44 indicators, comparison, targets) in a fresh process")
    print_(f"  whole run {cold['total']:.0f} ms; timed inside the process: import of hxcore.cli {cold['import']:.0f} ms "
           f"({cold['import'] / cold['total'] * 100:.0f}%), the command (checks, query, printing) {cold['command']:.0f} ms, "
           f"the rest (interpreter start and exit) {cold['total'] - cold['import'] - cold['command']:.0f} ms; "
           f"an empty interpreter runs in {cold['interpreter']:.0f} ms")
    print_("  heaviest packages imported (cumulative ms, -X importtime): "
           + ", ".join(f"{name} {ms:.0f}" for name, ms in cold["heaviest"]))


# ---------------------------------------------------------------------------------------------
# The benchmark


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            "provinces": connection.execute(select(func.count()).select_from(schema.areas)
                                            .where(schema.areas.c.level == "province")).scalar(),
            "districts": connection.execute(select(func.count()).select_from(schema.areas)
                                            .where(schema.areas.c.level == "district")).scalar(),
            "organisations": connection.execute(select(func.count()).select_from(schema.organisations)).scalar(),
            "facts": connection.execute(select(func.count()).select_from(schema.facts)).scalar(),
            "summary_org": connection.execute(select(func.count()).select_from(summary_org)).scalar(),
        }


def _questions(period: str) -> list[Question]:
    base = Filter(period)
    n = len(QUESTION)
    return [Question(f"panel: {n} organisation indicators, whole area, {period}", base, None),
            Question(f"by district: {n} organisation indicators, {period}", base, "district"),
            Question(f"the app's panel: all 44 indicators with comparison and targets, whole area, {period} (hx only)",
                     base, None, everything=True),
            Question(f"the app's breakdown: all 44 indicators with comparison and targets, by district, {period} (hx only)",
                     base, "district", everything=True)]


def _header(engine: Engine, period: str, repeat: int, print_) -> dict[str, int]:
    counts = _counts(engine)
    print_(f"hx benchmark · {engine.dialect.name} ({shown_url(engine)}) · {counts['provinces']} province(s), "
           f"{counts['districts']} districts, {counts['organisations']:,} organisations, {counts['facts']:,} fact rows, "
           f"{counts['summary_org']:,} rows of summary_org · period {period}")
    print_(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
           f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) at the start; Python "
           f"{platform.python_version()}, pandas {pd.__version__}; one warm-up, then {repeat} shuffled rounds, medians")
    with engine.connect() as connection:
        if summary.fresh_snapshots(connection) is None:
            print_("  warning: summary tables are stale: hx reads the raw tables")
    return counts


def _load_contenders(raw, print_) -> tuple[SimpleNamespace, object]:
    start = time.perf_counter()
    frames = _load_frames(raw)
    loaded = time.perf_counter() - start
    megabytes = sum(getattr(frames, t.name).memory_usage(deep=True).sum() for t in LOADED)
    print_(f"contenders' data: pandas frames read once in {loaded:.1f} s ({megabytes / 2**20:.0f} MB in memory)")
    try:
        start = time.perf_counter()
        duck = _duckdb(frames)
        threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]
        print_(f"  DuckDB native tables built from them in {time.perf_counter() - start:.1f} s; DuckDB uses {threads} "
               "threads, hx, SQLite and pandas one")
    except ImportError as error:  # optional: the other figures stand without it
        duck = None
        print_(f"  DuckDB: not measured ({error})")
    return frames, duck


def run_benchmark(engine: Engine, period: str = "2023-H1", repeat: int = 7, print_=print, cold: bool = True,
                  seed: int = 12) -> Results:
    """Print the benchmark for one database; returns its medians, checks and cold start."""
    rng = random.Random(seed)
    _header(engine, period, repeat, print_)
    results = Results()
    raw = engine.raw_connection()
    try:
        questions = _questions(period)
        for question in questions[2:]:  # hx alone first, before the contenders' data fills memory
            timings, same = _race(_hx_contenders(engine, raw, question), repeat, rng)
            _record(results, question, _report(question, timings, same, print_), same)
        print_(f"  memory of this process after hx's queries: {_memory()}")
        frames, duck = _load_contenders(raw, print_)
        for question in questions[:2]:
            contenders = _hx_contenders(engine, raw, question) + _other_contenders(engine, raw, frames, duck, question)
            timings, same = _race(contenders, repeat, rng)
            _record(results, question, _report(question, timings, same, print_), same)
        print_(f"  memory of this process with the contenders' data: {_memory()}")
    finally:
        raw.close()
    if cold and engine.url.database != ":memory:":
        results.cold = cold_start(engine.url.render_as_string(hide_password=False), period, max(2, min(repeat, 5)), rng)
        _print_cold(results.cold, print_)
    return results


def _record(results: Results, question: Question, medians: dict[str, float], same: dict[str, bool]) -> None:
    results.medians.update({(question.title, name): value for name, value in medians.items()})
    results.same.update({(question.title, name): value for name, value in same.items()})


def _memory() -> str:
    """Resident memory now, and the process's peak so far (Linux; the peak alone elsewhere)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return f"peak {peak:.0f} MB"
    return f"{resident:.0f} MB resident (peak so far {peak:.0f} MB)"


# ---------------------------------------------------------------------------------------------
# Databases: SQLite, and PostgreSQL when a server is named


def _is_server(url: str | None) -> bool:
    return bool(url) and not url.startswith("sqlite")


# Built in a fresh process, so that the benchmark's own process does not carry the builder's memory.
BUILD = ("import sys; from hxcore.db.schema import make_engine; from hxcore.io.demo import build_demo; "
         "from hxcore.io.national import build_national; say = lambda m: print(m, flush=True); "
         "build_national(make_engine(), coops=int(sys.argv[2]), groups=int(sys.argv[3]), progress=say) "
         "if sys.argv[1] == 'national' else build_demo(make_engine(), progress=say)")


def _build(url: str, args) -> None:
    """The scale's demo dataset into `url` (its URL in the environment: a password stays off `ps`)."""
    subprocess.run([sys.executable, "-c", BUILD, args.scale, str(args.coops), str(args.groups)], cwd=PROJECT_DIR,
                   env={**os.environ, schema.DATABASE_URL_VARIABLE: url}, check=True)


def _current(engine: Engine, say) -> Engine:
    """The database brought to this version's structure if an earlier hx made it, as every command does
    (nothing to do, or a database that is empty or half-built: upgrade() says None)."""
    done = upgrade(engine)
    if done:
        say(done)
    return engine


def _sqlite_engine(args, say) -> Engine:
    if args.db and not _is_server(args.db):
        return _current(make_engine(args.db), say)
    if args.scale == "national":
        path = PROJECT_DIR / "data" / f"hx-national-{args.coops}.sqlite"
        if not path.exists():
            say(f"Tạo dữ liệu toàn quốc tổng hợp tại {path}…")
            _build(f"sqlite:///{path}", args)
        return _current(make_engine(f"sqlite:///{path}"), say)
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    engine = _current(make_engine(f"sqlite:///{DEFAULT_SQLITE_PATH}"), say)
    ensure_demo(engine)
    return engine


def _bench_schema_url(url: str) -> str:
    """The test server's database, with the benchmark's own schema first on the search path."""
    with make_engine(url).begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {BENCH_SCHEMA}"))
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{BENCH_SCHEMA}"


def _server_engine(args, reference: Engine, say) -> Engine | None:
    """PostgreSQL: --db as it is (its data built only if empty), or the test server's bench schema,
    filled with the same dataset as the SQLite database when it does not hold it yet."""
    if _is_server(args.db):
        engine = _current(make_engine(args.db), say)
        if database_problem(engine) is None:
            return engine
    elif os.environ.get("HX_TEST_POSTGRES_URL"):
        engine = make_engine(_bench_schema_url(os.environ["HX_TEST_POSTGRES_URL"]))
        if database_problem(engine) is None and _counts(engine) == _counts(reference):  # else rebuilt below
            return _current(engine, say)
    else:
        return None
    say(f"Ghi bộ dữ liệu {args.scale} vào {shown_url(engine)}…")
    _build(engine.url.render_as_string(hide_password=False), args)
    return engine


def run_from_cli(args) -> int:
    """`python -m hxcore bench`: SQLite, then PostgreSQL when --db or HX_TEST_POSTGRES_URL names a server."""
    say = lambda message: print(message, flush=True)  # noqa: E731
    engines = [_sqlite_engine(args, say)]
    server = _server_engine(args, engines[0], say)
    if server is not None:
        engines.append(server)
    for index, engine in enumerate(engines):
        problem = database_problem(engine)
        if problem:
            print(f"Lỗi: {problem} ({shown_url(engine)})", file=sys.stderr)
            return 2
        if index:
            say("")
        run_benchmark(engine, period=args.period, repeat=args.repeat, print_=say)
    return 0

