"""Stage 1, read: the uploaded bytes -> raw sheets (Grid), each a list of numbered rows of cells.

A workbook - Excel .xlsx/.xlsm, Excel 97-2003 .xls, LibreOffice .ods - is read by python-calamine
(faster than openpyxl, and it reads all three), one grid per worksheet, hidden ones marked so
that they are skipped by name; a CSV file gives one grid named after the file. CSV text may be
UTF-8 (with or without BOM), UTF-16 or Windows-1258/1252, separated by commas, semicolons or
tabs. Every text is normalised to Unicode NFC (names typed on different machines compare equal),
and a file typed in the TCVN3 or VNI fonts is converted to Unicode (legacy.py) or, when the font
is not certain, refused with what to do. Sheets with no content are left out. Anything
unreadable - too large, empty, cut short, damaged - raises FileProblem, and nothing further is read.

A workbook is a zip archive, and a small one can unpack to gigabytes (a "zip bomb"). Before
openpyxl opens it, every part is measured as it unpacks, in chunks, without keeping it: more than
MAX_UNZIPPED_BYTES in all, a large part packed more than MAX_RATIO times, or a cell longer than
MAX_CELL_CHARS (Excel's own limit) refuses the file, so no file makes the reader hold more than a
chunk of it. An .ods file (also a zip) gets the same measuring. calamine holds a sheet as a dense
rectangle, so a workbook whose cells span more than MAX_CELLS (one stray cell in XFD1048576) is
read by openpyxl's streaming reader instead, which reads rows only MAX_COLUMNS wide.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from hxcore.io.importer import legacy

MAX_FILE_BYTES = 10 * 1024 * 1024  # the upload limit: a province's registers are far smaller
MAX_ROWS = 20000
MAX_COLUMNS = 200  # cells further right are not read (a stray cell in column XFD must not widen every row)
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a workbook's parts, unpacked, all together
MAX_RATIO = 100  # unpacked / packed, for a part larger than RATIO_FROM_BYTES (Apache POI's limit too)
RATIO_FROM_BYTES = 1024 * 1024
MAX_ZIP_PARTS = 1000  # a workbook has a few dozen
MAX_CELL_CHARS = 32767  # the longest text Excel itself puts in a cell
MAX_CELLS = 2_000_000  # rows x columns of a sheet's rectangle that calamine may hold at once
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), and password-protected .xlsx
_CHUNK = 1024 * 1024

# What a damaged workbook raises: a broken zip, a missing part, or XML cut off inside a part.
_BROKEN_XLSX = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, ElementTree.ParseError,
                InvalidFileException)


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why, in Vietnamese."""


@dataclass
class Grid:
    name: str  # the worksheet's name, or the CSV file's name without its extension
    rows: list[tuple[int, list]]  # (row number in the file, cells)
    hidden: bool = False  # a hidden (or very hidden) worksheet: never imported, named in a notice
    converted_from: str | None = None  # the legacy font its text was converted from ("tcvn3", "vni")


def is_blank(value) -> bool:
    """An empty cell: nothing, NaN, or only spaces."""
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def _has_content(rows: list[tuple[int, list]]) -> bool:
    return any(not is_blank(cell) for _, cells in rows for cell in cells)


def read_file(data: bytes, file_name: str) -> list[Grid]:
    """Every sheet of the file that has content, its text in Unicode NFC."""
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(f"tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileProblem("tệp rỗng")
    if data[:4] == b"PK\x03\x04" or data[:4] == OLE_MAGIC or file_name.lower().endswith(WORKBOOK_SUFFIXES):
        extent = check_archive(data) if data[:4] != OLE_MAGIC else 0
        grids = _read_wide_xlsx(data) if extent > MAX_CELLS else _read_workbook(data, file_name)
    else:
        grids = [_read_csv(data, file_name)]
    grids = [grid for grid in grids if _has_content(grid.rows)]
    return _unicode(grids)


def _texts(grids: list[Grid]):
    return (cell for grid in grids if not grid.hidden for _, cells in grid.rows for cell in cells if isinstance(cell, str))


def _unicode(grids: list[Grid]) -> list[Grid]:
    """Every text cell in NFC; a file typed in TCVN3 or VNI converted, or refused when the font is not certain."""
    found = legacy.detect(_texts(grids))
    if found.font and not found.sure:
        raise FileProblem(f"tệp có vẻ gõ bằng phông chữ cũ {legacy.FONT_NAMES[found.font]} ({found.cells} ô, ví dụ "
                          f"'{found.sample[:60]}') nhưng không chắc chắn: {legacy.UNIKEY_ADVICE}")
    for grid in grids:
        grid.converted_from = found.font
        grid.rows = [(number, [_text_cell(cell, found.font) for cell in cells]) for number, cells in grid.rows]
    return grids


def _text_cell(cell, font: str | None):
    if not isinstance(cell, str):
        return cell
    return unicodedata.normalize("NFC", legacy.convert(cell, font) if font else cell)


def _count(number: int) -> str:
    """32.767, as Vietnamese writes it."""
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{_count(round(size / (1024 * 1024)))} MB"


def check_archive(data: bytes) -> int:
    """Refuse a zip (.xlsx, .ods) that unpacks too large, packs too tightly or holds a too long cell;
    returns the largest rectangle (rows x columns) a worksheet's cell references span."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            _check_declared(parts)
            budget, extent = MAX_UNZIPPED_BYTES, 0
            for part in parts:
                used, spanned = _scan_part(archive, part, budget)
                budget -= used
                extent = max(extent, spanned)
            return extent
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
            zlib.error) as error:  # damaged, encrypted, or packed in a way zipfile does not read
        if isinstance(error, FileProblem):
            raise
        raise FileProblem(f"không đọc được tệp Excel (.xlsx), có thể tệp bị hỏng hoặc bị cắt: {error}") from None


def _check_declared(parts: list[zipfile.ZipInfo]) -> None:
    """What the archive's directory announces: how many parts, how large unpacked, how tightly packed."""
    if len(parts) > MAX_ZIP_PARTS:
        raise FileProblem(f"tệp nén có {len(parts)} phần (tối đa {MAX_ZIP_PARTS}): không phải bảng tính thông thường")
    total = sum(part.file_size for part in parts)
    if total > MAX_UNZIPPED_BYTES:
        largest = max(parts, key=lambda part: part.file_size)
        raise FileProblem(f"tệp giải nén ra {_mb(total)} (phần '{largest.filename}': {_mb(largest.file_size)}), quá giới "
                          f"hạn {_mb(MAX_UNZIPPED_BYTES)}: có thể là tệp độc hại (zip bomb), không đọc")
    for part in parts:
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            ratio = _count(part.file_size // max(part.compress_size, 1))
            raise FileProblem(f"phần '{part.filename}' của tệp được nén chặt {ratio} lần (tối đa {MAX_RATIO} lần): có thể "
                              "là tệp độc hại (zip bomb), không đọc")


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, budget: int) -> tuple[int, int]:
    """Unpack one part chunk by chunk, keeping none: its size, refused past `budget` or with a too long text,
    and for a worksheet the rectangle its cell references span (rows x columns)."""
    size, text = 0, _TextRuns(part.filename) if part.filename.lower().endswith((".xml", ".rels", ".vml")) else None
    sheet = part.filename.startswith("xl/worksheets/")
    rows = columns = 0
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                raise FileProblem(f"tệp giải nén ra hơn {_mb(MAX_UNZIPPED_BYTES)}: có thể là tệp độc hại, không đọc")
            if text is not None:
                text.feed(chunk)
            for letters, digits in _CELL_REF.findall(chunk) if sheet else ():
                rows, columns = max(rows, int(digits)), max(columns, _column_number(letters))
    return size, rows * columns


class _TextRuns:
    """The longest stretch of an XML part between two '<': a cell's text (or a tag) can be no longer."""

    LIMIT = 4 * MAX_CELL_CHARS  # bytes: UTF-8 takes at most 4 a character

    def __init__(self, name: str):
        self.name = name
        self.run = 0  # bytes since the last '<'

    def feed(self, chunk: bytes) -> None:
        pieces = chunk.split(b"<")
        longest = max(self.run + len(pieces[0]), max(map(len, pieces[1:]), default=0))
        self.run = len(pieces[-1]) if len(pieces) > 1 else self.run + len(chunk)
        if longest > self.LIMIT:
            raise FileProblem(f"phần '{self.name}' có một ô hoặc thẻ dài hơn {_count(MAX_CELL_CHARS)} ký tự (giới hạn của "
                              "Excel): có thể là tệp độc hại, không đọc")


def _kind_of(data: bytes, file_name: str) -> str:
    """The workbook's format as the office knows it, for messages."""
    if data[:4] == OLE_MAGIC:
        return "Excel 97–2003 (.xls)"
    return "LibreOffice (.ods)" if file_name.lower().endswith(".ods") else "Excel (.xlsx)"


def _read_workbook(data: bytes, file_name: str) -> list[Grid]:
    """Every worksheet, by python-calamine; hidden ones marked."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as error:
        reason = "tệp có mật khẩu: hãy bỏ mật khẩu rồi nhập lại" if "password" in str(error).lower() else \
            f"có thể tệp bị hỏng hoặc bị cắt ({error})"
        raise FileProblem(f"không đọc được tệp {_kind_of(data, file_name)}: {reason}") from None
    try:
        grids = []
        for meta in book.sheets_metadata:
            if "WorkSheet" not in str(meta.typ):  # chart sheets have no cells
                continue
            cells = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            grids.append(Grid(meta.name, _calamine_rows(meta.name, cells), meta.visible != SheetVisibleEnum.Visible))
        return grids
    except (CalamineError, ValueError, OSError) as error:
        raise FileProblem(f"tệp {_kind_of(data, file_name)} bị hỏng hoặc bị cắt: {error}") from None
    finally:
        book.close()


def _calamine_cell(value):
    """calamine's cell as the other readers give it: blank as None, whole floats as int (a tax code stays 6200123456)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _calamine_rows(name: str, cells: list[list]) -> list[tuple[int, list]]:
    if len(cells) > MAX_ROWS:
        raise FileProblem(f"trang '{name}' có hơn {MAX_ROWS} dòng")
    rows = []
    for number, raw in enumerate(cells, start=1):
        row = [_calamine_cell(value) for value in raw[:MAX_COLUMNS]]
        while row and row[-1] is None:
            row.pop()
        _check_lengths(name, number, row)
        rows.append((number, row))
    return rows


def _read_wide_xlsx(data: bytes) -> list[Grid]:
    """A worksheet spanning more than MAX_CELLS: streamed by openpyxl, rows read MAX_COLUMNS wide."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_XLSX as error:
        raise FileProblem(f"không đọc được tệp Excel (.xlsx), có thể tệp bị hỏng hoặc bị cắt: {error}") from None
    try:
        return [Grid(sheet.title, _worksheet_rows(sheet), getattr(sheet, "sheet_state", "visible") != "visible")
                for sheet in book.worksheets]
    except _BROKEN_XLSX as error:
        raise FileProblem(f"tệp Excel bị hỏng hoặc bị cắt: {error}") from None
    finally:
        book.close()


def _worksheet_rows(sheet) -> list[tuple[int, list]]:
    rows = []
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > MAX_ROWS:
            raise FileProblem(f"trang '{sheet.title}' có hơn {MAX_ROWS} dòng")
        row = list(cells)
        while row and row[-1] is None:  # a row as long as its last cell, not as the sheet's widest
            row.pop()
        _check_lengths(sheet.title, number, row)
        rows.append((number, row))
    return rows


def _check_lengths(sheet: str, number: int, cells: list) -> None:
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise FileProblem(f"trang '{sheet}', dòng {number}: một ô dài {_count(len(cell))} ký tự, quá giới hạn "
                              f"{_count(MAX_CELL_CHARS)} ký tự của Excel")


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


def _read_csv(data: bytes, file_name: str) -> Grid:
    text = decode_text(data)
    if "\x00" in text:
        raise FileProblem("tệp không phải văn bản CSV")
    stripped = text.rstrip(" \t")
    if stripped and not stripped.endswith(("\n", "\r")) and "\n" in stripped:
        # Excel and the templates end every line; a file that stops mid-line was cut short, even when
        # what is left is the header and one row (then the cut row would pass for a whole one).
        raise FileProblem("dòng cuối không kết thúc bằng xuống dòng: tệp có thể bị cắt cụt. Nếu tệp đầy đủ, "
                          "hãy mở và lưu lại bằng Excel (hoặc thêm một lần xuống dòng ở cuối tệp)")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [(number, cells) for number, cells in enumerate(reader, start=1)]
    except csv.Error as error:
        raise FileProblem(f"tệp CSV không đúng định dạng: {error}") from None
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"tệp có hơn {MAX_ROWS} dòng")
    for number, cells in rows:
        _check_lengths(Path(file_name).stem or "CSV", number, cells)
    return Grid(Path(file_name).stem or "CSV", rows)
