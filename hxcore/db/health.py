"""Is the database usable, and does it hold data someone imported?

A database can be missing (no file), empty (no tables) or half-built (a table, the organisations
or the data version missing: a build killed half-way, a file copied while written). Commands
that read figures say so instead of printing "–" for every figure; `imports` having rows means
people's work is in the database, which no rebuild may overwrite unasked.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from hxcore.db import schema

# The tables every figure is read from (later additions such as log tables are created on demand,
# so a database made before them is not half-built).
REQUIRED_TABLES = tuple(t.name for t in (
    schema.areas, schema.area_successions, schema.sectors, schema.organisations, schema.facts,
    schema.training_classes, schema.fund_loans, schema.fund_repayments, schema.fair_participations, schema.projects,
    schema.project_events, schema.resolutions, schema.targets, schema.published_figures, schema.meta,
    schema.summary_org, schema.summary_distinct,
))


def sqlite_path(engine: Engine) -> Path | None:
    """The file of a file-based SQLite database; None for other databases and in-memory SQLite."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def shown_url(engine: Engine) -> str:
    """The URL for messages, without its password."""
    return engine.url.render_as_string(hide_password=True)


def error_line(error: BaseException) -> str:
    """An error in one line for a message: the driver's own words for a database error, else the
    error's first line, else its type's name (an error without a message)."""
    lines = str(getattr(error, "orig", None) or error).splitlines()
    return lines[0] if lines else type(error).__name__


def import_count(engine: Engine) -> int:
    """How many imports the log holds (committed or undone); 0 when there is no log."""
    path = sqlite_path(engine)
    if path is not None and not path.exists():
        return 0
    if not inspect(engine).has_table(schema.imports.name):
        return 0
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.imports)).scalar() or 0


def latest_import(engine: Engine) -> dict | None:
    """The latest import's log row (file, who, when, backup), None when nothing was imported."""
    if not import_count(engine):
        return None
    with engine.connect() as connection:
        row = connection.execute(select(schema.imports).order_by(schema.imports.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def latest_backup(engine: Engine) -> str | None:
    """The backup copy the latest import made before writing, if any."""
    if not import_count(engine):
        return None
    log = schema.imports
    with engine.connect() as connection:
        return connection.execute(select(log.c.backup_path).where(log.c.backup_path.is_not(None))
                                  .order_by(log.c.id.desc()).limit(1)).scalar()


def database_problem(engine: Engine) -> str | None:
    """What makes the database unusable for reading figures, in Vietnamese; None when it is usable."""
    path = sqlite_path(engine)
    if path is not None and not path.exists():
        return f"không có tệp cơ sở dữ liệu {path}"
    tables = set(inspect(engine).get_table_names())
    if not tables:
        return "cơ sở dữ liệu trống (chưa có bảng nào)"
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        return "cơ sở dữ liệu dựng dở: thiếu bảng " + ", ".join(missing)
    with engine.connect() as connection:
        if connection.execute(select(schema.organisations.c.id).limit(1)).first() is None:
            return "cơ sở dữ liệu dựng dở: không có tổ chức nào (bảng organisations trống)"
        version = connection.execute(select(schema.meta.c.value).where(schema.meta.c.key == "data_version")).scalar()
    if not version:
        return "cơ sở dữ liệu dựng dở: thiếu phiên bản dữ liệu (data_version) trong bảng meta"
    return None
