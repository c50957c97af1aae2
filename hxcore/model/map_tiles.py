"""The tile map's layout: one equal tile per unit, placed by the unit's centre point.

Read once from data/reference/lai-chau-map-tiles.csv, which scripts/build_map_tiles.py writes
from the centre points of the MIT-licensed `vietnamadminunits` package (no openly licensed
polygons of Lai Châu's units exist to draw a real map from). Three layouts: the 8 districts and
the 106 communes of 2020–30/6/2025, and the 38 communes from 1/7/2025. A 2025 commune reuses the
code of one of its predecessors, so a tile is known by its layout and code, never its code alone.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from hxcore.model.areas import after_reform

TILES_CSV = Path(__file__).resolve().parents[2] / "data" / "reference" / "lai-chau-map-tiles.csv"

# Layout names: written in the CSV and used by tests, so never rename.
DISTRICTS_2020 = "districts_2020"
COMMUNES_2020 = "communes_2020"
COMMUNES_2025 = "communes_2025"
LAYOUTS = (DISTRICTS_2020, COMMUNES_2020, COMMUNES_2025)


@dataclass(frozen=True)
class Tile:
    layout: str
    level: str  # district | commune
    code: str  # GSO code
    name: str  # official name, as in lai-chau-areas-2023.csv
    short_name: str  # what the tile says: "P. Tân Phong", "TT. Mường Tè", "Bản Bo"
    valid_from: date
    valid_to: date | None
    lat: float
    lon: float
    centre_source: str
    col: int  # 0 = westmost column
    row: int  # 0 = northmost row


@cache
def all_tiles(path: Path = TILES_CSV) -> tuple[Tile, ...]:
    """Every tile of every layout, in the file's order (layout, then code)."""
    with path.open(encoding="utf-8") as handle:
        return tuple(
            Tile(r["layout"], r["level"], r["code"], r["name"], r["short_name"], date.fromisoformat(r["valid_from"]),
                 date.fromisoformat(r["valid_to"]) if r["valid_to"] else None, float(r["lat"]), float(r["lon"]),
                 r["centre_source"], int(r["col"]), int(r["row"]))
            for r in csv.DictReader(handle)
        )


def layout(name: str) -> tuple[Tile, ...]:
    """The tiles of one layout."""
    if name not in LAYOUTS:
        raise ValueError(f"Không có bố cục bản đồ '{name}'. Chọn: {', '.join(LAYOUTS)}")
    return tuple(tile for tile in all_tiles() if tile.layout == name)


def commune_layout_on(day: date) -> str:
    """The communes valid on `day`: the 106 of 2020–2025 before the reform, the 38 from 1/7/2025."""
    return COMMUNES_2025 if after_reform(day) else COMMUNES_2020
