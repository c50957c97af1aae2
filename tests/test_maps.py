"""The tile map: its layout (reference data) and its chart, read from the Vega-Lite spec."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from hxcore.engine.compute import evaluate
from hxcore.model import map_tiles
from hxcore.model.areas import REFERENCE_CSV
from hxcore.model.filters import Filter
from hxcore.model.labels import labels_in
from hxcore.model.targets import STATUS_LABELS
from hxcore.present import maps
from hxcore.present.charts import STATUS_COLORS

ROOT = Path(__file__).resolve().parent.parent
LABELS = labels_in(STATUS_LABELS)
SIZES = {map_tiles.DISTRICTS_2020: 8, map_tiles.COMMUNES_2020: 106, map_tiles.COMMUNES_2025: 38}


def _reference_codes() -> dict[str, set[str]]:
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {map_tiles.DISTRICTS_2020: {r["district_code"] for r in rows},
            map_tiles.COMMUNES_2020: {r["commune_code"] for r in rows},
            map_tiles.COMMUNES_2025: {r["successor_2025_code"] for r in rows}}


@pytest.mark.parametrize("name", map_tiles.LAYOUTS)
def test_every_unit_has_one_tile_of_its_own(name):
    tiles = map_tiles.layout(name)
    assert len(tiles) == SIZES[name]
    assert len({(tile.col, tile.row) for tile in tiles}) == len(tiles)  # no two units share a tile
    assert {tile.code for tile in tiles} == _reference_codes()[name]  # the same units as the GSO list
    assert min(tile.col for tile in tiles) == 0 and min(tile.row for tile in tiles) == 0


def test_tiles_are_keyed_by_code_and_era():
    keys = [(tile.code, tile.valid_from) for tile in map_tiles.all_tiles()]
    assert len(keys) == len(set(keys)) == 8 + 106 + 38
    # Xã Bình Lư of 2025 reuses the code of Thị trấn Tam Đường: two tiles, one per era.
    same_code = {tile.name for tile in map_tiles.all_tiles() if tile.code == "03390"}
    assert same_code == {"Thị trấn Tam Đường", "Xã Bình Lư"}


def _spearman(xs: list[float], ys: list[float]) -> float:
    return pd.DataFrame({"x": xs, "y": ys}).rank().corr().iloc[0, 1]


@pytest.mark.parametrize("name", map_tiles.LAYOUTS)
def test_neighbours_stay_neighbours(name):
    """Distances between tiles follow distances between centres (rank correlation), and north stays up, west left."""
    tiles = map_tiles.layout(name)
    cos = math.cos(math.radians(sum(tile.lat for tile in tiles) / len(tiles)))
    pairs = list(combinations(tiles, 2))
    geographic = [math.hypot((a.lon - b.lon) * cos, a.lat - b.lat) for a, b in pairs]
    on_grid = [math.hypot(a.col - b.col, a.row - b.row) for a, b in pairs]
    assert _spearman(geographic, on_grid) > 0.8
    # Measured: 0,91–0,96 west→east; north→south 0,93 for communes, 0,73 for the 8 districts on 3 rows.
    assert _spearman([tile.lon for tile in tiles], [tile.col for tile in tiles]) > 0.9
    assert _spearman([-tile.lat for tile in tiles], [tile.row for tile in tiles]) > (0.7 if len(tiles) == 8 else 0.9)


def test_the_layout_is_what_the_script_writes():
    """The CSV's tiles are reproduced from its centres: the layout is deterministic and not edited by hand."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_map_tiles.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_commune_layout_follows_the_reform():
    assert map_tiles.commune_layout_on(pd.Timestamp("2025-06-30").date()) == map_tiles.COMMUNES_2020
    assert map_tiles.commune_layout_on(pd.Timestamp("2025-07-01").date()) == map_tiles.COMMUNES_2025


# ---------------------------------------------------------------------------------------------
# The chart


def layers(spec: dict) -> dict:
    return {layer.get("name"): layer for layer in spec.get("layer", [])}


def rows_of(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]] if "data" in layer else spec["datasets"][spec["data"]["name"]]


@pytest.fixture(scope="module")
def district_units(engine) -> pd.DataFrame:
    rows = evaluate(engine, Filter("2023-H1"), ["coops_total", "coops_alliance_share"], by="district",
                    compare=False, with_targets=False)
    return rows


def test_units_carry_the_breakdowns_figures(district_units):
    units = maps.map_units(district_units, "coops_total", "district", links={"106": "?district=tam-duong"})
    tam_duong = units.set_index("code").loc["106"]
    assert (tam_duong["value"], tam_duong["text"], tam_duong["href"]) == (44, "44", "?district=tam-duong")
    assert units["value"].sum() == 416  # the province's HTX at 30/6/2023, as the report says


def test_a_unit_without_data_is_grey_and_named_in_the_legend(district_units):
    units = maps.map_units(district_units, "coops_total", "district",
                           links={code: f"?district={code}" for code in district_units["district"]})
    units = units[units["code"] != "112"]  # Nậm Nhùn left out: it has no data
    spec = maps.tile_map(units, map_tiles.layout(map_tiles.DISTRICTS_2020), title="Tổng số HTX (HTX)").to_dict()
    named = layers(spec)
    assert {"tiles", "no_data", "names", "values"} <= set(named)
    grey = named["no_data"]["encoding"]["color"]
    assert grey["scale"] == {"domain": ["Chưa có số liệu"], "range": [maps.NO_DATA_COLOR]}
    assert grey["legend"] is not None  # "no data" shows in the legend
    cells = {row["code"]: row for row in rows_of(spec, named["no_data"])}
    assert cells["112"]["has_data"] is False and cells["112"]["text"] == "–"
    assert cells["106"]["has_data"] is True and cells["106"]["text"] == "44"
    assert named["tiles"]["transform"] == [{"filter": "datum.has_data"}]  # coloured by value: only units with data
    assert named["tiles"]["encoding"]["color"]["field"] == "value"
    assert named["values"]["encoding"]["text"]["field"] == "text"
    assert named["tiles"]["encoding"]["href"]["field"] == "href"
    assert cells["106"]["href"] == "?district=106"


def test_status_mode_uses_the_status_colours(district_units):
    target = pd.Series({"comparator": "min", "target": 70.0, "target_high": None})
    units = maps.map_units(district_units, "coops_alliance_share", "district", target=target)
    spec = maps.tile_map(units, map_tiles.layout(map_tiles.DISTRICTS_2020), mode="status", status_labels=LABELS).to_dict()
    named = layers(spec)
    colour = named["tiles"]["encoding"]["color"]
    assert colour["field"] == "status_label"
    assert colour["scale"]["range"] == list(STATUS_COLORS.values())
    statuses = {row["code"]: (row["status"], row["text"]) for row in rows_of(spec, named["tiles"])}
    shares = units.set_index("code")["value"]
    for code, (status, _) in statuses.items():  # each district's own share against the province's 70%
        assert status == ("achieved" if shares[code] >= 70 else "behind")
    assert statuses["106"][1] == "48,6%"


def test_text_is_big_enough_for_a_projector():
    """14 px text at least, and tiles of 60 px at least for the 38 communes, on a 1024×768 projector."""
    for count in (8, 38):
        sizes = maps.tile_sizes(count)
        assert sizes.name >= 14 and sizes.value >= 14
    assert maps.tile_sizes(38).tile >= 60
    assert maps.tile_sizes(38).tile * 8 <= 564  # the map beside the sidebar at 1024 px
    assert maps.tile_sizes(106).value >= 14


def test_long_names_wrap_at_the_middle_space():
    assert maps.wrapped("Tủa Sín Chải", 7) == "Tủa Sín\nChải"
    assert maps.wrapped("Bản Bo", 7) == "Bản Bo"


def test_only_rates_and_averages_are_judged_unit_by_unit():
    assert maps.judged_by_unit("coops_alliance_share") and maps.judged_by_unit("coop_avg_income_year")
    assert not maps.judged_by_unit("coops_new")  # 25 new HTX is the province's target, not each commune's
