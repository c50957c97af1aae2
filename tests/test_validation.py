"""The declared rules on the H1-2023 report as printed: every contradiction, found from the figures."""

from __future__ import annotations

import pytest

from hxcore.cli import main
from hxcore.engine import checks as validation
from hxcore.engine.checks import FORMS, RULES, CheckSource, Fig, Figures, Rule, printed_interval, sources_label
from hxcore.present.violations import display_frame

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
    assert main(["--db", f"sqlite:///{demo_db_path}", "check", "--report", REPORT, "--strict"]) == 1
    out = capsys.readouterr().out
    assert "10 vi phạm" in out and "14.640 → 11.400" in out


def test_cli_check_csv_names_the_sources_in_vietnamese(demo_db_path, capsys):
    assert main(["--db", f"sqlite:///{demo_db_path}", "check", "--report", REPORT, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert ",báo cáo ↔ dữ liệu," in out and ",báo cáo," in out and "report+data" not in out


# --- sources: codes in the frame, Vietnamese on screen ----------------------------------------

def test_sources_are_codes_and_read_in_vietnamese(violations):
    assert set(violations["source"]) == {"report", "report+data"}
    assert set(display_frame(violations)["Nguồn"]) == {"báo cáo", "báo cáo ↔ dữ liệu"}


def test_violations_read_in_english_too(violations):
    """English mode: headings, rules, sources, indicators and aspects in English; the report's own
    sentences stay as printed (they quote a Vietnamese report)."""
    shown = display_frame(violations, "en")
    assert list(shown.columns)[:4] == ["Rule", "Sources", "Indicator", "Figure"]
    assert set(shown["Sources"]) == {"report", "report ↔ data"}
    assert set(shown["Rule"]) <= {rule.name("en") for rule in RULES}
    assert not shown["Indicator"].str.contains("HTX|THT").any()  # catalog labels in English


@pytest.mark.parametrize("code,vi,en", [
    ("report", "báo cáo", "report"), ("data", "dữ liệu", "data"), ("report+data", "báo cáo ↔ dữ liệu", "report ↔ data"),
    ("", "", ""), (None, "", ""),
])
def test_source_labels(code, vi, en):
    assert sources_label(code) == vi and sources_label(code, "en") == en


def test_figures_name_their_source_in_vietnamese(violations):
    row = violations[violations["rule"] == "sectors_sum"].iloc[0]
    assert "(báo cáo)" in row["figures"] and "(báo cáo)" in row["reconcile"] and "(báo cáo)" in row["suspect"]
    assert "(report)" not in row["figures"] + row["reconcile"] + row["suspect"]


# --- forms: one registered function per kind of rule ------------------------------------------

def test_every_rule_has_a_registered_form():
    assert {rule.form for rule in RULES} <= FORMS.keys()
    assert all(source in CheckSource for rule in RULES for source in rule.sources)


def test_a_form_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        validation.form("sum")(lambda rule, figs: [])


def _data_fig(indicator: str, value: float, sector: str | None = None) -> Fig:
    return Fig((indicator, "value", sector, None), value, value - 1e-9, value + 1e-9, CheckSource.DATA)


def test_a_form_runs_on_figures_alone():
    """A form needs no database: operating + stopped ≠ total in the data is a violation of the data."""
    stated = {f.key: f for f in (_data_fig("coops_total", 10), _data_fig("coops_operating", 7),
                                 _data_fig("coops_inactive", 2))}
    figs = Figures(CheckSource.DATA, "2023-H1", stated, stated, {}, {})
    rule = validation.RULES_BY_CODE["operating_plus_stopped"]
    (found,) = FORMS[rule.form](rule, figs)
    assert not found.holds()
    row = found.violation("", "2023-H1")
    assert row["source"] == "data" and row["difference"] == pytest.approx(1)
    assert "(dữ liệu)" in row["figures"]


def test_a_new_form_is_one_registered_function(engine, monkeypatch):
    """Adding a kind of rule: register a function under a new form name and declare a Rule using it."""

    def is_zero(rule, figs):  # stated = the sum of no terms
        return [validation.Check(rule, fig, "equal") for fig in figs.of(rule)]

    monkeypatch.setitem(FORMS, "zero", is_zero)
    rule = Rule("no_dissolutions", "zero", "Không HTX nào giải thể", total="coops_dissolved", sources=(CheckSource.REPORT,))
    frame = validation.check(engine, report=REPORT, rules=(rule,))
    assert list(frame["rule"]) == ["no_dissolutions"] and list(frame["indicator"]) == ["coops_dissolved"]
    assert frame.iloc[0]["stated"] == "6" and frame.iloc[0]["computed"] == "0"
