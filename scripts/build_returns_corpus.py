"""Build tests/data/returns/: half-year returns laid out the way district offices send them, from the demo data.

    .venv/bin/python scripts/build_returns_corpus.py [--db sqlite:///path]   (default: a fresh demo in a temp dir)

Each file takes the cooperatives of one district at 30/6/2023 from the demo database, changes a few
figures (one more member for the first three, one cooperative stopped), and lays them out with one
convention of a real "Biểu" (title block, two-row merged header and numbering row, section rows by
sector, total rows right and wrong, notes and hidden sheets, "-" cells, mixed number forms, NFD
text, names without diacritics, .xls, .ods, TCVN3 text, units on the wrong side of the 2025 reform,
a district of another province). expected.json says, for each file, what the import must give: the
figures each organisation ends with (computed here from the demo rows written), or the refusal's
words. tests/test_returns.py checks every file against it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import xlwt
from openpyxl import Workbook
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hxcore.db import schema  # noqa: E402
from hxcore.db.schema import make_engine  # noqa: E402
from hxcore.io.demo import build_demo  # noqa: E402
from hxcore.io.importer.context import org_key_name  # noqa: E402
from hxcore.io.importer.legacy import encode  # noqa: E402
from hxcore.model.areas import REFERENCE, REFORM, bare_name, fold  # noqa: E402
from hxcore.model.vocab import SECTORS  # noqa: E402

OUT = ROOT / "tests" / "data" / "returns"
AS_OF = "2023-06-30"
PERIOD = "2023-H1"
DISTRICT = ("106", "Tam Đường")
SECTOR_LABEL = {s.code: s.label_vi for s in SECTORS if s.org_type.value == "coop"}
STATUS_WORDS = {"operating": "Đang HĐ", "stopped": "Ngừng HĐ"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
TITLE = ["UBND HUYỆN TAM ĐƯỜNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
         "Biểu số 01", "TÌNH HÌNH HOẠT ĐỘNG CỦA CÁC HỢP TÁC XÃ 6 THÁNG ĐẦU NĂM 2023",
         "(Kèm theo Báo cáo số 125/BC-UBND ngày 05/7/2023 của UBND huyện Tam Đường)", "Đơn vị tính: triệu đồng, người"]
PARENT = ["STT", "Tên hợp tác xã", "Tình trạng", "Vốn điều lệ (triệu đồng)", "Thành viên, lao động (người)", ""]
CHILD = ["", "", "", "", "Số thành viên", "Số lao động"]
NUMBERING = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"]
SIGNATURE = [["Ghi chú: số liệu ước đến 30/6/2023."], ["Tam Đường, ngày 05 tháng 7 năm 2023"],
             ["NGƯỜI LẬP BIỂU", "", "", "KT. CHỦ TỊCH"], ["(Ký, ghi rõ họ tên)", "", "", "PHÓ CHỦ TỊCH"]]


def demo_rows(db_url: str) -> list[dict]:
    """The district's cooperatives with figures at 30/6/2023, names unique within the district, sorted by sector."""
    engine = make_engine(db_url)
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(o.c.name, o.c.sector_code, f.c.status, f.c.charter_capital, f.c.members, f.c.workers)
            .join(f, f.c.org_id == o.c.id)
            .where(o.c.district_code == DISTRICT[0], o.c.org_type == "coop", f.c.as_of == AS_OF, o.c.tax_code.is_(None))
            .order_by(o.c.sector_code, o.c.id)).mappings()]
    keys = [org_key_name(r["name"]) for r in rows]
    return [r for r, k in zip(rows, keys, strict=True) if keys.count(k) == 1]


def changed(rows: list[dict]) -> list[dict]:
    """The figures the office reports: one more member for the first three, the first operating one stopped."""
    out = [dict(r) for r in rows]
    for row in out[:3]:
        row["members"] += 1
    first = next(r for r in out if r["status"] == "operating")
    first["status"] = "stopped"
    return out


def expected_figures(rows: list[dict]) -> dict:
    return {r["name"]: {"status": r["status"], "members": r["members"], "workers": r["workers"],
                        "charter_capital": r["charter_capital"]} for r in rows}


def form_rows(rows: list[dict], *, total_delta: int = 0, name=lambda n: n, cell=lambda v: v) -> list[list]:
    """The body of the form below the header: total row, section rows by sector, data rows."""
    body = [["", "Tổng cộng", "", sum(r["charter_capital"] for r in rows),
             sum(r["members"] for r in rows) + total_delta, sum(r["workers"] for r in rows)]]
    sector, section = None, -1
    for number, row in enumerate(rows, start=1):
        if row["sector_code"] != sector:
            sector, section = row["sector_code"], section + 1
            body.append([ROMAN[section], SECTOR_LABEL[sector]])
        body.append([number, name(row["name"]), STATUS_WORDS[row["status"]], cell(row["charter_capital"]),
                     cell(row["members"]), cell(row["workers"])])
    return body


def form(rows: list[dict], **options) -> tuple[list[list], list[tuple[int, int, int, int]]]:
    """(rows, merges as (first row, last row, first col, last col), 0-based) of the whole "Biểu"."""
    lines = [[text] for text in TITLE] + [PARENT, CHILD, NUMBERING] + form_rows(rows, **options) + [[]] + SIGNATURE
    header = len(TITLE)
    merges = [(header, header, 4, 5)] + [(header, header + 1, c, c) for c in range(4)]
    return lines, merges


def xlsx(sheets: list[tuple[str, list[list], list, bool]]) -> bytes:
    """sheets: (name, rows, merges, hidden)."""
    book = Workbook()
    book.remove(book.active)
    for name, lines, merges, hidden in sheets:
        ws = book.create_sheet(name)
        for line in lines:
            ws.append(line)
        for r1, r2, c1, c2 in merges:
            ws.merge_cells(start_row=r1 + 1, end_row=r2 + 1, start_column=c1 + 1, end_column=c2 + 1)
        if hidden:
            ws.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(name: str, lines: list[list], merges: list) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(name)
    merged = {(r1, c1) for r1, _, c1, _ in merges}
    covered = {(r, c) for r1, r2, c1, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - merged
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            if (r, c) in covered or value in ("", None):
                continue
            span = next(((r2, c2) for r1, r2, c1, c2 in merges if (r1, c1) == (r, c)), None)
            if span:
                ws.write_merge(r, span[0], c, span[1], value)
            else:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(lines: list[list]) -> bytes:
    width = max(len(line) for line in lines)
    frame = pd.DataFrame([line + [None] * (width - len(line)) for line in lines])
    buffer = io.BytesIO()
    frame.to_excel(buffer, engine="odf", header=False, index=False, sheet_name="Biểu 01")
    return buffer.getvalue()


def csv_bytes(lines: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode("utf-8-sig")


def mixed_number(value, index: int) -> str:
    """1.234 / 1,234 / 1234 / 12,5: the forms a number takes in one office's files."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value}".replace(".", ",")
    whole = int(value)
    forms = [f"{whole:,}".replace(",", "."), f"{whole:,}", str(whole)]
    return forms[index % 3]


def new_name_elsewhere() -> tuple[str, str]:
    """A 2025 commune formed across two districts, and the district where no old commune had its name:
    a clerk there writing the new name for a date before the reform."""
    for code, districts in sorted(REFORM.crossing_borders().items()):
        name = REFORM.names[(code, "new")]
        namesake = next((_district_of(o) for o in REFORM.predecessors[code]
                         if bare_name(REFORM.names[(o, "old")]) == bare_name(name)), None)
        other = next((d for d in districts if d != namesake), None)
        if other:
            return name, other
    raise SystemExit("no 2025 commune formed across districts")


def register(lines_extra: list[list], header: list[str]) -> bytes:
    return xlsx([("Danh sách HTX", [header, *lines_extra], [], False)])


def build(db_url: str) -> dict:
    base = demo_rows(db_url)
    rows = changed(base)
    figures = expected_figures(rows)
    ok = {"outcome": "imported", "period": PERIOD, "figures": figures}
    lines, merges = form(rows)
    files: dict[str, tuple[bytes, dict]] = {}
    files["01-bieu-tam-duong.xlsx"] = (xlsx([("Biểu 01", lines, merges, False)]),
                                       {**ok, "notices": ["tiêu đề biểu", "dòng tổng: không nhập; khớp"]})
    wrong, _ = form(rows, total_delta=7)
    members = sum(r["members"] for r in rows)
    files["02-tong-sai.xlsx"] = (xlsx([("Biểu 01", wrong, merges, False)]),
                                 {**ok, "warnings": [f"ghi {members + 7:,}".replace(",", "."),
                                                     f"được {members:,}".replace(",", ".")]})
    notes = [["THUYẾT MINH SỐ LIỆU"], ["Số liệu do các HTX tự báo cáo, Phòng Kinh tế tổng hợp."]]
    files["03-trang-thuyet-minh.xlsx"] = (xlsx([("Thuyết minh số liệu", notes, [], False), ("Biểu 01", lines, merges, False)]),
                                          {**ok, "notices": ["Thuyết minh số liệu"]})
    stale, _ = form(base)
    files["04-trang-an.xlsx"] = (xlsx([("Biểu 01", lines, merges, False), ("Số liệu cũ", stale, merges, True)]),
                                 {**ok, "notices": ["Số liệu cũ", "bị ẩn"]})
    dashed = [dict(r, workers=0) for r in rows]
    dash_lines, _ = form(dashed, cell=lambda v: "-" if v == 0 else v)
    files["05-o-gach-ngang.xlsx"] = (xlsx([("Biểu 01", dash_lines, merges, False)]),
                                     {**ok, "figures": expected_figures(dashed), "notices": ["được hiểu là 0"]})
    plain = [["STT", "Tên HTX", "Huyện", "Tình trạng", "Vốn điều lệ", "Số thành viên", "Số lao động"]]
    plain += [[i + 1, r["name"], "Tam Đường", STATUS_WORDS[r["status"]], mixed_number(r["charter_capital"], i),
               mixed_number(r["members"], i + 1), mixed_number(r["workers"], i + 2)] for i, r in enumerate(rows)]
    files["06-so-nhieu-kieu.csv"] = (csv_bytes(plain), ok)
    nfd = [[unicodedata.normalize("NFD", str(v)) if isinstance(v, str) else v for v in line] for line in plain]
    files["07-chu-nfd.csv"] = (csv_bytes(nfd), ok)
    bare, _ = form(rows, name=lambda n: fold(n).upper().replace("HTX", "HTX"))
    files["08-ten-khong-dau.xlsx"] = (xlsx([("Biểu 01", bare, merges, False)]), ok)
    files["09-excel-97.xls"] = (xls("Biểu 01", lines, merges), ok)
    files["10-libreoffice.ods"] = (ods(lines), ok)
    legacy_lines = [[encode(v, "tcvn3") if isinstance(v, str) else v for v in line] for line in lines]
    files["11-phong-tcvn3.xlsx"] = (xlsx([("Bieu 01", legacy_lines, merges, False)]), {**ok, "notices": ["TCVN3"]})
    new_name, district_code = new_name_elsewhere()
    reg_header = ["STT", "Tên HTX", "Huyện/thành phố", "Xã/phường/thị trấn", "Lĩnh vực", "Ngày đăng ký"]
    district_name = REFORM.names[(district_code, "old")]
    files["12-xa-moi-truoc-cai-cach.xlsx"] = (
        register([[1, "HTX Nông nghiệp Thử Nghiệm", district_name, new_name, "Nông nghiệp", "15/3/2023"]], reg_header),
        {"outcome": "refused", "period": PERIOD, "message": ["1670/NQ-UBTVQH15", "hợp nhất từ", new_name]})
    outside = [["UBND HUYỆN BÁT XÁT"], *lines[1:]]
    files["13-huyen-ngoai-tinh.xlsx"] = (xlsx([("Biểu 01", outside, merges, False)]),
                                        {"outcome": "refused", "period": PERIOD, "message": ["Bát Xát", "Huyện Tam Đường"]})
    files["14-hai-trang-cung-don-vi.xlsx"] = (
        xlsx([("Biểu 01", lines, merges, False), ("Biểu 01 (sửa)", lines, merges, False)]),
        {"outcome": "refused", "period": PERIOD, "message": ["Biểu 01 (sửa)", "trang tính 'Biểu 01'"]})
    odd = ["STT", "Tên HTX", "Huyện/thành phố", "Địa bàn xã", "Lĩnh vực", "Ngày đăng ký"]
    files["15-cot-la.xlsx"] = (
        register([[1, "HTX Dịch vụ Bình Lư Mới", "Tam Đường", "Bình Lư", "Dịch vụ", "15/3/2023"]], odd),
        {"outcome": "refused", "period": PERIOD, "message": ["Không thấy cột 'Xã/phường/thị trấn'", "'Địa bàn xã'"],
         "mapping": {"coops": {"commune": "Địa bàn xã"}}, "mapped_figures": {"HTX Dịch vụ Bình Lư Mới": "03412"}})
    after_header = ["STT", "Tên HTX", "Xã/phường", "Lĩnh vực", "Ngày đăng ký"]
    files["16-sau-cai-cach.xlsx"] = (
        register([[1, "HTX Chè Sin Suối Hồ Mới", "Sin Suoi Ho", "Nông nghiệp", "10/9/2025"],
                  [2, "HTX Dịch vụ Sơn Bình", "Xã Sơn Bình", "Dịch vụ", "12/9/2025"]], after_header),
        {"outcome": "imported", "period": "2025-H2", "communes_2025": {"HTX Chè Sin Suối Hồ Mới": _new_code("Xã Sin Suối Hồ"),
                                                                       "HTX Dịch vụ Sơn Bình": _successor_of("Xã Sơn Bình")},
         "notices": ["Xã Sơn Bình", "từ ngày đó thuộc"]})
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (data, expected) in files.items():
        (OUT / name).write_bytes(data)
        manifest[name] = expected
    (OUT / "expected.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return manifest


def _district_of(old_commune: str) -> str:
    return next(a.parent_code for a in REFERENCE if a.code == old_commune and a.valid_to)


def _new_code(name: str) -> str:
    return next(code for (code, side), n in REFORM.names.items() if side == "new" and n == name)


def _successor_of(old_name: str) -> str:
    return REFORM.successor[next(code for (code, side), n in REFORM.names.items() if side == "old" and n == old_name)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a demo database to read (default: one built in a temp dir)")
    args = parser.parse_args()
    if args.db:
        manifest = build(args.db)
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
            build_demo(make_engine(url))
            manifest = build(url)
    print(f"{len(manifest)} tệp trong {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
