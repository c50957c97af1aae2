"""Nothing lost, nothing let in (issue 13): build-demo never empties a database, an empty or
half-built database is reported instead of printed as "–", downloads are inert in a spreadsheet,
and a unit's full name with its prefix is never ambiguous.

Written as the probe was: kill -9 of `build-demo --force` at moments spread over its run, over a
database holding imported data, must leave the old data or the new, never anything else.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import delete, func, insert, select, text, update

from hxcore.db import schema
from hxcore.db.health import database_problem
from hxcore.db.schema import make_engine
from hxcore.engine.lists import LISTS
from hxcore.io.demo import DatabaseHoldsImports, build_demo, ensure_demo, lai_chau_content, write_content
from hxcore.io.national import build_national
from hxcore.model.areas import AmbiguousName, match_area
from hxcore.model.filters import Filter
from hxcore.present import export, frames

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("HX_TEST_POSTGRES_URL")
IMPORTED_NAME = "HTX Đã Nhập Từ Tệp"


def hx(db: Path | str, *args, timeout: int = 180) -> subprocess.CompletedProcess:
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    return subprocess.run([sys.executable, "-m", "hxcore", "--db", url, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def simulate_import(path: Path) -> None:
    """What an import leaves behind: a row it added and its entry in the import log."""
    engine = make_engine(f"sqlite:///{path}")
    o = schema.organisations
    with engine.begin() as connection:
        org = dict(connection.execute(select(o).where(o.c.org_type == "coop").limit(1)).mappings().one())
        org.update(id=connection.execute(select(func.max(o.c.id))).scalar() + 1, name=IMPORTED_NAME)
        connection.execute(insert(o).values(**org))
        connection.execute(insert(schema.imports).values(
            user_name="bien-tap", imported_at="2024-07-01T08:00:00+00:00", file_name="htx-2024.xlsx",
            file_sha256="0" * 64, period="2024-H1", rows_added=1, rows_changed=0, status="committed"))
    engine.dispose()


def counts(path: Path) -> tuple[int, int, int]:
    """(organisations, facts, imports) as the next reader sees them (SQLite rolls a hot journal back)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                     for table in ("organisations", "facts", "imports"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def imported(demo_db_path, tmp_path) -> Path:
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    simulate_import(path)
    return path


# ---------------------------------------------------------------------------------------------
# 1. build-demo: refused over imported data, all or nothing when forced


def test_build_demo_refuses_over_imported_data(imported):
    before = sha(imported)
    result = hx(imported, "build-demo")
    assert result.returncode == 1
    assert "Từ chối" in result.stderr and "1 lần nhập" in result.stderr and "htx-2024.xlsx" in result.stderr
    assert "--force" in result.stderr and "Traceback" not in result.stderr
    assert sha(imported) == before
    assert not list(imported.parent.glob("hx.sqlite.build-*"))


def test_library_refuses_too_and_national_refuses_before_generating(imported):
    engine = make_engine(f"sqlite:///{imported}")
    with pytest.raises(DatabaseHoldsImports, match="đang chứa dữ liệu đã nhập"):
        build_demo(engine)
    started = time.perf_counter()
    with pytest.raises(DatabaseHoldsImports):
        build_national(engine, coops=30_000, groups=65_000, progress=lambda _m: None)
    assert time.perf_counter() - started < 5  # refused before minutes of generation
    assert ensure_demo(engine) is False
    assert counts(imported)[2] == 1


def test_forced_build_keeps_a_copy_and_open_connections_see_the_new_data(imported):
    old = counts(imported)
    with contextlib.closing(sqlite3.connect(imported)) as open_before:  # a running app's pooled connection
        assert open_before.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
        result = hx(imported, "build-demo", "--force")
        assert result.returncode == 0, result.stderr
        assert open_before.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    assert counts(imported)[2] == 0
    saved = list((imported.parent / "backups").glob("hx-truoc-build-demo-*.sqlite"))
    assert len(saved) == 1 and counts(saved[0]) == old
    assert str(saved[0].name) in result.stdout
    assert not list(imported.parent.glob("hx.sqlite.build-*"))


def test_kill_9_at_any_moment_leaves_the_old_data_or_the_new(imported, tmp_path):
    """The probe: 4 runs out of 10 used to leave organisations, facts and imports empty."""
    old = counts(imported)
    reference = tmp_path / "reference" / "hx.sqlite"
    reference.parent.mkdir()
    shutil.copy(imported, reference)
    started = time.perf_counter()
    assert hx(reference, "build-demo", "--force").returncode == 0
    duration = time.perf_counter() - started
    new = counts(reference)
    assert new != old and new[2] == 0

    runs, rng, outcomes = 12, random.Random(13), []
    for run in range(runs):  # one moment in each twelfth of the run, and a little past its end
        path = tmp_path / f"run{run}" / "hx.sqlite"
        path.parent.mkdir()
        shutil.copy(imported, path)
        process = subprocess.Popen([sys.executable, "-m", "hxcore", "--db", f"sqlite:///{path}", "build-demo",
                                    "--force"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * 1.05 * (run + rng.random()) / runs)
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = counts(path)
        outcomes.append("old" if found == old else "new" if found == new else f"BROKEN {found}")
        assert hx(path, "indicators", "--period", "2023-H1", "--format", "csv").returncode == 0
    print(f"kill -9 of build-demo --force, {runs} runs: {outcomes}")
    assert all(outcome in ("old", "new") for outcome in outcomes), outcomes


def test_a_copy_killed_half_way_over_the_target_is_rolled_back(imported, tmp_path):
    """The step that puts a built file in place: SQLite's backup API writes the target in one
    transaction, so killing it in the middle leaves the old database (its journal rolls back)."""
    old = counts(imported)
    built = tmp_path / "built.sqlite"
    build_demo(make_engine(f"sqlite:///{built}"))
    slow_copy = ("import sqlite3, sys, time\n"
                 "source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])\n"
                 "source.backup(target, pages=5, progress=lambda *a: (print('step', flush=True), time.sleep(0.05)))\n")
    process = subprocess.Popen([sys.executable, "-c", slow_copy, str(built), str(imported)], stdout=subprocess.PIPE,
                               text=True)
    for _ in range(20):  # 100 pages of the new database written over the old ones
        process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait()
    # Cut in the middle (20 steps done): a hot journal in rollback mode; in WAL mode (make_engine sets it) the
    # pages copied so far were never committed to the -wal file.
    assert Path(f"{imported}-journal").exists() or Path(f"{imported}-wal").exists()
    assert counts(imported) == old


def test_orphans_of_killed_builds_are_removed(demo_db_path, tmp_path):
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"hx.sqlite.build-{dead.pid}"
    orphan.write_bytes(b"half a database")
    build_demo(make_engine(f"sqlite:///{path}"))
    assert not orphan.exists()


def _failing_content() -> dict:
    """The demo with one impossible row at the end: the write fails after the tables were dropped."""
    content = lai_chau_content()
    content[schema.fund_repayments] = [*content[schema.fund_repayments], {**content[schema.fund_repayments][0],
                                                                         "id": 10**6, "amount": -1}]
    return content


def test_a_failed_build_leaves_the_sqlite_file_as_it_was(imported):
    before = sha(imported)
    with pytest.raises(Exception, match="repayment_positive|CHECK"):
        write_content(make_engine(f"sqlite:///{imported}"), _failing_content(), {"seed": "42"}, force=True)
    assert sha(imported) == before
    assert not list(imported.parent.glob("hx.sqlite.build-*"))


@pytest.fixture
def postgres_schema():
    """A schema of its own in the test database, so the shared demo there is left alone."""
    if not POSTGRES_URL:
        pytest.skip("HX_TEST_POSTGRES_URL is not set: no PostgreSQL server to test on")
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS hx_safety CASCADE"))
        connection.execute(text("CREATE SCHEMA hx_safety"))
    engine = make_engine(POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + "options=-csearch_path%3Dhx_safety")
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS hx_safety CASCADE"))
    admin.dispose()


def test_postgresql_build_is_one_transaction_ddl_included(postgres_schema):
    engine = postgres_schema
    build_demo(engine)
    with engine.begin() as connection:
        connection.execute(insert(schema.imports).values(
            user_name="bien-tap", imported_at="2024-07-01T08:00:00+00:00", file_name="htx.xlsx", file_sha256="0" * 64,
            period="2024-H1", rows_added=0, rows_changed=0, status="committed"))
    with pytest.raises(DatabaseHoldsImports):
        build_demo(engine)
    with pytest.raises(Exception, match="repayment_positive"):
        write_content(engine, _failing_content(), {"seed": "42"}, force=True)
    with engine.connect() as connection:  # the DROP TABLEs were rolled back with the rest
        assert connection.execute(select(func.count()).select_from(schema.imports)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(schema.organisations)).scalar() > 0
    assert database_problem(engine) is None
    build_demo(engine, force=True)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.imports)).scalar() == 0


# ---------------------------------------------------------------------------------------------
# 1. An empty or half-built database is reported by every command that reads it, never as "–"


def _half_built(demo_db_path, tmp_path, how: str) -> Path:
    path = tmp_path / "hx.sqlite"
    if how == "empty file":
        path.touch()
        return path
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        if how == "no facts table":
            connection.exec_driver_sql("DROP TABLE facts")
        elif how == "no organisations":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(delete(schema.organisations))
        else:
            connection.execute(delete(schema.meta).where(schema.meta.c.key == "data_version"))
    engine.dispose()
    return path


@pytest.mark.parametrize("how, message", [
    ("empty file", "trống (chưa có bảng nào)"),
    ("no facts table", "dựng dở: thiếu bảng facts"),
    ("no organisations", "không có tổ chức nào"),
    ("no data version", "thiếu phiên bản dữ liệu"),
])
@pytest.mark.parametrize("command", [
    ["indicators", "--period", "2023-H1"], ["targets", "--period", "2023-H1"], ["check"],
    ["list", "--kind", "coops", "--period", "2023-H1", "--output", "-"],
])
def test_empty_or_half_built_database_is_reported(demo_db_path, tmp_path, how, message, command):
    result = hx(_half_built(demo_db_path, tmp_path, how), *command)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "–" not in result.stdout and "Traceback" not in result.stderr


def test_missing_file_is_reported_and_not_created(tmp_path):
    result = hx(tmp_path / "typo.sqlite", "indicators", "--period", "2023-H1")
    assert result.returncode == 2 and "không có tệp cơ sở dữ liệu" in result.stderr
    assert not (tmp_path / "typo.sqlite").exists()


def test_half_built_database_with_imports_never_advises_a_rebuild(imported):
    engine = make_engine(f"sqlite:///{imported}")
    with engine.begin() as connection:
        connection.execute(update(schema.imports).values(backup_path="/srv/hx/backups/hx-20240701.sqlite"))
        connection.exec_driver_sql("DROP TABLE summary_org")
    engine.dispose()
    result = hx(imported, "indicators", "--period", "2023-H1")
    assert result.returncode == 2 and "thiếu bảng summary_org" in result.stderr
    assert "1 lần nhập" in result.stderr and "/srv/hx/backups/hx-20240701.sqlite" in result.stderr
    assert "build-demo" not in result.stderr and "--force" not in result.stderr


def test_database_errors_do_not_advise_build_demo(imported):
    result = hx("bogus://x", "indicators", "--period", "2023-H1")
    assert result.returncode == 2 and "build-demo" not in result.stderr
    hidden = hx("postgresql+psycopg://hx:s3cret@127.0.0.1:1/hx", "indicators", "--period", "2023-H1")
    assert hidden.returncode == 2 and "s3cret" not in hidden.stderr and "***" in hidden.stderr


def test_a_period_without_data_is_refused_not_printed_as_dashes(demo_db_path):
    result = hx(demo_db_path, "indicators", "--period", "2030-H1")
    assert result.returncode == 2 and "Không có số liệu kỳ 2030-H1" in result.stderr and "2024-Q4" in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------
# 3. Downloads are inert


def _lf(text):
    return text.replace("\r", "\n") if isinstance(text, str) else text


HOSTILE = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value, expected", [
    *((v, "'" + v) for v in HOSTILE),
    ("HTX Chè Bình Minh", "HTX Chè Bình Minh"), ("a=b", "a=b"), ("", ""), (-3, -3), (-2.5, -2.5), (None, None),
])
def test_inert_cells(value, expected):
    assert export.inert(value) == expected


def test_csv_and_xlsx_bytes_are_inert_and_keep_numbers():
    frame = pd.DataFrame({"Tên": HOSTILE, "Số": [-3, 1, 2, 3, 4, 5, 6], "Tỷ lệ": [-1.5, 0, 0, 0, 0, 0, 0.5]})
    rows = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE]
    assert rows[1][1:] == ["-3", "-1.5"]
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes([("Danh sách", frame)], [("Tệp", "=1+1")])))
    sheet = book["Danh sách"]
    # (XML reads a carriage return back as a line feed)
    # XML parsers differ on a bare CR (the stdlib's reads it as LF, lxml keeps it): compare line ends folded.
    assert [_lf(sheet.cell(row=i, column=1).value) for i in range(2, 9)] == ["'" + _lf(v) for v in HOSTILE]
    assert sheet["B2"].value == -3 and sheet["C2"].value == -1.5
    assert book["Bộ lọc"]["B1"].value == "'=1+1"
    assert all(cell.data_type != "f" for ws in book for row in ws.iter_rows() for cell in row)


@pytest.fixture
def hostile_names(demo_db_path, tmp_path) -> Path:
    """A fresh copy of the demo with cooperatives of Tam Đường renamed as an attacker would."""
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    o = schema.organisations
    with engine.begin() as connection:
        ids = connection.execute(select(o.c.id).where(o.c.org_type == "coop", o.c.district_code == "106",
                                                      o.c.dissolved_on.is_(None)).order_by(o.c.id)
                                 .limit(len(HOSTILE))).scalars().all()
        for org_id, name in zip(ids, HOSTILE, strict=True):
            connection.execute(update(o).where(o.c.id == org_id).values(name=name))
    engine.dispose()
    return path


def test_cli_list_exports_are_inert(hostile_names, tmp_path):
    out_csv, out_xlsx = tmp_path / "htx.csv", tmp_path / "htx.xlsx"
    for fmt, out in (("csv", out_csv), ("xlsx", out_xlsx)):
        result = hx(hostile_names, "list", "--kind", "coops", "--period", "2023-H1", "--district", "tam-duong",
                    "--format", fmt, "--output", str(out))
        assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig"), newline="")))
    names = {r["Tên"] for r in rows}
    assert {"'" + v for v in HOSTILE} <= names and not any(n.startswith(export.FORMULA_STARTS) for n in names)
    capital = float(next(r for r in rows if r["Tên"] == "'" + HOSTILE[0])["Vốn điều lệ (triệu đồng)"])
    assert capital > 0

    book = openpyxl.load_workbook(out_xlsx)
    sheet = book[book.sheetnames[0]]
    headers = [c.value for c in sheet[1]]
    cells = {_lf(sheet.cell(row=r, column=1).value): r for r in range(2, sheet.max_row + 1)}
    for value in HOSTILE:
        cell = sheet.cell(row=cells["'" + _lf(value)], column=1)
        assert isinstance(cell.value, str) and cell.value.startswith("'") and cell.data_type == "s"
    row = cells["'" + HOSTILE[0]]
    assert isinstance(sheet.cell(row=row, column=headers.index("Vốn điều lệ (triệu đồng)") + 1).value, (int, float))
    assert isinstance(sheet.cell(row=row, column=headers.index("Thành viên") + 1).value, int)
    assert all(cell.data_type != "f" for ws in book for r in ws.iter_rows() for cell in r)


@pytest.mark.parametrize("kind", ["coops", "groups", "projects", "training", "loans"])
def test_cli_list_gives_the_pages_slice(demo_db_path, tmp_path, kind):
    """The same rows as the data page's download: lists.LISTS -> frames.unit_rows -> export."""
    flt = Filter("2023-H1", districts=("106",), sectors=("agriculture",) if kind != "training" else ())
    expected, _ = frames.unit_rows(LISTS[kind](make_engine(f"sqlite:///{demo_db_path}"), flt), kind, "vi")
    args = ["list", "--kind", kind, "--period", "2023-H1", "--area", "Huyện Tam Đường", "--output", "-"]
    if kind != "training":
        args += ["--sector", "agriculture"]
    result = subprocess.run([sys.executable, "-m", "hxcore", "--db", f"sqlite:///{demo_db_path}", *args],
                            capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == export.csv_bytes(expected)


# ---------------------------------------------------------------------------------------------
# 7e. A unit's full name with its prefix is never ambiguous


MUONG_TE = [("107", "Huyện Mường Tè"), ("03433", "Thị trấn Mường Tè"), ("03445", "Xã Mường Tè"),
            ("03436", "Xã Thu Lũm")]


@pytest.mark.parametrize("token, code", [
    ("Thị trấn Mường Tè", "03433"), ("thị trấn mường tè", "03433"), ("TT. Mường Tè", "03433"), ("tt Muong Te", "03433"),
    ("TT.Mường Tè", "03433"), ("Xã Mường Tè", "03445"), ("X. Mường Tè", "03445"), ("xa muong te", "03445"),
    ("Huyện Mường Tè", "107"), ("H. Mường Tè", "107"), ("HUYỆN MƯỜNG TÈ", "107"), ("Thu Lũm", "03436"),
    ("03433", "03433"), ("3433", "03433"), ("Mường Tè", AmbiguousName), ("muong-te", AmbiguousName),
    ("Phường Mường Tè", AmbiguousName), ("Xã Nậm Hàng", None),
])
def test_full_names_with_their_prefix_are_not_ambiguous(token, code):
    if code is AmbiguousName:
        with pytest.raises(AmbiguousName, match="khớp với nhiều đơn vị"):
            match_area(token, MUONG_TE)
    else:
        assert match_area(token, MUONG_TE) == code


@pytest.mark.parametrize("token, code", [
    ("Thành phố Lai Châu", "105"), ("TP. Lai Châu", "105"), ("tp Lai Chau", "105"), ("Huyện Tam Đường", "106"),
    ("Thị trấn Tam Đường", "03390"), ("Tam Đường", AmbiguousName),
])
def test_prefix_decides_between_a_district_and_its_town(token, code):
    candidates = [("105", "Thành phố Lai Châu"), ("106", "Huyện Tam Đường"), ("03390", "Thị trấn Tam Đường")]
    if code is AmbiguousName:
        with pytest.raises(AmbiguousName):
            match_area(token, candidates)
    else:
        assert match_area(token, candidates) == code
