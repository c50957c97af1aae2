"""Import registers and half-year returns from the Excel/CSV files offices really produce.

`prepare_import` reads and validates every row without writing (the dry run); `commit_import`
does it again inside one transaction, after a backup copy of the SQLite file, and writes all or
nothing. Every committed import is logged with what it changed, so `undo_import` can put the
rows back. Writes need an editor `Session` (hxcore.auth): the check is here, not in the page.

The sheets and their columns are declared below as rows (SHEETS): a column's Vietnamese
header, the other headers offices use for it, its type, whether it is required, its range.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import sqlite3
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from hxcore.db import schema
from hxcore.engine.summary import data_changed
from hxcore.io.auth import Session, require_editor
from hxcore.model.areas import PROVINCE_CODE, AmbiguousName, bare_name, fold, match_area, read_reference, slugify
from hxcore.model.periods import Period
from hxcore.model.vocab import SECTORS, OrgKind, Rating, Status, TrainingKind

MAX_FILE_BYTES = 10 * 1024 * 1024  # the upload limit: a province's registers are far smaller
MAX_ROWS = 20000
EXAMPLE_MARK = "vi du"  # rows with a cell starting "VÍ DỤ" are the templates' example rows
GUIDE_SHEETS = {"huongdan", "ghichu", "readme"}  # explanation sheets of the templates, never imported


class ImportRejected(ValueError):
    """The file has errors: nothing was written. `plan.problems` lists them."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} lỗi: không ghi dữ liệu nào.")
        self.plan = plan


# --- declarations -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    key: str
    header: str  # the template's Vietnamese header
    kind: str  # text | int | float | date | district | commune | sector | status | rating | bool | org_kind | class_kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    example: object = ""
    expected: str = ""  # what a valid value looks like, for the error report


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # the sheet's name in the template
    table: str
    columns: tuple[Col, ...]
    aliases: tuple[str, ...] = ()

    def col(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


_DISTRICT = Col("district", "Huyện/thành phố", "district", True, ("Huyện", "Huyện/TP", "Huyện, thành phố", "Đơn vị hành chính"),
                example="Huyện Tam Đường", expected="tên huyện/thành phố của tỉnh (có hoặc không dấu, có hoặc không 'Huyện')")
_COMMUNE = Col("commune", "Xã/phường/thị trấn", "commune", True, ("Xã", "Xã/phường", "Xã, phường, thị trấn", "Xã/phường/TT"),
               example="Xã Bình Lư", expected="tên xã/phường/thị trấn thuộc huyện đã ghi")
_TAX = Col("tax_code", "Mã số HTX", "text", False, ("Mã số thuế", "MST", "Mã số", "Mã số doanh nghiệp"),
           example="6200123456", expected="mã số HTX/mã số thuế (không bắt buộc)")

SHEETS: tuple[Sheet, ...] = (
    Sheet("coops", "Hợp tác xã", "organisations", (
        Col("name", "Tên HTX", "text", True, ("Tên hợp tác xã", "Tên đơn vị", "Tên"), example="VÍ DỤ HTX Nông nghiệp Bình Lư",
            expected="tên HTX"),
        _TAX,
        Col("kind", "Loại hình", "org_kind", False, ("Loại",), example="HTX",
            expected="HTX, Quỹ tín dụng nhân dân hoặc Liên hiệp HTX"),
        _DISTRICT, _COMMUNE,
        Col("sector", "Lĩnh vực", "sector", True, ("Ngành", "Lĩnh vực hoạt động"), example="Nông, lâm nghiệp, thủy sản",
            expected="một lĩnh vực: nông nghiệp, công nghiệp, xây dựng, thương mại, vận tải, môi trường, quỹ tín dụng"),
        Col("registered_on", "Ngày đăng ký", "date", True, ("Ngày thành lập", "Ngày cấp đăng ký", "Ngày ĐKKD"),
            example="15/3/2023", expected="ngày dạng 30/6/2023 hoặc 2023-06-30"),
        Col("dissolved_on", "Ngày giải thể", "date", False, (), expected="ngày giải thể, sau ngày đăng ký (để trống nếu còn)"),
        Col("alliance_joined_on", "Ngày gia nhập Liên minh", "date", False, ("Ngày vào Liên minh",), example="",
            expected="ngày gia nhập Liên minh HTX tỉnh (để trống nếu chưa)"),
        Col("founding_supported", "Liên minh tư vấn thành lập", "bool", False, ("Tư vấn thành lập",), example="Có",
            expected="Có hoặc Không"),
    ), ("HTX", "Danh sách HTX", "Hop tac xa")),
    Sheet("groups", "Tổ hợp tác", "organisations", (
        Col("name", "Tên THT", "text", True, ("Tên tổ hợp tác", "Tên đơn vị", "Tên"), example="VÍ DỤ THT chăn nuôi Bản Hon",
            expected="tên tổ hợp tác"),
        _DISTRICT, _COMMUNE,
        Col("sector", "Lĩnh vực", "sector", True, ("Ngành",), example="Nông nghiệp", expected="Nông nghiệp hoặc Phi nông nghiệp"),
        Col("registered_on", "Ngày thành lập", "date", True, ("Ngày đăng ký", "Ngày chứng thực"), example="2/4/2023",
            expected="ngày dạng 30/6/2023 hoặc 2023-06-30"),
        Col("dissolved_on", "Ngày chấm dứt", "date", False, ("Ngày giải thể",), expected="sau ngày thành lập (để trống nếu còn)"),
    ), ("THT", "Danh sách THT", "To hop tac")),
    Sheet("facts", "Số liệu 6 tháng", "facts", (
        Col("name", "Tên đơn vị", "text", True, ("Tên HTX", "Tên THT", "Tên HTX/THT", "Tên"), example="VÍ DỤ HTX Nông nghiệp Bình Lư",
            expected="tên HTX/THT đã có trong danh sách"),
        _TAX, _DISTRICT,
        Col("status", "Tình trạng", "status", True, ("Trạng thái", "Tình trạng hoạt động"), example="Đang hoạt động",
            expected="Đang hoạt động hoặc Ngừng hoạt động"),
        Col("charter_capital", "Vốn điều lệ (triệu đồng)", "float", False, ("Vốn điều lệ", "Vốn đăng ký"), 0, 1_000_000, 1500,
            "số triệu đồng, từ 0 đến 1.000.000"),
        Col("members", "Số thành viên", "int", True, ("Thành viên",), 0, 100_000, 12, "số nguyên từ 0 đến 100.000"),
        Col("workers", "Số lao động thường xuyên", "int", True, ("Lao động", "Số lao động", "Lao động thường xuyên"), 0, 5_000, 15,
            "số nguyên từ 0 đến 5.000"),
        Col("revenue", "Doanh thu (triệu đồng)", "float", False, ("Doanh thu",), 0, 10_000_000, 820,
            "số triệu đồng trong kỳ báo cáo (6 tháng, hoặc từ kỳ báo cáo trước), không âm"),
        Col("avg_income_month", "Thu nhập bình quân (triệu đồng/người/tháng)", "float", False,
            ("Thu nhập bình quân", "Thu nhập bình quân tháng", "Thu nhập BQ"), 0, 200, "4,5", "triệu đồng/người/tháng, từ 0 đến 200"),
        Col("rating", "Xếp loại", "rating", False, ("Đánh giá", "Phân loại"), example="Khá", expected="Tốt, Khá, Trung bình hoặc Yếu"),
        Col("new_members", "Thành viên mới", "int", False, ("Thành viên thu hút mới",), 0, 100_000, 2,
            "số thành viên mới trong kỳ báo cáo (không cộng dồn từ đầu năm), số nguyên không âm"),
        Col("new_workers", "Lao động mới", "int", False, ("Lao động thu hút mới",), 0, 5_000, 3,
            "số lao động mới trong kỳ báo cáo (không cộng dồn từ đầu năm), số nguyên không âm"),
    ), ("So lieu", "So lieu 6 thang", "Bao cao 6 thang", "Số liệu")),
    Sheet("training", "Lớp tập huấn", "training_classes", (
        Col("held_on", "Ngày tổ chức", "date", True, ("Ngày", "Ngày mở lớp"), example="12/4/2023", expected="ngày trong kỳ báo cáo"),
        _DISTRICT,
        Col("class_kind", "Loại lớp", "class_kind", True, ("Loại",), example="Tuyên truyền",
            expected="Tuyên truyền hoặc Bồi dưỡng cán bộ quản lý"),
        Col("title", "Tên lớp", "text", True, ("Nội dung",), example="VÍ DỤ Tuyên truyền Luật HTX", expected="tên lớp"),
        Col("trainees", "Số học viên", "int", True, ("Học viên",), 0, 2_000, 45, "số nguyên từ 0 đến 2.000"),
    ), ("Lop tap huan", "Tập huấn", "Đào tạo")),
    Sheet("loans", "Vay Quỹ", "fund_loans", (
        Col("name", "Tên HTX", "text", True, ("Tên đơn vị", "Tên"), example="VÍ DỤ HTX Nông nghiệp Bình Lư",
            expected="tên HTX đã có trong danh sách"),
        _TAX, _DISTRICT,
        Col("disbursed_on", "Ngày giải ngân", "date", True, ("Ngày vay",), example="20/5/2023", expected="ngày trong kỳ báo cáo"),
        Col("amount", "Số tiền (triệu đồng)", "float", True, ("Số tiền", "Số vốn vay"), 0.001, 100_000, 300,
            "số triệu đồng lớn hơn 0, đến 100.000"),
        Col("purpose", "Mục đích", "text", False, ("Mục đích vay",), example="Mua giống cây trồng", expected="mục đích vay"),
    ), ("Vay von", "Quỹ hỗ trợ", "Vay quy")),
)
SHEETS_BY_KEY = {s.key: s for s in SHEETS}

_SECTOR_WORDS = {  # folded keywords -> (org_type, sector code); ambiguous words are left out
    "coop": {"nong": "agriculture", "lam nghiep": "agriculture", "thuy san": "agriculture", "cong nghiep": "industry",
             "thu cong": "industry", "xay dung": "construction", "vat lieu": "construction", "thuong mai": "trade",
             "dich vu": "trade", "van tai": "transport", "moi truong": "environment", "ve sinh": "environment",
             "tin dung": "credit", "qtd": "credit"},
    "group": {"phi nong": "non_agriculture", "nong": "agriculture"},
}
_STATUS = {"dang hoat dong": Status.OPERATING, "hoat dong": Status.OPERATING, "operating": Status.OPERATING,
           "ngung hoat dong": Status.STOPPED, "ngung": Status.STOPPED, "tam ngung": Status.STOPPED,
           "stopped": Status.STOPPED}
_RATING = {"tot": Rating.GOOD, "kha": Rating.FAIR, "trung binh": Rating.AVERAGE, "tb": Rating.AVERAGE, "yeu": Rating.WEAK}
_BOOL = {"co": True, "x": True, "1": True, "yes": True, "true": True, "khong": False, "0": False, "no": False,
         "false": False}
_ORG_KIND = {"htx": OrgKind.HTX, "hop tac xa": OrgKind.HTX, "quy tin dung nhan dan": OrgKind.CREDIT_FUND,
             "qtdnd": OrgKind.CREDIT_FUND, "quy tin dung": OrgKind.CREDIT_FUND, "lien hiep htx": OrgKind.UNION,
             "lien hiep hop tac xa": OrgKind.UNION, "lhhtx": OrgKind.UNION}
_CLASS_KIND = {"tuyen truyen": TrainingKind.PROPAGANDA, "boi duong can bo quan ly": TrainingKind.MANAGER,
               "boi duong": TrainingKind.MANAGER, "can bo quan ly": TrainingKind.MANAGER}


# --- problems and plans -----------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # the row number as the office sees it in Excel (the header is usually row 1)
    column: str
    value: str
    expected: str
    severity: str = "lỗi"  # lỗi blocks the import; cảnh báo does not


PROBLEM_COLUMNS = {"sheet": "Trang tính", "row": "Dòng", "column": "Cột", "value": "Giá trị", "expected": "Yêu cầu",
                   "severity": "Mức độ"}


@dataclass
class ImportPlan:
    file_name: str
    sha256: str
    period: str
    problems: list[Problem] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)
    previews: dict[str, pd.DataFrame] = field(default_factory=dict)
    ops: list[tuple] = field(default_factory=list)  # (table, "insert"|"update", key dict, row dict, before dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "lỗi"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_added(self) -> int:
        return sum(1 for op in self.ops if op[1] == "insert")

    @property
    def rows_changed(self) -> int:
        return sum(1 for op in self.ops if op[1] == "update")

    def problems_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([p.__dict__ for p in self.problems], columns=list(PROBLEM_COLUMNS))
        return frame.rename(columns=PROBLEM_COLUMNS)

    def problems_csv(self) -> bytes:
        """The report as a CSV file Excel opens with its accents (UTF-8 with BOM)."""
        return self.problems_frame().to_csv(index=False).encode("utf-8-sig")

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.summary, columns=["Trang tính", "Loại", "Số dòng", "Thêm mới", "Thay đổi", "Không đổi"])


@dataclass(frozen=True)
class ImportRecord:
    id: int
    rows_added: int
    rows_changed: int
    backup_path: str | None
    data_version: str


# --- reading files ----------------------------------------------------------------------------

@dataclass
class RawSheet:
    name: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number in the file, cells)


class FileProblem(ValueError):
    pass


def _norm_header(text) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(str(text or "")))


def decode_text(data: bytes) -> str:
    """Text of a CSV export: UTF-8 with or without BOM, UTF-16, else Windows-1258 (which covers CP1252)."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        sample = data[:4000]
        if sample and sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM
            return data.decode("utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be")
    except UnicodeDecodeError as error:
        # The file announces its encoding but breaks it: most often a copy cut off mid-character.
        raise FileProblem(f"Tệp ghi mã {error.encoding.upper()} nhưng có byte không hợp lệ ở vị trí {error.start}: "
                          "tệp có thể bị cắt cụt hoặc hỏng; hãy xuất lại tệp từ Excel.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # Vietnamese Windows: tone marks as combining characters, composed by NFC below
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _find_header(rows: list[tuple[int, list]]) -> int:
    """Index of the header row: the first of the first ten rows naming at least two known columns."""
    known = {_norm_header(h) for s in SHEETS for c in s.columns for h in (c.header, *c.aliases)}
    for index, (_, cells) in enumerate(rows[:10]):
        if sum(1 for cell in cells if _norm_header(cell) in known) >= 2:
            return index
    return 0


def _raw(name: str, rows: list[tuple[int, list]]) -> RawSheet | None:
    rows = [(n, cells) for n, cells in rows]
    nonblank = [(n, c) for n, c in rows if any(str(x).strip() for x in c if x is not None)]
    if not nonblank:
        return None
    index = _find_header(nonblank)
    header_row, headers = nonblank[index]
    body = [(n, c) for n, c in rows if n > header_row]
    return RawSheet(name, header_row, [str(h).strip() if h is not None else "" for h in headers], body)


def read_file(data: bytes, file_name: str) -> list[RawSheet]:
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(f"tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileProblem("tệp rỗng")
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    return _read_csv(data, file_name)


# What a damaged workbook raises: a broken zip, a missing part, or XML cut off inside a part.
_BROKEN_XLSX = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, ElementTree.ParseError,
                InvalidFileException)


def _read_xlsx(data: bytes) -> list[RawSheet]:

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_XLSX as error:
        raise FileProblem(f"không đọc được tệp Excel (.xlsx), có thể tệp bị hỏng hoặc bị cắt: {error}") from None
    sheets = []
    try:
        for sheet in book.worksheets:
            rows = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise FileProblem(f"trang '{sheet.title}' có hơn {MAX_ROWS} dòng")
                rows.append((number, list(cells)))
            raw = _raw(sheet.title, rows)
            if raw:
                sheets.append(raw)
    except _BROKEN_XLSX as error:
        raise FileProblem(f"tệp Excel bị hỏng hoặc bị cắt: {error}") from None
    finally:
        book.close()
    return sheets


def _read_csv(data: bytes, file_name: str) -> list[RawSheet]:
    text = decode_text(data)
    if "\x00" in text:
        raise FileProblem("tệp không phải văn bản CSV")
    stripped = text.rstrip(" \t")
    if stripped and not stripped.endswith(("\n", "\r")) and stripped.count("\n") > 1:
        # Excel and the templates end every line; a file that stops mid-line was cut short.
        raise FileProblem("dòng cuối không kết thúc bằng xuống dòng: tệp có thể bị cắt cụt")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [(number, cells) for number, cells in enumerate(reader, start=1)]
    except csv.Error as error:
        raise FileProblem(f"tệp CSV không đúng định dạng: {error}") from None
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"tệp có hơn {MAX_ROWS} dòng")
    raw = _raw(Path(file_name).stem or "CSV", rows)
    return [raw] if raw else []


# --- parsing values ---------------------------------------------------------------------------

class Invalid(ValueError):
    pass


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def parse_number(value) -> float:
    """1.056.714, 1,056,714, 1056714, 4,3 or 4.3; a group of three digits after one separator is thousands."""
    if isinstance(value, bool):
        raise Invalid(value)
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid(value)
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    if re.fullmatch(r"\d+", text):
        number = text
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        number = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        number = text.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", text):
        number = text.replace(",", ".")
    elif re.fullmatch(r"\d*\.\d+", text):
        number = text
    else:
        raise Invalid(value)
    return sign * float(number)


_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value) -> date:
    """30/6/2023, 30-06-2023, 30.6.2023, 2023-06-30, an Excel date cell or an Excel serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise Invalid(value)
    text = str(value).strip()
    text = re.sub(r"[ T]0?0:00(:00)?(\.0+)?$", "", text)
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            y, m, d = map(int, text.split("-"))
            return date(y, m, d)
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            d, m, y = map(int, match.groups())
            return date(y, m, d)
        if re.fullmatch(r"\d{5}", text):
            return _EXCEL_EPOCH + timedelta(days=int(text))
    except ValueError:
        raise Invalid(value) from None
    raise Invalid(value)


def _lookup_word(value, table: dict):
    key = fold(str(value)).strip(" .")
    if key in table:
        return table[key]
    raise Invalid(value)


def parse_sector(value, org_type: str) -> str:
    key = fold(str(value)).strip()
    for sector in SECTORS:
        if sector.org_type.value == org_type and key in (sector.code, fold(sector.label_vi), fold(sector.label_en)):
            return sector.code
    hits = {code for word, code in _SECTOR_WORDS[org_type].items() if word in key}
    if org_type == "group" and "non_agriculture" in hits:
        hits = {"non_agriculture"}
    if len(hits) == 1:
        return hits.pop()
    raise Invalid(value)


def _display(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return "" if value is None else str(value)


# --- reference data ---------------------------------------------------------------------------

@dataclass
class _Context:
    as_of: date
    period: Period
    districts: list[tuple[str, str]]
    communes: dict[str, list[tuple[str, str]]]
    province_of: dict[str, str]  # district code -> its province: the same importer serves a national database
    orgs: list[dict]
    next_org_id: int


def _area_rows(conn: Connection, as_of: date) -> list[dict]:
    a = schema.areas
    rows = [dict(r) for r in conn.execute(select(a)).mappings()]
    if not rows:
        rows = [{"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code,
                 "valid_from": r.valid_from, "valid_to": r.valid_to} for r in read_reference()]
    return [r for r in rows if r["valid_from"] <= as_of and (r["valid_to"] is None or r["valid_to"] >= as_of)]


def _context(conn: Connection, period: Period) -> _Context:
    areas = _area_rows(conn, period.end)
    districts = sorted((r["code"], r["name"]) for r in areas if r["level"] == "district")
    communes: dict[str, list[tuple[str, str]]] = {}
    for r in areas:
        if r["level"] == "commune":
            communes.setdefault(r["parent_code"], []).append((r["code"], r["name"]))
    orgs = [dict(r) for r in conn.execute(select(schema.organisations)).mappings()]
    next_id = (conn.execute(select(func.max(schema.organisations.c.id))).scalar() or 0) + 1
    province_of = {r["code"]: r["parent_code"] for r in areas if r["level"] == "district"}
    return _Context(period.end, period, districts, communes, province_of, orgs, next_id)


def _match(token: str, candidates: list[tuple[str, str]], what: str) -> str:
    try:
        code = match_area(token, candidates)
    except AmbiguousName as error:
        raise Invalid(f"{error}; hãy ghi rõ mã hoặc tên đầy đủ") from None
    if code:
        return code

    names = {bare_name(name): name for _, name in candidates}
    close = difflib.get_close_matches(bare_name(token), list(names), n=3, cutoff=0.75)
    hint = f"; có phải: {', '.join(names[c] for c in close)}? (hãy sửa trong tệp, hệ thống không tự đoán)" if close else ""
    raise Invalid(f"không có {what} trong danh mục{hint}")


def org_key_name(name: str) -> str:
    folded = fold(name)
    folded = re.sub(r"\bhop tac xa\b", "htx", folded)
    folded = re.sub(r"\bto hop tac\b", "tht", folded)
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


# --- validating one sheet ---------------------------------------------------------------------

def _identify(raw: RawSheet) -> Sheet | None:
    by_name = _norm_header(raw.name)
    for spec in SHEETS:
        if by_name in {_norm_header(n) for n in (spec.title, spec.key, *spec.aliases)}:
            return spec
    best, best_score = None, 0
    headers = {_norm_header(h) for h in raw.headers}
    for spec in SHEETS:
        score = sum(1 for c in spec.columns if c.required and headers & {_norm_header(h) for h in (c.header, *c.aliases)})
        required = sum(1 for c in spec.columns if c.required)
        exact = sum(1 for c in spec.columns if _norm_header(c.header) in headers)
        if score == required and (score, exact) > (best_score, 0):
            best, best_score = spec, score
    return best


def _map_columns(raw: RawSheet, spec: Sheet, problems: list[Problem]) -> dict[str, int]:
    lookup = {}
    for col in spec.columns:
        for header in (col.header, *col.aliases):
            lookup.setdefault(_norm_header(header), col.key)
    mapping: dict[str, int] = {}
    for index, header in enumerate(raw.headers):
        key = lookup.get(_norm_header(header))
        if not header.strip():
            continue
        if key is None:
            problems.append(Problem(raw.name, raw.header_row, header, header, "cột không dùng đến: bỏ qua", "cảnh báo"))
        elif key in mapping:
            problems.append(Problem(raw.name, raw.header_row, header, header,
                                    f"cột '{spec.col(key).header}' xuất hiện hai lần"))
        else:
            mapping[key] = index
    for col in spec.columns:
        if col.required and col.key not in mapping:
            problems.append(Problem(raw.name, raw.header_row, col.header, "", f"thiếu cột bắt buộc '{col.header}'"))
    return mapping


def _parse_cell(col: Col, value, row: dict, ctx: _Context, org_type: str):
    if col.kind == "text":
        text = re.sub(r"\s+", " ", str(value)).strip()
        if len(text) > 250:
            raise Invalid("quá 250 ký tự")
        return text
    if col.kind in ("int", "float"):
        number = parse_number(value)
        if col.kind == "int" and not float(number).is_integer():
            raise Invalid("phải là số nguyên")
        if (col.low is not None and number < col.low) or (col.high is not None and number > col.high):
            raise Invalid("ngoài khoảng cho phép")
        return int(number) if col.kind == "int" else number
    if col.kind == "date":
        day = parse_date(value)
        if not date(1950, 1, 1) <= day <= date.today():
            raise Invalid("ngày không hợp lý")
        return day
    if col.kind == "district":
        return _match(str(value), ctx.districts, "huyện/thành phố")
    if col.kind == "commune":
        district = row.get("district")
        if not district:
            raise Invalid("chưa xác định được huyện")
        return _match(str(value), ctx.communes.get(district, []), "xã/phường/thị trấn ở huyện này")
    if col.kind == "sector":
        return parse_sector(value, org_type)
    if col.kind == "status":
        return _lookup_word(value, _STATUS).value
    if col.kind == "rating":
        return _lookup_word(value, _RATING).value
    if col.kind == "bool":
        return _lookup_word(value, _BOOL)
    if col.kind == "org_kind":
        return _lookup_word(value, _ORG_KIND).value
    if col.kind == "class_kind":
        return _lookup_word(value, _CLASS_KIND).value
    raise ValueError(col.kind)


def _parse_rows(raw: RawSheet, spec: Sheet, mapping: dict[str, int], ctx: _Context,
                problems: list[Problem]) -> list[tuple[int, dict]]:
    org_type = "group" if spec.key == "groups" else "coop"
    parsed = []
    order = sorted(spec.columns, key=lambda c: (c.kind == "commune",))  # the commune needs the district first
    for number, cells in raw.rows:
        values = {key: cells[i] if i < len(cells) else None for key, i in mapping.items()}
        if all(_blank(v) for v in values.values()):
            continue
        first = next((v for v in values.values() if isinstance(v, str) and fold(v).startswith(EXAMPLE_MARK)), None)
        if first is not None:
            problems.append(Problem(raw.name, number, "", _display(first), "dòng ví dụ của mẫu: bỏ qua", "cảnh báo"))
            continue
        row, failed = {}, False
        for col in order:
            if col.key not in mapping:
                continue
            value = values[col.key]
            header = raw.headers[mapping[col.key]]
            if _blank(value):
                if col.required:
                    problems.append(Problem(raw.name, number, header, "", f"bắt buộc: {col.expected}"))
                    failed = True
                continue
            try:
                row[col.key] = _parse_cell(col, value, row, ctx, org_type)
            except Invalid as error:
                reason = error.args[0] if error.args and isinstance(error.args[0], str) else ""
                expected = f"{reason}: {col.expected}" if reason and reason != str(value) else col.expected
                problems.append(Problem(raw.name, number, header, _display(value), expected))
                failed = True
        if not failed:
            parsed.append((number, row))
    return parsed


# --- planning writes --------------------------------------------------------------------------

def _find_org(ctx: _Context, name: str, district: str, tax_code: str | None, org_types: tuple[str, ...]) -> list[dict]:
    if tax_code:
        hits = [o for o in ctx.orgs if o.get("tax_code") == tax_code]
        if hits:
            return hits
    key = org_key_name(name)
    return [o for o in ctx.orgs if o["org_type"] in org_types and o["district_code"] == district
            and org_key_name(o["name"]) == key]


def _plan_orgs(raw_name, spec, rows, ctx, problems, plan) -> dict:
    counts = {"added": 0, "changed": 0, "same": 0}
    seen: dict[tuple, int] = {}
    org_type = "group" if spec.key == "groups" else None
    for number, row in rows:
        kind = OrgKind.THT.value if spec.key == "groups" else row.get("kind", OrgKind.HTX.value)
        this_type = org_type or ("union" if kind == OrgKind.UNION.value else "coop")
        if row.get("dissolved_on") and row["dissolved_on"] < row["registered_on"]:
            problems.append(Problem(raw_name, number, spec.col("dissolved_on").header, _display(row["dissolved_on"]),
                                    "ngày giải thể phải sau ngày đăng ký"))
            continue
        if row.get("alliance_joined_on") and row["alliance_joined_on"] < row["registered_on"]:
            problems.append(Problem(raw_name, number, spec.col("alliance_joined_on").header,
                                    _display(row["alliance_joined_on"]), "ngày gia nhập Liên minh phải sau ngày đăng ký"))
            continue
        key = ("tax", row["tax_code"]) if row.get("tax_code") else (this_type, org_key_name(row["name"]), row["district"])
        if key in seen:
            problems.append(Problem(raw_name, number, spec.col("name").header, row["name"],
                                    f"trùng với dòng {seen[key]} trong tệp"))
            continue
        seen[key] = number
        if kind == OrgKind.CREDIT_FUND.value and row["sector"] != "credit" or \
                row["sector"] == "credit" and kind != OrgKind.CREDIT_FUND.value:
            problems.append(Problem(raw_name, number, spec.col("sector").header, row["sector"],
                                    "quỹ tín dụng nhân dân ghi loại hình 'Quỹ tín dụng nhân dân' và lĩnh vực 'Quỹ tín dụng'"))
            continue
        values = {
            "org_type": this_type, "kind": kind, "name": row["name"],
            "province_code": ctx.province_of.get(row["district"], PROVINCE_CODE),
            "district_code": row["district"], "commune_code": row["commune"], "sector_code": row["sector"],
            "registered_on": row["registered_on"],
        }
        # Optional columns change a known organisation only where the file gives a value: a register
        # exported without "Ngày gia nhập Liên minh" must not erase the dates already recorded.
        values.update({k: row[k] for k in _OPTIONAL_ORG_COLUMNS if row.get(k) not in (None, "")})
        hits = _find_org(ctx, row["name"], row["district"], row.get("tax_code"), (this_type,))
        if len(hits) > 1:
            problems.append(Problem(raw_name, number, spec.col("name").header, row["name"],
                                    "trong cơ sở dữ liệu có nhiều đơn vị cùng tên ở huyện này: hãy ghi mã số HTX"))
            continue
        if hits:
            before = hits[0]
            if before.get("_planned"):
                problems.append(Problem(raw_name, number, spec.col("name").header, row["name"],
                                        "đơn vị này đã có ở một trang tính khác của tệp"))
                continue
            changed = {k: v for k, v in values.items() if before.get(k) != v}
            if changed:
                plan.ops.append(("organisations", "update", {"id": before["id"]}, changed,
                                 {k: before[k] for k in changed}))
                before.update(changed)
                counts["changed"] += 1
            else:
                counts["same"] += 1
            before["_planned"] = True
        else:
            values = {**_OPTIONAL_ORG_COLUMNS, **values}
            values["founding_supported"] = bool(values["founding_supported"])
            values["id"] = ctx.next_org_id
            ctx.next_org_id += 1
            plan.ops.append(("organisations", "insert", {"id": values["id"]}, values, None))
            ctx.orgs.append({**values, "_planned": True})
            counts["added"] += 1
    return counts


# Columns a register may leave out, with what a new organisation gets when it does.
_OPTIONAL_ORG_COLUMNS = {"dissolved_on": None, "alliance_joined_on": None, "founding_supported": False, "tax_code": None}
# Facts a half-year return may leave out: a new row gets these; a known row keeps what it had.
_OPTIONAL_FACTS = {"charter_capital": 0.0, "revenue": None, "avg_income_month": None, "rating": None,
                   "new_members": 0, "new_workers": 0}


def _resolve_org(raw_name, spec, number, row, ctx, problems, org_types) -> dict | None:
    hits = _find_org(ctx, row["name"], row["district"], row.get("tax_code"), org_types)
    header = spec.col("name").header
    if not hits:
        problems.append(Problem(raw_name, number, header, row["name"],
                                "đơn vị chưa có trong danh sách HTX/THT của huyện này: nhập danh sách trước"))
        return None
    if len(hits) > 1:
        problems.append(Problem(raw_name, number, header, row["name"], "nhiều đơn vị cùng tên ở huyện này: hãy ghi mã số HTX"))
        return None
    return hits[0]


def _plan_facts(conn, raw_name, spec, rows, ctx, problems, plan) -> dict:
    counts = {"added": 0, "changed": 0, "same": 0}
    seen: dict[int, int] = {}
    f = schema.facts
    for number, row in rows:
        org = _resolve_org(raw_name, spec, number, row, ctx, problems, ("coop", "group", "union"))
        if org is None:
            continue
        if org["id"] in seen:
            problems.append(Problem(raw_name, number, spec.col("name").header, row["name"],
                                    f"đơn vị đã có số liệu ở dòng {seen[org['id']]} của tệp"))
            continue
        seen[org["id"]] = number
        if org["registered_on"] > ctx.as_of or (org.get("dissolved_on") and org["dissolved_on"] <= ctx.as_of):
            problems.append(Problem(raw_name, number, spec.col("name").header, row["name"],
                                    f"đơn vị chưa thành lập hoặc đã giải thể tại {ctx.as_of:%d/%m/%Y}"))
            continue
        values = {"status": row["status"], "members": row["members"], "workers": row["workers"], "quality": "reported"}
        values.update({k: row[k] for k in _OPTIONAL_FACTS if k in row})
        key = {"org_id": org["id"], "as_of": ctx.as_of}
        before = conn.execute(select(f).where(and_(f.c.org_id == org["id"], f.c.as_of == ctx.as_of))).mappings().first()
        if before is None:
            plan.ops.append(("facts", "insert", key, {**key, **_OPTIONAL_FACTS, **values}, None))
            counts["added"] += 1
            continue
        changed = {k: v for k, v in values.items() if before[k] != v}
        if changed:
            plan.ops.append(("facts", "update", key, changed, {k: before[k] for k in changed}))
            counts["changed"] += 1
        else:
            counts["same"] += 1
    return counts


def _in_period(raw_name, spec, number, column, day, ctx, problems) -> bool:
    if ctx.period.start <= day <= ctx.period.end:
        return True
    problems.append(Problem(raw_name, number, spec.col(column).header, _display(day),
                            f"ngày phải trong kỳ {ctx.period.code} ({ctx.period.start:%d/%m/%Y}–{ctx.period.end:%d/%m/%Y})"))
    return False


def _plan_training(conn, raw_name, spec, rows, ctx, problems, plan) -> dict:
    counts = {"added": 0, "changed": 0, "same": 0}
    tc = schema.training_classes
    existing = {(r.held_on, r.district_code, r.kind, org_key_name(r.title), r.trainees) for r in conn.execute(select(tc))}
    seen: dict[tuple, int] = {}
    for number, row in rows:
        if not _in_period(raw_name, spec, number, "held_on", row["held_on"], ctx, problems):
            continue
        key = (row["held_on"], row["district"], row["class_kind"], org_key_name(row["title"]), row["trainees"])
        if key in seen or key in existing:
            where = f"trùng với dòng {seen[key]} trong tệp" if key in seen else "lớp này đã có trong cơ sở dữ liệu"
            problems.append(Problem(raw_name, number, spec.col("title").header, row["title"], where))
            continue
        seen[key] = number
        plan.ops.append(("training_classes", "insert", None, {
            "held_on": row["held_on"], "province_code": ctx.province_of.get(row["district"], PROVINCE_CODE),
            "district_code": row["district"],
            "kind": row["class_kind"], "title": row["title"], "trainees": row["trainees"]}, None))
        counts["added"] += 1
    return counts


def _plan_loans(conn, raw_name, spec, rows, ctx, problems, plan) -> dict:
    counts = {"added": 0, "changed": 0, "same": 0}
    fl = schema.fund_loans
    existing = {(r.org_id, r.disbursed_on, round(r.amount, 3)) for r in conn.execute(select(fl))}
    seen: dict[tuple, int] = {}
    for number, row in rows:
        if not _in_period(raw_name, spec, number, "disbursed_on", row["disbursed_on"], ctx, problems):
            continue
        org = _resolve_org(raw_name, spec, number, row, ctx, problems, ("coop", "union"))
        if org is None:
            continue
        key = (org["id"], row["disbursed_on"], round(row["amount"], 3))
        if key in seen or key in existing:
            where = f"trùng với dòng {seen[key]} trong tệp" if key in seen else "khoản vay này đã có trong cơ sở dữ liệu"
            problems.append(Problem(raw_name, number, spec.col("amount").header, _display(row["amount"]), where))
            continue
        seen[key] = number
        plan.ops.append(("fund_loans", "insert", None, {"org_id": org["id"], "disbursed_on": row["disbursed_on"],
                                                        "amount": row["amount"], "purpose": row.get("purpose")}, None))
        counts["added"] += 1
    return counts


_PLANNERS_ORDER = ("coops", "groups", "facts", "training", "loans")


def _prepare(conn: Connection, data: bytes, file_name: str, period: str) -> ImportPlan:
    parsed_period = Period.parse(period)
    plan = ImportPlan(file_name, hashlib.sha256(data).hexdigest(), parsed_period.code)
    try:
        raws = read_file(data, file_name)
    except FileProblem as error:
        plan.problems.append(Problem(file_name, 0, "", file_name, str(error)))
        return plan
    if not raws:
        plan.problems.append(Problem(file_name, 0, "", file_name, "tệp không có dữ liệu"))
        return plan
    ctx = _context(conn, parsed_period)
    identified: list[tuple[Sheet, RawSheet, list]] = []
    for raw in raws:
        if _norm_header(raw.name) in GUIDE_SHEETS:
            continue
        spec = _identify(raw)
        if spec is None:
            plan.problems.append(Problem(raw.name, raw.header_row, "", ", ".join(h for h in raw.headers if h)[:200],
                                         "không nhận ra loại bảng: dùng tên trang tính hoặc tiêu đề cột như trong mẫu"))
            continue
        mapping = _map_columns(raw, spec, plan.problems)
        if any(p.sheet == raw.name and p.row == raw.header_row and p.severity == "lỗi" for p in plan.problems):
            continue
        rows = _parse_rows(raw, spec, mapping, ctx, plan.problems)
        identified.append((spec, raw, rows))
        plan.previews[raw.name] = pd.DataFrame([{"Dòng": n, **{spec.col(k).header: _display(v) for k, v in r.items()}}
                                                for n, r in rows])
    identified.sort(key=lambda item: _PLANNERS_ORDER.index(item[0].key))
    for spec, raw, rows in identified:
        if spec.key in ("coops", "groups"):
            counts = _plan_orgs(raw.name, spec, rows, ctx, plan.problems, plan)
        elif spec.key == "facts":
            counts = _plan_facts(conn, raw.name, spec, rows, ctx, plan.problems, plan)
        elif spec.key == "training":
            counts = _plan_training(conn, raw.name, spec, rows, ctx, plan.problems, plan)
        else:
            counts = _plan_loans(conn, raw.name, spec, rows, ctx, plan.problems, plan)
        plan.summary.append({"Trang tính": raw.name, "Loại": spec.title, "Số dòng": len(rows),
                             "Thêm mới": counts["added"], "Thay đổi": counts["changed"], "Không đổi": counts["same"]})
    if not identified and plan.ok:
        plan.problems.append(Problem(file_name, 0, "", file_name, "không có trang tính nào để nhập"))
    return plan


def prepare_import(engine: Engine, data: bytes, file_name: str, period: str) -> ImportPlan:
    """The dry run: every problem and every change the import would make. Writes nothing."""
    with engine.connect() as conn:
        return _prepare(conn, data, file_name, period)


# --- writing ----------------------------------------------------------------------------------

WRITE_HOOK = None  # tests set a callable(conn) run after the writes, before the commit


def _jsonable(row: dict | None) -> str | None:
    if row is None:
        return None
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}, ensure_ascii=False,
                      sort_keys=True)


def _from_json(table, text: str) -> dict:
    values = json.loads(text)
    for key, value in values.items():
        if value is not None and isinstance(table.c[key].type, schema.Date):
            values[key] = date.fromisoformat(value)
    return values


def _where(table, key: dict):
    return and_(*(table.c[k] == (date.fromisoformat(v) if isinstance(table.c[k].type, schema.Date) and isinstance(v, str)
                                 else v) for k, v in key.items()))


def _ensure_reference(conn: Connection) -> None:
    """An empty database gets the reference areas and sectors the imported rows point to."""
    if conn.execute(select(func.count()).select_from(schema.areas)).scalar() == 0:
        areas = read_reference()
        conn.execute(insert(schema.areas), [{"code": a.code, "name": a.name, "slug": slugify(a.name), "level": a.level,
                                             "kind": a.kind, "parent_code": a.parent_code, "valid_from": a.valid_from,
                                             "valid_to": a.valid_to} for a in areas])
        successions = [{"old_code": a.code, "new_code": a.successor_code, "effective_on": date(2025, 7, 1)}
                       for a in areas if a.successor_code]
        if successions:
            conn.execute(insert(schema.area_successions), successions)
    if conn.execute(select(func.count()).select_from(schema.sectors)).scalar() == 0:
        conn.execute(insert(schema.sectors), [{"org_type": s.org_type.value, "code": s.code, "label_vi": s.label_vi,
                                               "label_en": s.label_en, "sort_order": i} for i, s in enumerate(SECTORS)])


def backup_sqlite(engine: Engine, stamp: str) -> str | None:
    """A consistent copy of the SQLite file in backups/ beside it (None for other databases)."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    source = Path(engine.url.database)
    target_dir = source.parent / "backups"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{source.stem}-{stamp}.sqlite"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return str(target)


def commit_import(engine: Engine, data: bytes, file_name: str, period: str, session: Session) -> ImportRecord:
    """Validate again and write everything in one transaction; ImportRejected (nothing written) on any error."""
    require_editor(session)
    schema.create_schema(engine)  # the log tables, on a database made before they existed
    with engine.connect() as conn:
        checked = _prepare(conn, data, file_name, period)
    if not checked.ok:  # no backup, no transaction for a file that cannot go in
        raise ImportRejected(checked)
    now = datetime.now(UTC)
    sha = hashlib.sha256(data).hexdigest()
    backup = backup_sqlite(engine, f"{now:%Y%m%d-%H%M%S}-{sha[:8]}")
    with engine.begin() as conn:
        plan = _prepare(conn, data, file_name, period)  # again, inside the transaction that writes
        if not plan.ok:
            raise ImportRejected(plan)
        _ensure_reference(conn)
        import_id = conn.execute(insert(schema.imports).values(
            user_name=session.user, imported_at=now.isoformat(timespec="seconds"), file_name=file_name[:250],
            file_sha256=sha, period=plan.period, rows_added=plan.rows_added, rows_changed=plan.rows_changed,
            backup_path=backup, status="committed")).inserted_primary_key[0]
        changes = []
        for table_name, action, key, row, before in plan.ops:
            table = schema.metadata.tables[table_name]
            if action == "insert":
                result = conn.execute(insert(table).values(**row))
                key = key or {"id": result.inserted_primary_key[0]}
                changes.append({"import_id": import_id, "table_name": table_name, "row_key": _jsonable(key), "before": None})
            else:
                conn.execute(update(table).where(_where(table, key)).values(**row))
                changes.append({"import_id": import_id, "table_name": table_name, "row_key": _jsonable(key),
                                "before": _jsonable(before)})
        if changes:
            conn.execute(insert(schema.import_changes), changes)
        version = f"import-{import_id}-{sha[:12]}"
        data_changed(conn, version)  # summaries rebuilt in this transaction
        if WRITE_HOOK:
            WRITE_HOOK(conn)
    return ImportRecord(import_id, plan.rows_added, plan.rows_changed, backup, version)


def undo_import(engine: Engine, import_id: int, session: Session) -> str:
    """Put back what one import changed (the latest not yet undone only); returns the new data version."""
    require_editor(session)
    log, changes = schema.imports, schema.import_changes
    with engine.begin() as conn:
        latest = conn.execute(select(log.c.id).where(log.c.status == "committed").order_by(log.c.id.desc())).scalar()
        if latest is None or latest != import_id:
            raise ValueError("Chỉ hoàn tác được lần nhập gần nhất chưa hoàn tác"
                             + (f" (lần {latest})." if latest else "."))
        rows = conn.execute(select(changes).where(changes.c.import_id == import_id).order_by(changes.c.id.desc())).all()
        order = {t.name: i for i, t in enumerate(schema.metadata.sorted_tables)}
        for change in sorted(rows, key=lambda r: -order[r.table_name]):  # children before parents
            table = schema.metadata.tables[change.table_name]
            key = json.loads(change.row_key)
            if change.before is None:
                conn.execute(delete(table).where(_where(table, key)))
            else:
                conn.execute(update(table).where(_where(table, key)).values(**_from_json(table, change.before)))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(update(log).where(log.c.id == import_id).values(status="undone", undone_by=session.user, undone_at=now))
        version = f"undo-{import_id}-{hashlib.sha256(now.encode()).hexdigest()[:8]}"
        data_changed(conn, version)  # summaries rebuilt in this transaction
    return version


def import_history(engine: Engine) -> pd.DataFrame:
    schema.create_schema(engine)
    log = schema.imports
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(log).order_by(log.c.id.desc())).mappings()]
    return pd.DataFrame(rows, columns=[c.name for c in log.columns])


def database_fingerprint(engine: Engine) -> str:
    """SHA-256 of every row of every table, in a fixed order: equal fingerprints, equal content."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        existing = set(schema.metadata.tables) & set(conn.dialect.get_table_names(conn))
        for table in schema.metadata.sorted_tables:
            if table.name not in existing:
                continue
            digest.update(table.name.encode())
            for row in conn.execute(select(table).order_by(*table.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
