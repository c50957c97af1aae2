"""The declared rules on the H1-2023 report as printed: every contradiction, found from the figures."""

from __future__ import annotations

import pytest

from hxcore.engine import checks as validation
from hxcore.engine.checks import printed_interval

REPORT = "BC-BCH-2023-H1"


@pytest.fixture(scope="module")
def violations(engine):
    return validation.check(engine, report=REPORT)


def _find(frame, rule, indicator, aspect="value", sector=None):
    rows = frame[(frame["rule"] == rule) & (frame["indicator"] == indicator) & (frame["aspect"] == aspect)]
    rows = rows[rows["sector"].isna()] if sector is None else rows[rows["sector"] == sector]
    assert len(rows) == 1, frame[["rule", "indicator", "aspect", "sector"]]
    return rows.iloc[0]


# (rule, indicator, aspect, sector, what the suspect column must name) — README "Where the report contradicts itself"
EXPECTED = [
    ("sectors_sum", "coop_charter_capital", "value", None, "14.640 → 11.400"),
    ("stated_share", "coop_charter_capital", "share", "environment", "14.640 → 11.400"),
    ("matches_data", "coop_charter_capital", "value", "environment", "14.640 → 11.400"),
    ("coop_income_year", "coop_avg_income_year", "value", None, "4,3 → 4,38"),
    ("matches_data", "coop_avg_income", "value", None, "4,3 → 4,38"),
    ("attainment", "coops_alliance_share", "attainment", None, "54% → 77,1"),
    ("matches_data", "coops_alliance_share", "attainment", None, "54% → 77,1"),
    ("attainment", "training_trainees", "attainment", None, "hơn 900 → 900"),
    ("matches_data", "training_trainees", "value", None, "hơn 900 → 900"),
    ("percent_sign", "group_avg_income_year", "attainment", None, ""),
]


@pytest.mark.parametrize("rule,indicator,aspect,sector,suspect", EXPECTED)
def test_known_contradictions_are_found(violations, rule, indicator, aspect, sector, suspect):
    row = _find(violations, rule, indicator, aspect, sector)
    assert suspect in row["suspect"]


def test_nothing_else_is_reported(violations):
    assert len(violations) == len(EXPECTED)


def test_sector_sum_difference_and_figures(violations):
    row = _find(violations, "sectors_sum", "coop_charter_capital")
    assert row["difference"] == pytest.approx(1_056_714 - 1_059_954)
    assert "1.059.954" in row["computed"] and "14.640" in row["figures"]


def test_alliance_attainment_is_the_rate(violations):
    assert "tỷ lệ" in _find(violations, "attainment", "coops_alliance_share", "attainment")["note"]


def test_demo_data_satisfies_every_rule(engine):
    assert validation.check(engine, period="2023-H1").empty


@pytest.mark.parametrize("value,printed,unit,low,high", [
    (1.1, "1,1%", "%", 1.05, 1.15), (1056714, "1.056.714", "triệu đồng", 1056713.5, 1056714.5),
    (900, "hơn 900", "học viên", 901, float("inf")), (22695, "22,695 tỷ", "triệu đồng", 22694.5, 22695.5),
    (1, "1%", "%", 0.5, 1.5),
])
def test_printed_intervals(value, printed, unit, low, high):
    assert printed_interval(value, printed, unit) == pytest.approx((low, high))


def test_cli_check_lists_the_contradictions(demo_db_path, capsys):
    from hxcore.cli import main

    assert main(["--db", f"sqlite:///{demo_db_path}", "check", "--report", REPORT, "--strict"]) == 1
    out = capsys.readouterr().out
    assert "10 vi phạm" in out and "14.640 → 11.400" in out
