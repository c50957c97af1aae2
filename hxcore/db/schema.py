"""Database schema (SQLAlchemy 2 Core) and engine creation: the only place tables are declared.

The same tables run on SQLite (the default, one file per office) and PostgreSQL (a server).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)

from hxcore.model.catalog import MEASURES, Aggregation
from hxcore.model.vocab import Status

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_DIR / "data" / "hx.sqlite"
DATABASE_URL_VARIABLE = "HX_DATABASE_URL"

metadata = MetaData()

# Administrative units with validity dates. A 2025 commune may reuse a predecessor's code,
# so (code, valid_from) is the key, not the code alone.
areas = Table(
    "areas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), nullable=False),
    Column("name", String(120), nullable=False),
    Column("slug", String(120), nullable=False),
    Column("level", String(12), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_code", String(8)),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    # The groupings that carry series across the reform of 1/7/2025 (model/areas.py): the 2025
    # commune a unit became or is, and the former district it belongs to.
    Column("province_code", String(4)),
    Column("commune_2025_code", String(8)),
    Column("former_district_code", String(8)),
    UniqueConstraint("code", "valid_from"),
    CheckConstraint("level IN ('nation', 'province', 'district', 'commune')", name="area_level"),
)
Index("ix_areas_level_parent", areas.c.level, areas.c.parent_code)

# Old -> new units (NQ 1670/NQ-UBTVQH15, 1/7/2025): historic data keeps the old hierarchy.
area_successions = Table(
    "area_successions",
    metadata,
    Column("old_code", String(8), primary_key=True),
    Column("new_code", String(8), primary_key=True),
    Column("effective_on", Date, nullable=False),
)

sectors = Table(
    "sectors",
    metadata,
    Column("org_type", String(8), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("label_vi", String(120), nullable=False),
    Column("label_en", String(120), nullable=False),
    Column("sort_order", Integer, nullable=False),
)

# Cooperatives, people's credit funds, unions of cooperatives and cooperative groups. The area
# codes are kept on the row so aggregation needs no join, in both hierarchies: `commune_code` is
# the commune until 30/6/2025 (NULL for one first located after), `commune_2025_code` the
# commune from 1/7/2025 (its successor, for one located before), and `district_code` the
# district until the reform, the former district ("huyện cũ") of its 2025 commune after it.
organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_type", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(250), nullable=False),
    Column("province_code", String(4), nullable=False),
    Column("district_code", String(8), nullable=False),
    Column("commune_code", String(8)),
    Column("commune_2025_code", String(8), nullable=False),
    Column("sector_code", String(32), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("dissolved_on", Date),
    Column("alliance_joined_on", Date),
    Column("founding_supported", Boolean, nullable=False, default=False),
    Column("tax_code", String(20)),
    CheckConstraint("dissolved_on IS NULL OR dissolved_on >= registered_on", name="dissolved_after_registered"),
)
Index("ix_org_type_district_sector", organisations.c.org_type, organisations.c.district_code,
      organisations.c.sector_code)
Index("ix_org_registered", organisations.c.registered_on)
# Covers "which organisations of a kind exist on a day, within a filter", so a list's length is
# counted from the index alone (54.000 groups: 10 ms instead of 0,22 s reading every row).
Index("ix_org_existing", organisations.c.org_type, organisations.c.registered_on, organisations.c.dissolved_on,
      organisations.c.province_code, organisations.c.district_code, organisations.c.sector_code)
# In the lists' order (engine/lists.py): a page of a list walks the index and stops after its rows,
# instead of joining and sorting the whole list first (first page of 54.000 groups: 6 ms, not 150–220).
Index("ix_org_listed", organisations.c.org_type, organisations.c.district_code, organisations.c.name,
      organisations.c.id)

# Per-period facts of each organisation, read at `as_of` (the period's end). Flows on the row
# (revenue, new members, new workers) cover the half-year ending at `as_of`; the average income
# is the year-to-date monthly average as reported at `as_of`.
facts = Table(
    "facts",
    metadata,
    Column("org_id", Integer, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("status", String(10), nullable=False),
    Column("charter_capital", Float, nullable=False, default=0),
    Column("members", Integer, nullable=False, default=0),
    Column("workers", Integer, nullable=False, default=0),
    Column("revenue", Float),
    Column("avg_income_month", Float),
    Column("rating", String(12)),
    Column("new_members", Integer, nullable=False, default=0),
    Column("new_workers", Integer, nullable=False, default=0),
    Column("quality", String(10), nullable=False, default="reported"),
    CheckConstraint("members >= 0 AND workers >= 0 AND new_members >= 0 AND new_workers >= 0",
                    name="facts_non_negative"),
    CheckConstraint("charter_capital >= 0", name="capital_non_negative"),
)
Index("ix_facts_as_of", facts.c.as_of, facts.c.org_id)
# The stopped returns alone (~4 % of a country's facts): "Cần chỉ đạo" lists the cooperatives stopped
# at a date and looks back over their earlier returns. Through ix_facts_as_of every return of the date
# was read for its status (national: 76 ms for 3.235 stopped HTX, 8 ms with this index).
Index("ix_facts_stopped", facts.c.as_of, facts.c.org_id,
      sqlite_where=facts.c.status == Status.STOPPED.value, postgresql_where=facts.c.status == Status.STOPPED.value)

training_classes = Table(
    "training_classes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("held_on", Date, nullable=False),
    Column("province_code", String(4), nullable=False),
    Column("district_code", String(8), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(250), nullable=False),
    Column("trainees", Integer, nullable=False),
    CheckConstraint("trainees >= 0", name="trainees_non_negative"),
)
Index("ix_training_held_on", training_classes.c.held_on)

fund_loans = Table(
    "fund_loans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("disbursed_on", Date, nullable=False),
    Column("amount", Float, nullable=False),
    Column("purpose", String(250)),
    CheckConstraint("amount > 0", name="loan_positive"),
)
Index("ix_loans_disbursed_on", fund_loans.c.disbursed_on)

fund_repayments = Table(
    "fund_repayments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("loan_id", Integer, ForeignKey("fund_loans.id"), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount", Float, nullable=False),
    Column("settles_loan", Boolean, nullable=False, default=False),
    CheckConstraint("amount > 0", name="repayment_positive"),
)
Index("ix_repayments_paid_on", fund_repayments.c.paid_on)
# What a loan has been repaid by a date, asked per loan by its list (97 loans: 195 ms without it, 2 ms with it).
Index("ix_repayments_loan", fund_repayments.c.loan_id, fund_repayments.c.paid_on)

fair_participations = Table(
    "fair_participations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("fair_name", String(250), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("place", String(120)),
)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scheme", String(20), nullable=False),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("title", String(250), nullable=False),
    Column("selected_on", Date, nullable=False),
)

# A project's status as it changed; the status at a date is the latest event on or before it.
project_events = Table(
    "project_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("happened_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("value", Float),  # million VND of support delivered, where the report gives it
    Column("note", Text),
)
# A project's status at a date: its latest event by then, asked per project.
Index("ix_project_events_project", project_events.c.project_id, project_events.c.happened_on)

resolutions = Table(
    "resolutions",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("adopted_on", Date, nullable=False),
    Column("year", Integer, nullable=False),
    Column("province_code", String(4)),  # whose alliance adopted it; NULL for a national one
)

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("resolution_code", String(40), ForeignKey("resolutions.code"), nullable=False),
    Column("item", Integer, nullable=False),  # the resolution's numbered group, (1)..(8)
    Column("indicator", String(60), nullable=False),
    Column("comparator", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("value_high", Float),
    Column("sector_code", String(32)),
    Column("year", Integer, nullable=False),
    Column("wording", Text, nullable=False),
    CheckConstraint("comparator IN ('min', 'max', 'range')", name="target_comparator"),
    CheckConstraint("comparator != 'range' OR value_high >= value", name="target_range"),
)

# Every change an editor made to a resolution or its targets (hxcore/io/targets_edit.py), one row per
# field changed; an added or deleted target (or resolution: indicator NULL) is one row with `field` NULL
# and the whole row as JSON in new_value or old_value.
target_changes = Table(
    "target_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_name", String(80), nullable=False),
    Column("changed_at", String(32), nullable=False),  # ISO timestamp, UTC
    Column("resolution_code", String(40), nullable=False),
    Column("indicator", String(60)),
    Column("sector_code", String(32)),
    Column("year", Integer),
    Column("action", String(10), nullable=False),
    Column("field", String(20)),
    Column("old_value", Text),
    Column("new_value", Text),
    CheckConstraint("action IN ('added', 'changed', 'deleted')", name="target_change_action"),
)

# Every figure of a published report exactly as printed, right or wrong.
published_figures = Table(
    "published_figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report", String(80), nullable=False),
    Column("period", String(10), nullable=False),
    Column("indicator", String(60)),
    # value | change (against the previous year end) | share (of the total) | attainment (% of target)
    Column("aspect", String(12), nullable=False, default="value"),
    Column("sector_code", String(32)),
    Column("district_code", String(8)),
    Column("value", Float, nullable=False),
    # Where the report contradicts itself, the figure the demo data follows instead (README).
    Column("followed_value", Float),
    Column("unit", String(40), nullable=False),
    Column("printed", String(60), nullable=False),
    Column("sentence", Text, nullable=False),
    Column("note", Text),
)

# Key/value facts about the database itself (data version for caches, demo flag).
meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)


# Every import, committed or undone: who, when, which file (name and SHA-256), what it did.
imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_name", String(80), nullable=False),
    Column("imported_at", String(32), nullable=False),  # ISO timestamp, UTC
    Column("file_name", String(250), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("period", String(10), nullable=False),
    Column("rows_added", Integer, nullable=False, default=0),
    Column("rows_changed", Integer, nullable=False, default=0),
    Column("backup_path", Text),
    Column("status", String(10), nullable=False, default="committed"),
    Column("undone_by", String(80)),
    Column("undone_at", String(32)),
    CheckConstraint("status IN ('committed', 'undone')", name="import_status"),
)

# What an import wrote, so it can be undone: `before` is NULL for a row it added, else the
# row's JSON as it was before the import changed it.
import_changes = Table(
    "import_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("row_key", Text, nullable=False),  # JSON of the primary key
    Column("before", Text),
)
Index("ix_import_changes_import", import_changes.c.import_id)

# Column mappings saved from the Import page (hxcore/io/importer/profiles.py): an office's form is
# recognised by its header's fingerprint, so its next file needs no mapping again.
import_profiles = Table(
    "import_profiles",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("office", String(250), nullable=False, default=""),  # the title block's issuing body
    Column("sheet_kind", String(16), nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("mapping", Text, nullable=False),  # JSON: column key -> header as the file writes it
    Column("created_by", String(80), nullable=False),
    Column("created_at", String(32), nullable=False),
)
Index("ix_import_profiles_fingerprint", import_profiles.c.fingerprint)

# Failed sign-ins per user name, shared by the app and the CLI and kept across restarts
# (hxcore/db/attempts.py). `name_key` is a SHA-256 of the name typed, never the name itself (a
# password typed into the name field is not stored). Rows expire with their window and are pruned
# on every write; the table never holds more than attempts.MAX_ROWS rows.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("name_key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_failed_at", Float, nullable=False),  # Unix time of the window's first failure
    Column("locked_until", Float),  # Unix time; NULL: not locked
)
Index("ix_sign_in_attempts_first", sign_in_attempts.c.first_failed_at)


# ---------------------------------------------------------------------------------------------
# Summary tables, like DHIS2's analytics tables: every measure pre-aggregated per snapshot date and
# (province, district, sector, kind). Rows of no organisation (training classes, communes) have a
# cell of their province and district with '' for sector and kind. Derived data, rebuilt with every
# write (engine/summary.py) and stamped with the data version they were built from.

SUMMARY_SOURCES = ("organisations", "facts_end", "facts_ytd", "loans", "repayments", "fairs", "projects",
                   "training", "communes")  # every source of db/measures.py (a test checks it)
GRAIN = ("province_code", "district_code", "sector_code", "kind")
ADDITIVE = tuple(m for m in MEASURES if m.source in SUMMARY_SOURCES and m.aggregation in (Aggregation.COUNT, Aggregation.SUM))
DISTINCT = tuple(m for m in MEASURES if m.source in SUMMARY_SOURCES and m.aggregation == Aggregation.COUNT_DISTINCT)

# One column per additive measure: its value for the window 1 January → as_of.
summary_org = Table(
    "summary_org",
    metadata,
    Column("as_of", Date, nullable=False),
    *(Column(name, String(32), nullable=False) for name in GRAIN),
    *(Column(m.code, Float, nullable=False, default=0) for m in ADDITIVE),
)
Index("ix_summary_org", summary_org.c.as_of, summary_org.c.province_code, summary_org.c.district_code)

# summary_org added up over the districts of each province: what a province or the whole country is
# asked without naming a district is read from ~630 rows per date nationally instead of ~6.300–6.500.
PROVINCE_GRAIN = ("province_code", "sector_code", "kind")
summary_province = Table(
    "summary_province",
    metadata,
    Column("as_of", Date, nullable=False),
    *(Column(name, String(32), nullable=False) for name in PROVINCE_GRAIN),
    *(Column(m.code, Float, nullable=False, default=0) for m in ADDITIVE),
)
Index("ix_summary_province", summary_province.c.as_of, summary_province.c.province_code)

# Distinct counts do not add up across sectors (a commune with two sectors' HTX counts once),
# so their distinct values are kept, one row per value.
summary_distinct = Table(
    "summary_distinct",
    metadata,
    Column("as_of", Date, nullable=False),
    *(Column(name, String(32), nullable=False) for name in GRAIN),
    Column("measure", String(60), nullable=False),
    Column("value", String(32), nullable=False),
)
Index("ix_summary_distinct", summary_distinct.c.measure, summary_distinct.c.as_of, summary_distinct.c.province_code)
SUMMARY_TABLES = (summary_org, summary_province, summary_distinct)
DERIVED_TABLES = tuple(table.name for table in SUMMARY_TABLES)  # rebuilt from the data by every write


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else HX_DATABASE_URL, else the bundled SQLite file."""
    return url or os.environ.get(DATABASE_URL_VARIABLE) or f"sqlite:///{DEFAULT_SQLITE_PATH}"


SQLITE_BUSY_TIMEOUT_MS = 10_000  # a write waits this long for another write to commit (imports hold it ~1-2 s)


def _sqlite_settings(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL (kept in the file once set): readers read the last commit while a write runs, never "database is locked".
    # Not on an empty file: setting it writes a header, and an empty file someone chose is left as it is.
    if cursor.execute("PRAGMA page_count").fetchone()[0]:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    engine = create_engine(database_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_settings)
    return engine


def advance_sequences(connection) -> None:
    """PostgreSQL: each id sequence past the ids in its table, so the next row a user adds (an imported
    loan or class) gets a new id, not 1, after rows were written with their ids (build-demo, or one of
    an earlier hx: the upgrade calls it too). SQLite takes the largest id + 1 by itself."""
    if connection.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].autoincrement is not False and isinstance(key[0].type, Integer):
            quoted = connection.dialect.identifier_preparer.quote(table.name)
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{quoted}', '{key[0].name}'), "
                f"COALESCE((SELECT MAX({key[0].name}) FROM {quoted}), 0) + 1, false)")


def analyze(connection, tables=None) -> None:
    """Fresh planner statistics for these tables (Tables or names; every table when None): after a bulk
    load or new indexes, without them PostgreSQL picks full scans and SQLite guesses between indexes."""
    if tables is None:
        connection.exec_driver_sql("ANALYZE")
        return
    for name in dict.fromkeys(t if isinstance(t, str) else t.name for t in tables):
        connection.exec_driver_sql(f"ANALYZE {connection.dialect.identifier_preparer.quote(name)}")


def create_schema(engine: Engine) -> None:
    metadata.create_all(engine)


def data_version(engine: Engine) -> str:
    """Changes whenever data is written: the key Streamlit caches are invalidated by."""
    with engine.connect() as connection:
        value = connection.execute(select(meta.c.value).where(meta.c.key == "data_version")).scalar()
    return value or "0"


def newest_first(engine: Engine, table: Table, order_by: str = "id") -> list[dict]:
    """Every row of a log table (imports, target changes, profiles) as dicts, newest first; the
    table is created first, so an older database without it reads as an empty log."""
    create_schema(engine)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(table).order_by(table.c[order_by].desc())).mappings()]
