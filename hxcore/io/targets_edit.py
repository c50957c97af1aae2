"""Editors change a resolution and its targets in the app: checked as data/targets.csv is, written in
one transaction with one audit row per change.

A resolution's targets are edited as a whole: the rows given are its new list. They are matched to
those in the database by their scope (indicator, sector, year: one target each, the targets file's
rule), so a row with a new scope is added, a scope no longer given is deleted and a row whose item,
comparator, values or wording differ is changed field by field. The rows are checked by
hxcore.io.targets_file (the same pandera schema and duplicate rule as the file); the resolution's own
fields are checked here. Every write calls `require_editor` itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from hxcore.db import schema
from hxcore.engine.compute import province_choices
from hxcore.engine.summary import Touched, data_changed
from hxcore.io.auth import Session, require_editor
from hxcore.io.targets_file import missing_columns, target_problems, target_record
from hxcore.model.targets import TARGET_COLUMNS
from hxcore.model.texts import t

TARGET_FIELDS = ("item", "comparator", "value", "value_high", "wording")  # what a change of one target can change
RESOLUTION_FIELDS = ("title", "adopted_on", "year", "province_code")
# The texts key naming each column or field in messages, on the editor's columns and in the audit.
FIELD_TEXT = {
    "resolution": "resolution", "item": "col_item", "indicator": "indicator", "wording": "col_wording",
    "comparator": "targets_col_comparator", "value": "targets_col_value", "value_high": "targets_col_value_high",
    "sector": "col_sector", "year": "targets_col_year", "code": "targets_edit_code", "title": "targets_edit_name",
    "adopted_on": "targets_edit_adopted", "province_code": "targets_edit_province",
}
CODE_MAX, TITLE_MAX = 40, 300  # the columns' sizes in schema.resolutions
YEARS = range(2000, 2101)
XLSX_SUFFIX = ".xlsx"


@dataclass(frozen=True)
class Resolution:
    code: str
    title: str
    adopted_on: date | None
    year: int | None
    province_code: str | None  # None: a national resolution


@dataclass(frozen=True)
class Problem:
    """One reason an edit is refused: the row (None: the resolution's own fields), its column, the message."""

    line: int | None
    column: str | None
    message: str

    def text(self, lang: str = "vi") -> str:
        column = t(FIELD_TEXT[self.column], lang) if self.column else ""
        if self.line is None and self.column is None:  # the whole file (unreadable, a column missing)
            return self.message
        if self.line is None:
            return t("targets_problem_field", lang, column=column, message=self.message)
        key = "targets_problem_at" if self.column else "targets_problem_row"
        return t(key, lang, line=self.line, column=column, message=self.message)


class TargetsRejected(ValueError):
    """The edit or file is refused; nothing was written. `problems` says why, row by row."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class TargetsSaved:
    added: int
    changed: int
    deleted: int
    audit_rows: int
    version: str | None  # the new data version; None when nothing changed (nothing written)


# --- reading -------------------------------------------------------------------------------------

def resolution_of(engine: Engine, code: str) -> Resolution | None:
    r = schema.resolutions
    with engine.connect() as connection:
        row = connection.execute(select(r).where(r.c.code == code)).mappings().first()
    return Resolution(row["code"], row["title"], row["adopted_on"], row["year"], row["province_code"]) if row else None


def targets_of(engine: Engine, code: str) -> pd.DataFrame:
    """A resolution's targets as the editor shows them: the targets file's columns, typed."""
    t_ = schema.targets
    with engine.connect() as connection:
        rows = connection.execute(select(t_).where(t_.c.resolution_code == code).order_by(t_.c.item, t_.c.id)).mappings()
        frame = pd.DataFrame([{"resolution": r["resolution_code"], "item": r["item"], "indicator": r["indicator"],
                               "comparator": r["comparator"], "value": r["value"], "value_high": r["value_high"],
                               "sector": r["sector_code"] or "", "year": r["year"], "wording": r["wording"]}
                              for r in rows], columns=list(TARGET_COLUMNS))
    return typed(frame)


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Targets as text (a file, the database) with the editor's types: whole numbers, decimals, text."""
    out = frame.reindex(columns=list(TARGET_COLUMNS)).copy()
    for column in ("item", "year"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    for column in ("value", "value_high"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Float64")
    for column in ("resolution", "indicator", "comparator", "sector", "wording"):
        out[column] = out[column].fillna("").astype(str)
    return out.reset_index(drop=True)


def read_targets_upload(data: bytes, file_name: str) -> pd.DataFrame:
    """A CSV or XLSX file with the columns of data/targets.csv, as text indexed by the file's line
    (the header is line 1); TargetsRejected when it cannot be read or lacks a column."""
    try:
        if file_name.lower().endswith(XLSX_SUFFIX):
            frame = pd.read_excel(BytesIO(data), engine="calamine", dtype=object)  # as the importer reads
        else:
            frame = pd.read_csv(BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, OSError) as error:
        raise TargetsRejected([Problem(None, None, f"không đọc được tệp {file_name}: {error}")]) from error
    missing = missing_columns([str(c) for c in frame.columns])
    if missing:
        message = f"tệp {file_name} thiếu cột {', '.join(missing)} (cần: {', '.join(TARGET_COLUMNS)})"
        raise TargetsRejected([Problem(None, None, message)])
    frame = frame[list(TARGET_COLUMNS)].map(_cell_text)  # a spreadsheet's 20.0 is the file's 20
    frame.index = range(2, len(frame) + 2)
    return frame


# --- checking ------------------------------------------------------------------------------------

def _cell_text(value) -> str:
    """A cell as the targets file writes it: blank for no value, 25 rather than 25.0."""
    if isinstance(value, str):
        return value.strip()
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_text(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """Targets from the editor or a file as the targets file's text rows: a blank resolution is `code`,
    rows left wholly blank are dropped, and rows keep their line (an editor's frame: 1, 2, … as shown)."""
    rows = frame.reindex(columns=list(TARGET_COLUMNS))
    if frame.index.equals(pd.RangeIndex(len(frame))):  # the editor's rows, not a file's lines
        rows = rows.set_axis(range(1, len(rows) + 1))
    text = rows.map(_cell_text)
    text = text[(text.drop(columns="resolution") != "").any(axis=1)]
    text["resolution"] = text["resolution"].where(text["resolution"] != "", code)
    return text


def resolution_problems(resolution: Resolution, provinces: set[str]) -> list[Problem]:
    checks = [
        ("code", not resolution.code.strip(), "cần nhập số nghị quyết"),
        ("code", len(resolution.code) > CODE_MAX, f"dài quá {CODE_MAX} ký tự"),
        ("title", not resolution.title.strip(), "cần nhập tên nghị quyết"),
        ("title", len(resolution.title) > TITLE_MAX, f"dài quá {TITLE_MAX} ký tự"),
        ("adopted_on", resolution.adopted_on is None, "cần ngày ban hành"),
        ("year", resolution.year not in YEARS, f"năm phải từ {YEARS[0]} đến {YEARS[-1]}"),
        ("province_code", resolution.province_code is not None and resolution.province_code not in provinces,
         f"tỉnh '{resolution.province_code}' không có trong cơ sở dữ liệu"),
    ]
    return [Problem(None, field, message) for field, failed, message in checks if failed]


def row_problems(text: pd.DataFrame, code: str) -> list[Problem]:
    """The targets file's checks on text rows, and every row belonging to resolution `code`."""
    found = [Problem(line, column, message) for line, column, message in target_problems(text)]
    found += [Problem(line, "resolution", f"thuộc nghị quyết '{other}', không phải '{code}' đang sửa")
              for line, other in text["resolution"].items() if other != code]
    return sorted(found, key=lambda p: p.line)


def check_targets(engine: Engine, resolution: Resolution, frame: pd.DataFrame) -> list[Problem]:
    """Everything wrong with saving `frame` as the targets of `resolution` (empty: it may be saved)."""
    provinces = {code for code, _ in province_choices(engine)}
    return resolution_problems(resolution, provinces) + row_problems(as_text(frame, resolution.code), resolution.code)


# --- writing -------------------------------------------------------------------------------------

def _shown(value) -> str | None:
    """A value as the audit writes it."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if isinstance(value, date) else str(value)


def _json(record: dict, fields: tuple[str, ...]) -> str:
    return json.dumps({f: record[f] for f in fields}, ensure_ascii=False, default=_shown)


def _scope(record: dict) -> tuple:
    return record["indicator"], record["sector_code"], record["year"]


def _resolution_changes(conn: Connection, resolution: Resolution) -> list[dict]:
    """Insert or update the resolution; the audit rows of what that changed."""
    r = schema.resolutions
    new = {"title": resolution.title.strip(), "adopted_on": resolution.adopted_on, "year": resolution.year,
           "province_code": resolution.province_code}
    old = conn.execute(select(r).where(r.c.code == resolution.code)).mappings().first()
    if old is None:
        conn.execute(insert(r).values(code=resolution.code, **new))
        return [{"action": "added", "new_value": _json(new, RESOLUTION_FIELDS)}]
    changed = [f for f in RESOLUTION_FIELDS if old[f] != new[f]]
    if changed:
        conn.execute(update(r).where(r.c.code == resolution.code).values(**new))
    return [{"action": "changed", "field": f, "old_value": _shown(old[f]), "new_value": _shown(new[f])} for f in changed]


def _target_changes(conn: Connection, code: str, wanted: list[dict]) -> tuple[list[dict], dict]:
    """Write the resolution's targets as `wanted`; the audit rows and counts of what changed."""
    t_ = schema.targets
    current = {_scope(dict(r)): dict(r) for r in conn.execute(select(t_).where(t_.c.resolution_code == code)).mappings()}
    wanted_by_scope = {_scope(r): r for r in wanted}
    audit, counts = [], {"added": 0, "changed": 0, "deleted": 0}
    for scope, old in current.items():
        if scope not in wanted_by_scope:
            conn.execute(delete(t_).where(t_.c.id == old["id"]))
            audit.append({**_scope_columns(old), "action": "deleted", "old_value": _json(old, TARGET_FIELDS)})
            counts["deleted"] += 1
    for scope, new in wanted_by_scope.items():
        old = current.get(scope)
        if old is None:
            conn.execute(insert(t_).values(**new))
            audit.append({**_scope_columns(new), "action": "added", "new_value": _json(new, TARGET_FIELDS)})
            counts["added"] += 1
            continue
        changed = [f for f in TARGET_FIELDS if old[f] != new[f]]
        if changed:
            conn.execute(update(t_).where(t_.c.id == old["id"]).values({f: new[f] for f in changed}))
            audit += [{**_scope_columns(new), "action": "changed", "field": f, "old_value": _shown(old[f]),
                       "new_value": _shown(new[f])} for f in changed]
            counts["changed"] += 1
    return audit, counts


def _scope_columns(record: dict) -> dict:
    return {"indicator": record["indicator"], "sector_code": record["sector_code"], "year": record["year"]}


def _exists(conn: Connection, code: str) -> bool:
    r = schema.resolutions
    return conn.execute(select(r.c.code).where(r.c.code == code)).first() is not None


def save_targets(engine: Engine, resolution: Resolution, frame: pd.DataFrame, session: Session, *,
                 creating: bool = False) -> TargetsSaved:
    """Check, then write the resolution and `frame` as its whole list of targets, with the audit and a
    new data version, in one transaction. TargetsRejected (nothing written) on any problem;
    `creating`: refused if a resolution with that number exists already."""
    require_editor(session)
    schema.create_schema(engine)  # the audit table, on a database made before it existed
    problems = check_targets(engine, resolution, frame)
    if problems:
        raise TargetsRejected(problems)
    wanted = [target_record(row) for _, row in as_text(frame, resolution.code).iterrows()]
    stamp = {"user_name": session.user, "changed_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "resolution_code": resolution.code}
    with engine.begin() as conn:
        if creating and _exists(conn, resolution.code):
            raise TargetsRejected([Problem(None, "code", f"nghị quyết số {resolution.code} đã có: chọn nó để sửa")])
        audit = _resolution_changes(conn, resolution)
        target_audit, counts = _target_changes(conn, resolution.code, wanted)
        audit += target_audit
        if not audit:
            return TargetsSaved(0, 0, 0, 0, None)
        blank = {"indicator": None, "sector_code": None, "year": None, "field": None, "old_value": None, "new_value": None}
        conn.execute(insert(schema.target_changes), [{**blank, **stamp, **row} for row in audit])
        version = data_changed(conn, touched=Touched())  # targets are in no summary cell: only the version moves
    return TargetsSaved(counts["added"], counts["changed"], counts["deleted"], len(audit), version)


def change_log(engine: Engine) -> pd.DataFrame:
    """Every audited change, newest first."""
    log = schema.target_changes
    return pd.DataFrame(schema.newest_first(engine, log), columns=[c.name for c in log.columns])
