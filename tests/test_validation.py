"""The declared rules on the H1-2023 report as printed: every contradiction, found from the figures."""

from __future__ import annotations

import math

import pandas as pd
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


# --- screens: the checks of the data that may fail, found in bulk -----------------------------

SECTORS = ("agriculture", "industry", "construction", "trade", "transport", "environment", "credit")  # the HTX's
DISTRICTS = {"101": SECTORS[:4], "102": SECTORS[4:]}  # each district holds some sectors' cooperatives


def _evaluated(change) -> list[tuple[str | None, pd.DataFrame]]:
    """evaluate()'s three frames for figures that satisfy every rule, then `change(rows)` applied: each
    sector k has 10+k operating HTX, k stopped, 5 in the alliance, a monthly income of 4+k/10."""
    base = {s: {"coops_operating": 10 + k, "coops_inactive": k, "coops_alliance_members": 5} for k, s in enumerate(SECTORS)}
    for parts in base.values():
        parts["coops_total"] = parts["coops_operating"] + parts["coops_inactive"]
    scopes = {(None, None): SECTORS, **{(s, None): (s,) for s in SECTORS}, **{(None, d): DISTRICTS[d] for d in DISTRICTS}}
    rows = []
    for (sector, district), held in scopes.items():
        counts = {code: float(sum(base[s][code] for s in held)) for code in base[SECTORS[0]]}
        counts["coops_alliance_share"] = counts["coops_alliance_members"] / counts["coops_operating"] * 100
        income = sum(4 + SECTORS.index(s) / 10 for s in held) / len(held)
        counts |= {"coop_avg_income": income, "coop_avg_income_year": income * 12}
        for indicator, value in counts.items():
            rows.append({"indicator": indicator, "sector": sector, "district": district, "value": value,
                         "previous_value": value - 1, "change": 1.0, "share": None})
    wholes = {row["indicator"]: row["value"] for row in rows if row["sector"] is row["district"] is None}
    for row in rows:
        if (row["sector"] or row["district"]) and row["indicator"] in validation.ADDITIVE:
            row["share"] = row["value"] / wholes[row["indicator"]] * 100
    change(rows)
    by = {None: lambda row: not (row["sector"] or row["district"]), "sector": lambda row: row["sector"],
          "district": lambda row: row["district"]}
    return [(name, pd.DataFrame([row for row in rows if held(row)])) for name, held in by.items()]


def _set(indicator, sector, district, column, value):
    """A change to the evaluated rows: one figure set to `value` (a number, or a function of the old one)."""

    def change(rows):
        for row in rows:
            if (row["indicator"], row["sector"], row["district"]) == (indicator, sector, district):
                row[column] = value(row[column]) if callable(value) else value

    return change


def _failing(figs: Figures, screened: bool) -> list[tuple[str, tuple]]:
    """Every violated check of the data: its rule and its figures (screened, or all made and decided)."""
    rules = [rule for rule in RULES if CheckSource.DATA in rule.sources]
    return [(rule.code, tuple(f.key for f in check.figures)) for rule in rules
            for check in FORMS[rule.form](rule, validation._screened(rule, figs) if screened else figs) if not check.holds()]


# (what is changed, the rules then violated): the screens must keep every check that fails, nothing else decides
SCREEN_CASES = [
    ("nothing", lambda rows: None, set()),
    ("a sector's stopped HTX", _set("coops_inactive", "trade", None, "value", lambda v: v + 1),
     {"sectors_sum", "operating_plus_stopped", "stated_share", "change"}),
    ("a district's operating HTX", _set("coops_operating", None, "101", "value", lambda v: v + 1),
     {"districts_sum", "operating_plus_stopped", "alliance_rate", "stated_share", "change"}),
    ("a share", _set("coops_total", None, "102", "share", lambda v: v + 0.1), {"stated_share"}),
    ("a yearly income", _set("coop_avg_income_year", None, None, "value", lambda v: v + 0.5), {"coop_income_year", "change"}),
    ("a change", _set("coops_alliance_members", "credit", None, "change", 2.0), {"change"}),
    ("3e-9 above, out of the interval", _set("coops_total", None, None, "value", lambda v: v * (1 + 3e-9)),
     {"sectors_sum", "districts_sum", "operating_plus_stopped", "stated_share", "change"}),
    ("5e-10 above, within it", _set("coops_total", None, None, "value", lambda v: v * (1 + 5e-10)), set()),
    ("a sector missing, the others exceeding the total",
     lambda rows: rows.remove(next(r for r in rows if (r["indicator"], r["sector"]) == ("coops_total", "credit")))
     or _set("coops_total", "trade", None, "value", 1000)(rows),
     {"sectors_sum", "operating_plus_stopped", "stated_share", "change"}),
    ("a sector missing, the others within the total",
     lambda rows: rows.remove(next(r for r in rows if (r["indicator"], r["sector"]) == ("coops_total", "credit"))), set()),
    ("no operating HTX: any share of them", lambda rows: [_set("coops_operating", None, "102", column, value)(rows)
                                                          for column, value in (("value", 0.0), ("previous_value", 1.0),
                                                                                ("change", -1.0))],
     {"districts_sum", "operating_plus_stopped", "stated_share"}),
    ("no previous stock", _set("coops_total", None, None, "previous_value", None), set()),
    # ∞ - ∞ is NaN: the change holds (as _sum() cleans it), and the screen keeps it for the check to decide
    ("an infinite value", _set("coop_avg_income", "credit", None, "value", math.inf), {"coop_income_year"}),
]


@pytest.mark.parametrize("change,violated", [case[1:] for case in SCREEN_CASES], ids=[case[0] for case in SCREEN_CASES])
def test_screens_keep_every_check_that_fails(change, violated):
    """failing_figures() decides only the checks a screen keeps: they must be every check that fails."""
    rows = validation.FigureRows(_evaluated(change))
    data = validation.DataFigures(rows, ("value", "share", "change"))
    figs = Figures(CheckSource.DATA, "2023-H1", data, data, validation.DataFigures(rows, ("previous",)), {},
                   districts=[(code, code) for code in DISTRICTS])
    failing = _failing(figs, screened=True)
    assert failing == _failing(figs, screened=False)
    assert {rule for rule, _ in failing} == violated
    kept = sum(len(validation._screened(rule, figs).focus) for rule in RULES if rule.form in validation.SCREENS)
    assert kept <= 2 * len(failing)  # and clear nearly every check that holds
