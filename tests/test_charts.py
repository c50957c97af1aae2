"""Charts are tested by their Vega-Lite specs (to_dict), as Altair's own tests do."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from hxcore.engine.attainment import target_table
from hxcore.model.filters import Filter
from hxcore.model.labels import labels_in
from hxcore.model.targets import STATUS_LABELS
from hxcore.model.vocab import SECTOR_COLORS
from hxcore.present import charts

LABELS = labels_in(STATUS_LABELS)


def layers(spec: dict) -> dict:
    inner = spec.get("spec", spec)
    return {layer.get("name"): layer for layer in inner.get("layer", [])}


def test_theme_is_registered_with_the_vietnamese_locale():
    assert alt.theme.active == charts.THEME
    spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()
    assert spec["config"]["locale"]["number"] == {"decimal": ",", "thousands": ".", "grouping": [3],
                                                  "currency": ["", " ₫"]}
    assert spec["config"]["axis"]["labelColor"] == charts.INK


@pytest.fixture(scope="module")
def bullet_spec(engine):
    frame = charts.bullet_frame(target_table(engine, Filter("2023-H1")), LABELS)
    return frame, charts.bullet_chart(frame, LABELS).to_dict()


def test_bullet_chart_has_actual_target_and_pace_layers(bullet_spec):
    frame, spec = bullet_spec
    named = layers(spec)
    assert {"actual", "target", "pace"} <= set(named)
    assert named["target"]["encoding"]["x"]["field"] == "target_x"
    assert named["pace"]["encoding"]["x"]["field"] == "expected_x"
    scale = named["actual"]["encoding"]["color"]["scale"]
    assert scale["range"] == list(charts.STATUS_COLORS.values())
    fixed = charts.bullet_chart(frame, LABELS, width=520).to_dict()  # a slide or an image: a facet, an axis a row
    assert fixed["resolve"]["scale"]["x"] == "independent" and fixed["spec"]["width"] == 520


def test_page_bullet_takes_its_containers_width_with_ticks_inside_the_bars(bullet_spec):
    """On a page the chart is as wide as its column (1920 px or 1024 px with the sidebar), not a
    fixed 460 px: one layered view, width "container", fit-x; every row on its own 0..max scale,
    so the target and pace ticks fall within the bar area (0..1) and the band of their bar."""
    frame, spec = bullet_spec
    assert spec["width"] == "container" and spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert "facet" not in spec
    named = layers(spec)
    rows = spec["datasets"][spec["data"]["name"]]
    for column in ("actual_x", "target_x", "expected_x"):
        assert all(0 <= row[column] <= 1 for row in rows if row[column] is not None), column
    assert all(named[name]["encoding"]["x"]["scale"]["domain"] == [0, 1] for name in ("actual", "target", "pace"))
    for name in ("track", "target", "pace"):
        assert named[name]["mark"]["yOffset"] == named["actual"]["mark"]["yOffset"]  # one band: the bar's


def test_bullet_values_are_in_the_headings_never_under_a_tick(bullet_spec):
    """No text mark in the plot (a target tick could run through it): "13 · 52%" heads its row;
    the ticks stay within the bar's band; the legend is on top; whole-number ticks, each once."""
    frame, spec = bullet_spec
    named = layers(spec)
    assert [name for name, layer in named.items() if layer["mark"]["type"] == "text"] == ["heading"]
    heading, bar = named["heading"]["mark"], named["actual"]["mark"]
    # the heading's bottom sits above the top of the tallest tick of its row
    assert heading["yOffset"] + heading["fontSize"] * 1.3 < bar["yOffset"] - named["target"]["mark"]["size"] / 2
    headings = [row["heading"] for row in spec["datasets"][spec["data"]["name"]]]
    assert "HTX thành lập mới: 13 · 52%" in headings
    assert named["target"]["mark"]["size"] <= named["actual"]["mark"]["size"] + 6
    assert named["actual"]["encoding"]["color"]["legend"]["orient"] == "top"
    fixed = layers(charts.bullet_chart(frame, LABELS, width=520).to_dict())
    assert all(layer["mark"]["type"] != "text" for layer in fixed.values())
    axis = fixed["actual"]["encoding"]["x"]["axis"]
    assert (axis["tickMinStep"], axis["format"]) == (1, ",.0f")
    assert fixed["actual"]["encoding"]["x"]["scale"]["zero"] is True


def test_a_slide_bullet_has_big_text_and_no_legend(engine):
    frame = charts.bullet_frame(target_table(engine, Filter("2023-H1")).iloc[[0]], LABELS)
    spec = charts.bullet_chart(frame, LABELS, presentation=True, width=290).to_dict()
    assert layers(spec)["actual"]["encoding"]["color"]["legend"] is None
    assert spec["spec"]["width"] == 290
    assert spec["facet"]["row"]["header"]["labelFontSize"] >= 20 and spec["config"]["axis"]["labelFontSize"] >= 20


@pytest.mark.parametrize(("decimals", "values", "min_step", "format_"), [
    (0, [3.0, 1.0], 1, ",.0f"),  # counts: 0 1 2 3, never 0 1 1 2 2 3 3
    (1, [36.8, 24.1], 1, ",.0f"),  # tens of percent: whole ticks, the bars keep their decimal
    (1, [4.4, 3.9], None, ",.1f"),  # small averages keep theirs
])
def test_ranking_axis_ticks(decimals, values, min_step, format_):
    frame = pd.DataFrame({"name": ["A", "B"], "value": values, "text": ["a", "b"]})
    axis = layers(charts.ranking_chart(frame, decimals=decimals).to_dict())["bars"]["encoding"]["x"]
    assert (axis["axis"].get("tickMinStep"), axis["axis"]["format"], axis["scale"]["zero"]) == (min_step, format_, True)


def test_ranking_values_are_drawn_over_the_target_rule_on_a_halo():
    frame = pd.DataFrame({"name": ["A", "B"], "value": [32.0, 30.8], "text": ["32,0%", "30,8%"]})
    spec = charts.ranking_chart(frame, target=35, presentation=True, height=300).to_dict()
    order = [layer["name"] for layer in spec["layer"]]
    assert order.index("target") < order.index("halo") < order.index("values")
    assert layers(spec)["halo"]["mark"]["stroke"] == "white" and spec["height"] == 300


def test_trend_y_axis_starts_at_zero_with_whole_ticks():
    trend = pd.DataFrame({"period_label": ["Năm 2022", "6 tháng đầu năm 2023"], "end": ["2022-12-31", "2023-06-30"],
                          "value": [409.0, 416.0], "text": ["409", "416"]})
    y = layers(charts.trend_chart(trend).to_dict())["line"]["encoding"]["y"]
    assert y["scale"]["zero"] is True and y["axis"]["tickMinStep"] == 1


def test_operating_stopped_axis_counts_whole_htx_from_zero():
    frame = pd.DataFrame({"name": ["A", "A"], "state": ["operating", "stopped"], "state_label": ["x", "y"],
                          "count": [2, 1], "count_text": ["2", "1"]})
    x = layers(charts.status_stack_chart(frame, "name", {"operating": "x", "stopped": "y"}).to_dict())["bars"]["encoding"]["x"]
    assert x["axis"]["tickMinStep"] == 1 and x["scale"]["zero"] is True


def test_bullet_frame_keeps_rates_as_rates_and_counts_as_counts(bullet_spec):
    frame, _ = bullet_spec
    new = frame[frame["label"] == "HTX thành lập mới"].iloc[0]
    assert (new["actual"], new["target"], new["expected"]) == (13, 25, 12.5)
    assert new["attainment_text"] == "52%"
    share = frame[frame["label"] == "Tỷ lệ HTX hoạt động hiệu quả"].iloc[0]
    assert round(share["actual"], 1) == 36.8 and share["target"] == 45
    assert share["actual_text"] == "36,8%"


def test_status_stack_writes_values_on_bars():
    frame = pd.DataFrame({"name": ["A", "A"], "state": ["operating", "stopped"],
                          "state_label": ["Đang hoạt động", "Ngừng hoạt động"], "count": [174, 27],
                          "count_text": ["174", "27"]})
    spec = charts.status_stack_chart(frame, "name", {"operating": "Đang hoạt động",
                                                     "stopped": "Ngừng hoạt động"}).to_dict()
    named = layers(spec)
    assert named["values"]["mark"]["type"] == "text"
    assert named["values"]["encoding"]["text"]["field"] == "end_text"  # "174 · 27" after the bar
    values = spec["datasets"][named["values"]["data"]["name"]]
    assert [(v["total"], v["end_text"]) for v in values] == [(201, "174 · 27")]
    assert named["bars"]["encoding"]["color"]["scale"]["range"] == [charts.STATE_COLORS["operating"],
                                                                    charts.STATE_COLORS["stopped"]]


def test_ranking_with_target_rule_and_presentation_sizes():
    frame = pd.DataFrame({"name": ["A", "B"], "value": [40.0, 30.0], "text": ["40,0%", "30,0%"]})
    spec = charts.ranking_chart(frame, target=45, target_text="Chỉ tiêu 45%", presentation=True).to_dict()
    named = layers(spec)
    assert named["target"]["mark"]["type"] == "rule"
    assert named["values"]["mark"]["fontSize"] >= 20
    assert spec["config"]["axis"]["labelFontSize"] >= 20
    assert named["bars"]["encoding"]["y"]["sort"]["order"] == "descending"


def test_sector_bars_use_fixed_sector_colours():
    frame = pd.DataFrame({"sector": ["trade", "agriculture"], "sector_label": ["Dịch vụ thương mại", "Nông nghiệp"],
                          "value": [260648.0, 478756.0], "text": ["260.648", "478.756"]})
    spec = charts.sector_bar_chart(frame).to_dict()
    scale = layers(spec)["bars"]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "Nông nghiệp": SECTOR_COLORS["agriculture"], "Dịch vụ thương mại": SECTOR_COLORS["trade"]}


def test_trend_and_heatmap_specs():
    trend = pd.DataFrame({"period_label": ["6 tháng đầu năm 2023", "Năm 2022"], "end": ["2023-06-30", "2022-12-31"],
                          "value": [416.0, 409.0], "text": ["416", "409"]})
    spec = charts.trend_chart(trend, target=450).to_dict()
    named = layers(spec)
    assert named["line"]["encoding"]["x"]["sort"] == ["Năm 2022", "6 tháng đầu năm 2023"]
    assert named["target"]["encoding"]["y"]["field"] == "target"
    heat = pd.DataFrame({"district_name": ["X", "Y"], "sector_label": ["S", "S"], "value": [3.0, 10.0],
                         "text": ["3", "10"]})
    named = layers(charts.heatmap_chart(heat).to_dict())
    assert named["cells"]["mark"]["type"] == "rect" and named["values"]["encoding"]["text"]["field"] == "text"


def test_english_charts_switch_the_locale():
    frame = pd.DataFrame({"name": ["A"], "value": [1.0], "text": ["1"]})
    spec = charts.ranking_chart(frame, lang="en").to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == "."
