"""Summary tables (declared in db/schema.py), like DHIS2's analytics tables: built, stamped, checked.

They are derived data, refreshed inside the same transaction as any write (data_changed) and
stamped with the data version they were built from. compute.py reads them only when the stamp
equals the current data version, so a figure is never stale: at worst it is computed from the raw
tables, more slowly. A write that says what it touched (`Touched`, e.g. from an import's change
log) refreshes only the cells it can have moved: each (snapshot date × GRAIN) cell of the
organisations it changed, at every date for a changed organisation, at the fact's date and the
later dates of its year (year-to-date flows) for a changed fact. Otherwise, or when the summaries
were not current before the write, or the write touched very many cells, everything is rebuilt.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    cast,
    delete,
    exists,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.util import find_tables

from hxcore.db import measures, schema
from hxcore.db.schema import (
    ADDITIVE,
    DISTINCT,
    GRAIN,
    PROVINCE_GRAIN,
    SUMMARY_SOURCES,
    SUMMARY_TABLES,
    summary_distinct,
    summary_org,
    summary_province,
)
from hxcore.model.filters import Window

MAX_TOUCHED_CELLS = 2_000  # above this, one full rebuild is quicker than many restricted ones
CELLS_PER_STATEMENT = 400  # GRAIN tuples bound in one IN (...), well under SQLite's 32.766 parameters


@dataclass
class Touched:
    """The summary cells a write can have moved: GRAIN tuples at every date (a changed organisation,
    before and after) and GRAIN tuples from a date on within its year (a changed fact)."""

    always: set[tuple] = field(default_factory=set)
    from_date: dict[tuple, set[date]] = field(default_factory=dict)  # cell -> dates of the facts changed in it
    # cell -> dates of loans or classes added in it: moves it at every later date (a loan counts in the
    # amount disbursed to date in every year after); never a snapshot date of its own.
    since: dict[tuple, set[date]] = field(default_factory=dict)

    def cells_at(self, day: date) -> set[tuple]:
        """The cells to recompute at snapshot `day`."""
        dated = {cell for cell, days in self.from_date.items()
                 if any(d.year == day.year and d <= day for d in days)}
        later = {cell for cell, days in self.since.items() if min(days) <= day}
        return self.always | dated | later

    def fact_dates(self) -> set[date]:
        return {d for days in self.from_date.values() for d in days}

    def size(self) -> int:
        return len(self.always) + len(self.from_date) + len(self.since)


def _meta(connection: Connection, key: str) -> str | None:
    return connection.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()


def _set_meta(connection: Connection, key: str, value: str) -> None:
    connection.execute(delete(schema.meta).where(schema.meta.c.key == key))
    connection.execute(insert(schema.meta), [{"key": key, "value": value}])


def _snapshot_table(days: Iterable[date]):
    """The snapshot dates as a table (as_of, year_start): one statement then builds every date.
    (A UNION of one-row SELECTs: SQLite's VALUES cannot name its columns.)"""
    rows = [select(literal(day, Date).label("as_of"), literal(date(day.year, 1, 1), Date).label("year_start"))
            for day in sorted(days)]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("snapshot")


def _cell(source) -> tuple[list, list]:
    """A source's rows' summary cell as GRAIN's column expressions, and those of them to group by:
    its organisation's; for rows of no organisation (classes, communes), their province and district
    with '' for sector and kind, a cell no organisation has (an organisation's refresh never reaches it)."""
    if hasattr(source.tables, "o"):
        columns = [source.tables.o.c[name] for name in GRAIN]
        return columns, columns
    # literal_column: the same SQL text in SELECT and GROUP BY (PostgreSQL matches them as text).
    places = [func.coalesce(source.dims[name], literal_column("''")) for name in ("province", "district")]
    return [*places, literal_column("''"), literal_column("''")], places


def _additive_passes(snapshot, cells: list[tuple] | None, sources: Iterable[str] = SUMMARY_SOURCES) -> list:
    """One SELECT per source (of `sources`) giving summary_org's columns: its measures grouped by
    (as_of, GRAIN), the other sources' measures 0. A cell has a row from each source that reaches it."""
    window = Window(snapshot.c.year_start, snapshot.c.as_of)  # column expressions: the catalog takes them
    passes = []
    for source_name in (name for name in SUMMARY_SOURCES if name in sources):
        additive = [m for m in ADDITIVE if m.source == source_name]
        if not additive:  # a source of distinct counts only
            continue
        source = measures.source(source_name, window)
        cell, grouping = _cell(source)
        own = {m.code: measures.aggregate(m, source, window, ()) for m in additive}
        passes.append(
            select(snapshot.c.as_of, *(g.label(name) for g, name in zip(cell, GRAIN, strict=True)),
                   *(own.get(m.code, literal(0)).label(m.code) for m in ADDITIVE))
            .select_from(snapshot).join(source.from_clause, source.where)
            # A row no measure counts adds nothing but an all-zero cell (left out below): skipped before grouping.
            .where(or_(*(measures.condition(m, source.tables, window) for m in additive)), _in_cells(cell, cells))
            .group_by(snapshot.c.as_of, *grouping)
        )
    return passes


def _summed(rows):
    """summary_org's rows from the passes' rows (a subquery): one row per cell, all-zero cells left out."""
    keys = [rows.c.as_of, *(rows.c[name] for name in GRAIN)]
    sums = [func.sum(rows.c[m.code]) for m in ADDITIVE]
    return (select(*keys, *(total.label(m.code) for total, m in zip(sums, ADDITIVE, strict=True)))
            .group_by(*keys).having(or_(*(total != 0 for total in sums))))


def _distinct_passes(snapshot, cells: list[tuple] | None, sources: Iterable[str] = SUMMARY_SOURCES) -> list:
    """One SELECT per distinct measure (of `sources`) giving summary_distinct's rows: its values per (as_of, GRAIN)."""
    window = Window(snapshot.c.year_start, snapshot.c.as_of)
    passes = []
    for measure in (m for m in DISTINCT if m.source in sources):
        source = measures.source(measure.source, window)
        cell, grouping = _cell(source)
        value = measure.value(source.tables)
        passes.append(
            select(snapshot.c.as_of, *(g.label(name) for g, name in zip(cell, GRAIN, strict=True)),
                   literal(measure.code, String).label("measure"), cast(value, String).label("value"))
            .select_from(snapshot).join(source.from_clause, source.where)
            # count(DISTINCT) ignores NULL, so a NULL value is not one of the values either.
            .where(measures.condition(measure, source.tables, window), value.is_not(None), _in_cells(cell, cells))
            .group_by(snapshot.c.as_of, *grouping, value)
        )
    return passes


def _union(selects: list):
    return union_all(*selects) if len(selects) > 1 else selects[0]


def _insert(connection: Connection, table, rows) -> None:
    """INSERT ... SELECT `rows` into `table`, so no row passes through Python."""
    connection.execute(insert(table).from_select([c.name for c in rows.selected_columns], rows))


def _rows_held(connection: Connection) -> int:
    """The summary tables' rows: what a rebuild wrote (the driver gives no count for INSERT ... WITH)."""
    return sum(connection.execute(select(func.count()).select_from(table)).scalar() for table in SUMMARY_TABLES)


def _roll_up(connection: Connection, days: Iterable[date] | None = None, provinces: Iterable[str] | None = None) -> None:
    """summary_province's rows made anew from summary_org's, at `days` and for `provinces` (all when None)."""
    rows, target = summary_org.c, summary_province.c
    chosen, replaced = [], []
    if days is not None:
        days = sorted(days)
        chosen.append(rows.as_of.in_(days))
        replaced.append(target.as_of.in_(days))
    if provinces is not None:
        provinces = sorted(provinces)
        chosen.append(rows.province_code.in_(provinces))
        replaced.append(target.province_code.in_(provinces))
    connection.execute(delete(summary_province).where(*replaced))
    _insert(connection, summary_province, _province_rows(summary_org, *chosen))


def _province_rows(source: Table, *conditions):
    """summary_province's rows from a table of summary_org's columns."""
    keys = [source.c.as_of, *(source.c[name] for name in PROVINCE_GRAIN)]
    return select(*keys, *(func.sum(source.c[m.code]).label(m.code) for m in ADDITIVE)).where(*conditions).group_by(*keys)


def _write_cells(connection: Connection, days: Iterable[date], cells: list[tuple] | None) -> None:
    """Insert the summary rows of snapshot `days`: every cell, or only `cells` (GRAIN tuples)."""
    for part in _date_parts(sorted(days)):
        snapshot = _snapshot_table(part)
        _insert(connection, summary_org, _summed(_union(_additive_passes(snapshot, cells)).subquery()))
        if DISTINCT:
            _insert(connection, summary_distinct, _union(_distinct_passes(snapshot, cells)))


def _stamp(connection: Connection, snapshots: Iterable[date]) -> None:
    _set_meta(connection, "snapshots", ",".join(d.isoformat() for d in sorted(snapshots)))
    _set_meta(connection, "summary_version", _meta(connection, "data_version") or "0")
    _set_meta(connection, "summary_tables", SUMMARY_LAYOUT)


def _new_tables(connection: Connection) -> list[date]:
    """Empty summary tables with today's columns (a measure added since the last build changes them);
    returns the snapshot dates to build."""
    for table in SUMMARY_TABLES:
        table.drop(connection, checkfirst=True)
        table.create(connection)
    return fact_days(connection)


def fact_days(connection: Connection) -> list[date]:
    """The dates the facts hold, in order: the snapshot dates of the summaries."""
    return sorted(connection.execute(select(schema.facts.c.as_of).distinct()).scalars())


def refresh_summaries(connection: Connection) -> int:
    """Rebuild the summary tables from the raw tables; returns the number of summary rows."""
    snapshots = _new_tables(connection)
    if snapshots:
        _write_cells(connection, snapshots, None)
        _roll_up(connection)
    _analyze(connection)
    _stamp(connection, snapshots)
    return _rows_held(connection)


def _analyze(connection: Connection) -> None:
    """Planner statistics for the summary tables made anew (their old ones went with them): without
    them SQLite read a national breakdown by district in 106 ms instead of 62. About 0,2 s nationally."""
    schema.analyze(connection, SUMMARY_TABLES)


MERGE_CACHE = -65_536  # KiB (negative: a size, not pages): the cache of the connection merging a parallel build


class ParallelBuild:
    """refresh_summaries() for a SQLite file nothing else writes (a build beside hx.sqlite, written in
    WAL mode), its passes run by `workers` threads at once, each SELECT on a part of the `days`. A
    source's passes may start as soon as its tables are committed (start()), while the build goes on
    writing the others (the organisations' passes while 1,2 million facts are written); finish() runs
    the rest and merges. SQLite lets one connection write a file at a time, so each worker thread
    writes its passes' rows into a file of its own (in a folder named `.hx-summary-<pid>-…` beside the
    database); one transaction then adds them up into the summary tables. Use it as a context: on any
    failure the workers are stopped, their connections closed and their folder removed."""

    def __init__(self, engine: Engine, days: list[date], workers: int = 2):
        self.engine, self.days, self.workers = engine, sorted(days), workers
        self.futures: list = []
        self.started: set[str] = set()
        self.opened: list[tuple[Connection, str]] = []  # (connection, attached alias): detached and closed at the end
        self.local, self.numbers = threading.local(), itertools.count()

    def __enter__(self) -> ParallelBuild:
        self.folder = Path(tempfile.mkdtemp(dir=Path(self.engine.url.database).parent,
                                            prefix=f"{SUMMARY_FOLDER}{os.getpid()}-"))
        self.pool = ThreadPoolExecutor(max_workers=self.workers)  # sqlite3 lets go of the GIL while SQLite works
        return self

    def __exit__(self, *_exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)  # a pass already running ends first
        _detach_all(self.opened)
        shutil.rmtree(self.folder, ignore_errors=True)

    def start(self, sources: Iterable[str], beside_a_writer: bool = False) -> None:
        """Run these sources' passes from now on: their tables are written and committed.
        `beside_a_writer`: one after another in one worker, leaving a core to the thread still writing."""
        sources = [name for name in sources if name not in self.started]
        self.started.update(sources)
        # Each pass on part of the dates: smaller passes share out between the workers more evenly.
        passes = [(table, rows) for part in _date_parts(self.days, at_least=self.workers)
                  for table, rows in _passes(part, sources)]
        if beside_a_writer:
            self.futures.append(self.pool.submit(lambda: [self._run(table, rows) for table, rows in passes]))
        else:
            self.futures += [self.pool.submit(self._run, table, rows) for table, rows in passes]

    def finish(self) -> int:
        """Every other source's passes, then the summary tables made anew from the workers' rows and
        stamped, in one transaction; returns the number of summary rows."""
        self.start(SUMMARY_SOURCES)
        for future in self.futures:
            future.result()  # a worker's error comes out here
        self.pool.shutdown(wait=True)
        aliases = [alias for _, alias in self.opened]
        _detach_all(self.opened)
        connection = self.engine.connect()
        self.opened = [(connection, "")]
        # The merge's upserts walk a table of ~220.000 wide rows nationally: with 64 MB of cache instead
        # of SQLite's 2 MB fewer of its pages are read again (2,0–2,1 → 1,9 s in the sqlite3 shell). Set
        # back after, as the connection goes back to the pool.
        previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size={MERGE_CACHE}")
        try:
            return self._merge(connection, aliases)
        finally:
            try:
                connection.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")
            except Exception:  # noqa: BLE001 (the merge's own error matters; this connection is not reused)
                connection.invalidate()

    def _merge(self, connection: Connection, aliases: list[str]) -> int:
        days = _new_tables(connection)
        if days != self.days:
            raise ValueError(f"summaries built for {len(self.days)} dates, the facts have {len(days)}")
        for alias in aliases:
            connection.exec_driver_sql(f"ATTACH DATABASE ? AS {alias}", (str(self.folder / alias),))
            self.opened.append((connection, alias))
        if aliases:
            added = self._added_up(connection, aliases)
            nonzero = or_(*(added.c[m.code] != 0 for m in ADDITIVE))  # a cell whose sums are all 0 is left out
            _insert(connection, summary_org, select(added).where(nonzero).order_by(*(added.c[k] for k in _ADDED_UP_KEY)))
            if DISTINCT:
                _insert(connection, summary_distinct,
                        _union([select(_pass_table(summary_distinct, alias)) for alias in aliases]))
            _insert(connection, summary_province, _province_rows(added, nonzero))
        _stamp(connection, days)  # statistics: the build analyses every table once it is written (io/demo)
        written = _rows_held(connection)
        connection.commit()
        return written

    def _added_up(self, connection: Connection, aliases: list[str]) -> Table:
        """The workers' rows added up per cell, in a file of the build's folder. Each worker's rows go
        into a table keyed by cell, a cell met again adding to the row it has (a GROUP BY of every row
        sorted ~540.000 rows of 55 columns nationally: 3,1 s against 1,8). The key's order, province
        before district, hands the roll-up to provinces its groups in order, without a sort."""
        connection.exec_driver_sql(f"ATTACH DATABASE ? AS {_ADDED_UP}", (str(self.folder / _ADDED_UP),))
        self.opened.append((connection, _ADDED_UP))
        added = _pass_table(summary_org, _ADDED_UP)
        added.create(connection)
        Index("cell", *(added.c[name] for name in _ADDED_UP_KEY), unique=True).create(connection)
        for alias in aliases:
            rows = select(_pass_table(summary_org, alias)).where(true())  # WHERE: SQLite's rule for an upsert's SELECT
            upsert = sqlite_insert(added).from_select([c.name for c in added.columns], rows)
            connection.execute(upsert.on_conflict_do_update(index_elements=list(_ADDED_UP_KEY), set_={
                m.code: added.c[m.code] + upsert.excluded[m.code] for m in ADDITIVE}))
        return added

    def _run(self, table: Table, rows) -> None:
        local = self.local
        if not hasattr(local, "alias"):  # this worker's first pass: its connection and its file
            local.alias, local.connection = f"worker{next(self.numbers)}", self.engine.connect()
            self.opened.append((local.connection, local.alias))
            local.connection.exec_driver_sql(f"ATTACH DATABASE ? AS {local.alias}", (str(self.folder / local.alias),))
            for each in (summary_org, summary_distinct):
                _pass_table(each, local.alias).create(local.connection)
        local.connection.execute(insert(_pass_table(table, local.alias))
                                 .from_select([c.name for c in rows.selected_columns], rows))
        local.connection.commit()


def sources_without(table: Table) -> list[str]:
    """The summary sources whose passes do not read `table` (not even in a subquery, as a project's
    status reads its events): they can run before it is written."""
    return [name for name in SUMMARY_SOURCES
            if not any(table in find_tables(rows, check_columns=True) for _, rows in _passes([date.min], [name]))]


def refresh_summaries_in_parallel(engine: Engine, workers: int = 2) -> int:
    """refresh_summaries() by a ParallelBuild, for a SQLite file nothing else writes, its rows committed."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")  # before the workers: the switch waits for every reader
        days = fact_days(connection)
    with ParallelBuild(engine, days, workers) as build:
        written = build.finish()
    with engine.begin() as connection:
        _analyze(connection)
    return written


_ADDED_UP = "added_up"  # the file of a parallel build's rows added up per cell
_ADDED_UP_KEY = ("as_of", *PROVINCE_GRAIN, "district_code")  # GRAIN's columns, province's first
SUMMARY_FOLDER = ".hx-summary-"  # + the building process's id: a killed build's folder can be told apart
DATES_PER_STATEMENT = 400  # SQLite allows 500 terms in a compound SELECT (the dates' table is one)


def _date_parts(snapshots: list[date], at_least: int = 1) -> list[list[date]]:
    """The dates in consecutive parts of at most DATES_PER_STATEMENT, at least `at_least` parts if there are dates."""
    count = max(at_least, -(-len(snapshots) // DATES_PER_STATEMENT))
    size = -(-len(snapshots) // count) if snapshots else 1
    return [snapshots[start:start + size] for start in range(0, len(snapshots), size)]


def _passes(days: list[date], sources: Iterable[str]) -> list[tuple[Table, object]]:
    """The passes of these sources over snapshot `days`, each with the summary table its rows are for."""
    snapshot, sources = _snapshot_table(days), set(sources)
    return ([(summary_org, rows) for rows in _additive_passes(snapshot, None, sources)]
            + [(summary_distinct, rows) for rows in _distinct_passes(snapshot, None, sources)])


def _detach_all(opened: list[tuple[Connection, str]]) -> None:
    """Leave no connection attached to a worker's file, nor in a transaction, when it goes back to the pool."""
    for connection in dict.fromkeys(c for c, _ in opened):
        try:
            connection.rollback()  # nothing left to roll back after a commit: a failure's leftovers
            for alias in (a for c, a in opened if c is connection and a):
                connection.exec_driver_sql(f"DETACH DATABASE {alias}")
        except Exception:  # noqa: BLE001 (a connection that cannot be cleaned up is not reused)
            connection.invalidate()
        finally:
            connection.close()


def _pass_table(table: Table, alias: str) -> Table:
    """`table`'s columns in the attached database `alias`."""
    return Table(table.name, MetaData(), *(Column(c.name, c.type) for c in table.columns), schema=alias)


def _in_cells(cell: list, cells: list[tuple] | None):
    """Rows whose cell (GRAIN's column expressions) is one of `cells`, or every row when `cells` is None."""
    if cells is None:
        return true()
    # Needs the cell's columns NOT NULL (as organisations declares them; _cell coalesces the others).
    return tuple_(*cell).in_(cells)


def refresh_cells(connection: Connection, touched: Touched, snapshots: set[date]) -> None:
    """Recompute the touched cells at every snapshot they reach; a snapshot date the write added is
    built whole and one it emptied is removed. `snapshots`: the dates the summaries held before."""
    present = {d for d in touched.fact_dates()
               if connection.execute(select(exists().where(schema.facts.c.as_of == d))).scalar()}
    added, removed = present - snapshots, touched.fact_dates() - present
    for day in sorted(removed & snapshots):
        for table in SUMMARY_TABLES:
            connection.execute(delete(table).where(table.c.as_of == day))
    if added:
        _write_cells(connection, added, None)
        _roll_up(connection, added)
    for day in sorted(snapshots - removed):
        cells = sorted(touched.cells_at(day))
        for start in range(0, len(cells), CELLS_PER_STATEMENT):
            chunk = cells[start:start + CELLS_PER_STATEMENT]
            for table in (summary_org, summary_distinct):
                connection.execute(delete(table).where(table.c.as_of == day,
                                                       _in_cells([table.c[name] for name in GRAIN], chunk)))
            _write_cells(connection, [day], chunk)
        if cells:
            _roll_up(connection, [day], {cell[0] for cell in cells})
    _stamp(connection, (snapshots - removed) | added)


def _current_columns_match(connection: Connection) -> bool:
    """Do the summary tables in the database have today's columns (no measure added since)? Their set is
    vouched for by the stamp (fresh_snapshots); summary_province's measure columns are summary_org's."""
    found = {c["name"] for c in inspect(connection).get_columns(summary_org.name)}
    return found == {c.name for c in summary_org.columns}


def touched_by_import(connection: Connection, import_id: int) -> Touched | None:
    """The cells an import moved, read from its change log and the rows as they are now. Called after
    the import wrote (its rows as written) or, for an undo, before the rows are put back. None (rebuild
    everything) when it wrote a table no cell is traced for (the reference areas of an empty database)."""
    logged = _logged(connection, import_id)
    if logged is None:
        return None
    org_before, fact_days, ids = logged
    touched = Touched()
    loans = _rows(connection, schema.fund_loans, ids[schema.fund_loans.name], "org_id", "disbursed_on")
    grain_now = _grains(connection, set(org_before) | set(fact_days) | {org_id for org_id, _ in loans})
    for org_id, before in org_before.items():
        if org_id in grain_now:
            now = dict(zip(GRAIN, grain_now[org_id], strict=True))
            touched.always |= {grain_now[org_id], tuple(before.get(name, now[name]) for name in GRAIN)}
    for org_id, days in fact_days.items():
        if org_id in grain_now:
            touched.from_date.setdefault(grain_now[org_id], set()).update(days)
    for org_id, disbursed_on in loans:
        touched.since.setdefault(grain_now[org_id], set()).add(disbursed_on)
    classes = _rows(connection, schema.training_classes, ids[schema.training_classes.name],
                    "province_code", "district_code", "held_on")
    for province, district, held_on in classes:  # the cell _cell gives a row of no organisation
        touched.since.setdefault((province, district, "", ""), set()).add(held_on)
    return touched


def _logged(connection: Connection, import_id: int) -> tuple[dict, dict, dict] | None:
    """From an import's change log: {organisation id: its changed columns before}, {organisation id:
    dates of its facts written}, {loans' and classes' table: ids written}; None if it wrote another table."""
    logged = schema.import_changes
    changes = connection.execute(select(logged.c.table_name, logged.c.row_key, logged.c.before)
                                 .where(logged.c.import_id == import_id)).all()
    org_before, fact_days = {}, {}
    ids: dict[str, list[int]] = {schema.fund_loans.name: [], schema.training_classes.name: []}
    for table_name, row_key, before in changes:
        key = json.loads(row_key)
        if table_name == schema.organisations.name:
            org_before[key["id"]] = json.loads(before) if before is not None else {}  # the changed columns only
        elif table_name == schema.facts.name:
            fact_days.setdefault(key["org_id"], set()).add(date.fromisoformat(key["as_of"]))
        elif table_name in ids:
            ids[table_name].append(key["id"])
        else:
            return None
    return org_before, fact_days, ids


def _rows(connection: Connection, table: Table, ids: list[int], *columns: str) -> list[tuple]:
    """`columns` of the rows of `table` with these ids (those still there)."""
    found = []
    for start in range(0, len(ids), 5_000):
        statement = select(*(table.c[name] for name in columns)).where(table.c.id.in_(ids[start:start + 5_000]))
        found += [tuple(row) for row in connection.execute(statement)]
    return found


def _grains(connection: Connection, org_ids: set[int]) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in _rows(connection, schema.organisations, sorted(org_ids), "id", *GRAIN)}


# The summary tables the stamp vouches for: summaries stamped by an hx that had other tables (before
# summary_province) are not read, and the next write rebuilds them (an upgrade does at once).
SUMMARY_LAYOUT = ",".join(schema.DERIVED_TABLES)
STAMP_KEYS = ("data_version", "summary_version", "snapshots", "summary_tables")  # what every write sets
# One statement, built once: every figure read asks it first (three round trips to a server were ~1 ms).
_FRESHNESS = select(schema.meta.c.key, schema.meta.c.value).where(schema.meta.c.key.in_(STAMP_KEYS))


def fresh_snapshots(connection: Connection) -> frozenset[date] | None:
    """Snapshot dates, if the summaries were built from the current data; None otherwise."""
    found = dict(connection.execute(_FRESHNESS).all())
    version, built_from = found.get("data_version"), found.get("summary_version")
    if version is None or version != built_from or found.get("summary_tables") != SUMMARY_LAYOUT:
        return None
    return _dates(found.get("snapshots") or "")


@lru_cache(maxsize=8)
def _dates(stamped: str) -> frozenset[date]:
    """The stamp's dates: parsed once per stamp, as every figure read asks for them."""
    return frozenset(date.fromisoformat(text) for text in stamped.split(",") if text)


def data_changed(connection: Connection, version: str | None = None, touched: Touched | None = None) -> str:
    """Call inside the transaction of every write: a new data version, and summaries refreshed from
    the written data, committed (or rolled back) together with it. With `touched`, only those cells
    are recomputed, provided the summaries were current before this write; else all are rebuilt."""
    snapshots = fresh_snapshots(connection)  # before the new version: were they current until now?
    version = version or uuid.uuid4().hex[:16]
    _set_meta(connection, "data_version", version)
    if (touched is None or snapshots is None or touched.size() > MAX_TOUCHED_CELLS
            or not _current_columns_match(connection)):
        refresh_summaries(connection)
    else:
        refresh_cells(connection, touched, snapshots)
    return version
