"""Stage 6, write: commit a plan in one transaction, after a backup copy; log it; undo the latest import.

`commit_import` checks the editor session, runs the dry run again inside the transaction that
writes, and writes all or nothing. Each change is logged with the row as it was before, so
`undo_import` can put it back. Summaries are rebuilt in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from hxcore.db import schema
from hxcore.engine.summary import data_changed
from hxcore.io.auth import Session, require_editor
from hxcore.io.importer.pipeline import prepare
from hxcore.io.importer.plan import ImportPlan
from hxcore.model.areas import read_reference, slugify
from hxcore.model.vocab import SECTORS


class ImportRejected(ValueError):
    """The file has errors: nothing was written. `plan.problems` lists them."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} lỗi: không ghi dữ liệu nào.")
        self.plan = plan


@dataclass(frozen=True)
class ImportRecord:
    id: int
    rows_added: int
    rows_changed: int
    backup_path: str | None
    data_version: str


def _jsonable(row: dict | None) -> str | None:
    if row is None:
        return None
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}, ensure_ascii=False,
                      sort_keys=True)


def _from_json(table, text: str) -> dict:
    values = json.loads(text)
    for key, value in values.items():
        if value is not None and isinstance(table.c[key].type, schema.Date):
            values[key] = date.fromisoformat(value)
    return values


def _where(table, key: dict):
    return and_(*(table.c[k] == (date.fromisoformat(v) if isinstance(table.c[k].type, schema.Date) and isinstance(v, str)
                                 else v) for k, v in key.items()))


def _ensure_reference(conn: Connection) -> None:
    """An empty database gets the reference areas and sectors the imported rows point to."""
    if conn.execute(select(func.count()).select_from(schema.areas)).scalar() == 0:
        areas = read_reference()
        conn.execute(insert(schema.areas), [{"code": a.code, "name": a.name, "slug": slugify(a.name), "level": a.level,
                                             "kind": a.kind, "parent_code": a.parent_code, "valid_from": a.valid_from,
                                             "valid_to": a.valid_to} for a in areas])
        successions = [{"old_code": a.code, "new_code": a.successor_code, "effective_on": date(2025, 7, 1)}
                       for a in areas if a.successor_code]
        if successions:
            conn.execute(insert(schema.area_successions), successions)
    if conn.execute(select(func.count()).select_from(schema.sectors)).scalar() == 0:
        conn.execute(insert(schema.sectors), [{"org_type": s.org_type.value, "code": s.code, "label_vi": s.label_vi,
                                               "label_en": s.label_en, "sort_order": i} for i, s in enumerate(SECTORS)])


def backup_sqlite(engine: Engine, stamp: str) -> str | None:
    """A consistent copy of the SQLite file in backups/ beside it (None for other databases)."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    source = Path(engine.url.database)
    target_dir = source.parent / "backups"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{source.stem}-{stamp}.sqlite"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return str(target)


def _apply(conn: Connection, import_id: int, plan: ImportPlan) -> None:
    """Every planned change, each logged with the row as it was."""
    changes = []
    for table_name, action, key, row, before in plan.ops:
        table = schema.metadata.tables[table_name]
        if action == "insert":
            result = conn.execute(insert(table).values(**row))
            key = key or {"id": result.inserted_primary_key[0]}
        else:
            conn.execute(update(table).where(_where(table, key)).values(**row))
        changes.append({"import_id": import_id, "table_name": table_name, "row_key": _jsonable(key),
                        "before": _jsonable(before)})
    if changes:
        conn.execute(insert(schema.import_changes), changes)


def commit_import(engine: Engine, data: bytes, file_name: str, period: str, session: Session, *,
                  before_commit: Callable[[Connection], None] | None = None) -> ImportRecord:
    """Validate again and write everything in one transaction; ImportRejected (nothing written) on any error.

    `before_commit(conn)`, if given, runs after the writes and before the commit (the kill test uses it).
    """
    require_editor(session)
    schema.create_schema(engine)  # the log tables, on a database made before they existed
    with engine.connect() as conn:
        checked = prepare(conn, data, file_name, period)
    if not checked.ok:  # no backup, no transaction for a file that cannot go in
        raise ImportRejected(checked)
    now = datetime.now(UTC)
    sha = hashlib.sha256(data).hexdigest()
    backup = backup_sqlite(engine, f"{now:%Y%m%d-%H%M%S}-{sha[:8]}")
    with engine.begin() as conn:
        plan = prepare(conn, data, file_name, period)  # again, inside the transaction that writes
        if not plan.ok:
            raise ImportRejected(plan)
        _ensure_reference(conn)
        import_id = conn.execute(insert(schema.imports).values(
            user_name=session.user, imported_at=now.isoformat(timespec="seconds"), file_name=file_name[:250],
            file_sha256=sha, period=plan.period, rows_added=plan.rows_added, rows_changed=plan.rows_changed,
            backup_path=backup, status="committed")).inserted_primary_key[0]
        _apply(conn, import_id, plan)
        version = f"import-{import_id}-{sha[:12]}"
        data_changed(conn, version)  # summaries rebuilt in this transaction
        if before_commit is not None:
            before_commit(conn)
    return ImportRecord(import_id, plan.rows_added, plan.rows_changed, backup, version)


def undo_import(engine: Engine, import_id: int, session: Session) -> str:
    """Put back what one import changed (the latest not yet undone only); returns the new data version."""
    require_editor(session)
    log, changes = schema.imports, schema.import_changes
    with engine.begin() as conn:
        latest = conn.execute(select(log.c.id).where(log.c.status == "committed").order_by(log.c.id.desc())).scalar()
        if latest is None or latest != import_id:
            raise ValueError("Chỉ hoàn tác được lần nhập gần nhất chưa hoàn tác"
                             + (f" (lần {latest})." if latest else "."))
        rows = conn.execute(select(changes).where(changes.c.import_id == import_id).order_by(changes.c.id.desc())).all()
        order = {t.name: i for i, t in enumerate(schema.metadata.sorted_tables)}
        for change in sorted(rows, key=lambda r: -order[r.table_name]):  # children before parents
            table = schema.metadata.tables[change.table_name]
            key = json.loads(change.row_key)
            if change.before is None:
                conn.execute(delete(table).where(_where(table, key)))
            else:
                conn.execute(update(table).where(_where(table, key)).values(**_from_json(table, change.before)))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(update(log).where(log.c.id == import_id).values(status="undone", undone_by=session.user, undone_at=now))
        version = f"undo-{import_id}-{hashlib.sha256(now.encode()).hexdigest()[:8]}"
        data_changed(conn, version)  # summaries rebuilt in this transaction
    return version


def import_history(engine: Engine) -> pd.DataFrame:
    schema.create_schema(engine)
    log = schema.imports
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(log).order_by(log.c.id.desc())).mappings()]
    return pd.DataFrame(rows, columns=[c.name for c in log.columns])


def database_fingerprint(engine: Engine) -> str:
    """SHA-256 of every row of every table, in a fixed order: equal fingerprints, equal content."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        existing = set(schema.metadata.tables) & set(conn.dialect.get_table_names(conn))
        for table in schema.metadata.sorted_tables:
            if table.name not in existing:
                continue
            digest.update(table.name.encode())
            for row in conn.execute(select(table).order_by(*table.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
