"""Periods, ratio aggregation, target arithmetic, filters and the demo build's determinism."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from hxcore.db import schema
from hxcore.db.schema import make_engine
from hxcore.engine.compute import evaluate, resolve_districts
from hxcore.io.demo import build_demo, split_total
from hxcore.model.areas import AmbiguousName, bare_name, match_area, slugify
from hxcore.model.catalog import INDICATORS, INDICATORS_BY_CODE, MEASURES_BY_CODE
from hxcore.model.filters import Filter, FilterError, resolve_sectors
from hxcore.model.periods import Comparison, Period, PeriodError, comparison_period
from hxcore.model.targets import TargetStatus, assess


@pytest.mark.parametrize(
    "code, start, end, fraction, label",
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31), 1.0, "Năm 2023"),
        ("2023-H1", date(2023, 1, 1), date(2023, 6, 30), 0.5, "6 tháng đầu năm 2023"),
        ("2023-H2", date(2023, 7, 1), date(2023, 12, 31), 1.0, "6 tháng cuối năm 2023"),
        ("2023-Q1", date(2023, 1, 1), date(2023, 3, 31), 0.25, "Quý I/2023"),
        ("2023-Q3", date(2023, 7, 1), date(2023, 9, 30), 0.75, "Quý III/2023"),
        ("2024-q4", date(2024, 10, 1), date(2024, 12, 31), 1.0, "Quý IV/2024"),
    ],
)
def test_period_arithmetic(code, start, end, fraction, label):
    period = Period.parse(code)
    assert (period.start, period.end, period.year_fraction, period.label()) == (start, end, fraction, label)
    assert period.year_start == date(period.year, 1, 1)  # flows are counted year-to-date


@pytest.mark.parametrize("code", ["2023-H3", "23-H1", "2023-Q5", "", "H1-2023"])
def test_bad_periods_are_refused(code):
    with pytest.raises(PeriodError, match="2023-H1"):
        Period.parse(code)


@pytest.mark.parametrize(
    "code, comparison, expected",
    [
        ("2023-H1", Comparison.PREVIOUS_YEAR_END, "2022"),
        ("2023-H1", Comparison.SAME_PERIOD_LAST_YEAR, "2022-H1"),
        ("2024-Q3", Comparison.SAME_PERIOD_LAST_YEAR, "2023-Q3"),
        ("2023", Comparison.PREVIOUS_YEAR_END, "2022"),
    ],
)
def test_comparison_periods(code, comparison, expected):
    assert comparison_period(Period.parse(code), comparison).code == expected


def test_stocks_compare_with_the_year_end_and_flows_with_the_same_months(db):
    frame = evaluate(db, Filter("2023-H1"), ["coops_total", "coops_new", "coop_avg_revenue"]).set_index("indicator")
    assert frame["previous_period"].to_dict() == {"coops_total": "2022", "coops_new": "2022-H1",
                                                  "coop_avg_revenue": "2022-H1"}
    h1_2022 = evaluate(db, Filter("2022-H1"), ["coops_new"], compare=False).iloc[0]["value"]
    assert frame.loc["coops_new", "change"] == 13 - h1_2022


def test_a_sector_filter_keeps_only_that_sectors_targets(db):
    from hxcore.engine.attainment import target_table

    agriculture = target_table(db, Filter("2023-H1", sectors=("agriculture",)))
    assert list(agriculture["indicator"]) == ["coops_effective_share"]
    assert round(agriculture.iloc[0]["actual"]) == 24  # 42/174, not the province's 36,8%
    assert target_table(db, Filter("2023-H1", sectors=("credit",))).empty


def test_previous_period():
    assert [Period.parse(c).previous().code for c in ("2023-H1", "2023-H2", "2023-Q1", "2023")] == [
        "2022-H2", "2023-H1", "2022-Q4", "2022"]


@pytest.mark.parametrize("indicator", [i.code for i in INDICATORS if i.denominator and i.type in ("ratio", "average")])
def test_ratios_come_from_summed_parts_not_averaged_percentages(db, indicator):
    """The province ratio is Σ numerators ÷ Σ denominators over districts, not the mean of district ratios."""
    ind = INDICATORS_BY_CODE[indicator]
    province = evaluate(db, Filter("2023-H1"), [indicator], compare=False, with_targets=False).iloc[0]
    districts = evaluate(db, Filter("2023-H1"), [indicator], by="district", compare=False, with_targets=False)
    assert districts["numerator"].sum() == pytest.approx(province["numerator"])
    assert districts["denominator"].sum() == pytest.approx(province["denominator"])
    assert province["value"] == pytest.approx(districts["numerator"].sum() / districts["denominator"].sum() * ind.scale)


def test_district_ratios_differ_from_their_mean(db):
    """Guards the test above: averaging the district shares would give a different, wrong figure."""
    districts = evaluate(db, Filter("2023-H1"), ["coops_effective_share"], by="district", compare=False,
                         with_targets=False)
    assert districts["value"].mean() != pytest.approx(36.81, abs=0.05)


@pytest.mark.parametrize("by", ["district", "sector"])
def test_additive_breakdowns_add_up_to_the_province(db, by):
    codes = ["coops_total", "coops_operating", "coop_charter_capital", "coop_members", "coop_workers", "coops_new"]
    province = evaluate(db, Filter("2023-H1"), codes, compare=False, with_targets=False).set_index("indicator")
    parts = evaluate(db, Filter("2023-H1"), codes, by=by, compare=False, with_targets=False)
    sums = parts.groupby("indicator")["value"].sum()
    for code in codes:
        assert sums[code] == pytest.approx(province.loc[code, "value"]), code


def test_a_result_changed_by_its_caller_leaves_the_next_result_alone(db):
    """evaluate() shares the indicators' label columns between calls (compute._repeated): a caller
    writing into its frame must not reach the next caller's."""
    first = evaluate(db, Filter("2023-H1"), by="district")
    first.loc[0, "label"] = "đã sửa"
    first.loc[1, "indicator"] = "x"
    first["unit"] = first["unit"].str.upper()
    again = evaluate(db, Filter("2023-H1"), by="district")
    assert (again.loc[0, "label"], again.loc[1, "indicator"], again.loc[0, "unit"]) == ("Tổng số HTX", "coops_total", "HTX")


def test_district_filter_equals_that_districts_breakdown_row(db):
    tam_duong = evaluate(db, Filter("2023-H1", districts=("106",)), ["coops_total", "coop_charter_capital"],
                         compare=False, with_targets=False).set_index("indicator")["value"]
    assert tam_duong.to_dict() == {"coops_total": 44, "coop_charter_capital": 141_075}  # published for Tam Đường


def test_sector_filter_applies_to_each_kind_of_organisation(db):
    frame = evaluate(db, Filter("2023-H1", sectors=("non_agriculture",)), ["groups_total", "coops_total"],
                     compare=False, with_targets=False).set_index("indicator")
    assert frame.loc["groups_total", "value"] == 112
    assert pd.isna(frame.loc["coops_total", "value"])  # no cooperative sector selected: not applicable


def test_period_without_snapshot_has_no_data_rather_than_zero(db):
    frame = evaluate(db, Filter("2019-H1"), ["coops_operating", "training_classes"], compare=False,
                     with_targets=False)
    assert frame["value"].isna().all()


def test_quarters_have_data(db):
    frame = evaluate(db, Filter("2023-Q1"), ["coops_total", "coops_operating", "coop_new_members"],
                     with_targets=False).set_index("indicator")
    assert frame["value"].notna().all()
    assert frame.loc["coops_total", "previous_period"] == "2022"


def test_training_is_not_cut_by_sector(db):
    frame = evaluate(db, Filter("2023-H1", sectors=("agriculture",)), ["training_classes"], with_targets=False)
    assert not frame.iloc[0]["applicable"] and pd.isna(frame.iloc[0]["value"])


@pytest.mark.parametrize(
    "actual, comparator, value, high, kind, fraction, status, attainment, expected",
    [
        (13, "min", 25, None, "flow", 0.5, TargetStatus.ON_TRACK, 52.0, 12.5),
        (12, "min", 25, None, "flow", 0.5, TargetStatus.BEHIND, 48.0, 12.5),
        (26, "min", 25, None, "flow", 0.5, TargetStatus.ACHIEVED, 104.0, 12.5),
        (25, "min", 25, None, "flow", 1.0, TargetStatus.ACHIEVED, 100.0, None),
        (36.8, "min", 45, None, "ratio", 0.5, TargetStatus.BEHIND, 36.8 / 45 * 100, None),
        (2, "range", 2, 3, "stock", 0.5, TargetStatus.ACHIEVED, 100.0, None),
        (1, "range", 2, 3, "flow", 0.5, TargetStatus.ON_TRACK, 50.0, 1.0),
        (5, "max", 6, None, "stock", 0.5, TargetStatus.ACHIEVED, 5 / 6 * 100, None),
        (7, "max", 6, None, "stock", 0.5, TargetStatus.BEHIND, 7 / 6 * 100, None),
        (None, "min", 20, None, "flow", 0.5, TargetStatus.NO_DATA, None, None),
    ],
)
def test_target_assessment(actual, comparator, value, high, kind, fraction, status, attainment, expected):
    result = assess(actual, comparator, value, high, kind == "flow", fraction)  # yearly counts are paced
    assert result.status == status
    assert result.attainment == (pytest.approx(attainment) if attainment is not None else None)
    assert result.expected == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    "token, code",
    [("106", "106"), ("tam-duong", "106"), ("Huyện Tam Đường", "106"), ("H. Tam Đường", "106"),
     ("tam duong", "106"), ("TP. Lai Châu", "105"), ("Thành phố Lai Châu", "105"), ("lai-chau", "105"),
     ("Nậm Nhùn", "112"), ("NAM NHUN", "112")],
)
def test_districts_by_code_slug_or_name(db, token, code):
    assert resolve_districts(db, [token]) == (code,)


def test_unknown_district_and_sector_name_the_choices(db):
    with pytest.raises(FilterError, match="106 Huyện Tam Đường"):
        resolve_districts(db, ["Mường Lay"])
    with pytest.raises(FilterError, match="agriculture"):
        resolve_sectors(["fishing"])


def test_name_matching_helpers():
    assert bare_name("Xã Pa ủ") == bare_name("Pa Ủ") == "pa u"
    assert bare_name("Hua Bum") == "hua bun"
    assert slugify("Huyện Sìn Hồ") == "sin-ho"
    with pytest.raises(AmbiguousName):
        match_area("Tân Phong", [("03387", "Phường Tân Phong"), ("03999", "Xã Tân Phong")])


def test_split_total_is_exact():
    parts = split_total(1_056_714, [3.0, 1.0, 0.5, 0.0], minimum=100)
    assert sum(parts) == 1_056_714 and min(parts) >= 100


def test_catalog_declarations_check_themselves():
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes))
    assert len({i.label_vi for i in INDICATORS}) == len(codes)
    for ind in INDICATORS:
        assert ind.numerator in MEASURES_BY_CODE, ind.code
        assert ind.denominator is None or ind.denominator in MEASURES_BY_CODE, ind.code
        assert ind.definition, ind.code


def test_readme_documents_every_indicator():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [i.code for i in INDICATORS if f"`{i.code}`" not in readme]
    assert not missing, f"README's indicator table lacks {missing}"


def _content_hashes(db) -> dict[str, str]:
    hashes = {}
    with db.connect() as connection:
        for table in schema.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*(table.primary_key.columns or table.columns))).all()
            hashes[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return hashes


def test_demo_build_is_deterministic(tmp_path):
    first, second = (make_engine(f"sqlite:///{tmp_path / name}") for name in ("a.sqlite", "b.sqlite"))
    build_demo(first)
    build_demo(second)
    assert _content_hashes(first) == _content_hashes(second)
    other = make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    build_demo(other, seed=7)
    assert _content_hashes(other)["organisations"] != _content_hashes(first)["organisations"]


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda text: text.replace("comparator,", "so_sanh,", 1), "thiếu cột comparator"),
        (lambda text: text.replace(",2023,Tuyên truyền cho", ",,Tuyên truyền cho", 1), "số không hợp lệ"),
        (lambda text: text.replace("training_classes", "training_lessons", 1), "training_lessons"),
        (lambda text: text.replace(",min,35,,agriculture", ",min,35,,farming", 1), "lĩnh vực 'farming'"),
        (lambda text: text + text.splitlines()[1] + "\n", "trùng chỉ tiêu với dòng 2"),
    ],
    ids=["missing-column", "blank-year", "unknown-indicator", "unknown-sector", "duplicate"],
)
def test_target_file_errors_name_the_line(tmp_path, edit, message):
    from hxcore.io.targets_file import TARGETS_CSV, read_targets_csv
    from hxcore.model.targets import TargetFileError

    path = tmp_path / "targets.csv"
    path.write_text(edit(TARGETS_CSV.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(TargetFileError, match=message):
        read_targets_csv(path)
