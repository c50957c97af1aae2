"""Saved column mappings ("profiles"): how one office's form maps onto the declared columns.

When a required column is not found, the editor picks, on the Import page, which column of the
file holds it; the choice is saved under a name with the office (from the title block), the kind of
sheet and the header's fingerprint. The next file whose header has that fingerprint - the same
office's next half-year return - is read with it without asking; the CLI names one with
`--profile NAME`. Profiles are rows of `import_profiles`, listed and deleted on the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from hxcore.db import schema
from hxcore.io.auth import Session, require_editor
from hxcore.io.importer.locate import Table, fingerprint_of
from hxcore.io.importer.read import Grid
from hxcore.io.importer.spec import SHEETS_BY_KEY

PROFILE_COLUMNS = {"name": "Tên", "office": "Đơn vị gửi", "sheet_kind": "Loại bảng", "mapping": "Cột đã ghép",
                   "created_by": "Người lưu", "created_at": "Lúc"}


@dataclass(frozen=True)
class Profile:
    name: str
    office: str
    kind: str  # the sheet kind (spec.Sheet.key)
    fingerprint: str
    mapping: dict[str, str]  # column key -> header as the file writes it


def _exists(conn: Connection) -> bool:
    """A database made before profiles existed has no table yet: no profile, nothing to fail."""
    return conn.dialect.has_table(conn, schema.import_profiles.name)


def _profile(row) -> Profile:
    return Profile(row.name, row.office, row.sheet_kind, row.fingerprint, json.loads(row.mapping))


def find(conn: Connection, name: str) -> Profile | None:
    if not _exists(conn):
        return None
    p = schema.import_profiles
    row = conn.execute(select(p).where(p.c.name == name.strip())).first()
    return _profile(row) if row else None


def for_header(conn: Connection, grid: Grid) -> Profile | None:
    """The profile saved for a sheet with this header (the latest, if several)."""
    if not _exists(conn):
        return None
    p = schema.import_profiles
    row = conn.execute(select(p).where(p.c.fingerprint == fingerprint_of(grid)).order_by(p.c.created_at.desc())).first()
    return _profile(row) if row else None


def save(engine: Engine, name: str, table: Table, session: Session) -> Profile:
    """Save (or replace) the mapping a table was read with, under `name`."""
    require_editor(session)
    schema.create_schema(engine)
    name = name.strip()[:120] or table.office[:120] or table.name[:120]
    mapping = {key: table.headers[index] for key, index in table.mapping.items()}
    profile = Profile(name, table.office, table.spec.key, table.fingerprint, mapping)
    p = schema.import_profiles
    with engine.begin() as conn:
        conn.execute(delete(p).where(p.c.name == name))
        conn.execute(insert(p).values(name=name, office=profile.office[:250], sheet_kind=profile.kind,
                                      fingerprint=profile.fingerprint, mapping=json.dumps(mapping, ensure_ascii=False),
                                      created_by=session.user, created_at=datetime.now(UTC).isoformat(timespec="seconds")))
    return profile


def listed(engine: Engine) -> pd.DataFrame:
    """Every saved profile, newest first, with Vietnamese headers."""
    rows = schema.newest_first(engine, schema.import_profiles, "created_at")
    for row in rows:
        spec = SHEETS_BY_KEY.get(row["sheet_kind"])
        named = {col.key: col.header for col in spec.columns} if spec else {}
        row["mapping"] = ", ".join(f"{named.get(key, key)} ← {header}" for key, header in json.loads(row["mapping"]).items()
                                   if named.get(key, key) != header)  # only where the file's name differs
        row["sheet_kind"] = spec.title if spec else row["sheet_kind"]
    return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS)).rename(columns=PROFILE_COLUMNS)


def remove(engine: Engine, name: str, session: Session) -> bool:
    """Delete a profile; False when there was none of that name."""
    require_editor(session)
    p = schema.import_profiles
    with engine.begin() as conn:
        return conn.execute(delete(p).where(p.c.name == name)).rowcount > 0
