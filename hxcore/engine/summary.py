"""Summary tables (declared in db/schema.py), like DHIS2's analytics tables: built, stamped, checked.

They are derived data: rebuilt inside the same transaction as any write (refresh_summaries),
and stamped with the data version they were built from. compute.py reads them only when the
stamp equals the current data version, so a figure is never stale: at worst it is computed
from the raw tables, more slowly.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Connection, delete, insert, select

from hxcore.db import measures, schema
from hxcore.db.schema import ADDITIVE, DISTINCT, GRAIN, SUMMARY_SOURCES, summary_distinct, summary_org
from hxcore.model.filters import Window


def _meta(connection: Connection, key: str) -> str | None:
    return connection.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()


def _set_meta(connection: Connection, key: str, value: str) -> None:
    connection.execute(delete(schema.meta).where(schema.meta.c.key == key))
    connection.execute(insert(schema.meta), [{"key": key, "value": value}])


def refresh_summaries(connection: Connection) -> int:
    """Rebuild both summary tables from the raw tables; returns the number of summary rows."""
    for table in (summary_distinct, summary_org):
        table.drop(connection, checkfirst=True)  # a measure added since the last build changes the columns
    for table in (summary_org, summary_distinct):
        table.create(connection)
    snapshots = sorted(connection.execute(select(schema.facts.c.as_of).distinct()).scalars())
    written = 0
    for day in snapshots:
        window = Window(date(day.year, 1, 1), day)
        cells: dict[tuple, dict] = {}
        for source_name in SUMMARY_SOURCES:
            source = measures.source(source_name, window)
            grain = [source.tables.o.c[name] for name in GRAIN]
            additive = [m for m in ADDITIVE if m.source == source_name]
            statement = (
                select(*grain, *(measures.aggregate(m, source, window, ()).label(m.code) for m in additive))
                .select_from(source.from_clause).where(source.where).group_by(*grain)
            )
            for row in connection.execute(statement).mappings():
                cell = cells.setdefault(tuple(row[name] for name in GRAIN), {m.code: 0.0 for m in ADDITIVE})
                cell.update({m.code: float(row[m.code]) for m in additive})
            for measure in (m for m in DISTINCT if m.source == source_name):
                value = measure.value(source.tables)
                condition = measures.condition(measure, source.tables, window)
                statement = (select(*grain, value.label("value")).select_from(source.from_clause)
                             .where(source.where, condition).group_by(*grain, value))
                rows = [{"as_of": day, **dict(zip(GRAIN, r[:-1], strict=True)), "measure": measure.code,
                         "value": str(r[-1])} for r in connection.execute(statement)]
                if rows:
                    connection.execute(insert(summary_distinct), rows)
                    written += len(rows)
        rows = [{"as_of": day, **dict(zip(GRAIN, key, strict=True)), **values} for key, values in cells.items()
                if any(values.values())]
        if rows:
            connection.execute(insert(summary_org), rows)
            written += len(rows)
    _set_meta(connection, "snapshots", ",".join(d.isoformat() for d in snapshots))
    _set_meta(connection, "summary_version", _meta(connection, "data_version") or "0")
    return written


def fresh_snapshots(connection: Connection) -> set[date] | None:
    """Snapshot dates, if the summaries were built from the current data; None otherwise."""
    version, built_from = _meta(connection, "data_version"), _meta(connection, "summary_version")
    if version is None or version != built_from:
        return None
    listed = _meta(connection, "snapshots") or ""
    return {date.fromisoformat(text) for text in listed.split(",") if text}


def data_changed(connection: Connection, version: str | None = None) -> str:
    """Call inside the transaction of every write: a new data version, and summaries rebuilt
    from the written data, committed (or rolled back) together with it."""
    version = version or uuid.uuid4().hex[:16]
    _set_meta(connection, "data_version", version)
    refresh_summaries(connection)
    return version
