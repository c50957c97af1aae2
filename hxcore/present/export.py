"""Downloads: file names, CSV bytes Excel opens correctly, and .xlsx workbooks with typed numbers.

Every text cell is inert: one that begins with =, +, -, @, a tab or a carriage return gets a
leading apostrophe (OWASP, "CSV injection"; the rule is hxcore.model.cells.inert), so a spreadsheet
shows it instead of running it, and workbook cells holding text are written as strings, never
formulas. Numbers stay numbers.

No Streamlit here; the interface only hands these bytes to st.download_button.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from hxcore.model.areas import WHOLE_AREA, fold, slugify
from hxcore.model.catalog import INDICATORS, definition_changes, legal_basis
from hxcore.model.cells import FORMULA_STARTS, inert  # noqa: F401 (export.FORMULA_STARTS, export.inert)
from hxcore.model.filters import Filter
from hxcore.model.labels import label
from hxcore.model.targets import STATUS_LABELS
from hxcore.model.texts import EXPORT_COLUMNS
from hxcore.model.vocab import unit_label
from hxcore.present import fmt

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers are inert; numeric, boolean and date columns untouched."""
    out = frame.copy()
    for index in range(out.shape[1]):
        column = out.iloc[:, index]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            out.isetitem(index, column.map(inert))
    out.columns = [inert(c) for c in out.columns]
    return out


def _slug(text: str) -> str:

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def file_name(topic: str, flt: Filter, district_names: dict[str, str] | None = None, ext: str = "csv",
              version: str | None = None) -> str:
    """hx_chi-tieu_tam-duong_2023-H1.csv: topic, where (toan-tinh when no district), sectors, period
    (its end is the as-of date), and the data version when given (…_2023-H1_v-lai-chau-42-bb93b3124a06.csv):
    two files of the same name hold the same figures."""
    district_names = district_names or {}
    where = ("-".join(slugify(district_names.get(code, code)) for code in flt.districts)
             or slugify(district_names.get(flt.province or WHOLE_AREA) or "toan tinh"))
    parts = ["hx", _slug(topic), where]
    if flt.sectors:
        parts.append("-".join(code.replace("_", "-") for code in flt.sectors))
    parts.append(flt.period)
    if version:
        parts.append("v-" + _slug(version))
    return "_".join(parts) + "." + ext


def _plain_number(value, decimal: str) -> str:
    """416.0 -> "416" (a count is never "416,0"), 36.8 -> "36,8" with decimal ","; missing -> ""."""
    if pd.isna(value):
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return format(number, ".15g").replace(".", decimal)


def csv_bytes(frame: pd.DataFrame, sep: str = ",") -> bytes:
    """UTF-8 with a BOM (Excel detects the encoding); with ';' decimals use ',' as Vietnamese Excel
    expects. Whole numbers are written without decimals, even in a column that also holds fractions."""
    if sep not in (",", ";"):
        raise ValueError("sep must be ',' or ';'")
    decimal = "," if sep == ";" else "."
    out = inert_frame(frame)  # before the numbers become text: a negative number is no formula
    for index in range(out.shape[1]):
        column = out.iloc[:, index]
        if pd.api.types.is_float_dtype(column):
            out.isetitem(index, column.map(lambda v: _plain_number(v, decimal)).astype(object))
    text = out.to_csv(index=False, sep=sep, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def indicator_export_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """evaluate() rows -> the downloaded table: Vietnamese headers, numbers kept as numbers."""
    out = pd.DataFrame(index=frame.index)
    for column, (vi, en) in EXPORT_COLUMNS.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        if column == "status":
            values = values.map(lambda s: label(STATUS_LABELS, s, lang) if isinstance(s, str) else None)
        elif column == "unit":
            values = values.map(lambda u: unit_label(u, lang) if isinstance(u, str) else u)
        elif column == "as_of":
            values = pd.to_datetime(values).dt.date
        elif column in ("value", "numerator", "denominator", "share", "previous_value", "change", "target",
                        "attainment", "expected"):
            values = pd.to_numeric(values, errors="coerce").round(4)
        out[en if lang == "en" else vi] = values
    return out.reset_index(drop=True)


def definitions_frame(codes: Iterable[str] | None = None, lang: str = "vi") -> pd.DataFrame:
    wanted = set(codes) if codes is not None else None
    rows = [{"Mã chỉ tiêu" if lang == "vi" else "Code": i.code,
             "Chỉ tiêu" if lang == "vi" else "Indicator": i.label_vi if lang == "vi" else i.label_en,
             "Đơn vị" if lang == "vi" else "Unit": i.unit,
             "Định nghĩa" if lang == "vi" else "Definition": i.definition,
             "Căn cứ pháp lý" if lang == "vi" else "Legal basis": legal_basis(i),
             # Where a series breaks: the day the definition changed, and how.
             "Thay đổi định nghĩa" if lang == "vi" else "Definition changes": "; ".join(
                 f"{fmt.day(c.on, lang)}: {c.note_vi if lang == 'vi' else c.note_en}" for c in definition_changes(i))}
            for i in INDICATORS if wanted is None or i.code in wanted]
    return pd.DataFrame(rows)


def xlsx_bytes(sheets: Sequence[tuple[str, pd.DataFrame]], about: Sequence[tuple[str, str]],
               about_title: str = "Bộ lọc") -> bytes:
    """A workbook: the data sheets (numbers typed, thousands grouped), then a sheet stating the
    filter, the as-of date and the source, as (label, value) rows."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, data in sheets:
            frame = inert_frame(data)
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            _strings_not_formulas(sheet)
            for index, column in enumerate(frame.columns, start=1):
                letter = sheet.cell(row=1, column=index).column_letter
                width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
                sheet.column_dimensions[letter].width = min(max(width, 8), 60)
                if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
                    # Cell by cell: a count shows 416, not 416,0, beside a rate's 36,8 in the same column.
                    for row, value in enumerate(frame[column], start=2):
                        whole = pd.isna(value) or float(value).is_integer()
                        sheet.cell(row=row, column=index).number_format = "#,##0" if whole else "#,##0.0##"
            sheet.freeze_panes = "A2"
        inert_frame(pd.DataFrame(list(about), columns=["", ""])).to_excel(writer, sheet_name=about_title[:31],
                                                                          index=False, header=False)
        _strings_not_formulas(writer.sheets[about_title[:31]])
        writer.sheets[about_title[:31]].column_dimensions["A"].width = 28
        writer.sheets[about_title[:31]].column_dimensions["B"].width = 90
    return buffer.getvalue()


def _strings_not_formulas(sheet) -> None:
    """Whatever a cell holds, a text is stored as a string: no cell of a download is a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
