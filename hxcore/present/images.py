"""Charts as PNG images, for the slides, the handouts and the pages' "Tải ảnh PNG" buttons.

vl-convert renders the Altair chart's Vega-Lite spec without a browser. Text is set in the
bundled DejaVu Sans (data/fonts/, with its licence), registered with vl-convert, so the
diacritics of "Hợp tác xã" come out the same on a machine whatever fonts it has. The same chart
gives the same bytes.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import altair as alt
import vl_convert

FONT_DIR = Path(__file__).resolve().parents[2] / "data" / "fonts"
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}  # fpdf2's style letters
SCALE = 2  # image pixels per chart pixel: sharp on a projector and on paper
WIDTH = 640  # plot width of a chart that sets none (on the pages, Streamlit stretches it to the column)
MIME = "image/png"
# vl-convert names Vega-Lite versions by major.minor; Altair's schema says which one its specs use.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@functools.cache
def register_fonts() -> None:
    """Make the bundled fonts known to vl-convert (once per process)."""
    vl_convert.register_font_directory(str(FONT_DIR))


def image_spec(chart: alt.TopLevelMixin | dict, width: int = WIDTH) -> str:
    """The chart's Vega-Lite spec (JSON) set in the bundled font, with a plot width where it has none.

    Dates in the data (a list's registration day) are written as ISO text, as the page's chart gets them."""
    # A spec dict (the app's cached one) is copied, not changed; the chart functions' specs are
    # tested, so a chart is not validated again (80 ms a chart).
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict(validate=False)
    config = spec.setdefault("config", {})
    config["font"] = FONT_FAMILY
    for part in ("axis", "legend", "header", "title", "text"):  # where the theme could name another font
        if part in config:
            config[part] = {**config[part], **({"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY}
                                               if part in ("axis", "legend", "header") else {"font": FONT_FAMILY})}
    if spec.get("width") == "container" or ("width" not in spec and "facet" not in spec and "spec" not in spec):
        spec["width"] = width
    return json.dumps(spec, default=str, sort_keys=True, ensure_ascii=False)


@functools.lru_cache(maxsize=128)
def _png_of(spec: str, scale: float) -> bytes:
    register_fonts()
    return vl_convert.vegalite_to_png(spec, vl_version=VL_VERSION, scale=scale)


def png(chart: alt.TopLevelMixin | dict, width: int = WIDTH, scale: float = SCALE) -> bytes:
    """The chart as PNG bytes. A chart already drawn in this process (the same spec: the same
    data) is not drawn again: a slide's ranking reappears in the handout, a download is clicked twice."""
    return _png_of(image_spec(chart, width), scale)


def svg(chart: alt.TopLevelMixin, width: int = WIDTH) -> str:
    """The chart as SVG text: what the PNG draws, with its text and fonts readable (tests, print)."""
    register_fonts()
    return vl_convert.vegalite_to_svg(image_spec(chart, width), vl_version=VL_VERSION)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of PNG bytes, read from the IHDR header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
