"""Writing the demo to the database: the whole content in one transaction, and the entry points
that (re)build it or build it only when the database is empty."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, insert, inspect, select

from hxcore.db import schema
from hxcore.engine.summary import refresh_summaries
from hxcore.io.demo.content import SEED, lai_chau_content

DEMO_NOTE = ("Dữ liệu minh họa: số liệu tỉnh Lai Châu 30/6/2023 và cuối năm 2022 theo báo cáo 6 tháng đầu năm 2023; "
             "số liệu theo huyện và các kỳ khác là số giả định.")


def write_content(engine: Engine, content: dict, meta: dict[str, str], progress=None, chunk: int = 50_000) -> None:
    """Replace the whole database's content in one transaction: all of it, or nothing."""
    digest = hashlib.sha256(repr(sorted((t.name, len(rows)) for t, rows in content.items())).encode()).hexdigest()
    meta_rows = [{"key": k, "value": v} for k, v in meta.items()]
    meta_rows.append({"key": "data_version", "value": f"{meta.get('scale', 'demo')}-{meta.get('seed')}-{digest[:12]}"})
    schema.create_schema(engine)  # registers every table on the metadata
    with engine.begin() as connection:
        # A rebuild replaces tables too, so a database made by an older version gets today's columns.
        schema.metadata.drop_all(connection)
        schema.metadata.create_all(connection)
        for table in schema.metadata.sorted_tables:
            rows = meta_rows if table is schema.meta else content.get(table, [])
            for start in range(0, len(rows), chunk):
                connection.execute(insert(table), rows[start:start + chunk])
                if progress and len(rows) > chunk:
                    progress(f"  {table.name}: {min(start + chunk, len(rows)):,}/{len(rows):,}")
        refresh_summaries(connection)
        # Fresh planner statistics after a bulk load: without them PostgreSQL picks full scans.
        connection.exec_driver_sql("ANALYZE")


def build_demo(engine: Engine, seed: int = SEED) -> dict[str, int]:
    """(Re)build the Lai Châu demo database in one transaction; returns row counts per table."""
    content = lai_chau_content(seed)
    write_content(engine, content, {"demo": "true", "demo_note": DEMO_NOTE, "seed": str(seed), "scale": "lai-chau"})
    return {table.name: len(rows) for table, rows in content.items()}


def ensure_demo(engine: Engine) -> bool:
    """Build the demo database if the database is empty; True when it was built."""
    if inspect(engine).has_table("organisations"):
        with engine.connect() as connection:
            if connection.execute(select(schema.organisations.c.id).limit(1)).first():
                return False
    build_demo(engine)
    return True
