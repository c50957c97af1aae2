"""Issue 12, point 1: a chart by area draws its top areas and one "Khác" bar, whose figure is the other
areas' own figure (evaluate filtered to them), never a sum or an average of their rates."""

from __future__ import annotations

import math

import pytest

from hxcore.engine import frames as shaping
from hxcore.engine.compute import evaluate
from hxcore.model.filters import Filter
from hxcore.present import charts, frames

PERIOD = "2023-H1"


@pytest.mark.parametrize("code", ["coops_total", "coop_charter_capital", "coops_effective_share", "coop_avg_revenue",
                                  "communes_with_coop_share", "training_trainees"])
def test_the_others_bar_is_the_other_areas_own_figure(engine, code):
    rows = evaluate(engine, Filter(PERIOD), [code], by="district", compare=False, with_targets=False)
    cut = shaping.top_and_others(rows, "district", n=3)
    top, others = cut[cut["district"] != shaping.OTHERS], cut[cut["district"] == shaping.OTHERS].iloc[0]
    rest = tuple(sorted(set(rows["district"]) - set(top["district"])))
    assert len(top) == 3 and others["others"] == len(rest) == len(rows) - 3
    assert top["value"].min() >= rows[rows["district"].isin(rest)]["value"].max()  # the largest three are kept
    own = evaluate(engine, Filter(PERIOD, districts=rest), [code], compare=False, with_targets=False).iloc[0]
    assert others["value"] == pytest.approx(own["value"], rel=1e-12)
    assert others["numerator"] == pytest.approx(own["numerator"], rel=1e-12)


def test_a_stack_ranks_by_its_total_and_counts_add_up(engine):
    rows = evaluate(engine, Filter(PERIOD), ["coops_operating", "coops_inactive"], by="district", compare=False,
                    with_targets=False)
    cut = shaping.top_and_others(rows, "district", n=2)
    totals = rows.groupby("district")["value"].sum().sort_values(ascending=False)
    assert set(cut["district"]) == {*totals.index[:2], shaping.OTHERS}
    for code in ("coops_operating", "coops_inactive"):
        assert cut[cut["indicator"] == code]["value"].sum() == rows[rows["indicator"] == code]["value"].sum()
        assert cut[cut["indicator"] == code]["share"].sum() == pytest.approx(100)


def test_few_areas_are_not_cut_and_the_bar_is_named(engine):
    rows = frames.breakdown_labels(evaluate(engine, Filter(PERIOD), ["coops_total"], by="district", compare=False,
                                            with_targets=False), "district", "vi")
    assert frames.top_bars(rows, "district", "vi", n=len(rows) - 1).equals(rows)  # one bar fewer is no gain
    cut = frames.top_bars(rows, "district", "vi", n=5)
    assert list(cut["name"])[-1] == f"Khác ({len(rows) - 5} địa bàn)"
    assert frames.top_bars(rows, "district", "en", n=5)["name"].iloc[-1] == f"Other ({len(rows) - 5} areas)"
    by_sector = frames.breakdown_labels(evaluate(engine, Filter(PERIOD), ["coops_total"], by="sector",
                                                 compare=False, with_targets=False), "sector", "vi")
    assert frames.top_bars(by_sector, "sector", "vi", n=2).equals(by_sector)


def test_the_heat_map_keeps_its_top_districts_and_sums_the_others(engine):
    full = shaping.heat_frame(engine, Filter(PERIOD), "coops_total", "coop")
    cut = shaping._top_districts(full, n=3)
    assert cut["district_name"].nunique(dropna=False) == 4  # three districts and the others (no name)
    assert cut["value"].sum() == full["value"].sum()
    by_sector = cut[cut["district_name"].isna()].set_index("sector")["value"]
    kept = set(cut["district_name"].dropna())
    expected = full[~full["district_name"].isin(kept)].groupby("sector")["value"].sum()
    assert by_sector.sort_index().tolist() == expected.sort_index().tolist()
    cells = frames.heat_frame(cut, "vi")
    assert (cells["district_name"] == f"Khác ({full['district_name'].nunique() - 3} địa bàn)").sum() == len(by_sector)
    assert not any(isinstance(v, float) and math.isnan(v) for v in cells["district_name"])


def test_the_others_bar_is_drawn_last_however_large(engine):
    """Bars run from the largest area down; "Khác (3 địa bàn)", the sum of several, comes last even
    where it is the longest bar."""
    rows = frames.breakdown_labels(evaluate(engine, Filter(PERIOD), ["coops_total"], by="district", compare=False,
                                            with_targets=False), "district", "vi")
    cut = frames.with_share_text(frames.top_bars(rows, "district", "vi", n=len(rows) - 3), "vi")
    spec = charts.ranking_chart(cut, label="name", value="value", text="text").to_dict()
    order = next(layer["encoding"]["y"]["sort"] for layer in spec["layer"] if "y" in layer.get("encoding", {}))
    named = cut[cut["others"].isna()].sort_values("value", ascending=False)["name"].tolist()
    assert order == [*named, "Khác (3 địa bàn)"] and cut["value"].max() == cut.loc[cut["others"].notna(), "value"].max()
