"""Upgrading a database made by an earlier release of hx (hxcore/io/upgrade.py): every office that
upgrades hx has one, with its imports in it, and the current code reads columns it lacks
("no such column: commune.former_district_code" on every page).

The older database is real: tests/data/hx-old-laichau-dba3f14.sqlite.gz is the gzip of the Lai Châu
demo database as `python -m hxcore build-demo` wrote it at commit dba3f14 (schema of that commit:
no areas.province_code/commune_2025_code/former_district_code, no organisations.commune_2025_code,
organisations.commune_code NOT NULL, no target_changes/import_profiles/sign_in_attempts; seed 42, no
imports, facts until 2024-12-31). Upgraded, its figures must be those of a freshly built demo.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import old_copy, private_postgres_schema  # noqa: E402
from sqlalchemy import Engine, Index, MetaData, create_engine, delete, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from hxcore.db import schema
from hxcore.db.health import database_problem
from hxcore.db.schema import ADDITIVE, make_engine
from hxcore.engine.compute import evaluate
from hxcore.engine.summary import refresh_summaries
from hxcore.io import upgrade as upgrading
from hxcore.io.upgrade import outdated, upgrade
from hxcore.model.catalog import ESTIMATED_RETURNS
from hxcore.model.filters import Filter

# What the release of dba3f14 lacks, as outdated() says it.
LACKED = [
    "thiếu bảng import_profiles", "thiếu bảng sign_in_attempts", "thiếu bảng summary_province", "thiếu bảng target_changes",
    "thiếu cột areas.province_code", "thiếu cột areas.commune_2025_code", "thiếu cột areas.former_district_code",
    "thiếu cột organisations.commune_2025_code",
    # That release summarised only the organisations and their returns, and had no estimates' counts.
    *(f"thiếu cột summary_org.{m.code}" for m in ADDITIVE
      if m.source not in ("organisations", "facts_end", "facts_ytd") or m in ESTIMATED_RETURNS.values()),
    "cột organisations.commune_code chưa cho phép để trống (NOT NULL)",
    "thiếu chỉ mục ix_org_existing", "thiếu chỉ mục ix_org_listed",  # the organisations' table is rebuilt: it gets them then
    "thiếu chỉ mục ix_facts_stopped", "thiếu chỉ mục ix_repayments_loan", "thiếu chỉ mục ix_project_events_project",
]
AREA_COLUMNS = ("code", "name", "slug", "level", "kind", "parent_code", "valid_from", "valid_to", "province_code",
                "commune_2025_code", "former_district_code")




def dump(path: Path) -> list[str]:
    """Every table's definition and every row, as SQL: equal dumps, equal databases."""
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


def rows(engine, table, columns) -> set[tuple]:
    with engine.connect() as connection:
        return set(connection.execute(select(*(table.c[c] for c in columns))).all())


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """The old database, upgraded once: (engine, path, the message, its data version before)."""
    path = old_copy(tmp_path_factory.mktemp("upgraded"))
    engine = make_engine(f"sqlite:///{path}")
    before = schema.data_version(engine)
    message = upgrade(engine)
    return engine, path, message, before


def test_the_old_database_is_read_without_crashing_and_says_what_it_lacks(tmp_path):
    engine = make_engine(f"sqlite:///{old_copy(tmp_path)}")
    assert database_problem(engine) is None  # health reads only what every release had: the upgrade fixes the rest
    assert outdated(engine) == LACKED


@pytest.mark.parametrize(("period", "by"), [("2023-H1", None), ("2023-H1", "district"), ("2024-H1", None),
                                            ("2024-H1", "district"), ("2023-H1", "commune_2025")])
def test_every_indicator_equals_a_freshly_built_demo(upgraded, engine, period, by):
    old, *_ = upgraded
    # Targets only for 2023: the old database holds the 2023 resolution alone, today's demo targets
    # 2024-2026 too (data it never had, not something an upgrade adds).
    targets = period == "2023-H1"
    mine, fresh = (evaluate(e, Filter(period), by=by, with_targets=targets) for e in (old, engine))
    assert len(mine) > 40
    pd.testing.assert_frame_equal(mine, fresh)


def test_the_2025_communes_break_down_the_upgraded_database(upgraded):
    old, *_ = upgraded
    frame = evaluate(old, Filter("2024-H1"), ["coops_total"], by="commune_2025")
    assert frame["commune"].nunique() == 38 and frame["commune_name"].notna().all()  # the 38 communes of 1/7/2025
    assert frame["value"].sum() == evaluate(old, Filter("2024-H1"), ["coops_total"]).iloc[0]["value"]


# Lai Châu's summaries hold at least a row per date, sector and kind of each district (summary_org),
# of the province (summary_province), and per distinct value (summary_distinct).
ROWS_AT_LEAST = {"summary_org": 900, "summary_province": 150, "summary_distinct": 900}


def test_the_summaries_equal_a_full_rebuild_and_are_current(upgraded, tmp_path):
    old, path, _, before = upgraded
    version = schema.data_version(old)
    assert version != before and version.startswith("upgrade-")  # caches keyed by the version see the change
    rebuilt = tmp_path / "rebuilt.sqlite"
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(rebuilt)) as copy:
        source.backup(copy)
    again = make_engine(f"sqlite:///{rebuilt}")
    with again.begin() as connection:
        refresh_summaries(connection)
    for table in schema.SUMMARY_TABLES:
        columns = [c.name for c in table.columns]
        mine, full = rows(old, table, columns), rows(again, table, columns)
        assert mine == full, table.name
        assert len(mine) > ROWS_AT_LEAST[table.name], table.name
    with old.connect() as connection:
        stamp = connection.execute(select(schema.meta.c.value).where(schema.meta.c.key == "summary_version")).scalar()
    assert stamp == version  # compute reads the summaries, not the raw tables


def test_the_message_names_the_changes_and_a_backup_of_the_old_database(upgraded):
    _, path, message, _ = upgraded
    assert message.startswith(f"Đã nâng cấp cơ sở dữ liệu sqlite:///{path} lên cấu trúc của phiên bản hx này: thêm bảng ")
    assert "thêm cột areas.province_code, areas.commune_2025_code, areas.former_district_code, " \
           "organisations.commune_2025_code; cho phép để trống cột organisations.commune_code;" in message
    assert "\n" not in message
    backup = Path(message.split("Bản sao lưu trước khi nâng cấp: ")[1].rstrip("."))
    assert backup.parent == path.parent / "backups" and backup.name.startswith("hx-truoc-nang-cap-")
    original = old_copy(path.parent / "original")
    assert dump(backup) == dump(original)


def test_once_upgraded_nothing_is_left_to_do(upgraded):
    old, *_ = upgraded
    assert outdated(old) == []
    assert upgrade(old) is None
    with old.connect() as connection:  # the pooled connection got its settings back: keys checked, writes atomic
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == schema.SQLITE_BUSY_TIMEOUT_MS
        assert connection.connection.driver_connection.isolation_level is not None


def test_an_organisation_without_an_old_commune_can_be_added_and_keys_still_hold(upgraded):
    old, *_ = upgraded
    o = schema.organisations
    row = {"id": 99_001, "org_type": "coop", "kind": "htx", "name": "HTX lập sau sắp xếp", "province_code": "12",
           "district_code": "105", "commune_code": None, "commune_2025_code": "03388", "sector_code": "agriculture",
           "registered_on": date(2025, 9, 1), "founding_supported": False}
    with old.begin() as connection:
        connection.execute(insert(o), [row])
        assert connection.execute(select(o.c.commune_code).where(o.c.id == 99_001)).one() == (None,)
        connection.execute(delete(o).where(o.c.id == 99_001))
    with pytest.raises(IntegrityError), old.begin() as connection:  # facts still point to organisations
        connection.execute(insert(schema.facts), [{"org_id": 99_002, "as_of": date(2025, 9, 30), "status": "operating",
                                                   "charter_capital": 0, "members": 0, "workers": 0,
                                                   "new_members": 0, "new_workers": 0, "quality": "reported"}])


def _without_2025_units(engine) -> None:
    with engine.begin() as connection:
        connection.execute(delete(schema.area_successions))
        connection.exec_driver_sql("DELETE FROM areas WHERE valid_from = '2025-07-01'")


def _as_released(engine) -> None:
    pass


@pytest.mark.parametrize(("changed", "also_lacked"), [
    (_as_released, []),
    (_without_2025_units, ["thiếu 38 đơn vị hành chính của tỉnh Lai Châu có trong danh mục",
                           "thiếu 106 dòng sắp xếp đơn vị hành chính từ 1/7/2025 (area_successions)"]),
])
def test_areas_and_organisations_are_filled_as_a_fresh_build_fills_them(tmp_path, engine, changed, also_lacked):
    old = make_engine(f"sqlite:///{old_copy(tmp_path)}")
    changed(old)
    assert outdated(old) == LACKED + also_lacked
    message = upgrade(old)
    if also_lacked:
        assert "thêm 38 đơn vị hành chính của tỉnh Lai Châu theo danh mục; thêm 106 dòng sắp xếp" in message
    assert rows(old, schema.areas, AREA_COLUMNS) == rows(engine, schema.areas, AREA_COLUMNS)
    assert rows(old, schema.area_successions, ["old_code", "new_code", "effective_on"]) == \
        rows(engine, schema.area_successions, ["old_code", "new_code", "effective_on"])
    located = ["id", "province_code", "district_code", "commune_code", "commune_2025_code"]
    mine = rows(old, schema.organisations, located)
    assert len(mine) == 794 and mine <= rows(engine, schema.organisations, located)  # the demo has founded more since


@pytest.mark.parametrize("step", ["_alter_table", "_fill_areas", "_add_reference_areas", "_rebuild_table", "_refresh",
                                  "_check_foreign_keys"])
def test_an_upgrade_failing_half_way_leaves_the_database_exactly_as_it_was(tmp_path, monkeypatch, step):
    path = old_copy(tmp_path)
    old = make_engine(f"sqlite:///{path}")
    _without_2025_units(old)  # so that every step has something to write
    lacked = outdated(old)
    old.dispose()
    before, content = dump(path), hashlib.sha256(path.read_bytes()).hexdigest()
    done = getattr(upgrading, step)

    def half_way(*args, **kwargs):
        done(*args, **kwargs)  # its writes made, then the failure
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(upgrading, step, half_way)
    with pytest.raises(RuntimeError, match="hỏng giữa chừng"):
        upgrade(old)
    old.dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == content  # byte for byte
    assert dump(path) == before  # row for row, schema included
    assert not list((tmp_path / "backups").glob("*.sqlite"))  # the copy of an unchanged database is removed
    assert outdated(old) == lacked


def test_two_processes_starting_together_upgrade_once(tmp_path, monkeypatch):
    path = old_copy(tmp_path)
    both_looked = threading.Barrier(2, timeout=30)
    looked = upgrading.outdated

    def look_then_wait(engine):
        found = looked(engine)
        both_looked.wait()  # both saw an old database before either began to upgrade it
        return found

    monkeypatch.setattr(upgrading, "outdated", look_then_wait)
    with ThreadPoolExecutor(2) as pool:
        said = list(pool.map(upgrade, [make_engine(f"sqlite:///{path}") for _ in range(2)]))
    assert sorted(message is None for message in said) == [False, True]  # the second found nothing left to do
    assert len(list((tmp_path / "backups").glob("*.sqlite"))) == 1


@dataclass(frozen=True)
class Broken:
    name: str
    make: Callable[[Path], Engine]
    upgraded: bool  # an old database without a data version still gets today's columns, but no version


def _missing_file(folder: Path) -> Engine:
    return make_engine(f"sqlite:///{folder / 'none.sqlite'}")


def _empty_file(folder: Path) -> Engine:
    (folder / "empty.sqlite").write_bytes(b"")
    return make_engine(f"sqlite:///{folder / 'empty.sqlite'}")


def _half_built(folder: Path) -> Engine:
    engine = make_engine(f"sqlite:///{old_copy(folder)}")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE project_events")
    return engine


def _without_version(folder: Path) -> Engine:
    engine = make_engine(f"sqlite:///{old_copy(folder)}")
    with engine.begin() as connection:
        connection.execute(delete(schema.meta).where(schema.meta.c.key == "data_version"))
    return engine


@pytest.mark.parametrize("broken", [Broken("missing file", _missing_file, False), Broken("empty", _empty_file, False),
                                    Broken("half-built", _half_built, False),
                                    Broken("no data version", _without_version, True)], ids=lambda b: b.name)
def test_the_upgrade_never_changes_what_health_says(tmp_path, broken):
    engine = broken.make(tmp_path)
    problem = database_problem(engine)
    assert problem is not None
    assert outdated(engine) == (LACKED if broken.upgraded else [])
    assert (upgrade(engine) is not None) == broken.upgraded
    assert database_problem(engine) == problem
    assert outdated(engine) == []
    assert not (tmp_path / "none.sqlite").exists()  # a missing file is not created by looking at it


# ---------------------------------------------------------------------------------------------
# PostgreSQL: the old schema made there the simplest faithful way (the old SQLite's own tables,
# reflected, created and copied row for row), then upgraded in place.

@pytest.fixture
def old_postgres(tmp_path):
    source = create_engine(f"sqlite:///{old_copy(tmp_path)}")
    old = MetaData()
    old.reflect(source)
    with private_postgres_schema("hx_upgrade", demo=False) as (engine, _name):
        with engine.begin() as target, source.connect() as reading:
            old.create_all(target)
            for table in old.sorted_tables:
                found = [dict(r) for r in reading.execute(select(table)).mappings()]
                if found:
                    target.execute(insert(table), found)
                if "id" in table.c:  # as the old build left them: serials past the rows written
                    target.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                           f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)")
        yield engine
    source.dispose()


def test_postgresql_is_upgraded_in_place_to_the_same_figures(old_postgres, engine):
    assert outdated(old_postgres) == LACKED
    message = upgrade(old_postgres)
    assert "cho phép để trống cột organisations.commune_code" in message and "bản sao lưu của máy chủ" in message
    assert outdated(old_postgres) == [] and upgrade(old_postgres) is None
    for by in (None, "district"):
        mine, fresh = evaluate(old_postgres, Filter("2023-H1"), by=by), evaluate(engine, Filter("2023-H1"), by=by)
        pd.testing.assert_frame_equal(mine, fresh, check_exact=False, rtol=1e-9, check_dtype=False)
    assert rows(old_postgres, schema.areas, AREA_COLUMNS) == rows(engine, schema.areas, AREA_COLUMNS)
    o = schema.organisations
    with old_postgres.begin() as connection:
        connection.execute(insert(o), [{"id": 99_001, "org_type": "coop", "kind": "htx", "name": "HTX lập sau sắp xếp",
                                        "province_code": "12", "district_code": "105", "commune_code": None,
                                        "commune_2025_code": "03388", "sector_code": "agriculture",
                                        "registered_on": date(2025, 9, 1), "founding_supported": False}])


def _content(engine) -> dict[str, list[tuple]]:
    """Every table's definition (columns, NOT NULL) and rows, read through reflection: an old schema too."""
    found = MetaData()
    found.reflect(engine)
    with engine.connect() as connection:
        return {name: [(c.name, str(c.type), c.nullable) for c in table.columns]
                + sorted(connection.execute(select(table)).all(), key=repr)
                for name, table in found.tables.items()}


def test_postgresql_failing_half_way_changes_nothing(old_postgres, monkeypatch):
    before, lacked = _content(old_postgres), outdated(old_postgres)
    done = upgrading._refresh

    def half_way(*args, **kwargs):
        done(*args, **kwargs)
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(upgrading, "_refresh", half_way)
    with pytest.raises(RuntimeError, match="hỏng giữa chừng"):
        upgrade(old_postgres)
    assert outdated(old_postgres) == lacked
    assert _content(old_postgres) == before


def test_a_missing_index_is_added_without_a_backup_and_skipped_where_it_cannot_be(demo_copy, monkeypatch):
    """An index is speed, not data: added without a copy of the file, and a database that cannot
    take it (read-only) is read as it is, with no error."""
    engine = demo_copy
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_org_existing")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE idx = 'ix_org_existing'")
    assert outdated(engine) == ["thiếu chỉ mục ix_org_existing"]

    def refused(*_args, **_kwargs):
        raise OperationalError("CREATE INDEX", {}, Exception("attempt to write a readonly database"))

    with monkeypatch.context() as patched:
        patched.setattr(Index, "create", refused)
        assert upgrade(engine) is None
    assert outdated(engine) == ["thiếu chỉ mục ix_org_existing"]
    message = upgrade(engine)
    assert "thêm chỉ mục ix_org_existing" in message and "dữ liệu và số liệu không đổi" in message
    assert "sao lưu" not in message and not (Path(engine.url.database).parent / "backups").exists()
    assert outdated(engine) == []
    with engine.connect() as connection:  # and the planner has its statistics (SQLite guessed worse without)
        assert connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_org_existing'").scalar() == 1
