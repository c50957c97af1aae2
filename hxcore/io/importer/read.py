"""Stage 1, read: the uploaded bytes -> raw sheets (Grid), each a list of numbered rows of cells.

An .xlsx workbook gives one grid per worksheet; a CSV file one grid named after the file. CSV
text may be UTF-8 (with or without BOM), UTF-16 or Windows-1258/1252, separated by commas,
semicolons or tabs. Sheets with no content are left out. Anything unreadable - too large,
empty, cut short, damaged - raises FileProblem, and nothing further is read.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_FILE_BYTES = 10 * 1024 * 1024  # the upload limit: a province's registers are far smaller
MAX_ROWS = 20000

# What a damaged workbook raises: a broken zip, a missing part, or XML cut off inside a part.
_BROKEN_XLSX = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, ElementTree.ParseError,
                InvalidFileException)


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why, in Vietnamese."""


@dataclass
class Grid:
    name: str  # the worksheet's name, or the CSV file's name without its extension
    rows: list[tuple[int, list]]  # (row number in the file, cells)


def is_blank(value) -> bool:
    """An empty cell: nothing, NaN, or only spaces."""
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def _has_content(rows: list[tuple[int, list]]) -> bool:
    return any(not is_blank(cell) for _, cells in rows for cell in cells)


def read_file(data: bytes, file_name: str) -> list[Grid]:
    """Every sheet of the file that has content."""
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(f"tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileProblem("tệp rỗng")
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        grids = _read_xlsx(data)
    else:
        grids = [_read_csv(data, file_name)]
    return [grid for grid in grids if _has_content(grid.rows)]


def _read_xlsx(data: bytes) -> list[Grid]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_XLSX as error:
        raise FileProblem(f"không đọc được tệp Excel (.xlsx), có thể tệp bị hỏng hoặc bị cắt: {error}") from None
    try:
        return [Grid(sheet.title, _worksheet_rows(sheet)) for sheet in book.worksheets]
    except _BROKEN_XLSX as error:
        raise FileProblem(f"tệp Excel bị hỏng hoặc bị cắt: {error}") from None
    finally:
        book.close()


def _worksheet_rows(sheet) -> list[tuple[int, list]]:
    rows = []
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise FileProblem(f"trang '{sheet.title}' có hơn {MAX_ROWS} dòng")
        rows.append((number, list(cells)))
    return rows


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
    return Grid(Path(file_name).stem or "CSV", rows)
