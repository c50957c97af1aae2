"""Stage 6, write: commit a plan in one transaction, after a backup copy; log it; undo an import exactly.

One write at a time: `commit_import` and `undo_import` first take the database's lease (lock.py),
so a second import started meanwhile is refused with who runs the first and since when. Then,
in one transaction: the dry run (once; a dry run of the same file on the unchanged database is
reused), a backup copy of the SQLite file, the changes, the log, the summaries, all or nothing.
Each change is logged with the row as it was before, so `undo_import` can put back exactly what
one import changed; it refuses while a later committed import changed the same rows, or rows
pointing to those it added, and names that import. A file already imported whose plan changes
nothing is not imported again: no log entry, no backup. Backups are rotated (the last
HX_BACKUP_KEEP, 10 by default) and those of imports killed before committing are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from hxcore.db import schema
from hxcore.db.backup import backup_sqlite
from hxcore.engine.summary import STAMP_KEYS, data_changed, touched_by_import
from hxcore.io.auth import Session, require_editor
from hxcore.io.importer.lock import ImportBusy, holding, shown_time
from hxcore.io.importer.pipeline import prepare
from hxcore.io.importer.plan import ImportPlan, ImportRejected
from hxcore.model.areas import PROVINCE_CODE, read_reference, slugify
from hxcore.model.periods import Period
from hxcore.model.vocab import SECTORS

__all__ = ["ImportBusy", "ImportRecord", "ImportRejected", "UndoRefused", "backup_keep", "backup_sqlite", "commit_import",
           "database_fingerprint", "import_history", "undo_import"]

BACKUP_KEEP_VARIABLE = "HX_BACKUP_KEEP"
BACKUP_KEEP_DEFAULT = 10
LOG_TABLES = ("imports", "import_changes")
DERIVED_TABLES = schema.DERIVED_TABLES
REFERENCE_TABLES = ("areas", "area_successions", "sectors")  # what the first import into an empty database adds


class UndoRefused(ValueError):
    """The import cannot be undone now; the message says why, in Vietnamese. Nothing was changed."""


@dataclass(frozen=True)
class ImportRecord:
    id: int
    rows_added: int
    rows_changed: int
    backup_path: str | None
    data_version: str
    unchanged: bool = False  # the same file was imported before and changes nothing: nothing was written
    note: str = ""  # what to tell the editor when `unchanged`
    plan: ImportPlan | None = field(default=None, repr=False, compare=False)


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


def _ensure_reference(conn: Connection) -> list[tuple[str, dict]]:
    """An empty database gets the reference areas and sectors the imported rows point to; returns
    (table, key) of each row added, logged with the import so that undoing it removes them too."""
    added: list[tuple[str, dict]] = []
    if conn.execute(select(func.count()).select_from(schema.areas)).scalar() == 0:
        areas = read_reference()
        conn.execute(insert(schema.areas), [{"code": a.code, "name": a.name, "slug": slugify(a.name), "level": a.level,
                                             "kind": a.kind, "parent_code": a.parent_code, "valid_from": a.valid_from,
                                             "valid_to": a.valid_to, "province_code": PROVINCE_CODE,
                                             "commune_2025_code": a.commune_2025_code,
                                             "former_district_code": a.former_district_code} for a in areas])
        successions = [{"old_code": a.code, "new_code": a.successor_code, "effective_on": date(2025, 7, 1)}
                       for a in areas if a.successor_code]
        if successions:
            conn.execute(insert(schema.area_successions), successions)
        added += [("areas", {"code": a.code, "valid_from": a.valid_from}) for a in areas]
        added += [("area_successions", {"old_code": s["old_code"], "new_code": s["new_code"]}) for s in successions]
    if conn.execute(select(func.count()).select_from(schema.sectors)).scalar() == 0:
        conn.execute(insert(schema.sectors), [{"org_type": s.org_type.value, "code": s.code, "label_vi": s.label_vi,
                                               "label_en": s.label_en, "sort_order": i} for i, s in enumerate(SECTORS)])
        added += [("sectors", {"org_type": s.org_type.value, "code": s.code}) for s in SECTORS]
    return added


def backup_keep() -> int:
    """How many import backups to keep: HX_BACKUP_KEEP (at least 1), else 10."""
    value = os.environ.get(BACKUP_KEEP_VARIABLE, "")
    return max(int(value), 1) if value.strip().isdigit() else BACKUP_KEEP_DEFAULT


def _tidy_backups(conn: Connection, engine: Engine, made: str) -> None:
    """Keep the last backups of imports (`made`, this one's, among them); remove the older and the orphans
    of imports killed before committing. Runs while this import holds the lease: no other is making one."""
    pattern = re.compile(re.escape(Path(engine.url.database).stem) + r"-\d{8}-\d{6}-[0-9a-f]{8}\.sqlite")  # backup_sqlite's
    log = schema.imports
    made_by = {Path(path).name: number for number, path in conn.execute(select(log.c.id, log.c.backup_path)) if path}
    made_by[Path(made).name] = max(made_by.values(), default=0) + 1
    files = [f for f in Path(made).parent.iterdir() if pattern.fullmatch(f.name)]
    kept = sorted((f for f in files if f.name in made_by), key=lambda f: made_by[f.name])  # in the order imported
    for old in [f for f in files if f.name not in made_by] + kept[:-backup_keep()]:
        old.unlink(missing_ok=True)


def _apply(conn: Connection, import_id: int, plan: ImportPlan, seeded: list[tuple[str, dict]]) -> None:
    """Every planned change, each logged with the row as it was (the reference rows `seeded` as added).
    Consecutive inserts whose keys are known go to the database in one executemany."""
    done = [(name, key, None) for name, key in seeded]
    runs = groupby(plan.ops, key=lambda op: (op[0], op[1], op[2] is not None, tuple(op[3])))
    for (table_name, action, keyed, _), run in runs:
        ops, table = list(run), schema.metadata.tables[table_name]
        if action == "insert" and keyed:
            conn.execute(insert(table), [op[3] for op in ops])
        else:
            ops = [_apply_one(conn, table, op) for op in ops]
        done += [(table_name, op[2], op[4]) for op in ops]
    if done:
        conn.execute(insert(schema.import_changes), [{"import_id": import_id, "table_name": name, "row_key": _jsonable(key),
                                                      "before": _jsonable(before)} for name, key, before in done])


def _apply_one(conn: Connection, table, op: tuple) -> tuple:
    """One change; an insert without a known key (training classes, loans) gets the key the database gave it."""
    table_name, action, key, row, before = op
    if action == "insert":
        key = {"id": conn.execute(insert(table).values(**row)).inserted_primary_key[0]}
    else:
        conn.execute(update(table).where(_where(table, key)).values(**row))
    return table_name, action, key, row, before


def _data_version(conn: Connection) -> str | None:
    return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "data_version")).scalar()


def _plan(conn: Connection, data: bytes, file_name: str, period: str, checked: ImportPlan | None,
          mapping: dict | None = None, profile: str | None = None) -> ImportPlan:
    """The dry run, inside the write transaction: `checked` itself when it was made of the same file and
    period on the database as it still is (nothing written since), else made again (with the same columns chosen)."""
    sha = hashlib.sha256(data).hexdigest()
    if (checked is not None and checked.ok and checked.sha256 == sha and checked.file_name == file_name
            and checked.period == Period.parse(period).code and checked.data_version == _data_version(conn)):
        return checked
    return prepare(conn, data, file_name, period, mapping, profile)


def _same_file_again(conn: Connection, plan: ImportPlan) -> ImportRecord | None:
    """The record to return when this very file was imported before and changes nothing now."""
    if plan.ops:
        return None
    log = schema.imports
    earlier = conn.execute(select(log).where(log.c.file_sha256 == plan.sha256, log.c.status == "committed")
                           .order_by(log.c.id.desc())).mappings().first()
    if earlier is None:
        return None
    note = (f"Tệp này đã được nhập lúc {shown_time(earlier['imported_at'])} (lần nhập {earlier['id']} của "
            f"{earlier['user_name']}) — không có gì thay đổi.")
    return ImportRecord(earlier["id"], 0, 0, None, _data_version(conn) or "0", True, note, plan)


def _write(engine: Engine, conn: Connection, plan: ImportPlan, session: Session,
           before_commit: Callable[[Connection], None] | None) -> ImportRecord:
    now = datetime.now(UTC)
    backup = backup_sqlite(engine, f"{now:%Y%m%d-%H%M%S}-{plan.sha256[:8]}")  # the state before: no write yet
    try:
        if backup:
            _tidy_backups(conn, engine, backup)
        seeded = _ensure_reference(conn)
        import_id = conn.execute(insert(schema.imports).values(
            user_name=session.user, imported_at=now.isoformat(timespec="seconds"), file_name=plan.file_name[:250],
            file_sha256=plan.sha256, period=plan.period, rows_added=plan.rows_added, rows_changed=plan.rows_changed,
            backup_path=backup, status="committed")).inserted_primary_key[0]
        _apply(conn, import_id, plan, seeded)
        version = f"import-{import_id}-{plan.sha256[:12]}"
        data_changed(conn, version, touched_by_import(conn, import_id))  # its summary cells, in this transaction
        if before_commit is not None:
            before_commit(conn)
    except BaseException:
        if backup:
            Path(backup).unlink(missing_ok=True)
        raise
    return ImportRecord(import_id, plan.rows_added, plan.rows_changed, backup, version, plan=plan)


def commit_import(engine: Engine, data: bytes, file_name: str, period: str, session: Session, *,
                  before_commit: Callable[[Connection], None] | None = None,
                  checked: ImportPlan | None = None, mapping: dict | None = None,
                  profile: str | None = None) -> ImportRecord:
    """Check and write everything in one transaction, as the only import running; ImportRejected (nothing
    written) on any error in the file, ImportBusy (one of them) while another import or undo runs.

    `checked`: the dry run shown to the editor, reused when the database has not changed since;
    `mapping`, `profile`: the columns the editor chose, or the saved mapping named (as for prepare_import).
    `before_commit(conn)`, if given, runs after the writes and before the commit (the kill test uses it).
    """
    require_editor(session)
    schema.create_schema(engine)  # the log tables, on a database made before they existed
    action = f"nhập tệp '{file_name[:200]}'"
    with holding(engine, session.user, action, file_name) as lease, lease.transaction() as conn:
        plan = _plan(conn, data, file_name, period, checked, mapping, profile)
        if not plan.ok:
            raise ImportRejected(plan)
        record = _same_file_again(conn, plan) or _write(engine, conn, plan, session, before_commit)
    return record


def _undoable(conn: Connection, import_id: int) -> None:
    status = conn.execute(select(schema.imports.c.status).where(schema.imports.c.id == import_id)).scalar()
    if status is None:
        raise UndoRefused(f"Không có lần nhập {import_id}.")
    if status != "committed":
        raise UndoRefused(f"Lần nhập {import_id} đã được hoàn tác rồi.")


def _added_keys(changes: list) -> dict[str, set]:
    """The keys of the rows an import added, by table, for the tables others point to (one-column keys)."""
    added: dict[str, set] = {}
    for change in changes:
        key = json.loads(change.row_key)
        if change.before is None and len(key) == 1:
            added.setdefault(change.table_name, set()).add(next(iter(key.values())))
    return added


def _points_into(conn: Connection, change, added: dict[str, set]) -> bool:
    """Does the row a later import changed refer, by a foreign key, to a row this import added?"""
    table = schema.metadata.tables[change.table_name]
    links = [fk for fk in table.foreign_keys if fk.column.table.name in added]
    if not links:
        return False
    key = json.loads(change.row_key)
    row: Mapping | None = key
    if not all(fk.parent.name in key for fk in links):
        row = conn.execute(select(table).where(_where(table, key))).mappings().first()
    return row is not None and any(row[fk.parent.name] in added[fk.column.table.name] for fk in links)


def _later_overlap(conn: Connection, import_id: int, changes: list) -> Mapping | None:
    """The first committed import after this one that changed one of its rows or a row pointing to one it
    added - or any, when this one added the reference areas and sectors every later row is read against."""
    log, logged = schema.imports, schema.import_changes
    mine = {(c.table_name, c.row_key) for c in changes}
    added = _added_keys(changes)
    seeded = any(c.table_name in REFERENCE_TABLES for c in changes)
    later = conn.execute(select(log).where(log.c.id > import_id, log.c.status == "committed").order_by(log.c.id)).mappings()
    for record in later.all():
        if seeded:
            return record
        for change in conn.execute(select(logged).where(logged.c.import_id == record["id"])).all():
            if (change.table_name, change.row_key) in mine or _points_into(conn, change, added):
                return record
    return None


def _revert(conn: Connection, changes: list) -> None:
    """Every row back as it was: rows added deleted (children before parents), rows changed given their old values."""
    order = {t.name: i for i, t in enumerate(schema.metadata.sorted_tables)}
    for change in sorted(changes, key=lambda c: (-order[c.table_name], -c.id)):
        table = schema.metadata.tables[change.table_name]
        key = json.loads(change.row_key)
        if change.before is None:
            conn.execute(delete(table).where(_where(table, key)))
        else:
            conn.execute(update(table).where(_where(table, key)).values(**_from_json(table, change.before)))


def undo_import(engine: Engine, import_id: int, session: Session) -> str:
    """Put back exactly what one import changed; returns the new data version.

    Any committed import may be undone, unless a later committed import changed the same rows (or
    rows pointing to rows it added): UndoRefused names that import, and nothing is changed.
    """
    require_editor(session)
    schema.create_schema(engine)
    log, logged = schema.imports, schema.import_changes
    with holding(engine, session.user, f"hoàn tác lần nhập {import_id}") as lease, lease.transaction() as conn:
        _undoable(conn, import_id)
        changes = conn.execute(select(logged).where(logged.c.import_id == import_id)).all()
        later = _later_overlap(conn, import_id, changes)
        if later is not None:
            raise UndoRefused(
                f"Không hoàn tác được lần nhập {import_id}: lần nhập {later['id']} sau đó (tệp '{later['file_name']}' của "
                f"{later['user_name']}, lúc {shown_time(later['imported_at'])}) đã thay đổi hoặc dùng các dòng lần này ghi. Lần nhập "
                f"{import_id} chỉ hoàn tác được sau khi lần nhập {later['id']} đã được hoàn tác; không có gì bị thay đổi.")
        touched = touched_by_import(conn, import_id)  # the rows as the import left them, before they are put back
        _revert(conn, changes)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(update(log).where(log.c.id == import_id).values(status="undone", undone_by=session.user, undone_at=now))
        version = f"undo-{import_id}-{hashlib.sha256(now.encode()).hexdigest()[:8]}"
        data_changed(conn, version, touched)  # its summary cells, in this transaction
    return version


def import_history(engine: Engine) -> pd.DataFrame:
    log = schema.imports
    return pd.DataFrame(schema.newest_first(engine, log), columns=[c.name for c in log.columns])


def database_fingerprint(engine: Engine, *, data_only: bool = False) -> str:
    """SHA-256 of every row of every table, in a fixed order: equal fingerprints, equal content.

    `data_only`: the data alone, without what every write changes by design - the import log, the
    data version, the summary tables rebuilt from the data (on PostgreSQL their float sums depend on
    the order rows are stored in) - so a database whose imports were all undone has the fingerprint
    it had before them.
    """
    digest = hashlib.sha256()
    with engine.connect() as conn:
        existing = set(schema.metadata.tables) & set(conn.dialect.get_table_names(conn))
        for table in schema.metadata.sorted_tables:
            if table.name not in existing or (data_only and table.name in LOG_TABLES + DERIVED_TABLES):
                continue
            digest.update(table.name.encode())
            query = select(table).order_by(*table.columns)
            if data_only and table is schema.meta:
                query = query.where(table.c.key.not_in(STAMP_KEYS))
            for row in conn.execute(query):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
