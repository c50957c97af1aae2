"""Everything the meeting's slides and handouts show, computed once: gather() runs evaluate and
target_table for a filter, and each slide's district ranking, and hands the results to
hxcore.present.slides_pptx and hxcore.present.handout, which lay them out without the database.

The slides follow the projector mode's sequence (frames.SLIDE_HEADLINES, then every target), then
what needs a decision (engine.attention).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine, select

from hxcore.db import schema
from hxcore.engine import frames as shaping
from hxcore.engine.attainment import target_table
from hxcore.engine.attention import Attention, needs_attention
from hxcore.engine.compute import district_choices, evaluate
from hxcore.model.areas import after_reform
from hxcore.model.filters import Filter

MAP_INDICATOR = "coops_operating"  # the map slide: where the operating HTX are


@dataclass(frozen=True)
class MeetingData:
    """The figures of one meeting: the filter's totals, its targets, the slides and their rankings."""

    flt: Filter
    panel: pd.DataFrame  # evaluate(): every indicator, with its comparison and target
    targets: pd.DataFrame  # target_table()
    deck: tuple[shaping.Slide, ...]  # the projector's sequence
    rankings: dict[str | None, pd.DataFrame]  # slide scope (a sector, or None) -> evaluate(by="district") rows
    district_names: dict[str, str]
    data_version: str
    demo: bool
    attention: Attention  # what needs a decision: the "Cần chỉ đạo" slide
    map_rows: pd.DataFrame  # evaluate(by=MAP_LEVEL) of MAP_INDICATOR over the whole province: the map slide
    map_level: str  # "district" before 1/7/2025, "commune" (the 38 new ones) after

    def panel_row(self, code: str) -> dict:
        """One indicator's evaluate() row, as slides and KPI cards read it."""
        row = self.panel.set_index("indicator").loc[code].to_dict()
        row["indicator"] = code
        return row

    def ranking(self, slide: shaping.Slide) -> pd.DataFrame:
        """The districts' rows of the slide's indicator (a sector target: within its sector)."""
        rows = self.rankings[slide.sector]
        return rows[rows["indicator"] == slide.code]


def _demo(engine: Engine) -> bool:
    meta = schema.meta
    with engine.connect() as connection:
        return connection.execute(select(meta.c.value).where(meta.c.key == "demo")).scalar() == "true"


def gather(engine: Engine, flt: Filter) -> MeetingData:
    """The meeting's figures for a period and filter."""
    targets = target_table(engine, flt)
    deck = tuple(shaping.slides(shaping.SLIDE_HEADLINES, targets))
    codes_by_scope: dict[str | None, list[str]] = {}
    for slide in deck:  # one query per scope, not per slide
        codes = codes_by_scope.setdefault(slide.sector, [])
        if slide.code not in codes:
            codes.append(slide.code)
    rankings = {sector: evaluate(engine, shaping.slide_scope(flt, shaping.Slide(codes[0], sector=sector)), codes,
                                 by="district", compare=False, with_targets=False)
                for sector, codes in codes_by_scope.items()}
    map_level = "commune" if after_reform(flt.parsed_period.end) else "district"
    whole = replace(flt, districts=(), communes=())  # the map shows every unit, the chosen ones among them
    return MeetingData(
        map_rows=evaluate(engine, whole, [MAP_INDICATOR], by=map_level, compare=False, with_targets=False),
        map_level=map_level,
        flt=flt, panel=evaluate(engine, flt), targets=targets, deck=deck, rankings=rankings,
        district_names=dict(district_choices(engine, flt.province)),
        data_version=schema.data_version(engine), demo=_demo(engine), attention=needs_attention(engine, flt),
    )

