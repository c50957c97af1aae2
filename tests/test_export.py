"""Downloads: file names, CSV bytes (BOM, separator) and workbook sheets."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from hxcore.engine.compute import evaluate
from hxcore.model.filters import Filter
from hxcore.present import export

NAMES = {"106": "Huyện Tam Đường", "108": "Huyện Sìn Hồ"}


def test_file_names_state_the_filter():
    assert export.file_name("chi-tieu", Filter("2023-H1", districts=("106",)), NAMES) == \
        "hx_chi-tieu_tam-duong_2023-H1.csv"
    assert export.file_name("Chỉ tiêu", Filter("2023-H1"), NAMES, "xlsx") == "hx_chi-tieu_toan-tinh_2023-H1.xlsx"
    assert export.file_name("chi-so", Filter("2023-Q1", districts=("106", "108"), sectors=("non_agriculture",)),
                            NAMES) == "hx_chi-so_tam-duong-sin-ho_non-agriculture_2023-Q1.csv"


def test_csv_has_bom_and_chosen_separator():
    frame = pd.DataFrame({"Huyện": ["Tam Đường"], "Giá trị": [36.8]})
    comma = export.csv_bytes(frame, ",")
    assert comma.startswith(b"\xef\xbb\xbf")
    assert comma.decode("utf-8-sig").splitlines() == ["Huyện,Giá trị", "Tam Đường,36.8"]
    semicolon = export.csv_bytes(frame, ";").decode("utf-8-sig").splitlines()
    assert semicolon == ["Huyện;Giá trị", "Tam Đường;36,8"]


def test_indicator_export_has_vietnamese_headers_and_numbers(engine):
    frame = export.indicator_export_frame(evaluate(engine, Filter("2023-H1"), ["coops_total", "coops_new"]))
    assert list(frame.columns[:5]) == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", "Kỳ", "Đến ngày"]
    assert frame.loc[0, "Giá trị"] == 416
    assert frame.loc[1, "Đánh giá"] == "Đúng tiến độ"
    text = export.csv_bytes(frame, ";").decode("utf-8-sig")
    assert "coops_total;Tổng số HTX;HTX;2023-H1;2023-06-30" in text


def test_xlsx_has_data_filter_and_definition_sheets(engine):
    frame = export.indicator_export_frame(evaluate(engine, Filter("2023-H1"), ["coop_charter_capital"]))
    data = export.xlsx_bytes([("Chỉ tiêu", frame), ("Định nghĩa", export.definitions_frame(["coop_charter_capital"]))],
                             [("Kỳ báo cáo", "6 tháng đầu năm 2023"), ("Số liệu đến", "30/6/2023")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Chỉ tiêu", "Định nghĩa", "Bộ lọc"]
    sheet = book["Chỉ tiêu"]
    headers = [c.value for c in sheet[1]]
    value = sheet.cell(row=2, column=headers.index("Giá trị") + 1)
    assert value.value == 1056714 and isinstance(value.value, (int, float))
    assert value.number_format == "#,##0"
    assert book["Bộ lọc"]["B2"].value == "30/6/2023"
    assert "vốn" in book["Định nghĩa"]["D2"].value.lower()
