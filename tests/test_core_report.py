"""The demo database reproduces every figure of the H1-2023 report, as the report states it.

The figures and the sentences they come from live in data/published/, exactly as printed;
where the report contradicts itself, `followed_value` says which figure the data follows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from hxcore.engine.attainment import target_table
from hxcore.engine.compute import evaluate
from hxcore.model.filters import Filter

PUBLISHED = Path(__file__).resolve().parent.parent / "data" / "published" / "bao-cao-kttt-2023-h1.csv"


def _decimals(printed: str) -> int:
    """The precision a figure was printed with: "36,8%" → 1, "1.056.714" → 0, "22,695 tỷ" → 0 in millions."""
    if "tỷ" in printed:
        return 0
    match = re.search(r",(\d+)", printed)
    return len(match.group(1)) if match else 0


def _figures():
    with PUBLISHED.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["indicator"]:
                yield pytest.param(row, id=f"{row['indicator']}:{row['aspect']}:{row['sector'] or 'all'}")


def _actual(db, row) -> float:
    sectors = (row["sector"],) if row["sector"] else ()
    districts = (row["district"],) if row["district"] else ()
    flt = Filter(row["period"], districts=districts)
    if row["aspect"] == "attainment":
        table = target_table(db, Filter(row["period"]))
        scope = table[(table["indicator"] == row["indicator"]) & (table["sector"].fillna("") == row["sector"])]
        return scope.iloc[0]["attainment"]
    if row["aspect"] == "share":
        frame = evaluate(db, flt, [row["indicator"]], by="sector", compare=False, with_targets=False)
        return frame.set_index("sector").loc[row["sector"], "share"]
    frame = evaluate(db, Filter(row["period"], districts=districts, sectors=sectors), [row["indicator"]],
                     with_targets=False)
    return frame.iloc[0]["change" if row["aspect"] == "change" else "value"]


@pytest.mark.parametrize("row", list(_figures()))
def test_report_figure(db, row):
    expected = float(row["followed_value"] or row["value"])
    actual = _actual(db, row)
    assert not pd.isna(actual), row["sentence"]
    assert round(float(actual), _decimals(row["printed"])) == pytest.approx(expected), row["sentence"]


def test_every_report_figure_is_recorded(db):
    """published_figures in the database holds the report's rows as printed, contradictions included."""
    from sqlalchemy import func, select

    from hxcore.db import schema

    with PUBLISHED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with db.connect() as connection:
        stored = connection.execute(
            select(func.count()).select_from(schema.published_figures)
            .where(schema.published_figures.c.report == "BC-BCH-2023-H1")
        ).scalar()
        followed = connection.execute(
            select(schema.published_figures.c.indicator).where(schema.published_figures.c.followed_value.is_not(None))
        ).scalars().all()
    assert stored == len(rows)
    assert set(followed) == {"coop_avg_income", "coop_charter_capital", "coops_alliance_share"}


@pytest.mark.parametrize(
    "indicator, expected, sentence",
    [
        ("coops_total", 409, "416 HTX ... tăng 7 HTX so với năm 2022"),
        ("groups_total", 275, "278 tổ hợp tác, tăng 03 THT so với năm 2022"),
        ("coop_charter_capital", 1_017_114, "1.056.714 triệu đồng ... tăng 39.600 triệu đồng so với năm 2022"),
        ("coop_members_workers", 6_725, "tăng 215 thành viên và lao động so với năm 2022 (6.940 − 215)"),
        ("fund_outstanding", 23_390, "dư nợ 22,695 tỷ sau giải ngân 1.000 và thu hồi 1.695 triệu đồng"),
    ],
)
def test_end_2022_baseline(db, indicator, expected, sentence):
    frame = evaluate(db, Filter("2022"), [indicator], compare=False, with_targets=False)
    assert frame.iloc[0]["value"] == pytest.approx(expected), sentence


@pytest.mark.parametrize(
    "indicator, sector, status",
    [
        ("training_classes", None, "on_track"),  # 19 of 20, pace 10
        ("coops_new", None, "on_track"),  # 13 of 25, pace 12,5
        ("groups_new", None, "behind"),  # 3 of 20, pace 10
        ("communes_with_coop_share", None, "achieved"),  # 76,4% ≥ 76%
        ("coop_avg_income_year", None, "behind"),  # 52,6 < 60
        ("coops_effective_share", None, "behind"),  # 36,8% < 45%
        ("coops_effective_share", "agriculture", "behind"),  # 24% < 35%
        ("fund_loans_count", None, "behind"),  # 3 of 20, pace 10
        ("coops_alliance_share", None, "behind"),  # 54% < 70%
    ],
)
def test_target_status_h1_2023(db, indicator, sector, status):
    table = target_table(db, Filter("2023-H1"))
    row = table[(table["indicator"] == indicator) & (table["sector"].fillna("") == (sector or ""))].iloc[0]
    assert row["status"] == status
