"""Import templates: one .xlsx with a sheet per kind, or one .csv per kind, each with an example row.

Built from the importer's declarations (hxcore/io/importer/spec.py, SHEETS), so a template always
has the columns the importer expects. The example row starts "VÍ DỤ": the importer skips it with a
warning if it is left in.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from hxcore.io.importer.spec import SHEETS, SHEETS_BY_KEY, Sheet

TEMPLATE_FILE_NAMES = {s.key: f"mau-{s.key}.csv" for s in SHEETS}
XLSX_FILE_NAME = "mau-nhap-du-lieu.xlsx"


def _example(sheet: Sheet) -> list:
    return [col.example for col in sheet.columns]


def template_csv(kind: str) -> bytes:
    """One kind's template as CSV, UTF-8 with BOM (Excel opens it with its accents)."""
    sheet = SHEETS_BY_KEY[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([col.header for col in sheet.columns])
    writer.writerow(_example(sheet))
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """Every kind in one workbook, one sheet each, plus a sheet explaining the columns."""

    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        ws.append([col.header for col in sheet.columns])
        ws.append(_example(sheet))
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for index, col in enumerate(sheet.columns, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = max(14, len(col.header) + 2)
        ws.freeze_panes = "A2"
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Trang tính", "Cột", "Bắt buộc", "Yêu cầu", "Tên cột khác được chấp nhận"])
    for cell in guide[1]:
        cell.font = bold
    for sheet in SHEETS:
        for col in sheet.columns:
            guide.append([sheet.title, col.header, "có" if col.required else "", col.expected, ", ".join(col.aliases)])
    guide.append([])
    guide.append(["Dòng bắt đầu bằng 'VÍ DỤ' là dòng mẫu: hãy xóa hoặc ghi đè trước khi nhập."])
    guide.append(["Số viết 1.056.714 hoặc 1,056,714 hoặc 1056714; ngày viết 30/6/2023 hoặc 2023-06-30."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
