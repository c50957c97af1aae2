"""The screens' data and texts without Streamlit: hxcore.engine.frames (which rows, which target)
and hxcore.present.frames (labels, 1.056.714 · 59,7% · "+7 so với năm 2022")."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hxcore.engine import frames as shaping
from hxcore.engine import lists
from hxcore.engine.attainment import gap_by_district, gaps_by_area, target_table
from hxcore.engine.compute import evaluate
from hxcore.model.areas import WHOLE_AREA
from hxcore.model.filters import Filter
from hxcore.model.periods import Comparison
from hxcore.model.texts import t
from hxcore.present import export, frames

H1 = Filter("2023-H1")
NAMES = {"106": "Huyện Tam Đường", "108": "Huyện Sìn Hồ"}


@pytest.fixture(scope="module")
def panel(engine) -> pd.DataFrame:
    return evaluate(engine, H1).set_index("indicator", drop=False)


@pytest.fixture(scope="module")
def targets(engine) -> pd.DataFrame:
    return target_table(engine, H1)


def row(panel, code: str) -> dict:
    return panel.loc[code].to_dict()


# ---------------------------------------------------------------------------------------------
# Figures and cards


def test_values_are_written_the_vietnamese_way(panel):
    assert frames.value_text(row(panel, "coop_charter_capital"), "vi") == "1.056.714"
    assert frames.value_text(row(panel, "coops_effective_share"), "vi") == "36,8%"
    assert frames.value_text(row(panel, "coop_avg_income"), "vi") == "4,4"
    assert frames.value_text(row(panel, "coop_charter_capital"), "en") == "1,056,714"


def test_change_text_says_how_much_against_what_and_whether_it_is_good(panel):
    assert frames.change_text(row(panel, "coops_total"), "vi") == ("+7 so với năm 2022", "up", "green")
    # Fewer stopped cooperatives is good news: a fall is green.
    assert frames.change_text(row(panel, "coops_inactive"), "vi") == ("−6 so với năm 2022", "down", "green")
    # More dissolved is bad: a rise is red. Flows compare with the same months a year earlier.
    assert frames.change_text(row(panel, "coops_dissolved"), "vi") == ("+1 so với 6 tháng đầu năm 2022", "up", "red")
    assert frames.change_text(row(panel, "coops_new"), "vi") == ("−17 so với 6 tháng đầu năm 2022", "down", "red")
    # Rates change in percentage points; no change is grey.
    assert frames.change_text(row(panel, "coops_effective_share"), "vi")[0] == "+7,7 điểm % so với năm 2022"
    assert frames.change_text(row(panel, "communes_with_coop_share"), "vi") == (
        "0,0 điểm % so với năm 2022", "off", "gray")
    assert frames.change_text(row(panel, "coops_total"), "en") == ("+7 vs Year 2022", "up", "green")


def test_change_text_without_a_comparison_figure_is_none():
    assert frames.change_text({"indicator": "coops_total", "change": None, "previous_value": None}, "vi") == (
        None, "off", "gray")


def test_kpi_card_has_unit_change_and_the_ratio_behind_a_rate(panel):
    card = frames.kpi_card(row(panel, "coops_total"), "vi")
    assert (card.label, card.value, card.delta, card.colour, card.note) == (
        "Tổng số HTX", "416 HTX", "+7 so với năm 2022", "green", None)
    share = frames.kpi_card(row(panel, "coops_effective_share"), "vi")
    assert (share.value, share.note) == ("36,8%", "120/326")
    long_unit = frames.kpi_card(row(panel, "coop_avg_income"), "vi")
    assert (long_unit.value, long_unit.note) == ("4,4", "triệu đồng/người/tháng")  # a long unit goes under the card
    assert frames.kpi_card(row(panel, "coops_total"), "en").label == "Cooperatives"


def test_kpi_card_not_applicable_under_a_sector_filter():
    card = frames.kpi_card({"indicator": "groups_total", "applicable": False, "value": None}, "vi")
    assert not card.applicable and card.value == "–" and card.help == "Không áp dụng với bộ lọc lĩnh vực"


def test_filter_and_as_of_texts():
    flt = Filter("2023-H1", districts=("106",), sectors=("agriculture",))
    assert frames.filter_text(flt, NAMES, "vi") == "Huyện Tam Đường · Nông, lâm nghiệp, thủy sản"
    assert frames.filter_text(H1, NAMES, "vi") == "Toàn tỉnh · tất cả lĩnh vực"
    assert frames.as_of_text(H1, NAMES, "vi", "Tổng số HTX") == "Số liệu đến 30/6/2023 · Toàn tỉnh · tất cả lĩnh vực · Tổng số HTX"
    assert frames.header_text(H1, NAMES, "en") == "**First half 2023** · Whole province · all sectors"
    about = dict(frames.about_rows(Filter("2023-H1", comparison=Comparison.SAME_PERIOD_LAST_YEAR), NAMES, "vi", "chi-so"))
    assert about["Kỳ báo cáo"] == "6 tháng đầu năm 2023" and about["So sánh với"] == "So với cùng kỳ năm trước"
    assert about["Số liệu đến"] == "30/6/2023" and about["Huyện, thành phố"] == "Toàn tỉnh"


@pytest.mark.parametrize("flt, names, where, file_part", [
    (H1, NAMES, "Toàn tỉnh", "toan-tinh"),  # one province's database
    (H1, {WHOLE_AREA: "Toàn quốc"}, "Toàn quốc", "toan-quoc"),  # several provinces, none chosen
    (Filter("2023-H1", province="12"), {"12": "Tỉnh Lai Châu"}, "Tỉnh Lai Châu", "lai-chau"),
], ids=["province", "country", "chosen-province"])
def test_what_the_figures_cover_names_the_country_or_the_chosen_province(flt, names, where, file_part):
    assert frames.filter_text(flt, names, "vi") == f"{where} · tất cả lĩnh vực"
    assert dict(frames.about_rows(flt, names, "vi", "chi-so"))["Huyện, thành phố"] == where
    assert export.file_name("chi-tieu", flt, names) == f"hx_chi-tieu_{file_part}_2023-H1.csv"


def test_no_data_text_names_the_periods_that_have_data():
    text = frames.no_data_text(Filter("2020-H1"), ["2023-H1", "2023-Q1"], "vi")
    assert text == "Chưa có số liệu cho kỳ 6 tháng đầu năm 2020. Các kỳ có số liệu: 6 tháng đầu năm 2023, Quý I/2023, …."


# ---------------------------------------------------------------------------------------------
# Breakdowns


def test_breakdown_labels_use_each_organisation_type_s_sector_names(engine):
    rows = evaluate(engine, H1, ["coops_total", "groups_total"], by="sector", compare=False, with_targets=False)
    named = frames.breakdown_labels(rows, "sector", "vi").set_index(["indicator", "sector"])["name"]
    assert named["coops_total", "agriculture"] == "Nông, lâm nghiệp, thủy sản"
    assert named["groups_total", "agriculture"] == "Nông nghiệp"  # a THT's sector
    assert named["groups_total", "non_agriculture"] == "Phi nông nghiệp"
    by_district = frames.breakdown_labels(evaluate(engine, H1, ["coops_total"], by="district", compare=False,
                                                   with_targets=False), "district", "vi")
    assert "Huyện Tam Đường" in set(by_district["name"])


def test_share_texts(engine):
    rows = evaluate(engine, H1, ["groups_total"], by="sector", compare=False, with_targets=False)
    texts = frames.with_share_text(frames.breakdown_labels(rows, "sector", "vi"), "vi").set_index("sector")["text"]
    assert texts["agriculture"] == "166 (59,7%)" and texts["non_agriculture"] == "112 (40,3%)"


def test_state_frame_stacks_operating_and_stopped(engine):
    rows = frames.breakdown_labels(evaluate(engine, H1, ["coops_operating", "coops_inactive"], by="district",
                                            compare=False, with_targets=False), "district", "vi")
    states = frames.state_frame(rows, "name", "vi")
    assert list(states.columns) == ["name", "state", "state_label", "count", "count_text"]
    assert set(states["state_label"]) == {"Đang hoạt động", "Ngừng hoạt động"}
    assert states["count"].sum() == 416  # 326 operating + 90 stopped
    assert frames.state_labels("en") == {"operating": "Operating", "stopped": "Stopped"}


def test_ranking_keeps_rows_with_a_figure_and_writes_the_ratio(engine):
    rows = evaluate(engine, H1, ["coops_effective_share"], by="district", compare=False, with_targets=False)
    ranked = frames.ranking_frame(rows, "coops_effective_share", "vi")
    tam_duong = ranked.set_index("district")["text"]["106"]
    assert tam_duong.endswith(")") and "%" in tam_duong and "/" in tam_duong  # "35,1% (13/37)"
    plain = frames.ranking_frame(rows, "coops_effective_share", "vi", ratio=False)
    assert "/" not in plain.set_index("district")["text"]["106"]
    missing = pd.DataFrame({"indicator": ["coops_total"] * 2, "value": [3.0, float("nan")]})
    assert len(frames.ranking_frame(missing, "coops_total", "vi")) == 1
    assert frames.ranking_title("coop_charter_capital", "vi") == "Xếp hạng: Vốn điều lệ HTX (triệu đồng)"


def test_breakdown_table_one_column_per_indicator(engine):
    codes = ["coops_total", "coop_members"]
    rows = frames.breakdown_labels(evaluate(engine, H1, codes, by="district", compare=False, with_targets=False),
                                   "district", "vi")
    table = frames.breakdown_table(rows, codes, "district", "vi")
    assert list(table.columns) == ["Huyện, thành phố", "Tổng số HTX", "Thành viên HTX"]
    assert table["Tổng số HTX"].sum() == 416


# ---------------------------------------------------------------------------------------------
# Trends and grids (engine.frames, then labelled)


def test_trend_over_half_years_and_years(engine):
    half = shaping.trend_frame(engine, H1, "coops_total", "half")
    assert list(half["period"]) == ["2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1"]
    assert list(half["value"]) == [340.0, 361.0, 386.0, 409.0, 416.0]
    years = shaping.trend_frame(engine, H1, "coops_total", "year")
    assert list(years["period"]) == ["2021", "2022"]  # 2023 ends after the filter's period
    shown = frames.trend_frame(half, "coops_total", "vi")
    assert list(shown.columns) == ["period", "period_label", "end", "value", "text", "note", "break_label"]
    assert (shown["note"] == "").all()  # no definition changed before 2023-H1
    assert shown.iloc[-1][["period_label", "text"]].tolist() == ["6 tháng đầu năm 2023", "416"]


def test_which_indicators_have_a_sector_ranking():
    assert shaping.has_breakdown("coops_total", "sector") and shaping.has_breakdown("training_classes", "district")
    assert not shaping.has_breakdown("training_classes", "sector")  # classes have no sector


def test_trend_periods_choose_by_granularity():
    periods = ["2023-Q2", "2023-H1", "2023", "2022-H2", "2022"]
    assert [p.code for p in shaping.trend_periods(periods, "half", date(2023, 6, 30))] == ["2022-H2", "2023-H1"]
    assert [p.code for p in shaping.trend_periods(periods, "quarter", date(2023, 6, 30))] == ["2023-Q2"]
    assert [p.code for p in shaping.trend_periods(periods, "year", date(2023, 12, 31))] == ["2022", "2023"]


def test_heat_grid_adds_up_to_the_total(engine):
    heat = shaping.heat_frame(engine, H1, "groups_total", "group")
    assert heat["value"].sum() == 278
    cells = frames.heat_frame(heat, "vi")
    assert list(cells.columns) == ["district_name", "sector_label", "value", "text"]
    assert set(cells["sector_label"]) == {"Nông nghiệp", "Phi nông nghiệp"}
    only = shaping.heat_frame(engine, Filter("2023-H1", sectors=("agriculture",)), "groups_total", "group")
    assert set(only["sector"]) == {"agriculture"}


# ---------------------------------------------------------------------------------------------
# Targets: which applies where, and how they read


def test_which_target_a_ranking_and_a_trend_draw(targets):
    assert shaping.province_target(targets, "coops_effective_share") == 45.0  # the province one, not the sector's 35
    assert shaping.ranking_target(targets, "coops_effective_share") == 45.0  # a rate is a yardstick for a district
    assert shaping.ranking_target(targets, "coops_new") is None  # a count's target is the province's sum
    assert shaping.trend_target(targets, "coops_effective_share", "half") == 45.0
    assert shaping.trend_target(targets, "coops_new", "half") is None  # an annual count against half-years: no
    assert shaping.trend_target(targets, "coops_new", "year") == 25.0
    assert shaping.province_target(pd.DataFrame(), "coops_new") is None


def test_target_decimals_and_open_targets(targets):
    assert shaping.target_decimals("%", "ratio") == 1
    assert shaping.target_decimals("triệu đồng/HTX", "average") == 1
    assert shaping.target_decimals("HTX", "simple") == 0
    still_open = shaping.open_targets(targets)
    assert set(still_open["status"]) <= {"behind", "on_track"}
    assert "communes_with_coop_share" not in set(still_open["indicator"])  # achieved


def test_target_table_reads_like_the_resolution(targets):
    table = frames.target_table(targets, "vi")
    new = table[table["Chỉ tiêu"] == "HTX thành lập mới"].iloc[0]
    assert (new["Chỉ tiêu năm"], new["Thực hiện"], new["Đạt (% chỉ tiêu)"]) == ("25", "13", "52,0%")
    assert new["Đánh giá"] == "Đúng tiến độ" and new["Phạm vi"] == "Toàn tỉnh"
    share = table[table["Chỉ tiêu"] == "Tỷ lệ HTX hoạt động hiệu quả"].iloc[0]
    assert share["Thực hiện"] == "36,8% (120/326)" and share["Đánh giá"] == "Chậm tiến độ"
    sector = table[table["Chỉ tiêu"] == "Tỷ lệ HTX hoạt động hiệu quả (Nông, lâm nghiệp, thủy sản)"].iloc[0]
    assert sector["Phạm vi"] == "Riêng lĩnh vực: Nông, lâm nghiệp, thủy sản"
    models = table[table["Chỉ tiêu"] == "Mô hình HTX kiểu mới điển hình"].iloc[0]
    assert models["Chỉ tiêu năm"] == "2–3"  # a range target
    income = table[table["Chỉ tiêu"] == "Thu nhập bình quân lao động HTX (năm)"].iloc[0]
    assert income["Thực hiện"] == "52,6"  # averages to one decimal
    labels = frames.target_labels(targets, "vi")
    assert labels.iloc[3] == "(2) HTX thành lập mới"
    assert frames.target_table(targets, "en").columns[0] == "Item"


def test_gap_texts(engine, targets):
    gaps = frames.gap_frame(gap_by_district(engine, H1, "coops_effective_share"), "vi")
    assert gaps["text"].str.endswith("%").all()
    target = targets[(targets["indicator"] == "coops_effective_share") & targets["sector"].isna()].iloc[0]
    table = frames.gap_table(gaps, target, "vi")
    assert list(table.columns) == ["Địa bàn", "Thực hiện", "Cần thêm", "Phần thiếu hụt (%)"]
    assert frames.gap_frame(pd.DataFrame(), "vi").empty  # a target without a district split


@pytest.mark.parametrize(("period", "by"), [("2023-H1", "district"), ("2026-Q3", "commune")])
def test_shortfalls_asked_together_are_those_asked_one_by_one(engine, period, by):
    """Cần chỉ đạo asks every target's shortfall at once (one evaluate per sector): each target's areas,
    figures, needs and shares are what asking for it alone gives."""
    flt = Filter(period)
    table = target_table(engine, flt)
    wanted = [(code, sector if isinstance(sector, str) else None)
              for code, sector in zip(table["indicator"], table["sector"], strict=True)]
    together = gaps_by_area(engine, flt, wanted, by)
    shown = ["area", "area_name", "value", "needed", "needed_unit", "contribution"]
    assert sum(not gaps.empty for gaps in together.values()) >= 5
    for key in wanted:
        alone = gaps_by_area(engine, flt, [key], by)[key]
        if alone.empty:
            assert together[key].empty, key
            continue
        pd.testing.assert_frame_equal(together[key][shown], alone[shown], obj=str(key))


def test_slides_one_per_headline_then_one_per_target(targets):
    deck = shaping.slides(["coops_total", "groups_total"], targets)
    assert len(deck) == 2 + len(targets)
    assert not deck[0].is_target and deck[2].is_target
    sector_slide = next(s for s in deck if s.sector)
    assert (sector_slide.code, sector_slide.sector) == ("coops_effective_share", "agriculture")
    assert shaping.slide_scope(H1, sector_slide).sectors == ("agriculture",)
    assert shaping.slide_scope(H1, deck[0]) == H1
    assert shaping.slide_target(targets, sector_slide) == 35.0
    assert shaping.slide_target(targets, deck[0]) is None
    assert frames.slide_title(sector_slide, "vi") == "Tỷ lệ HTX hoạt động hiệu quả (Nông, lâm nghiệp, thủy sản)"
    new = targets.index[targets["indicator"] == "coops_new"][0]
    line, status = frames.slide_target_lines(targets.loc[new], "vi")
    assert line.startswith("Chỉ tiêu năm 25 · tiến độ cần đạt ") and status == "Đúng tiến độ · đạt 52% chỉ tiêu"
    share = targets.index[(targets["indicator"] == "coops_effective_share") & targets["sector"].isna()][0]
    assert frames.slide_target_lines(targets.loc[share], "vi")[0] == "Chỉ tiêu năm 45,0%"  # a rate has no pace


def test_slide_figure(panel):
    figure = frames.slide_figure(row(panel, "coop_charter_capital"), "vi")
    assert (figure.value, figure.unit, figure.delta, figure.colour, figure.ratio) == (
        "1.056.714", " triệu đồng", "+39.600 so với năm 2022", "green", "")
    assert frames.slide_figure(row(panel, "coops_effective_share"), "vi").ratio == "120/326"


# ---------------------------------------------------------------------------------------------
# Tables for the screen and for downloads


def test_shown_writes_numbers_and_leaves_text():
    table = pd.DataFrame({"Tên": ["HTX A"], "Vốn": [1056714.0], "Tỷ lệ": [59.712], "Có": [True]})
    shown = frames.shown(table, "vi", decimals={"Tỷ lệ": 1})
    assert shown.iloc[0].tolist() == ["HTX A", "1.056.714", "59,7", True]
    assert frames.shown(table, "en").iloc[0]["Vốn"] == "1,056,714"


def test_shown_indicators_use_each_indicator_s_decimals(panel):
    codes = ["coops_total", "coops_effective_share", "coop_avg_income"]
    frame = panel.loc[codes].reset_index(drop=True)
    shown = frames.shown_indicators(frames.indicator_table(frame, "vi"), frame["indicator"], "vi")
    assert shown["Giá trị"].tolist() == ["416", "36,8", "4,4"]
    assert shown["Tăng/giảm"].tolist() == ["+7", "+7,7", "+0,1"]
    assert shown["Tử số"].tolist()[1] == "120" and shown["Mẫu số"].tolist()[1] == "326"
    assert shown["Đến ngày"].tolist()[0] == "30/6/2023"
    assert "None" not in shown.astype(str).to_numpy()
    english = frames.indicator_table(frame, "en")
    assert english["Indicator"].tolist()[0] == "Cooperatives"


def test_lists_speak_the_page_s_language(engine):
    training = lists.LISTS["training"](engine, H1)
    assert "Awareness class" in set(frames.list_labels(training, "training", "en")["kind_label"])
    assert frames.list_labels(training, "training", "vi") is training  # Vietnamese: as hxcore.engine.lists wrote it
    coops = lists.LISTS["coops"](engine, H1)
    table = frames.organisation_table(coops, "vi")
    assert table.columns[:4].tolist() == ["Tên", "Huyện, thành phố", "Xã, phường, thị trấn", "Lĩnh vực"]
    assert set(table["Thành viên Liên minh"]) <= {"Có", "Không"}
    rows, dates = frames.unit_rows(coops, "coops", "vi")
    assert dates == ["Ngày đăng ký"] and len(rows) == 416
    loans, dates = frames.unit_rows(lists.LISTS["loans"](engine, H1), "loans", "vi")
    assert dates == [] and not [c for c in loans.columns if c.endswith("_code") or c == "id"]


def test_search_ignores_case_and_accents():
    frame = pd.DataFrame({"name": ["HTX Bình Lư", "HTX Sìn Hồ"], "commune_name": ["Bình Lư", None]})
    assert frames.search(frame, ["name", "commune_name"], "binh lu")["name"].tolist() == ["HTX Bình Lư"]
    assert frames.search(frame, ["name", "commune_name"], "SÌN")["name"].tolist() == ["HTX Sìn Hồ"]
    assert len(frames.search(frame, ["name"], "")) == 2


def test_status_and_comparison_labels():
    assert frames.status_label("behind", "vi") == "Chậm tiến độ" and frames.status_label("behind", "en") == "Behind"
    assert frames.status_label(None, "vi") == ""
    assert frames.comparison_labels("en")[Comparison.PREVIOUS_YEAR_END] == "Previous year end"
    assert frames.indicator_label("groups_total", "vi") == "Tổng số tổ hợp tác"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unrated_cooperatives_say_so_not_none(engine, lang):
    rows = frames.list_labels(lists.organisation_list(engine, Filter("2023-H1")), "coops", lang)
    table = frames.organisation_table(rows, lang)
    ratings = table[t("col_rating", lang)]
    unrated = int(rows["rating"].isna().sum())
    assert unrated > 0 and ratings.notna().all()
    assert (ratings == t("not_rated", lang)).sum() == unrated
    assert "None" not in set(ratings)
