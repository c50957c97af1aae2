"""Writing the demo to the database: the whole content at once, never over imported data unasked,
and the entry points that (re)build it or build it only when the database is empty.

All or nothing, even under kill -9: PostgreSQL gets one transaction with the DDL inside it;
SQLite (whose Python driver commits DDL on its own) is built in a new file beside the target,
then put in place in one step: a rename when there was no file, else SQLite's backup API, which
copies the new pages over the old inside one transaction of the target (its journal rolls a
killed copy back), so connections a running app holds see the new data instead of a deleted file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine, Float, Integer, insert, inspect, select
from sqlalchemy.schema import CreateTable

from hxcore.db import schema
from hxcore.db.health import import_count, latest_import, shown_url, sqlite_path
from hxcore.engine.summary import SUMMARY_FOLDER, ParallelBuild, refresh_summaries, sources_without
from hxcore.io.demo.content import SEED, lai_chau_content
from hxcore.io.processes import process_alive

DEMO_NOTE = ("Dữ liệu minh họa: số liệu tỉnh Lai Châu 30/6/2023 và cuối năm 2022 theo báo cáo 6 tháng đầu năm 2023; "
             "số liệu theo huyện và các kỳ khác (đến quý III/2026, từ 1/7/2025 theo 38 xã, phường mới) là số giả định.")
PROGRESS_EVERY = 200_000  # rows between two progress lines of a large table
_ASIDE = ".build-"  # hx.sqlite.build-<pid>: the file a build writes before it replaces hx.sqlite


class DatabaseHoldsImports(ValueError):
    """The database holds imported data, which a rebuild would erase: refused unless forced."""


@dataclass
class MadeWhileWritten:
    """The facts, made while they are written (the national build's 1,2 million are never all held):
    `rows` an iterable of them, `dates` the dates they hold, known beforehand because the summaries'
    passes over the organisations start before the facts are written. `count`: the rows written so far."""

    rows: Iterable
    dates: list[date]
    count: int = 0

    def __iter__(self) -> Iterator:
        for row in self.rows:
            self.count += 1
            yield row


def _size(rows) -> int | None:
    return len(rows) if isinstance(rows, Sized) else None


def _fact_dates(rows) -> list[date]:
    if isinstance(rows, MadeWhileWritten):
        return sorted(rows.dates)
    return sorted({row.as_of if hasattr(row, "as_of") else row["as_of"] for row in rows})


def write_content(engine: Engine, content: dict, meta: dict[str, str], progress=None, chunk: int = 10_000,
                  force: bool = False, release_rows: bool = False) -> None:
    """Replace the whole database's content: all of it, or nothing.

    Refuses (DatabaseHoldsImports) when the database holds imported data, unless `force`; then a
    SQLite file is first copied to backups/ beside it. `release_rows`: each table's list of rows
    in `content` is emptied once written. The facts may be given as MadeWhileWritten.
    """
    refuse_over_imports(engine, force)
    digest = hashlib.sha256(repr(sorted((t.name, _size(rows)) for t, rows in content.items())).encode()).hexdigest()
    meta_rows = [{"key": k, "value": v} for k, v in meta.items()]
    meta_rows.append({"key": "data_version", "value": f"{meta.get('scale', 'demo')}-{meta.get('seed')}-{digest[:12]}"})
    rows = {**content, schema.meta: meta_rows}
    path = sqlite_path(engine)
    if path is None:
        _fill(engine, rows, progress, chunk, release_rows=release_rows)
    else:
        _build_aside(engine, path, rows, progress, chunk, force, release_rows)


def refuse_over_imports(engine: Engine, force: bool = False) -> None:
    """Raise DatabaseHoldsImports when the database holds imported data and `force` is not given."""
    if force or not import_count(engine):
        return
    latest = latest_import(engine) or {}
    raise DatabaseHoldsImports(
        f"cơ sở dữ liệu {shown_url(engine)} đang chứa dữ liệu đã nhập ({import_count(engine)} lần nhập, lần cuối: "
        f"tệp '{latest.get('file_name')}' của {latest.get('user_name')} lúc {latest.get('imported_at')}); "
        "tạo lại dữ liệu demo sẽ xóa hết dữ liệu này")


def _fill(engine: Engine, rows: dict, progress, chunk: int, aside: bool = False, release_rows: bool = False) -> None:
    """Drop, create and fill every table in one transaction, DDL included (PostgreSQL rolls it all back).
    `aside`: a new SQLite file no one else sees yet, which is thrown away if the build fails (_fill_aside)."""
    if aside:
        _fill_aside(engine, rows, progress, chunk, release_rows)
        return
    with engine.begin() as connection:
        _create_tables(connection)
        _write_tables(connection, schema.metadata.sorted_tables, rows, progress, chunk, release_rows)
        schema.advance_sequences(connection)
        refresh_summaries(connection)
        schema.analyze(connection)  # every table, after the bulk load


def _fill_aside(engine: Engine, rows: dict, progress, chunk: int, release_rows: bool) -> None:
    """A new SQLite file in WAL mode: every table but the facts written and committed first; the
    summaries of what does not read facts (the organisations above all) are then built by a worker
    while the facts are written, and the rest by two workers once they are committed."""
    days = _fact_dates(rows.get(schema.facts, []))
    with engine.begin() as connection:
        _create_tables(connection)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")  # readers (the workers) go on while the facts are written
    facts_first = [table for table in schema.metadata.sorted_tables if table is not schema.facts]
    with ParallelBuild(engine, days) as build:
        with engine.begin() as connection:
            _write_tables(connection, facts_first, rows, progress, chunk, release_rows)
        build.start(sources_without(schema.facts), beside_a_writer=True)
        with engine.begin() as connection:
            _write_tables(connection, [schema.facts], rows, progress, chunk, release_rows)
            schema.advance_sequences(connection)
        if progress:
            progress("Bảng tổng hợp…")
        build.finish()
    with engine.begin() as connection:
        schema.analyze(connection)  # every table, after the bulk load


def _create_tables(connection) -> None:
    # A rebuild replaces tables too, so a database made by an older version gets today's columns.
    schema.metadata.drop_all(connection)
    for table in schema.metadata.sorted_tables:
        connection.execute(CreateTable(table))


def _write_tables(connection, tables: list, rows: dict, progress, chunk: int, release_rows: bool) -> None:
    for table in tables:
        _write_table(connection, table, rows.get(table, []), progress, chunk)
        if release_rows and isinstance(rows.get(table), list):
            rows[table].clear()
    # Indexes after the rows: one sort each instead of 1,2 million scattered inserts.
    for table in tables:
        for index in table.indexes:
            index.create(connection)


def _write_table(connection, table, table_rows: Iterable, progress, chunk: int) -> None:
    """The rows chunk by chunk: a list, or rows made while they are written (MadeWhileWritten)."""
    total, done, rows = _size(table_rows), 0, iter(table_rows)
    while part := list(islice(rows, chunk)):
        _insert(connection, table, part)
        done += len(part)
        if progress and done % PROGRESS_EVERY < chunk and (total is None or total > chunk):
            progress(f"  {table.name}: {done:,}" + (f"/{total:,}" if total else ""))
    if progress and done > chunk and done % PROGRESS_EVERY >= chunk:
        progress(f"  {table.name}: {done:,}" + (f"/{total:,}" if total else ""))


def _insert(connection, table, rows: list) -> None:
    """Insert rows given as dicts, or as tuples of every column in the table's order (the national
    build's facts and organisations)."""
    dicts = [row for row in rows if isinstance(row, dict)]
    if dicts:
        connection.execute(insert(table), dicts)
    rows = [row for row in rows if not isinstance(row, dict)]
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(table), [row._asdict() for row in rows])
        return
    # Tuples go to the driver as they are, but for the values a column's type converts (a date, not a
    # number: a SQLite column stores numbers as its own type anyway), each distinct value converted once.
    # SQLAlchemy's building of parameters row by row took longer than SQLite's insert itself.
    names = tuple(column.name for column in table.columns)
    if getattr(rows[0], "_fields", names) != names:  # bound by position: the fields must be the columns
        raise ValueError(f"{table.name}: rows with fields {rows[0]._fields}, the table has {names}")
    converters = {i: processor for i, column in enumerate(table.columns)
                  if not isinstance(column.type, Integer | Float)
                  and (processor := column.type.dialect_impl(dialect).bind_processor(dialect))}
    connection.exec_driver_sql(str(insert(table).compile(dialect=dialect)), _converted(rows, converters))


def _converted(rows: list[tuple], converters: dict) -> list[tuple]:
    """The rows with the values of columns {position: converter} converted."""
    try:
        converted = {i: {value: convert(value) for value in {row[i] for row in rows}} for i, convert in converters.items()}
    except TypeError:  # values that cannot be hashed (a list, a dict): each converted
        converted = None
    if converted is not None and len(converted) == 1:  # the facts' date: the cheapest way, row by row
        ((i, value_of),) = converted.items()
        return [(*row[:i], value_of[row[i]], *row[i + 1:]) for row in rows]
    columns: list = list(zip(*rows, strict=True))
    for i, convert in converters.items():
        columns[i] = map(converted[i].__getitem__ if converted else convert, columns[i])
    return list(zip(*columns, strict=True))


def _build_aside(engine: Engine, path: Path, rows: dict, progress, chunk: int, force: bool,
                 release_rows: bool = False) -> None:
    """SQLite: build hx.sqlite.build-<pid>, then put it in place of hx.sqlite in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(path)
    aside = path.with_name(f"{path.name}{_ASIDE}{os.getpid()}")
    _unlink(aside)
    builder = schema.make_engine(f"sqlite:///{aside}")
    try:
        _fill(builder, rows, progress, chunk, aside=True, release_rows=release_rows)
        builder.dispose()
        refuse_over_imports(engine, force)  # again: an import may have committed while this one was built
        if import_count(engine):
            saved = _save_copy(path)
            if progress:
                progress(f"Đã sao lưu cơ sở dữ liệu cũ vào {saved}")
        engine.dispose()
        _swap(aside, path)
    finally:
        builder.dispose()
        _unlink(aside)


def _swap(aside: Path, path: Path) -> None:
    """Put the built file in place: renamed when there is no file yet, else copied over the old one
    in one SQLite transaction (a copy killed half-way is rolled back by the next connection)."""
    if not path.exists():
        os.replace(aside, path)
        return
    with contextlib.closing(sqlite3.connect(aside)) as source, \
            contextlib.closing(sqlite3.connect(path, timeout=60)) as target:
        source.backup(target)


def _save_copy(path: Path) -> Path:
    """A consistent copy of the old database in backups/ beside it, before it is replaced."""
    folder = path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / f"{path.stem}-truoc-build-demo-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite"
    with contextlib.closing(sqlite3.connect(path, timeout=60)) as source, \
            contextlib.closing(sqlite3.connect(saved)) as copy:
        source.backup(copy)
    return saved


def _remove_orphans(path: Path) -> None:
    """Files and summary folders left by builds that were killed (their process is gone)."""
    for orphan in path.parent.glob(f"{path.name}{_ASIDE}*"):
        pid = orphan.name[len(path.name) + len(_ASIDE):].split("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            orphan.unlink(missing_ok=True)
    for folder in path.parent.glob(f"{SUMMARY_FOLDER}*"):
        pid = folder.name[len(SUMMARY_FOLDER):].split("-")[0]
        if folder.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _unlink(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def build_demo(engine: Engine, seed: int = SEED, force: bool = False, progress=None) -> dict[str, int]:
    """(Re)build the Lai Châu demo database, all or nothing; returns row counts per table.

    Refuses (DatabaseHoldsImports) over a database holding imported data unless `force`.
    """
    content = lai_chau_content(seed)
    write_content(engine, content, {"demo": "true", "demo_note": DEMO_NOTE, "seed": str(seed), "scale": "lai-chau"},
                  progress=progress, force=force)
    return {table.name: len(rows) for table, rows in content.items()}


def ensure_demo(engine: Engine) -> bool:
    """Build the demo database if the database is empty; True when it was built.

    A database holding imported data is never rebuilt, even with no organisations left.
    """
    if import_count(engine):
        return False
    if inspect(engine).has_table("organisations"):
        with engine.connect() as connection:
            if connection.execute(select(schema.organisations.c.id).limit(1)).first():
                return False
    build_demo(engine)
    return True
