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

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, delete, exists, insert, inspect, select, true, tuple_

from hxcore.db import measures, schema
from hxcore.db.schema import ADDITIVE, DISTINCT, GRAIN, SUMMARY_SOURCES, summary_distinct, summary_org
from hxcore.model.filters import Window

MAX_TOUCHED_CELLS = 2_000  # above this, one full rebuild is quicker than many restricted ones
CELLS_PER_STATEMENT = 400  # GRAIN tuples bound in one IN (...), well under SQLite's 32.766 parameters


@dataclass
class Touched:
    """The summary cells a write can have moved: GRAIN tuples at every date (a changed organisation,
    before and after) and GRAIN tuples from a date on within its year (a changed fact)."""

    always: set[tuple] = field(default_factory=set)
    from_date: dict[tuple, set[date]] = field(default_factory=dict)  # cell -> dates of the facts changed in it

    def cells_at(self, day: date) -> set[tuple]:
        """The cells to recompute at snapshot `day`."""
        dated = {cell for cell, days in self.from_date.items()
                 if any(d.year == day.year and d <= day for d in days)}
        return self.always | dated

    def fact_dates(self) -> set[date]:
        return {d for days in self.from_date.values() for d in days}

    def size(self) -> int:
        return len(self.always) + len(self.from_date)


def _meta(connection: Connection, key: str) -> str | None:
    return connection.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()


def _set_meta(connection: Connection, key: str, value: str) -> None:
    connection.execute(delete(schema.meta).where(schema.meta.c.key == key))
    connection.execute(insert(schema.meta), [{"key": key, "value": value}])


def _cell_rows(connection: Connection, day: date, cells: list[tuple] | None) -> tuple[list[dict], list[dict]]:
    """summary_org and summary_distinct rows of snapshot `day`: every cell, or only `cells` (GRAIN tuples)."""
    window = Window(date(day.year, 1, 1), day)
    org_cells: dict[tuple, dict] = {}
    distinct_rows: list[dict] = []
    for source_name in SUMMARY_SOURCES:
        source = measures.source(source_name, window)
        grain = [source.tables.o.c[name] for name in GRAIN]
        only = tuple_(*grain).in_(cells) if cells is not None else true()
        additive = [m for m in ADDITIVE if m.source == source_name]
        statement = (
            select(*grain, *(measures.aggregate(m, source, window, ()).label(m.code) for m in additive))
            .select_from(source.from_clause).where(source.where, only).group_by(*grain)
        )
        for row in connection.execute(statement).mappings():
            cell = org_cells.setdefault(tuple(row[name] for name in GRAIN), {m.code: 0.0 for m in ADDITIVE})
            cell.update({m.code: float(row[m.code]) for m in additive})
        for measure in (m for m in DISTINCT if m.source == source_name):
            value = measure.value(source.tables)
            condition = measures.condition(measure, source.tables, window)
            statement = (select(*grain, value.label("value")).select_from(source.from_clause)
                         .where(source.where, condition, only).group_by(*grain, value))
            distinct_rows += [{"as_of": day, **dict(zip(GRAIN, r[:-1], strict=True)), "measure": measure.code,
                               "value": str(r[-1])} for r in connection.execute(statement)]
    org_rows = [{"as_of": day, **dict(zip(GRAIN, key, strict=True)), **values} for key, values in org_cells.items()
                if any(values.values())]
    return org_rows, distinct_rows


def _write_rows(connection: Connection, org_rows: list[dict], distinct_rows: list[dict]) -> int:
    if org_rows:
        connection.execute(insert(summary_org), org_rows)
    if distinct_rows:
        connection.execute(insert(summary_distinct), distinct_rows)
    return len(org_rows) + len(distinct_rows)


def _stamp(connection: Connection, snapshots: Iterable[date]) -> None:
    _set_meta(connection, "snapshots", ",".join(d.isoformat() for d in sorted(snapshots)))
    _set_meta(connection, "summary_version", _meta(connection, "data_version") or "0")


def refresh_summaries(connection: Connection) -> int:
    """Rebuild both summary tables from the raw tables; returns the number of summary rows."""
    for table in (summary_distinct, summary_org):
        table.drop(connection, checkfirst=True)  # a measure added since the last build changes the columns
    for table in (summary_org, summary_distinct):
        table.create(connection)
    snapshots = sorted(connection.execute(select(schema.facts.c.as_of).distinct()).scalars())
    written = sum(_write_rows(connection, *_cell_rows(connection, day, None)) for day in snapshots)
    _stamp(connection, snapshots)
    return written


def _in_cells(table, cells: list[tuple]):
    # Needs GRAIN's columns NOT NULL (as organisations declares them): a NULL matches no IN (...).
    return tuple_(*(table.c[name] for name in GRAIN)).in_(cells)


def refresh_cells(connection: Connection, touched: Touched, snapshots: set[date]) -> int:
    """Recompute the touched cells at every snapshot they reach; a snapshot date the write added is
    built whole and one it emptied is removed. `snapshots`: the dates the summaries held before."""
    present = {d for d in touched.fact_dates()
               if connection.execute(select(exists().where(schema.facts.c.as_of == d))).scalar()}
    added, removed = present - snapshots, touched.fact_dates() - present
    written = 0
    for day in sorted(removed & snapshots):
        for table in (summary_org, summary_distinct):
            connection.execute(delete(table).where(table.c.as_of == day))
    for day in sorted(added):
        written += _write_rows(connection, *_cell_rows(connection, day, None))
    for day in sorted(snapshots - removed):
        cells = sorted(touched.cells_at(day))
        for start in range(0, len(cells), CELLS_PER_STATEMENT):
            chunk = cells[start:start + CELLS_PER_STATEMENT]
            for table in (summary_org, summary_distinct):
                connection.execute(delete(table).where(table.c.as_of == day, _in_cells(table, chunk)))
            written += _write_rows(connection, *_cell_rows(connection, day, chunk))
    _stamp(connection, (snapshots - removed) | added)
    return written


def _current_columns_match(connection: Connection) -> bool:
    """Do the summary tables in the database have today's columns (no measure added since)?"""
    found = {c["name"] for c in inspect(connection).get_columns(summary_org.name)}
    return found == {c.name for c in summary_org.columns}


def touched_by_import(connection: Connection, import_id: int) -> Touched:
    """The cells an import moved, read from its change log and the rows as they are now. Called after
    the import wrote (its rows as written) or, for an undo, before the rows are put back."""
    logged = schema.import_changes
    changes = connection.execute(select(logged.c.table_name, logged.c.row_key, logged.c.before)
                                 .where(logged.c.import_id == import_id)).all()
    touched, org_before, fact_days = Touched(), {}, {}
    for table_name, row_key, before in changes:
        key = json.loads(row_key)
        if table_name == schema.organisations.name:
            org_before[key["id"]] = json.loads(before) if before is not None else {}  # the changed columns only
        elif table_name == schema.facts.name:
            fact_days.setdefault(key["org_id"], set()).add(date.fromisoformat(key["as_of"]))
    grain_now = _grains(connection, set(org_before) | set(fact_days))
    for org_id, before in org_before.items():
        if org_id in grain_now:
            now = dict(zip(GRAIN, grain_now[org_id], strict=True))
            touched.always |= {grain_now[org_id], tuple(before.get(name, now[name]) for name in GRAIN)}
    for org_id, days in fact_days.items():
        if org_id in grain_now:
            touched.from_date.setdefault(grain_now[org_id], set()).update(days)
    return touched


def _grains(connection: Connection, org_ids: set[int]) -> dict[int, tuple]:
    o, ids, found = schema.organisations, sorted(org_ids), {}
    for start in range(0, len(ids), 5_000):
        statement = select(o.c.id, *(o.c[name] for name in GRAIN)).where(o.c.id.in_(ids[start:start + 5_000]))
        found.update({row[0]: tuple(row[1:]) for row in connection.execute(statement)})
    return found


def fresh_snapshots(connection: Connection) -> set[date] | None:
    """Snapshot dates, if the summaries were built from the current data; None otherwise."""
    version, built_from = _meta(connection, "data_version"), _meta(connection, "summary_version")
    if version is None or version != built_from:
        return None
    listed = _meta(connection, "snapshots") or ""
    return {date.fromisoformat(text) for text in listed.split(",") if text}


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
