"""Cần chỉ đạo: every list checked against the raw tables (or the report), and its lines' links."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from hxcore.db import schema
from hxcore.engine.attainment import target_table
from hxcore.engine.attention import (
    LOAN_GRACE_MONTHS,
    LOAN_INSTALMENT_MONTHS,
    STOPPED_LOOKBACK,
    linear_projection,
    needs_attention,
    share_projection,
)
from hxcore.engine.compute import evaluate
from hxcore.model.filters import Filter
from hxcore.present import attention as shown

ROOT = Path(__file__).resolve().parent.parent
H1 = Filter("2023-H1")


@pytest.fixture(scope="module")
def found(engine):
    return needs_attention(engine, H1)


@pytest.mark.parametrize(("actual", "start", "fraction", "expected"), [
    (3, 0.0, 0.5, 6.0),  # a flow: twice the half-year
    (36.8, 30.0, 0.5, 43.6),  # a rate: the change since January, doubled
    (19, 0.0, 0.25, 76.0),  # a quarter
    (5, None, 0.5, None),  # no figure at last year's end: no projection
])
def test_linear_projection(actual, start, fraction, expected):
    result = linear_projection(actual, start, fraction)
    assert result == pytest.approx(expected) if expected is not None else result is None


@pytest.mark.parametrize(("actual", "year_end", "same", "expected"), [
    (100, 250, 125, 200.0),  # last year H1 was half the year: double it
    (3, 12, 8, 4.5),
    (3, 12, 0, None),  # nothing by the same date last year: no share to apply
    (3, None, 8, None),
])
def test_share_projection(actual, year_end, same, expected):
    result = share_projection(actual, year_end, same)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_behind_targets_are_the_target_tables_behind_rows(engine, found):
    table = target_table(engine, H1)
    assert list(found.targets["row"]) == list(table.index[table["status"] == "behind"])
    assert not found.targets.empty


def test_a_paced_count_target_with_both_projections(engine, found):
    row = found.targets.set_index("indicator").loc["groups_new"]
    last_year = evaluate(engine, replace(H1, period="2022"), ["groups_new"], compare=False, with_targets=False)
    same = evaluate(engine, replace(H1, period="2022-H1"), ["groups_new"], compare=False, with_targets=False)
    assert (row["actual"], row["target"], row["gap"], row["gap_unit"]) == (3, 20, 17, "value")
    assert row["linear"] == pytest.approx(6.0)  # 3 in six months, 6 in twelve
    assert row["last_year_share"] == pytest.approx(3 * last_year.iloc[0]["value"] / same.iloc[0]["value"])
    assert row["needed_per_month"] == pytest.approx(17 / 6) and row["remaining_months"] == 6


def test_a_rate_gap_is_counted_in_its_numerators_units(found):
    """45% of 326 operating HTX is 146,7 effective HTX; 120 are: 26,7 more are needed (4,45 a month)."""
    rows = found.targets[(found.targets["indicator"] == "coops_effective_share") & found.targets["sector"].isna()]
    row = rows.iloc[0]
    assert (row["gap_unit"], round(row["gap"], 1), round(row["needed_per_month"], 2)) == ("numerator", 26.7, 4.45)


def test_areas_carry_the_largest_shares_of_each_gap(found):
    for _, part in found.areas.groupby("row"):
        assert len(part) <= 3 and list(part["needed"]) == sorted(part["needed"], reverse=True)
        assert (part["contribution"] > 0).all()
    # Averages are not sums over districts: no district carries an income gap.
    income = found.targets[found.targets["indicator"] == "coop_avg_income_year"]["row"]
    assert not found.areas["row"].isin(income).any()


def _facts(engine) -> pd.DataFrame:
    f, o = schema.facts, schema.organisations
    statement = select(f.c.org_id, f.c.as_of, f.c.status).join(o, o.c.id == f.c.org_id).where(o.c.org_type == "coop")
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).all(), columns=["org_id", "as_of", "status"])


def test_stopped_coops_are_stopped_at_both_ends_and_none_is_missed(engine, found):
    facts = _facts(engine)
    stopped_at = {day: set(facts[(facts["as_of"] == day) & (facts["status"] == "stopped")]["org_id"])
                  for day in (date(2023, 6, 30), date(2022, 12, 31))}
    stopped_now = evaluate(engine, H1, ["coops_inactive"], compare=False, with_targets=False).iloc[0]["value"]
    listed = set(found.stopped["id"])
    assert listed == stopped_at[date(2023, 6, 30)] & stopped_at[date(2022, 12, 31)]
    assert 0 < len(listed) <= stopped_now  # at most the 90 HTX stopped at 30/6/2023
    assert (found.stopped["periods_stopped"] >= 2).all()


def test_each_stopped_coops_run_is_counted_back_over_its_raw_returns(engine, found):
    """periods_stopped: the half-years' ends, from 30/6/2023 back, whose return says stopped, without a
    break; since: the oldest of them; at_least: the run reaches the look-back or a date without a return."""
    facts = _facts(engine)
    status = {(org, day): state for org, day, state in facts.itertuples(index=False)}
    periods = [H1.parsed_period]
    while len(periods) < STOPPED_LOOKBACK:
        periods.append(periods[-1].previous())
    runs = found.stopped.set_index("id")
    assert runs["periods_stopped"].nunique() > 1 and runs["at_least"].any() and not runs["at_least"].all()
    for org, row in runs.iterrows():
        run = 0
        while run < len(periods) and status.get((org, periods[run].end)) == "stopped":
            run += 1
        reaches_back = run == len(periods) or (org, periods[run].end) not in status
        assert (row["periods_stopped"], row["stopped_since"], row["at_least"]) == (run, periods[run - 1].code, reaches_back)


def test_overdue_loans_follow_the_rule_on_the_raw_rows(engine, found):
    with engine.connect() as connection:
        loans = pd.DataFrame(connection.execute(select(schema.fund_loans)).mappings().all())
        repaid = pd.DataFrame(connection.execute(select(schema.fund_repayments)).mappings().all())
    end = H1.parsed_period.end
    repaid = repaid[repaid["paid_on"] <= end]
    expected = set()
    for loan in loans[loans["disbursed_on"] <= end].to_dict("records"):
        mine = repaid[repaid["loan_id"] == loan["id"]]
        if loan["amount"] - mine["amount"].sum() <= 1e-6:
            continue
        due = pd.Timestamp(loan["disbursed_on"]) + pd.DateOffset(months=LOAN_GRACE_MONTHS)
        if len(mine):
            due = max(due, pd.Timestamp(mine["paid_on"].max()) + pd.DateOffset(months=LOAN_INSTALMENT_MONTHS))
        if due.date() < end:
            expected.add(loan["id"])
    assert set(found.loans["id"]) == expected and expected
    assert (found.loans["outstanding"] > 0).all() and (found.loans["days_overdue"] > 0).all()


def test_idle_1054_projects_are_the_six_the_report_names(found):
    """"còn 6/11 HTX chưa xây dựng dự án trình UBND huyện" (report, 30/6/2023)."""
    assert len(found.projects) == 6
    assert set(found.projects["status"]) == {"not_started"}
    assert (found.projects["last_step_on"] == date(2022, 9, 15)).all() and (found.projects["months_idle"] == 9).all()


def test_a_district_filter_keeps_its_own_lines(engine, found):
    district = found.stopped["district_code"].iloc[0]
    local = needs_attention(engine, replace(H1, districts=(district,)))
    assert set(local.stopped["id"]) == set(found.stopped[found.stopped["district_code"] == district]["id"])
    assert set(local.loans["district_code"]) <= {district}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_line_links_to_a_page_and_its_filter_by_code(found, lang):
    sections = shown.sections(found, H1, lang)
    assert [s.key for s in sections] == list(shown.SECTIONS)
    for section in sections:
        assert len(section.table) == {"targets": len(found.targets), "stopped": len(found.stopped),
                                      "loans": len(found.loans), "projects": len(found.projects)}[section.key]
        for line in section.lines:
            assert (ROOT / "pages" / f"{line.page}.py").exists()
            assert line.params["period"] == "2023-H1"
            assert "None" not in line.text and "nan" not in line.text and line.short
    stopped = next(s for s in sections if s.key == "stopped")
    assert sum(int(line.short.split(": ")[1].split()[0]) for line in stopped.lines) == len(found.stopped)
    assert all(line.params["district"][0] in set(found.stopped["district_code"]) for line in stopped.lines)


def test_summary_counts_every_list(found):
    assert shown.summary(found, "vi") == (f"{len(found.targets)} chỉ tiêu chậm tiến độ · {len(found.stopped)} HTX ngừng "
                                          f"hoạt động kéo dài · {len(found.loans)} khoản vay quá hạn · "
                                          f"{len(found.projects)} dự án 1054 chưa tiến triển")


def test_target_line_in_vietnamese(found):
    line = shown.sections(found, H1, "vi")[0].lines
    text = next(item.text for item in line if "THT thành lập mới" in item.text)
    assert text.startswith("(2) THT thành lập mới: đạt 3/20 (15% chỉ tiêu) · còn thiếu 17 THT, 2,8 mỗi tháng trong 6 tháng")
    assert "cuối năm ước 6 theo tốc độ từ đầu năm" in text
