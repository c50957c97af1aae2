"""Downloads: file names, CSV bytes (BOM, separator) and workbook sheets."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from hxcore.engine.attainment import target_table
from hxcore.engine.compute import evaluate
from hxcore.model.filters import Filter
from hxcore.present import export, frames

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


def test_file_names_carry_the_data_version():
    name = export.file_name("chi-so", Filter("2023-H1"), NAMES, "xlsx", "lai-chau-42-bb93b3124a06")
    assert name == "hx_chi-so_toan-tinh_2023-H1_v-lai-chau-42-bb93b3124a06.xlsx"


def test_whole_numbers_are_written_whole_even_beside_fractions():
    frame = pd.DataFrame({"Chỉ tiêu": ["Tổng số HTX", "Tỷ lệ", "Còn thiếu"], "Giá trị": [416.0, 36.8, -12.0]})
    rows = export.csv_bytes(frame, ";").decode("utf-8-sig").splitlines()
    assert rows[1:] == ["Tổng số HTX;416", "Tỷ lệ;36,8", "Còn thiếu;-12"]  # a negative number stays a number
    assert export.csv_bytes(frame, ",").decode("utf-8-sig").splitlines()[2] == "Tỷ lệ,36.8"
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes([("Số liệu", frame)], [("Kỳ", "2023-H1")]))).active
    assert [(sheet.cell(r, 2).value, sheet.cell(r, 2).number_format) for r in (2, 3)] == [(416, "#,##0"),
                                                                                          (36.8, "#,##0.0##")]


def test_targets_download_holds_numbers_not_text(engine):
    table = frames.target_export_table(target_table(engine, Filter("2023-H1")), "vi")
    row = table.set_index("Chỉ tiêu").loc["HTX thành lập mới"]
    assert (row["Chỉ tiêu năm"], row["Thực hiện"], row["Đạt (% chỉ tiêu)"], row["Còn thiếu"]) == (25, 13, 52.0, 12)
    assert pd.api.types.is_float_dtype(table["Đạt (% chỉ tiêu)"])
    read = pd.read_csv(io.BytesIO(export.csv_bytes(table, ";")), sep=";", decimal=",", encoding="utf-8-sig")
    for column in ("Chỉ tiêu năm", "Thực hiện", "Đạt (% chỉ tiêu)", "Còn thiếu", "Cần thêm mỗi tháng còn lại"):
        assert pd.api.types.is_numeric_dtype(read[column]), column  # no "95,0%" text
    row = read.set_index("Chỉ tiêu").loc["Học viên lớp tuyên truyền"]
    assert (row["Chỉ tiêu năm"], row["Thực hiện"], row["Đạt (% chỉ tiêu)"]) == (950, 900, 94.7)
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes([("Chỉ tiêu", table)], []))).active
    headers = [cell.value for cell in sheet[1]]
    numbers = [sheet.cell(2, headers.index(h) + 1).value for h in ("Chỉ tiêu năm", "Thực hiện", "Đạt (% chỉ tiêu)")]
    assert numbers == [20, 19, 95]  # the first row (20 classes): typed numbers, not '95,0%'
