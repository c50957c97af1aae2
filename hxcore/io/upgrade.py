"""Bring a database made by an earlier release of hx to today's schema, keeping everything in it.

Offices that upgrade hx keep their database, with their imports in it; the code reads columns that
database lacks (areas.former_district_code, organisations.commune_2025_code, ...). `outdated` says
what it lacks, compared with hxcore.db.schema (tables, columns, a NOT NULL since relaxed) and with
the reference list of Lai Châu's units (the 2025 communes and the successions of 1/7/2025); `upgrade`
adds it, all or nothing, filling every new column as a fresh build (io/demo, io/national) would.
Cheap when there is nothing to do (a look at the catalogue and two small queries), so it can run at
every start.

All or nothing: one transaction with the DDL inside it. SQLite's Python driver would commit DDL on
its own, so the connection is put in autocommit mode and the transaction is begun and ended here
(`BEGIN IMMEDIATE`: no other write meanwhile). A column that must become nullable, or a NOT NULL
column, cannot be altered in SQLite: the table is rebuilt the way SQLite's ALTER TABLE page says
(foreign keys off, new table, copy, drop, rename, indexes, foreign_key_check). PostgreSQL alters
the columns in place, under an advisory lock so that two processes starting at once upgrade once.
A file SQLite database is first copied to backups/ beside it, as imports do.

The upgrade never changes what hxcore.db.health.database_problem says: a missing file is not
created, an empty or half-built database (a table every figure needs is missing) is left for it to
report, and a database without a data version does not get one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    bindparam,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import ClauseElement

from hxcore.db import schema
from hxcore.db.backup import backup_sqlite
from hxcore.db.health import REQUIRED_TABLES, shown_url, sqlite_path
from hxcore.db.schema import DERIVED_TABLES
from hxcore.engine.summary import data_changed, refresh_summaries
from hxcore.model.areas import NEW_UNITS_VALID_FROM, PROVINCE_CODE, REFERENCE, AreaRow, slugify

ADVISORY_KEY = 0x6878757067726164  # "hxupgrad": PostgreSQL's lock serialising upgrades of one database
BUSY_WAIT_MS = 300_000  # SQLite: wait this long for another process's upgrade (minutes on a national file)
AREA_COLUMNS = ("province_code", "commune_2025_code", "former_district_code")  # filled in Python, row by row


class UpgradeError(RuntimeError):
    """The database cannot be upgraded without losing something; nothing was changed."""


def _commune_2025_code():
    """The 2025 commune of an organisation located before the reform: the one its commune's area row
    names (in Lai Châu the reference's successor, elsewhere the commune itself), or the commune itself
    when it has no row: the importer's rule, REFORM.successor.get(commune, commune)."""
    o, a = schema.organisations, schema.areas.alias("a")
    named = (select(a.c.commune_2025_code)
             .where(a.c.code == o.c.commune_code, a.c.level == "commune", a.c.commune_2025_code.is_not(None))
             .order_by(a.c.valid_from).limit(1).scalar_subquery())
    return func.coalesce(named, o.c.commune_code)


# New columns filled by one SQL expression over the table's own row: (table, column) -> expression.
# The areas' new columns need their parents and the reference list: _fill_areas.
FILLS: dict[tuple[str, str], Callable] = {("organisations", "commune_2025_code"): _commune_2025_code}


@dataclass
class _Plan:
    """What the database lacks, as found inside the transaction that adds it."""

    tables: list[str] = field(default_factory=list)
    columns: dict[str, list[str]] = field(default_factory=dict)  # table -> columns missing
    relaxed: dict[str, list[str]] = field(default_factory=dict)  # table -> columns NOT NULL in the database only
    found: dict[str, set[str]] = field(default_factory=dict)  # table -> columns the database has
    areas: list[AreaRow] = field(default_factory=list)  # reference units missing
    successions: list[tuple[str, str]] = field(default_factory=list)  # (old, new) missing
    indexes: list[str] = field(default_factory=list)  # indexes of existing tables missing (speed only)

    def empty(self) -> bool:
        return not (self.tables or self.columns or self.relaxed or self.areas or self.successions or self.indexes)

    def changes_data(self) -> bool:
        """False when only indexes are missing: the figures are the same, no summary is rebuilt."""
        return bool(self.tables or self.columns or self.relaxed or self.areas or self.successions)

    def describe(self) -> list[str]:
        items = [f"thiếu bảng {name}" for name in self.tables]
        items += [f"thiếu cột {table}.{name}" for table, names in self.columns.items() for name in names]
        items += [f"cột {table}.{name} chưa cho phép để trống (NOT NULL)" for table, names in self.relaxed.items() for name in names]
        items += [f"thiếu chỉ mục {name}" for name in self.indexes]
        if self.areas:
            items.append(f"thiếu {len(self.areas)} đơn vị hành chính của tỉnh Lai Châu có trong danh mục")
        if self.successions:
            items.append(f"thiếu {len(self.successions)} dòng sắp xếp đơn vị hành chính từ 1/7/2025 (area_successions)")
        return items

    def summary(self) -> str:
        parts = []
        # Summary tables and their new columns are not named: the message ends saying the summaries were rebuilt.
        tables = [name for name in self.tables if name not in DERIVED_TABLES]
        if tables:
            parts.append("thêm bảng " + ", ".join(tables))
        added = [f"{t}.{c}" for t, names in self.columns.items() if t not in DERIVED_TABLES for c in names]
        if added:
            parts.append("thêm cột " + ", ".join(added))
        if self.relaxed:
            parts.append("cho phép để trống cột " + ", ".join(f"{t}.{c}" for t, names in self.relaxed.items() for c in names))
        if self.areas:
            parts.append(f"thêm {len(self.areas)} đơn vị hành chính của tỉnh Lai Châu theo danh mục")
        if self.successions:
            parts.append(f"thêm {len(self.successions)} dòng sắp xếp đơn vị hành chính từ 1/7/2025")
        if self.indexes:
            parts.append("thêm chỉ mục " + ", ".join(self.indexes))
        if not parts and self.columns:  # only summary columns: chỉ số mới (new measures)
            parts.append("thêm chỉ số vào bảng tổng hợp")
        elif not parts and self.tables:  # only summary tables
            parts.append("thêm bảng tổng hợp")
        return "; ".join(parts)


def _plan(conn: Connection) -> _Plan | None:
    """What the database lacks; None when it is empty or half-built (health reports those)."""
    present = _columns(conn)
    if any(name not in present for name in REQUIRED_TABLES):
        return None
    plan = _Plan()
    for table in schema.metadata.sorted_tables:
        if table.name not in present:
            plan.tables.append(table.name)
            continue
        nullable = present[table.name]
        plan.found[table.name] = set(nullable)
        missing = [c.name for c in table.columns if c.name not in nullable]
        relaxed = [c.name for c in table.columns if c.name in nullable and c.nullable and not nullable[c.name]]
        if missing:
            plan.columns[table.name] = missing
        if relaxed:
            plan.relaxed[table.name] = relaxed
    plan.areas, plan.successions = _missing_reference(conn)
    indexes = _index_names(conn)
    plan.indexes = [index.name for table in schema.metadata.sorted_tables if table.name in present
                    for index in sorted(table.indexes, key=lambda i: i.name) if index.name not in indexes]
    return plan


# Every table's columns and whether they may be NULL, in one query (the inspector's one query per
# table, or its catalogue query on PostgreSQL, would make the check at every start cost 10-40 ms).
_CATALOGUE = {
    "sqlite": 'SELECT m.name, c.name, NOT c."notnull" FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c '
              "WHERE m.type = 'table'",
    "postgresql": "SELECT c.relname, a.attname, NOT a.attnotnull FROM pg_attribute AS a JOIN pg_class AS c "
                  "ON c.oid = a.attrelid WHERE c.relnamespace = current_schema()::regnamespace "
                  "AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
}


_INDEXES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


def _index_names(conn: Connection) -> set[str]:
    query = _INDEXES.get(conn.dialect.name)
    if query is None:
        return {i["name"] for indexes in inspect(conn).get_multi_indexes().values() for i in indexes}
    return {name for (name,) in conn.exec_driver_sql(query)}


def _columns(conn: Connection) -> dict[str, dict[str, bool]]:
    """table -> column -> nullable, for every table of the database."""
    query = _CATALOGUE.get(conn.dialect.name)
    if query is None:
        multi = inspect(conn).get_multi_columns()
        rows = [(table, c["name"], c["nullable"]) for (_, table), columns in multi.items() for c in columns]
    else:
        rows = conn.exec_driver_sql(query).all()
    found: dict[str, dict[str, bool]] = {}
    for table, column, nullable in rows:
        found.setdefault(table, {})[column] = bool(nullable)
    return found


# Built once: the reference's codes bound into IN (...) cost more to build than to run.
_REFERENCE = {(a.code, a.valid_from): a for a in REFERENCE}
_REFERENCE_AREAS = (select(schema.areas.c.code, schema.areas.c.valid_from)
                    .where(schema.areas.c.code.in_(sorted({a.code for a in REFERENCE}))))
_REFERENCE_SUCCESSIONS = (select(schema.area_successions.c.old_code, schema.area_successions.c.new_code)
                          .where(schema.area_successions.c.old_code.in_(sorted({a.code for a in REFERENCE if a.successor_code}))))


def _missing_reference(conn: Connection) -> tuple[list[AreaRow], list[tuple[str, str]]]:
    """Lai Châu's units and successions of the reference list the database lacks, when it holds Lai
    Châu at all (another province's database gets none of them)."""
    found = set(conn.execute(_REFERENCE_AREAS).all())
    if not found & set(_REFERENCE):
        return [], []
    linked = set(conn.execute(_REFERENCE_SUCCESSIONS).all())
    missing_links = [(a.code, a.successor_code) for a in REFERENCE
                     if a.successor_code and (a.code, a.successor_code) not in linked]
    return [a for key, a in _REFERENCE.items() if key not in found], missing_links


def _current_plan(engine: Engine) -> _Plan | None:
    path = sqlite_path(engine)
    if path is not None and not path.exists():
        return None  # connecting would create the file, and health would say "empty" instead of "missing"
    with engine.connect() as conn:
        return _plan(conn)


def outdated(engine: Engine) -> list[str]:
    """What the database lacks compared with today's schema and reference list, one Vietnamese item
    each ("thiếu cột areas.former_district_code"); empty when it is current - and when it is missing,
    empty or half-built, which hxcore.db.health.database_problem reports instead. Only reads."""
    plan = _current_plan(engine)
    return plan.describe() if plan else []


def upgrade(engine: Engine) -> str | None:
    """Bring the database to today's schema, all or nothing; a Vietnamese line saying what was done
    and where the backup copy is, or None when there was nothing to do (see `outdated`).

    Raises on any error (the database is then exactly as it was, and the backup copy removed);
    UpgradeError when a table to rebuild holds a column today's schema does not know. Where only
    indexes are missing (speed, not needed to read), they are added without a backup copy, and a
    database that cannot take them (read-only) is left as it is, without an error.
    """
    first = _current_plan(engine)
    if first is None or first.empty():
        return None
    backup: str | None = None
    try:
        with _transaction(engine) as conn:
            plan = _plan(conn)  # again, inside the lock: another process may have upgraded it meanwhile
            if plan is None or plan.empty():
                return None
            if plan.changes_data() and sqlite_path(engine) is not None:
                backup = backup_sqlite(engine, f"truoc-nang-cap-{datetime.now(UTC):%Y%m%d-%H%M%S}")  # no write yet
            _apply(conn, plan)
    except BaseException as error:
        if backup:
            Path(backup).unlink(missing_ok=True)  # the database is as before: the copy is of nothing new
        if isinstance(error, Exception) and not first.changes_data():
            return None  # only an index it could not take: reading works without it, more slowly
        raise
    where = (f"Bản sao lưu trước khi nâng cấp: {backup}." if backup
             else "" if not plan.changes_data()  # an index added: nothing to restore
             else "Không có bản sao lưu tự động (chỉ tệp SQLite mới được sao lưu): hãy dùng bản sao lưu của máy chủ.")
    kept = ("dữ liệu cũ được giữ nguyên, bảng tổng hợp đã được tính lại" if plan.changes_data()
            else "dữ liệu và số liệu không đổi")
    return (f"Đã nâng cấp cơ sở dữ liệu {shown_url(engine)} lên cấu trúc của phiên bản hx này: {plan.summary()}; {kept}. "
            f"{where}").strip()


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction with the DDL inside it: PostgreSQL's own, under the upgrade's advisory lock;
    on SQLite begun and ended here, with foreign keys off for the table rebuilds (checked before the
    commit) and a long busy wait, both set back afterwards (the connection returns to the pool)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(ADVISORY_KEY)))
            yield conn
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # the driver then leaves BEGIN and COMMIT to us
        foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set before BEGIN
        conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                broken = _broken_keys(conn) if foreign_keys else set()
                yield conn
                if foreign_keys:
                    _check_foreign_keys(conn, broken)
                conn.exec_driver_sql("COMMIT")
            except BaseException:
                if conn.connection.driver_connection.in_transaction:  # SQLite may have rolled back itself (disk full)
                    conn.exec_driver_sql("ROLLBACK")
                raise
        finally:
            conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy or 0)}")


def _broken_keys(conn: Connection) -> set[tuple]:
    return {tuple(row) for row in conn.exec_driver_sql("PRAGMA foreign_key_check")}


def _check_foreign_keys(conn: Connection, before: set[tuple]) -> None:
    """The last step of SQLite's rebuild procedure: no reference the upgrade broke (one broken
    before it, written by some other tool, is not the upgrade's to refuse)."""
    broken = sorted(_broken_keys(conn) - before)
    if broken:
        raise UpgradeError(f"nâng cấp làm hỏng {len(broken)} liên kết khóa ngoại (bảng {broken[0][0]}); không có gì bị thay đổi")


def _apply(conn: Connection, plan: _Plan) -> None:
    """Every change of the plan, in this transaction: tables, columns, reference units, summaries."""
    for name in plan.tables:
        if name not in DERIVED_TABLES:  # those are made by the refresh below
            schema.metadata.tables[name].create(conn)
    changed = [name for name in schema.metadata.tables if name in set(plan.columns) | set(plan.relaxed)]
    # areas first, complete with the reference units: the organisations' 2025 commune is read from them
    if schema.areas.name in changed:
        _change_table(conn, plan, schema.areas)
        _fill_areas(conn, [c for c in plan.columns.get(schema.areas.name, []) if c in AREA_COLUMNS])
    _add_reference_areas(conn, plan)
    for name in changed:
        if name != schema.areas.name and name not in DERIVED_TABLES:  # the derived ones: made by the refresh
            _change_table(conn, plan, schema.metadata.tables[name])
    indexes = {index.name: index for table in schema.metadata.sorted_tables for index in table.indexes}
    for name in plan.indexes:
        indexes[name].create(conn, checkfirst=True)  # a rebuilt table has its indexes already
    # Statistics for the new indexes: without them SQLite guessed, and listed a country's stopped HTX
    # through the lists' index (110 ms) rather than the stopped returns' (15 ms).
    schema.analyze(conn, [indexes[name].table for name in plan.indexes])
    schema.advance_sequences(conn)  # ids written by an earlier build-demo, which left them behind
    if plan.changes_data():
        _refresh(conn, changed)


def _change_table(conn: Connection, plan: _Plan, table: Table) -> None:
    """The table's missing columns and relaxed NOT NULLs: in place where the database can, else
    (SQLite: a NOT NULL column added, a NOT NULL dropped) by rebuilding it."""
    missing, relaxed = plan.columns.get(table.name, []), plan.relaxed.get(table.name, [])
    if conn.dialect.name == "sqlite" and (relaxed or any(not table.c[c].nullable for c in missing)):
        _rebuild_table(conn, table, plan.found[table.name])
    else:
        _alter_table(conn, table, missing, relaxed)


def _fill_value(table: Table, column: Column):
    """The value a new column gets on every existing row: its filler, else its default, else NULL."""
    fill = FILLS.get((table.name, column.name))
    if fill is not None:
        return fill()
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    if not column.nullable:
        raise UpgradeError(f"không biết điền cột bắt buộc mới {table.name}.{column.name}; không có gì bị thay đổi")
    return None


def _as_sql(value):
    return value if isinstance(value, ClauseElement) else null() if value is None else literal(value)


def _alter_table(conn: Connection, table: Table, missing: list[str], relaxed: list[str]) -> None:
    """Columns added in place (nullable first, filled, then NOT NULL where the schema says so)."""
    preparer = conn.dialect.identifier_preparer
    name = preparer.format_table(table)
    for column in (table.c[c] for c in missing):
        conn.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {preparer.format_column(column)} "
                             f"{column.type.compile(dialect=conn.dialect)}")
        value = _fill_value(table, column)
        if value is not None:
            conn.execute(update(table).values({column.name: value}))
        if not column.nullable:
            conn.exec_driver_sql(f"ALTER TABLE {name} ALTER COLUMN {preparer.format_column(column)} SET NOT NULL")
    for column in (table.c[c] for c in relaxed):
        conn.exec_driver_sql(f"ALTER TABLE {name} ALTER COLUMN {preparer.format_column(column)} DROP NOT NULL")


def _rebuild_table(conn: Connection, table: Table, found: set[str]) -> None:
    """SQLite's procedure for a change ALTER TABLE cannot make (sqlite.org/lang_altertable.html,
    "Making Other Kinds Of Table Schema Changes"): create the table as the schema declares it under
    another name, copy every row, drop the old one, rename, recreate its indexes and triggers.
    Foreign keys are off meanwhile (dropping organisations would otherwise cascade to its facts)."""
    unknown = found - set(table.c.keys())
    if unknown:
        raise UpgradeError(f"bảng {table.name} có cột {', '.join(sorted(unknown))} mà phiên bản này không biết: "
                           "dựng lại bảng sẽ làm mất chúng; không có gì bị thay đổi")
    remembered = conn.execute(text("SELECT sql FROM sqlite_master WHERE tbl_name = :name AND type IN ('index', 'trigger') "
                                   "AND sql IS NOT NULL"), {"name": table.name}).scalars().all()
    aside = f"hx_upgrade_{table.name}"
    preparer = conn.dialect.identifier_preparer
    ddl = str(CreateTable(table).compile(dialect=conn.dialect)).strip()
    head = f"CREATE TABLE {preparer.format_table(table)} "
    if not ddl.startswith(head):
        raise UpgradeError(f"không dựng lại được bảng {table.name}; không có gì bị thay đổi")
    conn.exec_driver_sql(f"CREATE TABLE {aside} " + ddl[len(head):])
    target = Table(aside, MetaData(), *(Column(c.name) for c in table.columns))
    values = [table.c[c.name] if c.name in found else _as_sql(_fill_value(table, c)) for c in table.columns]
    copy = select(*values).select_from(table)
    conn.execute(insert(target).from_select([c.name for c in table.columns], copy))
    counted = [conn.execute(select(func.count()).select_from(t)).scalar() for t in (table, target)]
    if counted[0] != counted[1]:
        raise UpgradeError(f"chép lại bảng {table.name} được {counted[1]}/{counted[0]} dòng; không có gì bị thay đổi")
    conn.exec_driver_sql(f"DROP TABLE {preparer.format_table(table)}")
    conn.exec_driver_sql(f"ALTER TABLE {aside} RENAME TO {preparer.format_table(table)}")
    for sql in remembered:
        conn.exec_driver_sql(sql)
    for index in table.indexes:
        index.create(conn, checkfirst=True)


def _fill_areas(conn: Connection, columns: list[str]) -> None:
    """The areas' new columns as a fresh build writes them: Lai Châu's units from the reference list
    (io/demo), any other unit from its place in the hierarchy (io/national: a commune is its own
    2025 commune and belongs to its district as the former one)."""
    if not columns:
        return
    areas = schema.areas
    rows = conn.execute(select(areas.c.id, areas.c.code, areas.c.level, areas.c.parent_code, areas.c.valid_from)).all()
    parents = {(r.level, r.code): r.parent_code for r in rows if r.level in ("province", "district")}
    changes = []
    for row in rows:
        known = _REFERENCE.get((row.code, row.valid_from))
        if known is not None:
            values = {"province_code": PROVINCE_CODE, "commune_2025_code": known.commune_2025_code,
                      "former_district_code": known.former_district_code}
        else:
            values = _place_in_hierarchy(row, parents)
        changes.append({"row_id": row.id, **{c: values[c] for c in columns}})
    if changes:
        conn.execute(update(areas).where(areas.c.id == bindparam("row_id")).values({c: bindparam(c) for c in columns}), changes)


def _place_in_hierarchy(row, parents: dict) -> dict:
    """(province, 2025 commune, former district) of a unit outside the reference list."""
    empty = {"province_code": None, "commune_2025_code": None, "former_district_code": None}
    if row.level == "province":
        return {**empty, "province_code": row.code}
    if row.level == "district":
        return {**empty, "province_code": row.parent_code, "former_district_code": row.code}
    if row.level == "commune":
        if ("district", row.parent_code) in parents:  # a commune of the old hierarchy, not reformed
            return {"province_code": parents[("district", row.parent_code)], "commune_2025_code": row.code,
                    "former_district_code": row.parent_code}
        return {**empty, "province_code": row.parent_code, "commune_2025_code": row.code}  # a 2025 commune
    return empty


def _add_reference_areas(conn: Connection, plan: _Plan) -> None:
    """Lai Châu's units and successions of the reference list the database lacks, as io/demo writes them."""
    if plan.areas:
        conn.execute(insert(schema.areas), [
            {"code": a.code, "name": a.name, "slug": slugify(a.name), "level": a.level, "kind": a.kind,
             "parent_code": a.parent_code, "valid_from": a.valid_from, "valid_to": a.valid_to,
             "province_code": PROVINCE_CODE, "commune_2025_code": a.commune_2025_code,
             "former_district_code": a.former_district_code} for a in plan.areas])
    if plan.successions:
        conn.execute(insert(schema.area_successions), [
            {"old_code": old, "new_code": new, "effective_on": NEW_UNITS_VALID_FROM} for old, new in plan.successions])


def _refresh(conn: Connection, altered: list[str]) -> None:
    """Summaries rebuilt and a new data version (caches see the change), fresh planner statistics
    for the tables rebuilt or refilled. A database without a data version is half-built: it gets none."""
    has_version = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "data_version")).scalar()
    if has_version:
        data_changed(conn, f"upgrade-{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(4)}")
    else:
        refresh_summaries(conn)
    schema.analyze(conn, altered)  # the summary tables: by the refresh, which made them anew
