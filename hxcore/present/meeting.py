"""What the meeting's slides and handout say: each slide's title, big figure, change, target and
status, the stamp at every foot, and the charts, from engine.meeting's figures. Pure: the
writers (slides_pptx, handout) only lay these out.

The texts are the projector mode's (hxcore.present.frames), so a slide reads the same on the
screen and in the .pptx.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from hxcore.engine import frames as shaping
from hxcore.engine.meeting import MAP_INDICATOR, MeetingData
from hxcore.model import map_tiles
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.texts import t
from hxcore.present import attention, charts, fmt, frames, maps

RANKING_ROWS = 12  # districts on one chart: more cannot be read from the back of a room
ATTENTION_LINES = {"targets": 3, "stopped": 2, "loans": 2, "projects": 1}  # lines per list on the slide
NO_STATUS = "no_data"


@dataclass(frozen=True)
class SlideText:
    """One indicator slide as words: the big figure and what is said about it."""

    title: str
    value: str
    unit: str
    delta: str | None  # "+7 so với năm 2022"
    colour: str  # the change's colour: green, red or gray (the app's)
    ratio: str  # "120/326" under a percentage
    target: str | None  # "Chỉ tiêu năm 25 · tiến độ cần đạt 12,5"
    status: str | None  # "Chậm tiến độ · đạt 52% chỉ tiêu"
    status_code: str | None


def where(data: MeetingData, lang: str) -> str:
    return frames.filter_text(data.flt, data.district_names, lang)


def stamp(data: MeetingData, lang: str) -> str:
    """"Số liệu đến 30/6/2023 · Toàn tỉnh · tất cả lĩnh vực · phiên bản dữ liệu …": every page's foot."""
    return t("data_stamp", lang, day=fmt.day(data.flt.parsed_period.end, lang), where=where(data, lang),
             version=data.data_version)


def title_lines(data: MeetingData, lang: str) -> tuple[str, str, str, str]:
    """The title slide: what, when, where, and the stamp."""
    return (t("app_title", lang), data.flt.parsed_period.label(lang), where(data, lang), stamp(data, lang))


def _headline(data: MeetingData, slide: shaping.Slide, lang: str) -> tuple[str, str, str | None, str, str]:
    if slide.sector is None:
        figure = frames.slide_figure(data.panel_row(slide.code), lang)
        return figure.value, figure.unit, figure.delta, figure.colour, figure.ratio
    value, ratio = frames.slide_actual(data.targets.loc[slide.target], lang)
    return value, "", None, "gray", ratio


def slide_text(data: MeetingData, slide: shaping.Slide, lang: str) -> SlideText:
    """A slide's words: the figure, its change, its target and status (a headline's own target, if any)."""
    value, unit, delta, colour, ratio = _headline(data, slide, lang)
    target = status = status_code = None
    if slide.is_target:
        row = data.targets.loc[slide.target]
        target, status = frames.slide_target_lines(row, lang)
        status_code = row["status"]
    else:
        code = data.panel_row(slide.code).get("status")
        if isinstance(code, str) and code and code != NO_STATUS:
            status_code, status = code, frames.status_label(code, lang)
    return SlideText(frames.slide_title(slide, lang), value, unit, delta, colour, ratio, target, status, status_code)


def ranking(data: MeetingData, slide: shaping.Slide, lang: str) -> tuple[alt.TopLevelMixin | None, str]:
    """The slide's districts ranked (the top RANKING_ROWS), and the chart's heading."""
    ranked = frames.ranking_frame(data.ranking(slide), slide.code, lang, ratio=False)
    heading = frames.ranking_by_label("district", data.flt, lang)  # former districts after 1/7/2025
    if ranked.empty:
        return None, heading
    if len(ranked) > RANKING_ROWS:
        heading += " · " + t("ranking_top", lang, n=RANKING_ROWS, total=fmt.number(len(ranked), 0, lang))
        ranked = ranked.nlargest(RANKING_ROWS, "value")
    chart = charts.ranking_chart(ranked, label="district_name", value="value", text="text",
                                 target=shaping.slide_target(data.targets, slide), presentation=True, lang=lang,
                                 decimals=INDICATORS_BY_CODE[slide.code].decimals)
    return chart, heading


def bullet(data: MeetingData, rows: pd.Index | list, lang: str, presentation: bool = False,
           titles: list[str] | None = None, width: int = 520) -> alt.TopLevelMixin:
    """The targets `rows` (target_table() index) as bullets: bar = actual, tick = target, grey tick = pace."""
    part = data.targets.loc[list(rows)].copy()
    part["display_label"] = titles or list(frames.target_labels(part, lang))
    labels = frames.status_labels(lang)
    return charts.bullet_chart(charts.bullet_frame(part, labels, lang), labels, presentation=presentation,
                               lang=lang, width=width)


def slide_bullet(data: MeetingData, slide: shaping.Slide, lang: str) -> alt.TopLevelMixin | None:
    if not slide.is_target:
        return None
    return bullet(data, [slide.target], lang, presentation=True, titles=[frames.slide_title(slide, lang)], width=460)


def headline_table(data: MeetingData, lang: str) -> pd.DataFrame:
    """The handout's headline figures: indicator, value with its unit, change, the ratio behind a rate."""
    rows = []
    for code in shaping.SLIDE_HEADLINES:
        row = data.panel_row(code)
        delta, _, _ = frames.change_text(row, lang)
        unit = INDICATORS_BY_CODE[code].unit
        ratio = fmt.ratio_note(row.get("numerator"), row.get("denominator"), lang) if unit == "%" else ""
        rows.append({t("col_indicator", lang): frames.indicator_label(code, lang),
                     t("col_value", lang): frames.value_text(row, lang) + ("" if unit == "%" else f" {unit}"),
                     t("col_change", lang): " ".join(part for part in (delta or "–", ratio) if part)})
    return pd.DataFrame(rows)


TARGET_COLUMNS = ("col_item", "col_indicator", "col_target", "col_actual", "col_attainment", "col_status")


def target_table(data: MeetingData, lang: str) -> pd.DataFrame:
    """The handout's targets table: the targets page's table, the columns that fit on A4."""
    if data.targets.empty:
        return pd.DataFrame(columns=[t(key, lang) for key in TARGET_COLUMNS])
    table = frames.target_table(data.targets, lang)
    return table[[t(key, lang) for key in TARGET_COLUMNS]].astype(str)


def map_chart(data: MeetingData, lang: str) -> alt.TopLevelMixin:
    """The map slide: the operating HTX of every unit valid at the period's end (districts before
    1/7/2025, the 38 communes after), on the tile grid, sized for a projector."""
    layout = map_tiles.layout(map_tiles.commune_layout_on(data.flt.parsed_period.end) if data.map_level == "commune"
                              else map_tiles.DISTRICTS_2020)
    units = maps.map_units(data.map_rows, MAP_INDICATOR, data.map_level, lang)
    return maps.tile_map(units, layout, title=maps.map_title(MAP_INDICATOR, lang), presentation=True, lang=lang,
                         decimals=INDICATORS_BY_CODE[MAP_INDICATOR].decimals)


def map_slide_title(data: MeetingData, lang: str) -> str:
    units = t("map_communes_new" if data.map_level == "commune" else "map_districts", lang)
    return f"{t('map_title', lang)}: {frames.indicator_label(MAP_INDICATOR, lang)} · {units}"


def attention_lines(data: MeetingData, lang: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The "Cần chỉ đạo" slide: the counts, then each list's title and its first lines (the page has them all)."""
    shown = [(section.title, [line.text for line in section.lines[:ATTENTION_LINES[section.key]]])
             for section in attention.sections(data.attention, data.flt, lang) if section.lines]
    return attention.summary(data.attention, lang), shown
