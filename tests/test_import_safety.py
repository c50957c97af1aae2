"""Issue 13, the importer's part, tested as the probe was: two imports started together, undo after
both, a decompression bomb, the same file twice, backups rotated, killed imports cleaned up.

"Nothing lost": one import at a time per database (the second is told who runs the first and since
when); undo puts back exactly what its import changed and refuses while a later import changed
the same rows. "Nothing let in": a workbook that unpacks to hundreds of MB is refused before it is
parsed, with the peak memory measured in a subprocess; the problem report's cells are inert.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import private_postgres_schema
from openpyxl import Workbook
from sqlalchemy import create_engine, func, insert, select

from hxcore import cli
from hxcore.db import schema
from hxcore.db.schema import make_engine
from hxcore.io import auth, importer
from hxcore.io.importer import lock, pipeline
from hxcore.io.importer import write as import_write

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("HX_TEST_POSTGRES_URL")
PERIOD = "2023-H1"
AS_OF = date(2023, 6, 30)
LAN, MINH = auth._issue("lan", auth.Role.EDITOR), auth._issue("minh", auth.Role.EDITOR)
DESTRUCTIVE = ("build-demo", "--force", "xóa", "drop")


# ---------------------------------------------------------------------------------------------
# Databases: a copy of the demo per test (SQLite); on PostgreSQL one demo in a private schema,
# which every test leaves with the data it found (undoing its imports is what they test).


@pytest.fixture(scope="module")
def postgres_schema():
    with private_postgres_schema("hx_import_safety") as (_, name):
        yield name


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path, demo_db_path):
    """(engine, how a subprocess reaches the same database: url, PostgreSQL schema or '')."""
    if request.param == "sqlite":
        path = tmp_path / "hx.sqlite"
        shutil.copy(demo_db_path, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield engine, url, ""
    else:
        name = request.getfixturevalue("postgres_schema")
        engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={name}"})
        yield engine, POSTGRES_URL, name
    engine.dispose()


def returns_csv(engine, count: int, members: int = 0, workers: int = 0) -> bytes:
    """Half-year returns for `count` organisations of the database, members and workers shifted."""
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.name, o.c.district_code, o.c.org_type, f.c.status, f.c.members, f.c.workers)
                            .join(f, f.c.org_id == o.c.id).where(f.c.as_of == AS_OF).order_by(o.c.id)).all()
    names = [(r.district_code, importer.org_key_name(r.name)) for r in rows]
    unique = [r for r in rows if names.count((r.district_code, importer.org_key_name(r.name))) == 1]
    status = {"operating": "Đang hoạt động", "stopped": "Ngừng hoạt động"}
    lines = ["Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên"]
    lines += [f'"{r.name}",{r.district_code},{status[r.status]},{r.members + members},{r.workers + workers}'
              for r in unique[:count]]
    return ("\r\n".join(lines) + "\r\n").encode()


REGISTER = ("Tên HTX,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký\r\n"
            "HTX Mới Bình Lư,Tam Đường,Bình Lư,Nông nghiệp,15/3/2023\r\n"
            "HTX Mới Sìn Hồ,Sìn Hồ,Thị trấn Sìn Hồ,Xây dựng,5/1/2023\r\n").encode()
NEW_RETURNS = ("Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên\r\n"
               "HTX Mới Bình Lư,Tam Đường,Đang hoạt động,9,4\r\n").encode()
TRAINING = ("Ngày tổ chức,Huyện/thành phố,Loại lớp,Tên lớp,Số học viên\r\n"
            "12/4/2023,Tam Đường,Tuyên truyền,Luật HTX 2023 cho xã mới,45\r\n").encode()


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


# ---------------------------------------------------------------------------------------------
# 2. One import at a time; undo is exact and never reverts a later import

RACER = textwrap.dedent("""
    import json, os, pathlib, sys, time
    sys.path.insert(0, {root!r})
    from sqlalchemy import create_engine
    from hxcore.db.schema import make_engine
    from hxcore.io import auth, importer
    url, search_path = os.environ["HX_RACE_URL"], {search_path!r}
    engine = create_engine(url, connect_args={{"options": f"-csearch_path={{search_path}}"}}) if search_path else make_engine(url)
    data = pathlib.Path({file!r}).read_bytes()
    plan = importer.prepare_import(engine, data, {name!r}, "2023-H1")  # the dry run first, as the CLI does
    assert plan.ok and plan.rows_changed, plan.problems_frame()
    pathlib.Path({ready!r}).write_text("ready")
    while not pathlib.Path({go!r}).exists():
        time.sleep(0.002)

    def until_the_other_has_tried(conn):  # the first keeps its transaction open until the second has tried
        deadline = time.time() + 60
        while not pathlib.Path({other_done!r}).exists() and time.time() < deadline:
            time.sleep(0.01)

    try:
        record = importer.commit_import(engine, data, {name!r}, "2023-H1", auth._issue({user!r}, auth.Role.EDITOR),
                                        checked=plan, before_commit=until_the_other_has_tried)
        print(json.dumps({{"user": {user!r}, "id": record.id}}))
    except importer.ImportBusy as error:
        print(json.dumps({{"user": {user!r}, "busy": str(error)}}))
    pathlib.Path({done!r}).write_text("done")
""")


def race(tmp_path: Path, url: str, search_path: str, files: dict[str, bytes]) -> list[dict]:
    """Start an import process for each of two users, let both go at the same instant; what each printed."""
    go, processes = tmp_path / "go", []
    for user, data in files.items():
        (tmp_path / f"{user}.csv").write_bytes(data)
        other = next(u for u in files if u != user)
        script = RACER.format(root=str(ROOT), search_path=search_path, file=str(tmp_path / f"{user}.csv"),
                              name=f"so-lieu-{user}.csv", ready=str(tmp_path / f"{user}.ready"), go=str(go), user=user,
                              done=str(tmp_path / f"{user}.done"), other_done=str(tmp_path / f"{other}.done"))
        processes.append(subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                          env={**os.environ, "HX_RACE_URL": url}))
    deadline = time.time() + 120
    while not all((tmp_path / f"{user}.ready").exists() for user in files):
        assert time.time() < deadline and all(p.poll() is None for p in processes), "a racer died before the start"
        time.sleep(0.01)
    go.write_text("go")
    outcomes = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


def test_two_imports_started_together_then_undo_restores_exactly(target, tmp_path):
    engine, url, search_path = target
    schema.create_schema(engine)
    original = importer.database_fingerprint(engine, data_only=True)
    files = {"lan": returns_csv(engine, 60, members=1), "minh": returns_csv(engine, 60, workers=1)}
    outcomes = race(tmp_path, url, search_path, files)

    done = [o for o in outcomes if "id" in o]
    refused = [o for o in outcomes if "busy" in o]
    assert len(done) == 1 and len(refused) == 1, outcomes  # one ran, the other was told why not
    winner, loser = done[0]["user"], refused[0]["user"]
    message = refused[0]["busy"]
    assert f"đang có một lần nhập khác do {winner} bắt đầu lúc" in message.lower()
    assert f"so-lieu-{winner}.csv" in message and not any(word in message.lower() for word in DESTRUCTIVE)

    # The refused one tries again once the first is done: both are committed, on the same rows.
    earlier = done[0]["id"]
    later = importer.commit_import(engine, files[loser], f"so-lieu-{loser}.csv", PERIOD, auth._issue(loser, auth.Role.EDITOR))
    assert later.rows_changed == 60 and later.id > earlier

    with pytest.raises(importer.UndoRefused) as refusal:
        importer.undo_import(engine, earlier, LAN)
    text = str(refusal.value)
    logged = importer.import_history(engine).set_index("id").loc[later.id]
    assert f"lần nhập {later.id}" in text and f"so-lieu-{loser}.csv" in text and loser in text
    assert lock.shown_time(logged["imported_at"]) in text and not any(word in text.lower() for word in DESTRUCTIVE)
    assert importer.import_history(engine).set_index("id").loc[earlier, "status"] == "committed"  # refused: untouched

    importer.undo_import(engine, later.id, MINH)
    importer.undo_import(engine, earlier, LAN)
    assert importer.database_fingerprint(engine, data_only=True) == original
    assert set(importer.import_history(engine).tail(2)["status"]) == {"undone"}


def test_threads_of_one_process_are_serialised_too(target):
    """The app serves every session from one process: two editors' clicks at once."""
    engine, _, _ = target
    schema.create_schema(engine)
    original = importer.database_fingerprint(engine, data_only=True)
    files = {LAN: returns_csv(engine, 30, members=2), MINH: returns_csv(engine, 30, workers=2)}
    refused, done, loser_told = [], [], threading.Event()

    def run(session):
        try:
            done.append((session.user, importer.commit_import(engine, files[session], f"{session.user}.csv", PERIOD, session,
                                                              before_commit=lambda conn: loser_told.wait(30))))
        except importer.ImportBusy as error:
            refused.append(str(error))
            loser_told.set()

    threads = [threading.Thread(target=run, args=(session,)) for session in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(done) == 1 and len(refused) == 1, (done, refused)
    (winner, record), = done
    assert f"đang có một lần nhập khác do {winner} bắt đầu lúc" in refused[0].lower() and f"{winner}.csv" in refused[0]
    importer.undo_import(engine, record.id, LAN)
    assert importer.database_fingerprint(engine, data_only=True) == original


def test_undo_refuses_while_a_later_import_points_to_rows_it_added(fresh_engine):
    original = importer.database_fingerprint(fresh_engine, data_only=True)
    register = importer.commit_import(fresh_engine, REGISTER, "htx.csv", PERIOD, LAN)
    returns = importer.commit_import(fresh_engine, NEW_RETURNS, "so-lieu.csv", PERIOD, MINH)
    with pytest.raises(importer.UndoRefused, match=f"lần nhập {returns.id} sau đó .tệp 'so-lieu.csv' của minh"):
        importer.undo_import(fresh_engine, register.id, LAN)  # its organisations carry the later import's returns
    importer.undo_import(fresh_engine, returns.id, LAN)
    importer.undo_import(fresh_engine, register.id, LAN)
    assert importer.database_fingerprint(fresh_engine, data_only=True) == original
    with pytest.raises(importer.UndoRefused, match="đã được hoàn tác"):
        importer.undo_import(fresh_engine, register.id, LAN)


def test_an_earlier_import_is_undone_alone_when_later_ones_touch_other_rows(demo_copy):
    before = importer.database_fingerprint(demo_copy, data_only=True)
    register = importer.commit_import(demo_copy, REGISTER, "htx.csv", PERIOD, LAN)
    training = importer.commit_import(demo_copy, TRAINING, "lop.csv", PERIOD, MINH)
    changed = importer.commit_import(demo_copy, returns_csv(demo_copy, 5, members=3), "so-lieu.csv", PERIOD, MINH)
    importer.undo_import(demo_copy, register.id, LAN)  # neither later import touched its rows
    with demo_copy.connect() as conn:
        assert not conn.execute(select(schema.organisations).where(schema.organisations.c.name.like("HTX Mới%"))).first()
        assert conn.execute(select(func.count()).select_from(schema.training_classes)
                            .where(schema.training_classes.c.title == "Luật HTX 2023 cho xã mới")).scalar() == 1
    importer.undo_import(demo_copy, changed.id, LAN)
    importer.undo_import(demo_copy, training.id, LAN)
    assert importer.database_fingerprint(demo_copy, data_only=True) == before


KILLED = textwrap.dedent("""
    import sys, time, pathlib
    sys.path.insert(0, {root!r})
    from hxcore.io import auth, importer
    from hxcore.db.schema import make_engine
    def hold(conn):
        pathlib.Path({flag!r}).write_text("writing")
        time.sleep(60)
    importer.commit_import(make_engine({url!r}), pathlib.Path({file!r}).read_bytes(), "htx.csv", "2023-H1",
                           auth._issue("killed", auth.Role.EDITOR), before_commit=hold)
""")


def test_a_killed_import_leaves_no_lock_and_its_backup_is_removed(tmp_path, demo_db_path):
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    schema.create_schema(engine)
    before = importer.database_fingerprint(engine)
    file, flag = tmp_path / "htx.csv", tmp_path / "flag"
    file.write_bytes(REGISTER)
    process = subprocess.Popen([sys.executable, "-c", KILLED.format(root=str(ROOT), flag=str(flag), file=str(file),
                                                                    url=f"sqlite:///{path}")], cwd=ROOT)
    refused_while_running_then_killed(process, flag, engine, "do killed bắt đầu lúc")  # refused, named
    orphans = list((tmp_path / "backups").iterdir())
    assert len(orphans) == 1  # the killed import had made its backup
    assert importer.database_fingerprint(engine) == before
    record = importer.commit_import(engine, TRAINING, "lop.csv", PERIOD, LAN)  # its lease is dead: taken over
    assert [f.name for f in (tmp_path / "backups").iterdir()] == [Path(record.backup_path).name]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(lock.import_lease)).scalar() == 0


def test_a_lease_of_a_live_process_is_respected_and_a_dead_ones_is_not(demo_copy):
    lock.lease_metadata.create_all(demo_copy)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with demo_copy.begin() as conn:
            conn.execute(insert(lock.import_lease).values(
                name=lock.NAME, token="x" * 32, user_name="hoa", started_at="2024-07-01T02:03:04+00:00",
                action="nhập tệp 'a.xlsx'", host=lock.socket.gethostname(), pid=sleeper.pid, process="other", db_session=None))
        with pytest.raises(importer.ImportBusy) as busy:
            importer.commit_import(demo_copy, TRAINING, "lop.csv", PERIOD, LAN)
        assert f"do hoa bắt đầu lúc {lock.shown_time('2024-07-01T02:03:04+00:00')} (nhập tệp 'a.xlsx')" in str(busy.value)
        assert busy.value.plan.errors and busy.value.plan.errors[0].row == 0  # shown like a file problem
        with pytest.raises(importer.ImportBusy):
            importer.undo_import(demo_copy, 1, LAN)
    finally:
        sleeper.kill()
        sleeper.wait(10)
    assert importer.commit_import(demo_copy, TRAINING, "lop.csv", PERIOD, LAN).rows_added == 1


def test_killed_postgresql_session_frees_the_lease(postgres_schema, tmp_path):
    """On PostgreSQL the holder is its database session: gone with the killed process."""
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={postgres_schema}"})
    original = importer.database_fingerprint(engine, data_only=True)
    flag = tmp_path / "flag"
    script = textwrap.dedent(f"""
        import os, sys, time, pathlib
        sys.path.insert(0, {str(ROOT)!r})
        from sqlalchemy import create_engine
        from hxcore.io import auth, importer
        engine = create_engine(os.environ["HX_RACE_URL"], connect_args={{"options": "-csearch_path={postgres_schema}"}})
        def hold(conn):
            pathlib.Path({str(flag)!r}).write_text("writing")
            time.sleep(60)
        importer.commit_import(engine, {TRAINING!r}, "lop.csv", "2023-H1", auth._issue("killed", auth.Role.EDITOR),
                               before_commit=hold)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "HX_RACE_URL": POSTGRES_URL})
    refused_while_running_then_killed(process, flag, engine, "do killed")
    deadline = time.time() + 20
    while True:  # the server notices the closed connection within moments
        try:
            record = importer.commit_import(engine, TRAINING, "lop.csv", PERIOD, LAN)
            break
        except importer.ImportBusy:
            assert time.time() < deadline, "the killed session's lease was never released"
            time.sleep(0.2)
    importer.undo_import(engine, record.id, LAN)
    assert importer.database_fingerprint(engine, data_only=True) == original
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# 6. The check runs once per commit


def test_the_check_runs_once_per_commit(demo_copy, monkeypatch):
    calls = []
    real = import_write.prepare
    monkeypatch.setattr(import_write, "prepare", lambda *args: calls.append(args[2]) or real(*args))
    data = returns_csv(demo_copy, 10, members=1)
    plan = importer.prepare_import(demo_copy, data, "a.csv", PERIOD)  # the dry run the editor saw
    record = importer.commit_import(demo_copy, data, "a.csv", PERIOD, LAN, checked=plan)
    assert calls == [] and record.plan is plan and record.rows_changed == 10  # reused: nothing was written since
    later = returns_csv(demo_copy, 10, members=1)
    stale = importer.prepare_import(demo_copy, later, "b.csv", PERIOD)
    importer.commit_import(demo_copy, TRAINING, "lop.csv", PERIOD, LAN)
    assert calls == ["lop.csv"]  # no dry run given: checked once, inside the transaction
    importer.commit_import(demo_copy, later, "b.csv", PERIOD, LAN, checked=stale)
    assert calls == ["lop.csv", "b.csv"]  # the database changed since the dry run: checked again


def test_the_cli_checks_once_and_says_when_a_file_was_imported_already(demo_copy, tmp_path, monkeypatch, capsys):
    secrets = tmp_path / "secrets.toml"
    auth.add_user("lan", "mat-khau-dai-1", path=secrets, rounds=4)
    monkeypatch.setenv("HX_SECRETS_PATH", str(secrets))
    monkeypatch.setenv("HX_PASSWORD", "mat-khau-dai-1")
    calls = []
    for module in (pipeline, import_write):
        real = module.prepare
        monkeypatch.setattr(module, "prepare", lambda *args, real=real: calls.append(args[2]) or real(*args))
    file = tmp_path / "htx.csv"
    file.write_bytes(REGISTER)
    args = ["--db", str(demo_copy.url), "import", str(file), "--period", PERIOD, "--user", "lan"]
    assert cli.main(args) == 0
    assert calls == ["htx.csv"] and "Đã nhập (lần 1): thêm 2" in capsys.readouterr().out  # one check for one commit
    imports = count(demo_copy, schema.imports)
    assert cli.main(args) == 0
    assert "Tệp này đã được nhập lúc" in capsys.readouterr().out and count(demo_copy, schema.imports) == imports


def test_matching_follows_a_renamed_organisation_within_the_file(demo_copy):
    """The organisations' index is kept up to date as the plan renames one (found by its tax code)."""
    o = schema.organisations
    with demo_copy.begin() as conn:
        org = conn.execute(select(o).where(o.c.name == "HTX Ứng Thìn")).mappings().one()
        conn.execute(o.update().where(o.c.id == org["id"]).values(tax_code="6200999999"))
    with demo_copy.connect() as conn:
        commune = conn.execute(select(schema.areas.c.name).where(schema.areas.c.code == org["commune_code"])).scalar()
    book = Workbook()
    register = book.active
    register.title = "Hợp tác xã"
    register.append(["Tên HTX", "Mã số HTX", "Huyện/thành phố", "Xã/phường/thị trấn", "Lĩnh vực", "Ngày đăng ký"])
    register.append(["HTX Ứng Thìn Mới", "6200999999", "Mường Tè", commune, "Nông nghiệp", org["registered_on"]])
    returns = book.create_sheet("Số liệu 6 tháng")
    returns.append(["Tên đơn vị", "Huyện/thành phố", "Tình trạng", "Số thành viên", "Số lao động thường xuyên"])
    returns.append(["HTX Ứng Thìn Mới", "Mường Tè", "Đang hoạt động", 77, 7])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = importer.prepare_import(demo_copy, buffer.getvalue(), "doi-ten.xlsx", PERIOD)
    assert plan.ok, plan.problems_frame()
    assert [op[0] for op in plan.ops] == ["organisations", "facts"] and plan.ops[1][2]["org_id"] == org["id"]


# ---------------------------------------------------------------------------------------------
# 7. The same file twice; backups rotated, orphans removed


def test_the_same_file_twice_is_a_no_op_that_says_so(target):
    engine, _, _ = target
    data = returns_csv(engine, 8, members=4)
    first = importer.commit_import(engine, data, "so-lieu.csv", PERIOD, LAN)
    full = importer.database_fingerprint(engine)
    imports = count(engine, schema.imports)
    backups = sorted(Path(first.backup_path).parent.iterdir()) if first.backup_path else []
    again = importer.commit_import(engine, data, "so-lieu (1).csv", PERIOD, MINH)
    assert again.unchanged and (again.id, again.rows_added, again.rows_changed, again.backup_path) == (first.id, 0, 0, None)
    logged = importer.import_history(engine).set_index("id").loc[first.id, "imported_at"]
    assert again.note == f"Tệp này đã được nhập lúc {lock.shown_time(logged)} (lần nhập {first.id} của lan) — không có gì thay đổi."
    assert importer.database_fingerprint(engine) == full and count(engine, schema.imports) == imports
    assert (sorted(Path(first.backup_path).parent.iterdir()) if first.backup_path else []) == backups
    importer.undo_import(engine, first.id, LAN)
    assert not importer.commit_import(engine, data, "so-lieu.csv", PERIOD, LAN).unchanged  # undone: it changes rows again
    importer.undo_import(engine, int(importer.import_history(engine).iloc[0]["id"]), LAN)


def test_backups_are_rotated_and_orphans_removed(demo_copy, monkeypatch):
    monkeypatch.setenv("HX_BACKUP_KEEP", "2")
    folder = Path(demo_copy.url.database).parent / "backups"
    folder.mkdir()
    orphan = folder / "hx-20240101-000000-deadbeef.sqlite"  # what an import killed before committing leaves
    kept_apart = folder / "hx-truoc-build-demo-20240101-000000.sqlite"  # not an import's: left alone
    orphan.write_bytes(b"x")
    kept_apart.write_bytes(b"x")
    records = [importer.commit_import(demo_copy, returns_csv(demo_copy, 3, members=k), f"{k}.csv", PERIOD, LAN) for k in (1, 2, 3)]
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept_apart.name] + [Path(r.backup_path).name for r in records[1:]])
    assert importer.backup_keep() == 2
    monkeypatch.setenv("HX_BACKUP_KEEP", "many")
    assert importer.backup_keep() == 10


# ---------------------------------------------------------------------------------------------
# 5. Hostile files are refused early

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
XLSX_PARTS = {
    "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
    '<sheets><sheet name="Hợp tác xã" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
}


def workbook_with_one_string(target, length: int) -> None:
    """A valid .xlsx whose one cell is a shared string of `length` letters A, written in 1 MB pieces."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in XLSX_PARTS.items():
            book.writestr(name, text.encode())
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0"?><sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'.encode())
            piece = b"A" * (1 << 20)
            for _ in range(length >> 20):
                part.write(piece)
            part.write(b"A" * (length % (1 << 20)) + b"</t></si></sst>")


MEASURE = textwrap.dedent("""
    import json, pathlib, resource, sys, tracemalloc
    sys.path.insert(0, {root!r})
    from hxcore.db.schema import create_schema, make_engine
    from hxcore.io import importer
    engine = make_engine({url!r})
    create_schema(engine)
    data = pathlib.Path({file!r}).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    plan = importer.prepare_import(engine, data, "bom.xlsx", "2023-H1")
    peak = tracemalloc.get_traced_memory()[1]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"errors": [(p.row, p.expected) for p in plan.errors], "traced_peak": peak,
                      "rss_growth": (after - before) * 1024, "rss_peak": after * 1024}}))
""")


def test_a_decompression_bomb_is_refused_with_little_memory(tmp_path):
    bomb = tmp_path / "bom.xlsx"
    workbook_with_one_string(bomb, 400 * 1024 * 1024)  # one cell of 400 MB
    assert bomb.stat().st_size < 1024 * 1024
    script = MEASURE.format(root=str(ROOT), url=f"sqlite:///{tmp_path / 'hx.sqlite'}", file=str(bomb))
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"bomb {bomb.stat().st_size} bytes: traced peak {measured['traced_peak'] / 2**20:.1f} MB, "
          f"RSS growth {measured['rss_growth'] / 2**20:.1f} MB (process peak {measured['rss_peak'] / 2**20:.0f} MB)")
    assert [row for row, _ in measured["errors"]] == [0]
    assert "giải nén ra 400 MB" in measured["errors"][0][1] and "zip bomb" in measured["errors"][0][1]
    assert measured["traced_peak"] < 200 * 2**20 and measured["rss_growth"] < 200 * 2**20


@pytest.mark.parametrize("length, message", [
    (50 * 1024 * 1024, "lần (tối đa 100 lần)"),  # under 100 MB, but packed 1:1000
    (200 * 1024, "dài hơn 32.767 ký tự"),  # a small part with one long text: seen while unpacking
    (40_000, "một ô dài 40.000 ký tự"),  # longer than Excel allows, shorter than the unpacking check
])
def test_other_hostile_workbooks_are_refused(tmp_path, fresh_engine, length, message):
    path = tmp_path / "bad.xlsx"
    workbook_with_one_string(path, length)
    plan = importer.prepare_import(fresh_engine, path.read_bytes(), "bad.xlsx", PERIOD)
    assert [p.row for p in plan.errors] == [0] and message in plan.errors[0].expected


def test_a_zip_that_lies_about_its_sizes_and_an_ods_are_refused(fresh_engine):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in XLSX_PARTS.items():
            book.writestr(name, text.encode())
        book.writestr("xl/sharedStrings.xml", b"A" * 5_000_000)
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")  # the last part's entry in the central directory: claim 100 bytes
    struct.pack_into("<I", data, central + 24, 100)
    plan = importer.prepare_import(fresh_engine, bytes(data), "lies.xlsx", PERIOD)
    assert [p.row for p in plan.errors] == [0] and "hỏng" in plan.errors[0].expected
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    ods = importer.prepare_import(fresh_engine, plain.getvalue(), "bang.ods", PERIOD)
    # .ods is read now (python-calamine): a damaged one is refused as damaged, naming its format
    assert "(.ods)" in ods.errors[0].expected and "hỏng" in ods.errors[0].expected


def test_a_csv_cell_longer_than_excel_allows_is_refused(fresh_engine):
    data = ("Tên HTX,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký\r\n"
            f"{'B' * 33_000},Tam Đường,Bình Lư,Nông nghiệp,15/3/2023\r\n").encode()
    plan = importer.prepare_import(fresh_engine, data, "htx.csv", PERIOD)
    assert [p.row for p in plan.errors] == [0] and "33.000 ký tự" in plan.errors[0].expected


def test_a_sheet_with_a_stray_cell_far_right_is_read_narrow(fresh_engine):
    book = Workbook()
    sheet = book.active
    sheet.title = "Hợp tác xã"
    sheet.append(["Tên HTX", "Huyện/thành phố", "Xã/phường/thị trấn", "Lĩnh vực", "Ngày đăng ký"])
    sheet.append(["HTX Rộng", "Tam Đường", "Bình Lư", "Nông nghiệp", "15/3/2023"])
    sheet["XFD2"] = "x"  # column 16.384
    buffer = io.BytesIO()
    book.save(buffer)
    grids = importer.read_file(buffer.getvalue(), "rong.xlsx")
    assert max(len(cells) for _, cells in grids[0].rows) <= importer.read.MAX_COLUMNS
    assert importer.prepare_import(fresh_engine, buffer.getvalue(), "rong.xlsx", PERIOD).rows_added == 1


# ---------------------------------------------------------------------------------------------
# The problem report echoes the file's cells: inert (OWASP)


def test_the_problem_report_is_inert(fresh_engine):
    hostile = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1+1"]
    data = ("Tên HTX,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký\r\n"
            + "".join(f'"{name.replace(chr(34), chr(34) * 2)}",Không Có,Bình Lư,Nông nghiệp,15/3/2023\r\n'
                      for name in hostile)
            + "HTX Tốt,Tam Đường,Bình Lư,Nông nghiệp,=1+1\r\n").encode()
    plan = importer.prepare_import(fresh_engine, data, "=cmd.csv", PERIOD)
    rows = list(csv.reader(io.StringIO(plan.problems_csv().decode("utf-8-sig"))))
    values = [row[3] for row in rows[1:]]
    assert "'=1+1" in values and all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[1][0] == "'=cmd"  # the sheet is named after the file
    assert "=1+1" in set(plan.problems_frame()["Giá trị"])  # on screen, the value as the file has it


def refused_while_running_then_killed(process, flag, engine, refusal: str) -> None:
    """Wait until the child import holds the lock (it writes `flag`), check another import is refused
    with `refusal` meanwhile, then SIGKILL the child, as a crash or a closed laptop would."""
    try:
        deadline = time.time() + 60
        while not flag.exists():
            assert process.poll() is None and time.time() < deadline
            time.sleep(0.05)
        with pytest.raises(importer.ImportBusy, match=refusal):
            importer.commit_import(engine, TRAINING, "lop.csv", PERIOD, LAN)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
