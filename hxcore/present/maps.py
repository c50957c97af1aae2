"""The tile map: one equal tile per unit (hxcore.model.map_tiles), coloured by an indicator's value
or by a target's status, the unit's short name and its value written on the tile.

Pure: a frame of units in, an Altair chart out. A unit the frame lacks, or whose value is
missing, is drawn in the no-data grey, which the legend names. Tiles link to the view filtered
to their unit when the frame has an `href` column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from hxcore.model.catalog import INDICATORS_BY_CODE, IndicatorType
from hxcore.model.map_tiles import Tile
from hxcore.model.targets import TargetStatus, assess
from hxcore.model.texts import t
from hxcore.model.vocab import unit_label
from hxcore.present import fmt
from hxcore.present.charts import BIG, INK, STATUS_COLORS, _finish, _number_format, status_scale
from hxcore.present.frames import indicator_label

NO_DATA_COLOR = STATUS_COLORS["no_data"]  # the same grey as "no data" on the target charts
SCHEME = alt.SchemeParams("blues", extent=[0.15, 1.0])  # the palest blue still shows against the page
DARK_FROM = 0.45  # share of the colour range above which a tile is dark enough for white text
# Status fills dark enough for white text (amber and grey keep black text).
WHITE_ON = {TargetStatus.ACHIEVED, TargetStatus.BEHIND}
MODES = ("value", "status")


@dataclass(frozen=True)
class TileSizes:
    """Pixels of a tile and its texts, and the longest name on one line before it wraps."""

    tile: int
    name: int
    value: int
    wrap: int | None  # None: no names on the tiles (too many units to name legibly)


def tile_sizes(count: int, presentation: bool = False) -> TileSizes:
    """Sizes that stay legible on a 1024×768 projector: the 8 districts fill about 500 px; the 38
    communes 8 tiles of 70 px across (the 560 px beside the sidebar); the 106 communes only fit
    there at 40 px, too small for names at 14 px: their tiles carry the value, the name is in the tooltip.
    On a slide the map's height is what runs out: 3 rows of districts, 6 of the 38 communes, under
    a title and the controls at 1280×720."""
    if count <= 12:
        return TileSizes(140, 22, 28, 14) if presentation else TileSizes(120, 16, 20, 14)
    if count <= 50:
        return TileSizes(76, 20, 22, 5) if presentation else TileSizes(70, 14, 16, 7)
    return TileSizes(64, 0, 20, None) if presentation else TileSizes(40, 0, 14, None)


def wrapped(name: str, width: int | None) -> str:
    """A name on two lines at the space nearest its middle when longer than `width` characters."""
    if width is None or len(name) <= width or " " not in name:
        return name
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return name[:cut] + "\n" + name[cut + 1:]


def judged_by_unit(code: str) -> bool:
    """Whether a province target on `code` holds for each unit alike: rates and averages do
    (70% of HTX in the alliance, anywhere); counts do not (25 new HTX is the province's, not each commune's)."""
    return INDICATORS_BY_CODE[code].type in (IndicatorType.RATIO, IndicatorType.AVERAGE)


def map_title(code: str, lang: str) -> str:
    """The legend's title: the indicator and its unit."""
    return f"{indicator_label(code, lang)} ({unit_label(INDICATORS_BY_CODE[code].unit, lang)})"


def map_units(rows: pd.DataFrame, code: str, key: str, lang: str = "vi", target: pd.Series | None = None,
              links: dict[str, str] | None = None) -> pd.DataFrame:
    """The units of an evaluate() breakdown (`key` = "district" or "commune": its code and name
    columns) as tile_map() reads them: code, name, value, text, status (against `target`, when
    given) and href (from `links`, code -> URL)."""
    ind = INDICATORS_BY_CODE[code]
    mine = rows[rows["indicator"] == code]
    units = pd.DataFrame({"code": mine[key].astype(str).to_numpy(), "name": mine[f"{key}_name"].to_numpy(),
                          "value": mine["value"].astype(float).to_numpy()})
    units["text"] = [fmt.indicator_value(v, ind.unit, ind.decimals, lang) for v in units["value"]]
    units["status"] = unit_statuses(units["value"], target) if target is not None else None
    units["href"] = units["code"].map(links or {})
    return units


def unit_statuses(values: pd.Series, target: pd.Series) -> pd.Series:
    """Each unit's value judged against a province target that holds for every unit (a rate or an
    average: "≥ 70% of HTX in the alliance"); no pace, since a level has none. `target` is a row
    of the target table (comparator, target, target_high)."""
    high = target.get("target_high")
    high = None if high is None or (isinstance(high, float) and math.isnan(high)) else float(high)
    return values.map(lambda v: assess(None if pd.isna(v) else float(v), str(target["comparator"]), float(target["target"]),
                                       high, False, 1.0).status.value)


def tile_frame(units: pd.DataFrame, layout: Sequence[Tile], sizes: TileSizes, lang: str = "vi",
               status_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The layout's tiles with their unit's row: code, name, short_name, col, row, value, text,
    status, status_label, has_data, ink (text colour) and href."""
    tiles = pd.DataFrame([{"code": tile.code, "tile_name": tile.name, "short_name": tile.short_name, "col": tile.col,
                           "row": tile.row} for tile in layout])
    columns = [c for c in ("code", "name", "value", "text", "status", "href") if c in units.columns]
    frame = tiles.merge(units[columns], on="code", how="left", validate="one_to_one")
    for column in ("name", "value", "text", "status", "href"):
        if column not in frame:
            frame[column] = None
    frame["name"] = frame["name"].fillna(frame["tile_name"])
    frame["has_data"] = frame["value"].notna()
    frame["value"] = frame["value"].astype(float)
    frame["text"] = frame["text"].where(frame["has_data"], "–")
    frame["label"] = [wrapped(name, sizes.wrap) for name in frame["short_name"]]
    frame["status"] = frame["status"].where(frame["status"].notna() & frame["has_data"], TargetStatus.NO_DATA.value)
    labels = status_labels or {}
    frame["status_label"] = [labels.get(status, status) for status in frame["status"]]
    frame["no_data_label"] = t("map_no_data", lang)
    return frame.drop(columns=["tile_name"])


def _value_domain(frame: pd.DataFrame) -> list[float]:
    values = frame.loc[frame["has_data"], "value"]
    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = float(values.max()) if len(values) else 1.0
    return [low, high if high > low else low + 1.0]


def _ink(frame: pd.DataFrame, mode: str, domain: list[float]) -> pd.Series:
    """White text on dark tiles, near-black on light ones."""
    if mode == "status":
        return frame["status"].map(lambda s: "white" if s in WHITE_ON else INK)
    dark = (frame["value"] - domain[0]) / (domain[1] - domain[0]) > DARK_FROM
    return dark.map({True: "white", False: INK}).where(frame["has_data"], INK)


def _fill(mode: str, title: str, domain: list[float], decimals: int, status_labels: dict[str, str] | None,
          sizes: TileSizes) -> alt.Color:
    if mode == "status":
        return alt.Color("status_label:N", title=title, scale=status_scale(status_labels or {}),
                         legend=alt.Legend(symbolType="square", symbolSize=sizes.value * 20))
    return alt.Color("value:Q", title=title, scale=alt.Scale(scheme=SCHEME, domain=domain),
                     legend=alt.Legend(format=_number_format(decimals), gradientLength=280, gradientThickness=18))


def tile_map(frame: pd.DataFrame, layout: Sequence[Tile], mode: str = "value", title: str = "",
             status_labels: dict[str, str] | None = None, presentation: bool = False, lang: str = "vi",
             decimals: int = 0) -> alt.LayerChart:
    """A tile map of `layout` from `frame` (columns code, name, value, text, optional status and
    href): tiles coloured by value (sequential blues) or by status (the target charts' colours),
    grey where a unit has no data; layers "tiles", "no_data", "names", "values"."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    sizes = tile_sizes(len(layout), presentation)
    cells = tile_frame(frame, layout, sizes, lang, status_labels)
    domain = _value_domain(cells)
    cells["ink"] = _ink(cells, mode, domain)
    cols, rows = int(cells["col"].max()) + 1, int(cells["row"].max()) + 1
    linked = cells["href"].notna().any()
    link = {"href": alt.Href("href:N")} if linked else {}
    tooltip = [alt.Tooltip("name:N", title=t("map_unit", lang)), alt.Tooltip("text:N", title=title or None)]
    if mode == "status":
        tooltip.append(alt.Tooltip("status_label:N", title=t("map_status", lang)))
    base = alt.Chart(cells).encode(
        x=alt.X("col:O", axis=None, scale=alt.Scale(domain=list(range(cols)), paddingInner=0, paddingOuter=0)),
        y=alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(rows)), paddingInner=0, paddingOuter=0)),
    )
    rect = {"stroke": "white", "strokeWidth": 3, "cursor": "pointer" if linked else "default"}
    tiles = base.mark_rect(**rect).encode(color=_fill(mode, title, domain, decimals, status_labels, sizes),
                                          tooltip=tooltip, **link).properties(name="tiles")
    if mode == "value":  # by status, "no data" is one of the statuses
        tiles = tiles.transform_filter(alt.datum.has_data)
    no_data = base.mark_rect(**rect).encode(
        color=alt.Color("no_data_label:N", title=None,
                        scale=alt.Scale(domain=[t("map_no_data", lang)], range=[NO_DATA_COLOR]),
                        legend=alt.Legend(symbolType="square", symbolSize=sizes.value * 20)),
        tooltip=tooltip, **link).transform_filter(~alt.datum.has_data).properties(name="no_data")
    layers = [tiles] if mode == "status" else [tiles, no_data]
    half = sizes.tile / 2 - 6
    if sizes.wrap is not None:
        layers.append(base.mark_text(baseline="top", dy=-half, fontSize=sizes.name, lineHeight=sizes.name + 2,
                                     lineBreak="\n", cursor="pointer" if linked else "default").encode(
            text="label:N", color=alt.Color("ink:N", scale=None), tooltip=tooltip, **link).properties(name="names"))
    layers.append(base.mark_text(baseline="bottom" if sizes.wrap is not None else "middle",
                                 dy=half if sizes.wrap is not None else 0, fontSize=sizes.value, fontWeight="bold",
                                 cursor="pointer" if linked else "default").encode(
        text="text:N", color=alt.Color("ink:N", scale=None), tooltip=tooltip, **link).properties(name="values"))
    chart = alt.layer(*layers).resolve_scale(color="independent").properties(
        width=alt.Step(sizes.tile), height=alt.Step(sizes.tile))
    chart = _finish(chart, presentation, lang)
    if not presentation:  # the theme's 13 px legend is below what a projector needs
        chart = chart.configure_legend(labelFontSize=14, titleFontSize=14, labelLimit=360, titleLimit=560)
    else:
        # Beside the map, not under it: a slide is wider than tall, and its height is what runs out.
        chart = chart.configure_legend(labelFontSize=BIG["label"], titleFontSize=BIG["title"], labelColor="#000",
                                       titleColor="#000", labelLimit=600, titleLimit=900, orient="right")
    return chart
