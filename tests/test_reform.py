"""Across the reform of 1/7/2025: 106 communes in 8 districts became 38 communes under the province.

Series by 2025 commune and by former district re-base the old units exactly; an organisation
moves to its successor at 1/7/2025 and is never counted twice; flows of a year that straddles the
reform are counted in the unit that succeeded the one they happened in.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from hxcore.db import schema
from hxcore.engine.attainment import gap_by_district
from hxcore.engine.compute import commune_choices, evaluate
from hxcore.engine.frames import trend_frame as engine_trend
from hxcore.io import auth, importer
from hxcore.model.areas import (
    REFORM,
    REFORM_DATE,
    crossing_communes,
    former_district_of,
    read_reference,
    successor_2025,
)
from hxcore.model.filters import Filter
from hxcore.model.periods import Period, periods_between
from hxcore.present import charts, export
from hxcore.present.frames import trend_frame

ADDITIVE = ["coops_total", "coops_operating", "coop_charter_capital", "coop_members", "coop_workers", "groups_total",
            "groups_members", "coops_new"]
PRE_REFORM = [p.code for p in periods_between("2021-H1", "2025-H1", kind="half")]
POST_REFORM = ["2025-Q3", "2025", "2026-H1", "2026-Q3"]


def by(engine, period: str, breakdown: str, codes=ADDITIVE, **filters) -> pd.DataFrame:
    frame = evaluate(engine, Filter(period, **filters), codes, by=breakdown, compare=False, with_targets=False)
    return frame[frame["applicable"]]


def test_reference_maps_every_old_commune_to_one_of_38():
    old = [a for a in read_reference() if a.level == "commune" and a.valid_to is not None]
    assert len(old) == 106
    assert len({successor_2025(a.code) for a in old}) == 38
    # each 2025 commune counts under the former district holding most of its predecessors
    for new_code, olds in REFORM.predecessors.items():
        districts = [a.parent_code for a in old if a.code in olds]
        assert districts.count(former_district_of(new_code)) == max(districts.count(d) for d in set(districts))


@pytest.mark.parametrize("period", PRE_REFORM)
def test_series_by_2025_commune_are_the_sums_of_their_old_communes(engine, period):
    old = by(engine, period, "commune")
    assert old["commune"].nunique() == 106
    old["commune_2025"] = old["commune"].map(successor_2025)
    summed = old.groupby(["indicator", "commune_2025"])["value"].sum()
    rebased = by(engine, period, "commune_2025").set_index(["indicator", "commune"])["value"]
    assert rebased.index.get_level_values(1).nunique() == 38
    pd.testing.assert_series_equal(rebased.sort_index(), summed.sort_index(), check_names=False)


@pytest.mark.parametrize("period", PRE_REFORM + POST_REFORM)
def test_former_districts_add_up_to_the_province(engine, period):
    districts = by(engine, period, "former_district").groupby("indicator")["value"].sum()
    communes = by(engine, period, "commune").groupby("indicator")["value"].sum()
    province = by(engine, period, None).set_index("indicator")["value"]
    pd.testing.assert_series_equal(districts.sort_index(), province[districts.index].sort_index(), check_names=False)
    pd.testing.assert_series_equal(communes.sort_index(), province[communes.index].sort_index(), check_names=False)


@pytest.mark.parametrize("period, units", [("2023-H1", 106), ("2025-H1", 106), ("2025-Q3", 38), ("2026-H1", 38)])
def test_the_commune_breakdown_lists_the_units_valid_at_the_period_end(engine, period, units):
    frame = by(engine, period, "commune", ["coops_total"])
    assert len(frame) == units
    assert set(frame["commune"]) == {code for code, _ in commune_choices(engine, Period.parse(period).end)}


def test_an_organisation_moves_to_its_successor_on_1_july_2025(engine):
    """A cooperative operating before and after the reform: in its old commune at 30/6/2025, in the
    successor at 30/9/2025, and once in each province total."""
    with engine.connect() as connection:
        orgs = pd.DataFrame(connection.execute(select(schema.organisations)).mappings().all())
    before_reform = orgs[(orgs["org_type"] == "coop") & (orgs["registered_on"] < pd.Timestamp(REFORM_DATE).date())
                         & orgs["dissolved_on"].isna()]
    assert (before_reform["commune_2025_code"] == before_reform["commune_code"].map(successor_2025)).all()
    org = before_reform.iloc[0]
    old, new = org["commune_code"], org["commune_2025_code"]
    at_h1 = by(engine, "2025-H1", "commune", ["coops_total"], communes=(old,), old_communes=True)
    at_q3 = by(engine, "2025-Q3", "commune", ["coops_total"], communes=(new,))
    expected_q3 = ((orgs["commune_2025_code"] == new) & (orgs["org_type"] == "coop")
                   & (orgs["registered_on"] <= pd.Timestamp("2025-09-30").date())
                   & ~(orgs["dissolved_on"] <= pd.Timestamp("2025-09-30").date())).sum()
    assert at_q3["value"].sum() == expected_q3 >= at_h1["value"].sum() >= 1


def test_flows_of_2025_are_counted_in_the_unit_that_succeeded_theirs(engine):
    """New HTX of 2025, some registered in old communes before 1/7, some in new ones after: by 2025
    commune each counts once, in the successor of the unit it was registered in."""
    with engine.connect() as connection:
        orgs = pd.DataFrame(connection.execute(select(schema.organisations)).mappings().all())
    registered = pd.to_datetime(orgs["registered_on"])
    new_2025 = orgs[(orgs["kind"] == "htx") & (registered.dt.year == 2025)]
    assert (pd.to_datetime(new_2025["registered_on"]) < pd.Timestamp(REFORM_DATE)).any()
    assert (pd.to_datetime(new_2025["registered_on"]) >= pd.Timestamp(REFORM_DATE)).any()
    assert new_2025.loc[pd.to_datetime(new_2025["registered_on"]) >= pd.Timestamp(REFORM_DATE), "commune_code"].isna().all()
    expected = new_2025.groupby("commune_2025_code").size()
    frame = by(engine, "2025", "commune", ["coops_new"]).set_index("commune")["value"]
    assert frame[frame > 0].astype(int).sort_index().to_dict() == expected.sort_index().to_dict()
    year = by(engine, "2025", None, ["coops_new"])["value"].iloc[0]
    assert year == by(engine, "2025-H1", None, ["coops_new"])["value"].iloc[0] + sum(
        pd.to_datetime(new_2025["registered_on"]) >= pd.Timestamp(REFORM_DATE))


def run_cli(db_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hxcore", "--db", f"sqlite:///{db_path}", *args],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("args, rows, stderr", [
    (["--period", "2026-H1", "--by", "commune"], 38, ""),
    (["--period", "2023-H1", "--by", "commune"], 106, ""),
    (["--period", "2021", "--by", "commune_2025"], 38, ""),
    (["--period", "2026-Q3", "--by", "former_district"], 8, ""),
    (["--period", "2026-H1", "--area", "Xã Sin Suối Hồ"], 1, ""),
    (["--period", "2026-H1", "--area", "sin-suoi-ho"], 1, ""),
    (["--period", "2026-H1", "--district", "tam-duong"], 1, "huyện cũ"),
    (["--period", "2025", "--by", "commune"], 38, "cả trước và sau 1/7/2025"),
])
def test_cli_breaks_down_by_the_units_of_the_period(demo_db_path, args, rows, stderr):
    done = run_cli(demo_db_path, "indicators", *args, "--indicator", "coops_total", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == rows + 1
    assert stderr in done.stderr


def test_cli_area_names_the_old_commune_before_and_the_new_one_after(demo_db_path):
    old = run_cli(demo_db_path, "indicators", "--period", "2023-H1", "--area", "Xã Sin Suối Hồ",
                  "--indicator", "coops_total", "--format", "csv")
    new = run_cli(demo_db_path, "indicators", "--period", "2026-H1", "--area", "Xã Sin Suối Hồ",
                  "--indicator", "coops_total", "--format", "csv")
    unknown = run_cli(demo_db_path, "indicators", "--period", "2026-H1", "--area", "Xã Không Có",
                      "--indicator", "coops_total")
    assert int(float(old.stdout.splitlines()[1].split(",")[7])) < int(float(new.stdout.splitlines()[1].split(",")[7]))
    assert unknown.returncode == 2 and "Không có xã/phường/thị trấn 'Xã Không Có'" in unknown.stderr


def test_a_series_that_crosses_a_changed_definition_shows_the_break(engine):
    """The Law on Cooperatives 2023 (1/7/2024) and the 38 communes (1/7/2025) break the commune
    coverage series: a mark on the chart at the first point after each, a note in downloads."""
    trend = trend_frame(engine_trend(engine, Filter("2026-H1"), "communes_with_coop_share"), "communes_with_coop_share", "vi")
    marked = trend[trend["note"] != ""]
    assert list(marked["period"]) == ["2024-H2", "2025-H2"]
    assert "Luật Hợp tác xã 2023" in marked["note"].iloc[0] and "38 xã, phường" in marked["note"].iloc[1]
    spec = charts.trend_chart(trend).to_dict()
    layer_names = [layer.get("name") for layer in spec["layer"]]
    assert "definition_break" in layer_names
    definitions = export.definitions_frame(["communes_with_coop_share", "training_classes"], "vi").set_index("Mã chỉ tiêu")
    assert definitions.loc["communes_with_coop_share", "Thay đổi định nghĩa"].startswith("1/7/2024: Luật Hợp tác xã 2023")
    assert definitions.loc["training_classes", "Thay đổi định nghĩa"] == ""


def test_readme_lists_the_communes_that_cross_old_borders():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, districts, counted in crossing_communes():
        assert f"| {name} | {', '.join(districts)} | {counted} |" in readme


def test_after_the_reform_a_shortfall_is_shared_among_the_38_communes(engine):
    """NQ targets of 2026 (demo): new members behind pace; each new commune's share of the gap,
    from its own organisations, adding up to the whole."""
    gaps = gap_by_district(engine, Filter("2026-H1"), "coop_new_members", by="commune")
    assert len(gaps) == 38 and set(gaps["area"]) == {c for c, _ in commune_choices(engine, Period.parse("2026-H1").end)}
    assert gaps["contribution"].sum() == pytest.approx(100)
    assert gaps["area_name"].str.match(r"^(Xã|Phường) ").all()


# --- Imports on the new units ------------------------------------------------------------------

REGISTER_HEADER = ("Tên HTX,Mã số HTX,Loại hình,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký,Ngày giải thể,"
                   "Ngày gia nhập Liên minh,Liên minh tư vấn thành lập")
EDITOR = auth._issue("tester", auth.Role.EDITOR)


def register_file(*rows: str) -> bytes:
    return ("\n".join([REGISTER_HEADER, *rows]) + "\n").encode("utf-8-sig")


def coops_in(engine, period: str, commune: str) -> float:
    return by(engine, period, None, ["coops_total"], communes=(commune,))["value"].iloc[0]


def test_a_register_row_after_the_reform_needs_no_district_and_moves_the_figures_by_that_row(demo_copy):
    before = coops_in(demo_copy, "2026-H1", "03394")
    province = by(demo_copy, "2026-H1", None, ["coops_total"])["value"].iloc[0]
    data = register_file(",,HTX,,Xã Sin Suối Hồ,\"Nông, lâm nghiệp, thủy sản\",10/2/2026,,,".replace(
        ",,HTX", "HTX Chè Sin Suối Hồ mới,,HTX", 1))
    plan = importer.prepare_import(demo_copy, data, "dang-ky-2026.csv", "2026-H1")
    assert plan.ok, [p.expected for p in plan.problems]
    importer.commit_import(demo_copy, data, "dang-ky-2026.csv", "2026-H1", EDITOR, checked=plan)
    assert coops_in(demo_copy, "2026-H1", "03394") == before + 1
    assert by(demo_copy, "2026-H1", None, ["coops_total"])["value"].iloc[0] == province + 1
    with demo_copy.connect() as connection:
        row = connection.execute(select(schema.organisations).where(
            schema.organisations.c.name == "HTX Chè Sin Suối Hồ mới")).mappings().one()
    assert (row["commune_code"], row["commune_2025_code"], row["district_code"]) == (None, "03394", former_district_of("03394"))


def test_an_office_corrects_a_cooperative_s_2025_commune_and_its_history_stays(demo_copy):
    """A cooperative of 2023 re-registered after the reform in another new commune: its 2025 commune
    changes; its old commune and district, and so every figure before 1/7/2025, stay."""
    with demo_copy.connect() as connection:
        org = connection.execute(select(schema.organisations).where(
            schema.organisations.c.org_type == "coop", schema.organisations.c.kind == "htx",
            schema.organisations.c.dissolved_on.is_(None), schema.organisations.c.commune_2025_code != "03394",
            schema.organisations.c.registered_on < date(2020, 1, 1))).mappings().first()
    before_2023 = by(demo_copy, "2023-H1", "commune", ["coops_total"]).set_index("commune")["value"]
    data = register_file(f"{org['name']},,HTX,,Xã Sin Suối Hồ,\"Nông, lâm nghiệp, thủy sản\","
                         f"{org['registered_on']:%d/%m/%Y},,,")
    plan = importer.prepare_import(demo_copy, data, "sua-dia-ban.csv", "2026-H1")
    assert plan.ok, [p.expected for p in plan.problems]
    importer.commit_import(demo_copy, data, "sua-dia-ban.csv", "2026-H1", EDITOR, checked=plan)
    with demo_copy.connect() as connection:
        after = connection.execute(select(schema.organisations).where(
            schema.organisations.c.id == org["id"])).mappings().one()
    assert after["commune_2025_code"] == "03394"
    assert (after["commune_code"], after["district_code"]) == (org["commune_code"], org["district_code"])
    pd.testing.assert_series_equal(by(demo_copy, "2023-H1", "commune", ["coops_total"]).set_index("commune")["value"],
                                   before_2023)
