"""Pure functions DataFrame -> alt.Chart, and the one registered theme.

Charts are layers with names (bars + ticks + text). Labels written on marks are preformatted
by hxcore.fmt (1.056.714 · 36,8%); axes use Vega's number locale, set to Vietnamese in the theme.
`presentation=True` makes every text at least 20 px and raises contrast for a projector.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from hxcore.model.vocab import SECTOR_COLORS, SECTORS
from hxcore.present import fmt

THEME = "hx"
VI_LOCALE = {"number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}}
EN_LOCALE = {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " ₫"]}}
INK = "#1a1a1a"  # labels: near-black, readable on a washed-out projector
GRID = "#d9d9d9"
FONT = "Source Sans Pro, Arial, sans-serif"

# Target status colours: fixed, so "behind" is the same red on every chart and every page.
STATUS_COLORS = {"achieved": "#1b7f3b", "on_track": "#e0a100", "behind": "#c62828", "no_data": "#8a8a8a"}
STATE_COLORS = {"operating": "#1565c0", "stopped": "#9e9e9e"}
TARGET_RULE = "#c62828"
BREAK_MARK = "#6d4c41"  # a definition that changed: brown, unlike the red target and the blue series

NORMAL = {"label": 13, "title": 14, "mark": 13, "header": 14}
BIG = {"label": 20, "title": 22, "mark": 22, "header": 22}


def _theme_config(locale: dict) -> dict:
    return {
        "config": {
            "locale": locale,
            "font": FONT,
            "background": "white",
            "view": {"stroke": None},
            "axis": {"labelColor": INK, "titleColor": INK, "labelFontSize": NORMAL["label"],
                     "titleFontSize": NORMAL["title"], "gridColor": GRID, "domainColor": "#666",
                     "tickColor": "#666", "labelLimit": 260},
            "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": NORMAL["label"],
                       "titleFontSize": NORMAL["title"], "orient": "bottom", "labelLimit": 320},
            "header": {"labelColor": INK, "titleColor": INK, "labelFontSize": NORMAL["header"]},
            "title": {"color": INK, "fontSize": 16, "anchor": "start"},
            "text": {"color": INK, "fontSize": NORMAL["mark"]},
        }
    }


@alt.theme.register(THEME, enable=True)
def hx_theme() -> alt.theme.ThemeConfig:
    """Vietnamese number locale, dark labels, readable sizes."""
    return _theme_config(VI_LOCALE)


def _sizes(presentation: bool) -> dict:
    return BIG if presentation else NORMAL


def _finish(chart, presentation: bool, lang: str = "vi"):
    """Apply presentation sizes (and the English locale) at the top level of a chart."""
    if lang == "en":
        chart = chart.configure(locale=EN_LOCALE)
    if presentation:
        s = BIG
        chart = chart.configure_axis(labelFontSize=s["label"], titleFontSize=s["title"], labelColor="#000",
                                     titleColor="#000", labelLimit=420)
        chart = chart.configure_legend(labelFontSize=s["label"], titleFontSize=s["title"], labelColor="#000",
                                       titleColor="#000", symbolSize=300)
        chart = chart.configure_header(labelFontSize=s["header"], titleFontSize=s["header"], labelColor="#000")
    return chart


def _number_format(decimals: int = 0) -> str:
    return ",.0f" if not decimals else f",.{decimals}f"


def value_axis(decimals: int = 0, **options) -> alt.Axis:
    """A quantitative axis in the figures' style; for whole numbers, whole ticks each once ("0 1 2 3",
    never "0 1 1 2 2 3 3": Vega would otherwise put ticks at 0,5 and write them rounded)."""
    if not decimals:
        options.setdefault("tickMinStep", 1)
    options.setdefault("labelOverlap", True)  # a narrow chart of large amounts drops every other label ("600.000700.000")
    options.setdefault("labelSeparation", 8)  # ... also those that only touch: overlap alone let them run together
    return alt.Axis(format=_number_format(decimals), **options)


def sector_scale(labels_by_code: dict[str, str]) -> alt.Scale:
    """A colour scale giving each sector its fixed colour, whatever language labels it."""
    domain = list(labels_by_code.values())
    return alt.Scale(domain=domain, range=[SECTOR_COLORS.get(c, "#777") for c in labels_by_code])


def status_scale(labels: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=[labels[k] for k in STATUS_COLORS], range=list(STATUS_COLORS.values()))


# ---------------------------------------------------------------------------------------------
# Bullet chart: targets


def bullet_frame(targets: pd.DataFrame, status_labels: dict[str, str], lang: str = "vi") -> pd.DataFrame:
    """target_table() rows -> what the bullet chart draws: rates as rates, counts as counts."""
    rows = []
    for r in targets.to_dict("records"):
        decimals = 1 if r["unit"] == "%" or r["indicator_type"] == "average" else 0
        actual = r["actual"] if r["actual"] is not None and not pd.isna(r["actual"]) else None
        expected = r.get("expected")
        expected = None if expected is None or pd.isna(expected) else float(expected)
        top = max(v for v in (actual or 0, r["target"], r.get("target_high") or 0, expected or 0) if v is not None)
        rows.append({
            "label": r.get("display_label") or r["label"],
            "actual": actual if actual is not None else 0.0,
            "target": float(r["target"]),
            "expected": expected,
            "max": top * 1.15 if top else 1.0,
            "status": r["status"],
            "status_label": status_labels.get(r["status"], r["status"]),
            "actual_text": fmt.indicator_value(actual, r["unit"], decimals, lang)
            + (" " + r["unit"] if r["unit"] != "%" else ""),
            "target_text": fmt.indicator_value(r["target"], r["unit"], decimals, lang),
            "attainment_text": fmt.percent(r.get("attainment"), 0, lang),
            "bar_text": fmt.indicator_value(actual, r["unit"], decimals, lang) + " · "
            + fmt.percent(r.get("attainment"), 0, lang),
        })
    return pd.DataFrame(rows)


def bullet_chart(frame: pd.DataFrame, status_labels: dict[str, str], presentation: bool = False,
                 lang: str = "vi", width: int | str = "container", legend: bool | None = None) -> alt.TopLevelMixin:
    """One row per target: the actual bar coloured by status, a black target tick, a grey pace tick.

    The value ("19 · 95%") is written in the row's heading, above the bar, never inside the plot,
    where the target tick could run through it (on a slide, whose title names the target, the
    heading is the value alone). The status legend sits on top (a page lists 17 targets: a legend
    under them would be off screen); a slide, whose status is written out, has none unless `legend`
    says so. With a number `width` (a slide, an image) each row is a facet with its own axis; with
    "container" (a page) the chart takes its column's width: one layered view, each row on its own
    scale (0 to the row's `max`), its heading written above the bar, never within its band.
    """
    s = _sizes(presentation)
    legend = (not presentation) if legend is None else legend
    height = 40 if presentation else 26
    bar_size = height * 0.7
    frame = frame.copy()
    frame["heading"] = (list(frame["bar_text"]) if presentation else
                        [f"{label}: {text}" for label, text in zip(frame["label"], frame["bar_text"], strict=True)])
    if width == "container":
        return _finish(_fluid_bullets(frame, status_labels, s, bar_size, legend), presentation, lang)
    base = alt.Chart().encode(y=alt.Y("label:N", title=None, axis=None))
    x_axis = alt.Axis(format=",.0f", tickCount=4, tickMinStep=1, labelFlush=True)
    bar = base.mark_bar(size=bar_size).encode(
        x=alt.X("actual:Q", title=None, axis=x_axis, scale=alt.Scale(zero=True)),
        color=alt.Color("status_label:N", title=None, scale=status_scale(status_labels),
                        legend=alt.Legend(orient="top", direction="horizontal") if legend else None),
        tooltip=[alt.Tooltip("label:N"), alt.Tooltip("actual_text:N"), alt.Tooltip("target_text:N"),
                 alt.Tooltip("attainment_text:N"), alt.Tooltip("status_label:N")],
    ).properties(name="actual")
    scale_holder = base.mark_point(opacity=0).encode(x=alt.X("max:Q", title=None)).properties(name="domain")
    # The ticks stay within the bar's band: the heading above it is never crossed.
    target_tick = base.mark_tick(color="#000", thickness=4, size=bar_size + 6).encode(
        x=alt.X("target:Q", title=None)).properties(name="target")
    pace_tick = base.transform_filter("isValid(datum.expected)").mark_tick(
        color="#555", thickness=3, size=bar_size, strokeDash=[3, 2]).encode(x=alt.X("expected:Q", title=None)).properties(
        name="pace")
    layered = alt.layer(scale_holder, bar, pace_tick, target_tick)
    chart = layered.properties(width=width, height=height).facet(
        row=alt.Row("heading:N", title=None, sort=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                      labelFontSize=s["header"], labelColor=INK, labelLimit=900,
                                      labelFontWeight="bold")),
        data=frame,
        spacing=6 if not presentation else 10,
    ).resolve_scale(x="independent")
    return _finish(chart, presentation, lang)


def _fluid_bullets(frame: pd.DataFrame, status_labels: dict[str, str], s: dict, bar_size: float,
                   legend: bool) -> alt.LayerChart:
    """bullet_chart() as wide as its container: x is each row's share of its own `max` (a facet,
    whose rows could each keep an axis, cannot stretch). A row is a heading, then the bar band."""
    frame = frame.copy()
    for column in ("actual", "target", "expected"):
        frame[f"{column}_x"] = frame[column] / frame["max"].where(frame["max"] > 0)
    frame["track_x"] = 1.0
    step = s["header"] + 8 + bar_size + 10
    bar_offset = step / 2 - bar_size / 2 - 6  # the bar's centre, below the band's middle
    x_scale = alt.Scale(domain=[0, 1], zero=True, nice=False)
    base = alt.Chart(frame).encode(y=alt.Y("label:N", title=None, axis=None, sort=None,
                                           scale=alt.Scale(paddingInner=0, paddingOuter=0)))
    track = base.mark_bar(size=bar_size, color="#eeeeee", yOffset=bar_offset).encode(
        x=alt.X("track_x:Q", title=None, axis=None, scale=x_scale)).properties(name="track")
    bar = base.mark_bar(size=bar_size, yOffset=bar_offset).encode(
        x=alt.X("actual_x:Q", title=None, axis=None, scale=x_scale),
        color=alt.Color("status_label:N", title=None, scale=status_scale(status_labels),
                        legend=alt.Legend(orient="top", direction="horizontal") if legend else None),
        tooltip=[alt.Tooltip("label:N"), alt.Tooltip("actual_text:N"), alt.Tooltip("target_text:N"),
                 alt.Tooltip("attainment_text:N"), alt.Tooltip("status_label:N")],
    ).properties(name="actual")
    target_tick = base.mark_tick(color="#000", thickness=4, size=bar_size + 6, yOffset=bar_offset).encode(
        x=alt.X("target_x:Q", title=None, scale=x_scale)).properties(name="target")
    pace_tick = base.transform_filter("isValid(datum.expected_x)").mark_tick(
        color="#555", thickness=3, size=bar_size, strokeDash=[3, 2], yOffset=bar_offset).encode(
        x=alt.X("expected_x:Q", title=None, scale=x_scale)).properties(name="pace")
    heading = base.mark_text(align="left", baseline="top", fontSize=s["header"], fontWeight="bold", color=INK,
                             yOffset=-step / 2 + 2, limit=900).encode(
        x=alt.value(0), text="heading:N").properties(name="heading")
    return alt.layer(track, bar, pace_tick, target_tick, heading).properties(
        width="container", height=alt.Step(step), autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


# ---------------------------------------------------------------------------------------------
# Stacked operating / stopped


def status_stack_chart(frame: pd.DataFrame, category: str, state_labels: dict[str, str],
                       presentation: bool = False, lang: str = "vi") -> alt.LayerChart:
    """Horizontal bars per `category`, stacked operating then stopped, largest first; the counts
    "174 · 27" written after each bar (inside a segment, small ones would overlap).

    frame: columns `category`, state (operating/stopped), state_label, count, count_text.
    """
    s = _sizes(presentation)
    frame = frame.copy()
    frame["order"] = frame["state"].map({"operating": 0, "stopped": 1})
    ordered = frame.sort_values("order")
    ends = (ordered.groupby(category, sort=False)
            .agg(total=("count", "sum"), end_text=("count_text", lambda texts: " · ".join(texts)))
            .reset_index())
    # "12 · 0" reads as noise: a category with nothing stopped shows its operating count alone.
    stopped_zero = ordered[ordered["state"] == "stopped"].set_index(category)["count"].eq(0)
    ends["end_text"] = [text.split(" · ")[0] if stopped_zero.get(name, True) else text
                        for name, text in zip(ends[category], ends["end_text"], strict=True)]
    sort = alt.EncodingSortField(field="count", op="sum", order="descending")
    scale = alt.Scale(domain=[state_labels["operating"], state_labels["stopped"]],
                      range=[STATE_COLORS["operating"], STATE_COLORS["stopped"]])
    y = alt.Y(f"{category}:N", title=None, sort=sort)
    base = alt.Chart(frame).encode(
        y=y,
        x=alt.X("sum(count):Q", title=None, stack="zero", axis=value_axis(0, tickCount=5), scale=alt.Scale(zero=True)),
        order=alt.Order("order:Q"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("state_label:N", title=None, scale=scale),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip("state_label:N"), alt.Tooltip("count_text:N")],
    ).properties(name="bars")
    text = alt.Chart(ends).mark_text(align="left", dx=4, fontSize=s["mark"], fontWeight="bold", color="#000").encode(
        y=alt.Y(f"{category}:N", title=None, sort=alt.EncodingSortField(field="total", order="descending")),
        x=alt.X("total:Q", title=None),
        text=alt.Text("end_text:N"),
    ).properties(name="values")
    chart = alt.layer(bars, text).properties(height=alt.Step(40 if presentation else 30))
    return _finish(chart, presentation, lang)


# ---------------------------------------------------------------------------------------------
# Ranking bars


def ranking_chart(frame: pd.DataFrame, label: str = "name", value: str = "value", text: str = "text",
                  target: float | None = None, target_text: str | None = None, color: str | None = None,
                  color_scale: alt.Scale | None = None,
                  presentation: bool = False, lang: str = "vi", decimals: int = 0,
                  height: int | None = None) -> alt.LayerChart:
    """Bars sorted from highest to lowest, each value written at the bar's end, optional target rule.
    `height` fits every bar into that many pixels (a projector slide); otherwise each bar has its step."""
    s = _sizes(presentation)
    frame = frame.copy()
    sort = alt.EncodingSortField(field=value, order="descending")
    if "others" in frame and frame["others"].notna().any():  # "Khác (721 địa bàn)" last, however large
        ranked = frame.sort_values(value, ascending=False, kind="stable")
        sort = [*ranked.loc[ranked["others"].isna(), label], *ranked.loc[ranked["others"].notna(), label]]
    y = alt.Y(f"{label}:N", title=None, sort=sort)
    # Rates of tens of percent need no decimals on the axis (the bars' own labels keep theirs).
    axis_decimals = 0 if len(frame) and frame[value].abs().max() >= 10 else decimals
    base = alt.Chart(frame).encode(y=y, x=alt.X(f"{value}:Q", title=None, scale=alt.Scale(zero=True),
                                                 axis=value_axis(axis_decimals, tickCount=5, labelOverlap=True)))
    if color and color_scale is not None:
        enc = {"color": alt.Color(f"{color}:N", title=None, scale=color_scale, legend=None)}
    else:
        enc = {"color": alt.value("#1565c0")}
    bars = base.mark_bar().encode(**enc, tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip(f"{text}:N")]).properties(
        name="bars")
    text_style = {"align": "left", "dx": 5, "fontSize": s["mark"], "fontWeight": "bold"}
    # The values are drawn last, on a white halo: a target rule passes under them, never through them.
    halo = base.mark_text(**text_style, color="white", stroke="white", strokeWidth=6, strokeJoin="round").encode(
        text=alt.Text(f"{text}:N")).properties(name="halo")
    labels = base.mark_text(**text_style, color=INK).encode(text=alt.Text(f"{text}:N")).properties(name="values")
    layers = [bars]
    if target is not None:
        rule_data = pd.DataFrame({"target": [target], "text": [target_text or fmt.number(target, decimals, lang)]})
        rule = alt.Chart(rule_data).mark_rule(color=TARGET_RULE, strokeWidth=3, strokeDash=[6, 4]).encode(
            x="target:Q").properties(name="target")
        rule_text = alt.Chart(rule_data).mark_text(color=TARGET_RULE, align="left", dx=4, dy=-6, baseline="bottom",
                                                   fontSize=s["mark"], fontWeight="bold").encode(
            x="target:Q", y=alt.value(0), text="text:N").properties(name="target_label")
        layers += [rule, rule_text]
    layers += [halo, labels]
    chart = alt.layer(*layers).properties(height=height or alt.Step(44 if presentation else 28))
    return _finish(chart, presentation, lang)


# ---------------------------------------------------------------------------------------------
# Trend


def trend_chart(frame: pd.DataFrame, target: float | None = None, target_text: str | None = None,
                presentation: bool = False, lang: str = "vi", decimals: int = 0) -> alt.LayerChart:
    """A line across periods (columns period_label, end, value, text) with the target as a red rule."""
    s = _sizes(presentation)
    order = list(frame.sort_values("end")["period_label"])
    x = alt.X("period_label:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelLimit=160))
    # From zero: a line starting at 400 makes 409 → 416 look like a doubling.
    base = alt.Chart(frame).encode(x=x, y=alt.Y("value:Q", title=None, axis=value_axis(decimals),
                                                 scale=alt.Scale(zero=True)))
    line = base.mark_line(color="#1565c0", strokeWidth=4 if presentation else 3).properties(name="line")
    points = base.mark_circle(color="#1565c0", size=160 if presentation else 80).encode(
        tooltip=[alt.Tooltip("period_label:N"), alt.Tooltip("text:N")]).properties(name="points")
    labels = base.mark_text(dy=-14, fontSize=s["mark"], fontWeight="bold", color=INK).encode(
        text="text:N").properties(name="values")
    layers = [line, points, labels, *definition_break_layers(frame, x, s)]
    if target is not None:
        rule_data = pd.DataFrame({"target": [target], "text": [target_text or fmt.number(target, decimals, lang)]})
        layers.append(alt.Chart(rule_data).mark_rule(color=TARGET_RULE, strokeWidth=3, strokeDash=[6, 4]).encode(
            y="target:Q").properties(name="target"))
        layers.append(alt.Chart(rule_data).mark_text(color=TARGET_RULE, align="left", x=4, dy=-8,
                                                     fontSize=s["mark"], fontWeight="bold").encode(
            y="target:Q", text="text:N").properties(name="target_label"))
    chart = alt.layer(*layers).properties(height=360 if presentation else 260)
    return _finish(chart, presentation, lang)


def definition_break_layers(frame: pd.DataFrame, x, sizes: dict) -> list:
    """A dotted rule at each point where the indicator's definition changed (columns `note` and
    `break_label`, from present.frames.trend_frame), labelled at the top, the change in its tooltip."""
    if "note" not in frame or not frame["note"].astype(bool).any():
        return []
    breaks = frame[frame["note"].astype(bool)]
    rule = alt.Chart(breaks).mark_rule(color=BREAK_MARK, strokeDash=[2, 4], strokeWidth=2).encode(
        x=x, tooltip=[alt.Tooltip("note:N")]).properties(name="definition_break")
    text = alt.Chart(breaks).mark_text(color=BREAK_MARK, align="left", dx=4, y=8, fontSize=sizes["mark"] - 2).encode(
        x=x, text="break_label:N").properties(name="definition_break_label")
    return [rule, text]


# ---------------------------------------------------------------------------------------------
# Heat map


def heatmap_chart(frame: pd.DataFrame, presentation: bool = False, lang: str = "vi") -> alt.LayerChart:
    """District × sector grid (columns district_name, sector_label, value, text) with the value in each cell."""
    s = _sizes(presentation)
    base = alt.Chart(frame).encode(
        x=alt.X("sector_label:N", title=None, axis=alt.Axis(labelAngle=-25, labelLimit=200, orient="top")),
        y=alt.Y("district_name:N", title=None),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("value:Q", title=None, scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=[alt.Tooltip("district_name:N"), alt.Tooltip("sector_label:N"), alt.Tooltip("text:N")],
    ).properties(name="cells")
    maximum = float(frame["value"].max()) if len(frame) and frame["value"].notna().any() else 0.0
    text = base.mark_text(fontSize=s["mark"], fontWeight="bold").encode(
        text="text:N",
        color=alt.condition(f"datum.value > {maximum * 0.55}", alt.value("white"), alt.value("#000")),
    ).properties(name="values")
    chart = alt.layer(rect, text).properties(height=alt.Step(44 if presentation else 32))
    return _finish(chart, presentation, lang)


# ---------------------------------------------------------------------------------------------
# Sector bars (values with shares)


def sector_bar_chart(frame: pd.DataFrame, lang: str = "vi", presentation: bool = False,
                     decimals: int = 0) -> alt.LayerChart:
    """Bars per sector in the sector's fixed colour; columns sector, sector_label, value, text."""
    labels = {code: label for code, label in zip(frame["sector"], frame["sector_label"], strict=True)}
    ordered = {s.code: labels[s.code] for s in SECTORS if s.code in labels}
    return ranking_chart(frame, label="sector_label", value="value", text="text", color="sector_label",
                         color_scale=sector_scale(ordered), presentation=presentation, lang=lang, decimals=decimals)
