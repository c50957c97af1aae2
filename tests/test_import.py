"""Import: every accepted form of a good file gives the same database; bad files change nothing."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from hxcore.db import schema
from hxcore.db.schema import make_engine
from hxcore.engine import summary
from hxcore.engine.compute import evaluate
from hxcore.io import auth, importer, templates
from hxcore.model.filters import Filter

ROOT = Path(__file__).resolve().parent.parent
EDITOR = auth._issue("tester", auth.Role.EDITOR)

HEADER = ["Tên HTX", "Huyện/thành phố", "Xã/phường/thị trấn", "Lĩnh vực", "Ngày đăng ký", "Ngày giải thể"]
ROWS = [
    ["HTX Nông nghiệp Bình Lư", "Huyện Tam Đường", "Xã Bình Lư", "Nông, lâm nghiệp, thủy sản", "15/3/2023", ""],
    ["HTX Xây dựng Sìn Hồ", "H. Sìn Hồ", "Thị trấn Sìn Hồ", "Xây dựng", "2023-01-05", ""],
    ["HTX Vận tải Đoàn Kết", "TP. Lai Châu", "Phường Đoàn Kết", "Vận tải", "45000", "30/6/2023"],
]
EXPECTED = {
    ("HTX Nông nghiệp Bình Lư", "106", "agriculture", date(2023, 3, 15), None),
    ("HTX Xây dựng Sìn Hồ", "108", "construction", date(2023, 1, 5), None),
    ("HTX Vận tải Đoàn Kết", "105", "transport", date(2023, 3, 15), date(2023, 6, 30)),
}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters with combining tone marks."""
    out = bytearray()
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out += base.encode("cp1258") + "".join(c for c in decomposed if c in tones).encode("cp1258")
    return bytes(out)


def csv_text(rows=ROWS, header=HEADER, sep=",") -> str:
    def cell(value):
        return f'"{value}"' if sep in value else value
    return "".join(sep.join(cell(v) for v in line) + "\r\n" for line in [header, *rows])


def org_rows(engine) -> set:
    o = schema.organisations
    with engine.connect() as conn:
        return {(r.name, r.district_code, r.sector_code, r.registered_on, r.dissolved_on)
                for r in conn.execute(select(o))}


def expected_with_fixed_serial() -> set:
    serial_day = date(1899, 12, 30).toordinal() + 45000
    return {(n, d, s, date.fromordinal(serial_day) if n.startswith("HTX Vận tải") else r, x) for n, d, s, r, x in EXPECTED}


ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: t.encode("utf-8-sig"),
    "utf-16": lambda t: t.encode("utf-16"),
    "cp1258": to_cp1258,
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_csv_in_every_encoding_imports_the_same(fresh_engine, encoding):
    data = ENCODINGS[encoding](csv_text())
    record = importer.commit_import(fresh_engine, data, "htx.csv", "2023-H1", EDITOR)
    assert record.rows_added == 3
    assert org_rows(fresh_engine) == expected_with_fixed_serial()


def test_cp1252_export_without_accents_and_semicolons(fresh_engine):
    def ascii_only(text):
        return unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d")).encode("ascii", "ignore").decode()
    folded = [[ascii_only(v) for v in row] for row in ROWS]
    data = csv_text(folded, [ascii_only(h) for h in HEADER], sep=";").encode("cp1252")
    plan = importer.prepare_import(fresh_engine, data, "htx.csv", "2023-H1")
    assert plan.ok, plan.problems_frame()
    assert plan.rows_added == 3


def test_xlsx_with_excel_dates_and_numbers(fresh_engine):
    book = Workbook()
    ws = book.active
    ws.title = "Hợp tác xã"
    ws.append(["Danh sách HTX tỉnh Lai Châu"])  # a title row above the header
    ws.append(HEADER)
    ws.append([ROWS[0][0], "Tam Đường", "Bình Lư", "nông nghiệp", date(2023, 3, 15), None])
    ws.append([ROWS[1][0], "Huyen Sin Ho", "TT Sìn Hồ", "xay dung", "5/1/2023", None])
    ws.append([ROWS[2][0], "Thành phố Lai Châu", "Đoàn Kết", "vận tải", 45000, date(2023, 6, 30)])
    facts = book.create_sheet("Số liệu 6 tháng")
    facts.append(["Tên đơn vị", "Huyện/thành phố", "Tình trạng", "Vốn điều lệ (triệu đồng)", "Số thành viên",
                  "Số lao động thường xuyên", "Thu nhập bình quân (triệu đồng/người/tháng)"])
    facts.append([ROWS[0][0], "Tam Đường", "Đang hoạt động", "141.075", "1,234", 12, "4,5"])
    facts.append([ROWS[1][0], "Sìn Hồ", "ngừng hoạt động", 2500, 7, 0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = importer.prepare_import(fresh_engine, buffer.getvalue(), "so-lieu.xlsx", "2023-H1")
    assert plan.ok, plan.errors
    record = importer.commit_import(fresh_engine, buffer.getvalue(), "so-lieu.xlsx", "2023-H1", EDITOR)
    assert (record.rows_added, record.rows_changed) == (5, 0)
    assert org_rows(fresh_engine) == expected_with_fixed_serial()
    f = schema.facts
    with fresh_engine.connect() as conn:
        rows = {r.charter_capital: r for r in conn.execute(select(f))}
    assert set(rows) == {141075.0, 2500.0}
    assert rows[141075.0].members == 1234 and rows[141075.0].avg_income_month == 4.5
    assert rows[141075.0].as_of == date(2023, 6, 30) and rows[2500.0].status == "stopped"


@pytest.mark.parametrize("text,value", [("1.056.714", 1056714), ("1,056,714", 1056714), ("1056714", 1056714),
                                        ("4,3", 4.3), ("4.3", 4.3), ("1.056.714,5", 1056714.5), (" 12 ", 12)])
def test_numbers(text, value):
    assert importer.parse_number(text) == value


@pytest.mark.parametrize("text,value", [("30/6/2023", date(2023, 6, 30)), ("2023-06-30", date(2023, 6, 30)),
                                        (45107, date(2023, 6, 30)), ("45107", date(2023, 6, 30)),
                                        ("30.06.2023", date(2023, 6, 30))])
def test_dates(text, value):
    assert importer.parse_date(text) == value


def test_templates_are_importable_and_only_warn(fresh_engine):
    plan = importer.prepare_import(fresh_engine, templates.template_xlsx(), "mau.xlsx", "2023-H1")
    assert plan.ok and plan.rows_added == 0
    assert {row["Loại"] for row in plan.summary} == {s.title for s in importer.SHEETS}
    for sheet in importer.SHEETS:
        plan = importer.prepare_import(fresh_engine, templates.template_csv(sheet.key), f"mau-{sheet.key}.csv", "2023-H1")
        assert plan.ok and [row["Loại"] for row in plan.summary] == [sheet.title]


def test_every_problem_names_sheet_row_column_value_and_expectation(fresh_engine):
    rows = [
        ["HTX A", "Huyện Tam Đường", "Xã Không Có", "Nông nghiệp", "15/3/2023", ""],
        ["HTX B", "Tam Duongg", "Bình Lư", "nông nghiệp", "15/3/2023", ""],
        ["HTX C", "Tam Đường", "Bình Lư", "abc", "31/2/2023", ""],
        ["HTX D", "Tam Đường", "Bình Lư", "Nông nghiệp", "15/3/2023", "1/1/2023"],
        ["HTX A", "Huyện Tam Đường", "Bình Lư", "Nông nghiệp", "15/3/2023", ""],
        ["HTX A", "Huyện Tam Đường", "Bình Lư", "Nông nghiệp", "15/3/2023", ""],
    ]
    before = importer.database_fingerprint(fresh_engine)
    with pytest.raises(importer.ImportRejected) as caught:
        importer.commit_import(fresh_engine, csv_text(rows).encode(), "htx.csv", "2023-H1", EDITOR)
    assert importer.database_fingerprint(fresh_engine) == before
    frame = caught.value.plan.problems_frame()
    assert list(frame.columns) == ["Trang tính", "Dòng", "Cột", "Giá trị", "Yêu cầu", "Mức độ"]
    found = {(r["Dòng"], r["Cột"]) for r in frame.to_dict("records")}
    assert {(2, "Xã/phường/thị trấn"), (3, "Huyện/thành phố"), (4, "Lĩnh vực"), (4, "Ngày đăng ký"),
            (5, "Ngày giải thể"), (7, "Tên HTX")} <= found
    suggestion = frame[frame["Dòng"] == 3]["Yêu cầu"].iloc[0]
    assert "Tam Đường" in suggestion and "không tự đoán" in suggestion
    assert caught.value.plan.problems_csv().startswith(b"\xef\xbb\xbf")


def test_severity_is_a_code_shown_as_a_vietnamese_label(fresh_engine):
    data = (csv_text() + "VÍ DỤ HTX,Tam Đường,Bình Lư,Nông nghiệp,15/3/2023,\r\n").replace("Ngày giải thể", "Ghi chú")
    plan = importer.prepare_import(fresh_engine, data.encode(), "htx.csv", "2023-H1")
    assert plan.ok and {p.severity for p in plan.problems} == {importer.Severity.WARNING}
    assert set(plan.problems_frame()["Mức độ"]) == {"cảnh báo"}
    rejected = importer.prepare_import(fresh_engine, csv_text().replace("15/3/2023", "abc").encode(), "htx.csv", "2023-H1")
    assert [p.severity for p in rejected.errors] == [importer.Severity.ERROR]
    assert list(rejected.problems_frame()["Mức độ"]) == ["lỗi"]


def test_schema_reports_required_whole_numbers_and_ranges(fresh_engine):
    """The per-cell rules (pandera): one problem per cell, with the rule then what the column wants."""
    importer.commit_import(fresh_engine, csv_text().encode(), "htx.csv", "2023-H1", EDITOR)
    facts = ("Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên,Thu nhập bình quân\r\n"
             "HTX Nông nghiệp Bình Lư,Tam Đường,Đang hoạt động,\"4,5\",10,\r\n"
             "HTX Xây dựng Sìn Hồ,Sìn Hồ,Đang hoạt động,-5.5,,201\r\n")
    plan = importer.prepare_import(fresh_engine, facts.encode(), "facts.csv", "2023-H1")
    found = {(p.row, p.column): (p.value, p.expected) for p in plan.errors}
    assert found == {
        (2, "Số thành viên"): ("4,5", "phải là số nguyên: số nguyên từ 0 đến 100.000"),
        (3, "Số thành viên"): ("-5.5", "phải là số nguyên: số nguyên từ 0 đến 100.000"),
        (3, "Số lao động thường xuyên"): ("", "bắt buộc: số nguyên từ 0 đến 5.000"),
        (3, "Thu nhập bình quân"): ("201", "ngoài khoảng cho phép: triệu đồng/người/tháng, từ 0 đến 200"),
    }


def test_facts_ranges_and_unknown_organisations(fresh_engine):
    importer.commit_import(fresh_engine, csv_text().encode(), "htx.csv", "2023-H1", EDITOR)
    facts = ("Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên\r\n"
             "HTX Nông nghiệp Bình Lư,Tam Đường,Đang hoạt động,-5,10\r\n"
             "HTX Xây dựng Sìn Hồ,Sìn Hồ,Đang hoạt động,10,99999\r\n"
             "HTX Không Tồn Tại,Sìn Hồ,Đang hoạt động,10,3\r\n"
             "HTX Vận tải Đoàn Kết,Thành phố Lai Châu,Đang hoạt động,10,3\r\n")
    plan = importer.prepare_import(fresh_engine, facts.encode(), "facts.csv", "2023-H1")
    rows = {p.row: p for p in plan.errors}
    assert set(rows) == {2, 3, 4, 5}
    assert "giải thể" in rows[5].expected  # dissolved on 30/6/2023: no return at 30/6/2023


def test_commit_update_log_backup_and_undo(tmp_path, demo_db_path):
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    before = importer.database_fingerprint(engine)
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        org = conn.execute(select(o).where(o.c.name == "HTX Ứng Thìn")).mappings().one()
        fact = conn.execute(select(f).where(f.c.org_id == org["id"], f.c.as_of == date(2023, 6, 30))).mappings().one()
    data = ("Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên\r\n"
            f"HTX Ứng Thìn,Mường Tè,Đang hoạt động,{fact['members'] + 5},{fact['workers']}\r\n"
            "\r\n"
            "Lớp tập huấn,,,,\r\n").encode()
    data = data.replace(b"L\xe1\xbb\x9bp t\xe1\xba\xadp hu\xe1\xba\xa5n,,,,\r\n", b"")
    record = importer.commit_import(engine, data, "facts.csv", "2023-H1", EDITOR)
    assert (record.rows_added, record.rows_changed) == (0, 1)
    assert Path(record.backup_path).exists() and Path(record.backup_path).parent == tmp_path / "backups"
    assert schema.data_version(engine) == record.data_version != "0"
    history = importer.import_history(engine)
    assert history.iloc[0]["user_name"] == "tester" and len(history.iloc[0]["file_sha256"]) == 64
    with engine.connect() as conn:
        assert conn.execute(select(f.c.members).where(f.c.org_id == org["id"], f.c.as_of == date(2023, 6, 30))).scalar() \
            == fact["members"] + 5
        assert summary.fresh_snapshots(conn) is not None  # summaries rebuilt in the import's transaction
    assert evaluate(engine, Filter("2023-H1"), ["coop_members"], compare=False).iloc[0]["value"] == 3453 + 5
    with pytest.raises(auth.PermissionDenied):
        importer.undo_import(engine, record.id, auth.VIEWER)
    importer.undo_import(engine, record.id, EDITOR)
    with engine.connect() as conn:
        assert conn.execute(select(f.c.members).where(f.c.org_id == org["id"], f.c.as_of == date(2023, 6, 30))).scalar() \
            == fact["members"]
    assert evaluate(engine, Filter("2023-H1"), ["coop_members"], compare=False).iloc[0]["value"] == 3453
    # Only the data tables are back as they were; the log keeps the import, marked undone.
    assert importer.import_history(engine).iloc[0]["status"] == "undone"
    assert before != importer.database_fingerprint(engine)


def test_undo_removes_added_rows(fresh_engine):
    record = importer.commit_import(fresh_engine, csv_text().encode(), "htx.csv", "2023-H1", EDITOR)
    importer.undo_import(fresh_engine, record.id, EDITOR)
    assert org_rows(fresh_engine) == set()


def test_duplicates_against_the_database(fresh_engine):
    training = ("Ngày tổ chức,Huyện/thành phố,Loại lớp,Tên lớp,Số học viên\r\n"
                "12/4/2023,Tam Đường,Tuyên truyền,Luật HTX 2023,45\r\n")
    importer.commit_import(fresh_engine, training.encode(), "lop.csv", "2023-H1", EDITOR)
    plan = importer.prepare_import(fresh_engine, training.encode(), "lop.csv", "2023-H1")
    assert not plan.ok and "đã có trong cơ sở dữ liệu" in plan.errors[0].expected
    outside = training.replace("12/4/2023", "12/8/2023")
    assert "trong kỳ" in importer.prepare_import(fresh_engine, outside.encode(), "lop.csv", "2023-H1").errors[0].expected


def test_truncated_and_oversized_files_are_refused(fresh_engine):
    xlsx = templates.template_xlsx()
    with_bom = "\ufeff".encode() + csv_text().encode()
    cut_in_a_character = with_bom[: with_bom.rindex("Đ".encode()) + 1]  # found by the property test
    utf16 = csv_text().encode("utf-16")
    broken_xml = io.BytesIO()  # a sound zip whose first sheet's XML is cut off
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(broken_xml, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content[: len(content) // 2] if item.filename.endswith("sheet1.xml") else content)
    for data, name in ((xlsx[: len(xlsx) // 2], "cut.xlsx"), (csv_text().encode()[:-7], "cut.csv"),
                       (broken_xml.getvalue(), "broken-xml.xlsx"),
                       (cut_in_a_character, "cut-bom.csv"), (utf16[:-1], "cut-utf16.csv"),
                       (b"x" * (importer.MAX_FILE_BYTES + 1), "big.csv")):
        plan = importer.prepare_import(fresh_engine, data, name, "2023-H1")
        assert not plan.ok and plan.errors[0].row == 0


KILL_SCRIPT = """
import sys, time, pathlib
sys.path.insert(0, {root!r})
from hxcore.io import auth, importer
from hxcore.db.schema import make_engine
def hold_the_transaction_open(conn):
    pathlib.Path({flag!r}).write_text("writing")
    time.sleep(60)
data = pathlib.Path({file!r}).read_bytes()
importer.commit_import(make_engine({url!r}), data, "htx.csv", "2023-H1", auth._issue("killer", auth.Role.EDITOR),
                       before_commit=hold_the_transaction_open)
"""


def test_killed_import_leaves_database_intact(tmp_path, demo_db_path):
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    importer.database_fingerprint(engine)
    schema.create_schema(engine)
    before = importer.database_fingerprint(engine)
    file, flag = tmp_path / "htx.csv", tmp_path / "flag"
    file.write_bytes(csv_text().encode())
    script = KILL_SCRIPT.format(root=str(ROOT), flag=str(flag), file=str(file), url=url)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.time() + 60
        while not flag.exists():
            assert process.poll() is None, "the import process ended before writing"
            assert time.time() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    engine.dispose()
    assert importer.database_fingerprint(make_engine(url)) == before


def test_columns_left_out_keep_what_the_database_has(tmp_path, demo_db_path):
    """A register or return without the optional columns changes nothing it does not mention."""
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        org = conn.execute(select(o).where(o.c.name == "HTX Ứng Thìn")).mappings().one()
        fact = conn.execute(select(f).where(f.c.org_id == org["id"], f.c.as_of == date(2023, 6, 30))).mappings().one()
    commune = org["commune_code"]
    register = ("Tên HTX,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký\r\n"
                f"HTX Ứng Thìn,Mường Tè,{commune},Nông, lâm nghiệp, thủy sản,{org['registered_on']:%d/%m/%Y}\r\n")
    register = register.replace("Nông, lâm nghiệp, thủy sản", '"Nông, lâm nghiệp, thủy sản"')
    plan = importer.prepare_import(engine, register.encode(), "htx.csv", "2023-H1")
    assert plan.ok, plan.errors
    assert not any(op[0] == "organisations" and "alliance_joined_on" in op[3] for op in plan.ops)
    returns = ("Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên\r\n"
               f"HTX Ứng Thìn,Mường Tè,Đang hoạt động,{fact['members']},{fact['workers']}\r\n")
    importer.commit_import(engine, returns.encode(), "facts.csv", "2023-H1", EDITOR)
    with engine.connect() as conn:
        after = conn.execute(select(f).where(f.c.org_id == org["id"], f.c.as_of == date(2023, 6, 30))).mappings().one()
    assert (after["charter_capital"], after["revenue"], after["rating"]) == (
        fact["charter_capital"], fact["revenue"], fact["rating"])
    frame = evaluate(engine, Filter("2023-H1"), ["coops_alliance_members", "coop_charter_capital"], compare=False)
    assert frame.set_index("indicator")["value"].to_dict() == {"coops_alliance_members": 176,
                                                               "coop_charter_capital": 1_056_714}
