"""Write data/reference/lai-chau-map-tiles.csv: one equal tile per unit, placed by its centre.

`python scripts/build_map_tiles.py --from-package` (run by an interpreter where the MIT-licensed
`vietnamadminunits` package is installed, e.g. a throw-away venv) reads the units' centre points
from that package; without it, the centres already in the CSV are kept and only the tiles are
laid out again; `--check` exits 1 when the CSV differs from what the script would write.
Nothing in hx imports vietnamadminunits: the CSV is the reference data the app reads.

The layout: centres projected (longitude × cos of the mean latitude), scaled onto a grid of
about `DENSITY` × as many cells as units, then every unit put in a cell so that the sum of the
squared distances from the units' scaled centres to their cells is small: the closest
(unit, free cell) pairs first, then swaps and moves to free cells while any lowers the sum.
Standard library only and ordered by code at every step, so the same centres give the same file.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

try:  # build-time only: installed in a throw-away venv, never a dependency of hx
    from vietnamadminunits.database import query as package_query
except ImportError:
    package_query = None

ROOT = Path(__file__).resolve().parent.parent
AREAS_CSV = ROOT / "data" / "reference" / "lai-chau-areas-2023.csv"
TILES_CSV = ROOT / "data" / "reference" / "lai-chau-map-tiles.csv"
PROVINCE_CODE = "12"
COLUMNS = ("layout", "level", "code", "name", "short_name", "valid_from", "valid_to", "lat", "lon", "centre_source",
           "col", "row")

# (layout, level, valid_from, valid_to, grid columns, grid rows): chosen by looking at the maps;
# about 1,3–1,5 cells per unit keeps the province's shape without long empty stretches.
LAYOUTS = (
    ("districts_2020", "district", "2020-01-01", "2025-06-30", 4, 3),
    ("communes_2020", "commune", "2020-01-01", "2025-06-30", 14, 10),
    ("communes_2025", "commune", "2025-07-01", "", 8, 6),
)
# Short names on the tiles: the administrative prefix a reader needs to tell units apart
# ("TT. Mường Tè" beside "Mường Tè"), abbreviated; "Xã" and "Huyện" go.
SHORT_PREFIXES = (("Thành phố ", "TP. "), ("Thị trấn ", "TT. "), ("Phường ", "P. "), ("Huyện ", ""), ("Xã ", ""))


@dataclass(frozen=True)
class Unit:
    layout: str
    level: str
    code: str
    name: str
    valid_from: str
    valid_to: str
    lat: float
    lon: float
    centre_source: str
    col: int = -1
    row: int = -1

    @property
    def short_name(self) -> str:
        for prefix, short in SHORT_PREFIXES:
            if self.name.startswith(prefix):
                return short + self.name[len(prefix):]
        return self.name


# ---------------------------------------------------------------------------------------------
# Centres


def _package_centres() -> tuple[dict, dict, dict, str]:
    """(district code -> (lat, lon)), (old commune code -> (lat, lon, is the district's point)),
    (2025 commune code -> (lat, lon)) and the package's version, from vietnamadminunits."""
    if package_query is None:
        raise SystemExit("vietnamadminunits is not installed: pip install vietnamadminunits==1.0.4 in a separate venv")
    legacy = package_query("SELECT districtCode, districtLat, districtLon, wardCode, wardLat, wardLon "
                   f"FROM admin_units_legacy WHERE provinceCode = '{PROVINCE_CODE}'")
    current = package_query(f"SELECT wardCode, wardLat, wardLon FROM admin_units WHERE provinceCode = '{PROVINCE_CODE}'")
    districts = {r["districtCode"]: (r["districtLat"], r["districtLon"]) for r in legacy}
    # The package geocoded the old units; where the geocoder found only the district, the
    # commune's point is the district's, which would put the commune in the wrong place.
    communes = {r["wardCode"]: (r["wardLat"], r["wardLon"],
                                (r["wardLat"], r["wardLon"]) == (r["districtLat"], r["districtLon"])) for r in legacy}
    new = {r["wardCode"]: (r["wardLat"], r["wardLon"]) for r in current}
    return districts, communes, new, metadata.version("vietnamadminunits")


def units_from_package() -> list[Unit]:
    """Every unit of the three layouts, named as in the GSO reference list, centred as the package says."""
    districts, communes, new, version = _package_centres()
    source = f"vietnamadminunits {version}"
    with AREAS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    units: dict[tuple[str, str], Unit] = {}
    (d_layout, _, old_from, old_to, *_), (c_layout, *_), (n_layout, _, new_from, *_) = LAYOUTS
    for row in rows:
        lat, lon = districts[row["district_code"]]
        units[(d_layout, row["district_code"])] = Unit(d_layout, "district", row["district_code"], row["district_name"],
                                                       old_from, old_to, lat, lon, f"{source} admin_units_legacy (huyện)")
        lat, lon = new[row["successor_2025_code"]]
        units[(n_layout, row["successor_2025_code"])] = Unit(n_layout, "commune", row["successor_2025_code"],
                                                             row["successor_2025_name"], new_from, "", lat, lon,
                                                             f"{source} admin_units")
        lat, lon, district_point = communes[row["commune_code"]]
        where = f"{source} admin_units_legacy"
        if district_point:
            lat, lon = new[row["successor_2025_code"]]
            where = f"{source} admin_units: tâm của xã mới {row['successor_2025_name']} (điểm cũ là tâm huyện)"
        units[(c_layout, row["commune_code"])] = Unit(c_layout, "commune", row["commune_code"], row["commune_name"],
                                                      old_from, old_to, lat, lon, where)
    return list(units.values())


def units_from_csv(path: Path = TILES_CSV) -> list[Unit]:
    with path.open(encoding="utf-8") as handle:
        return [Unit(r["layout"], r["level"], r["code"], r["name"], r["valid_from"], r["valid_to"], float(r["lat"]),
                     float(r["lon"]), r["centre_source"]) for r in csv.DictReader(handle)]


# ---------------------------------------------------------------------------------------------
# Layout


def scaled_points(units: list[Unit], cols: int, rows: int) -> list[tuple[float, float]]:
    """Centres on the grid's scale: x from west (0) to east (cols − 1), y from north (0) to south."""
    mean_lat = math.radians(sum(u.lat for u in units) / len(units))
    xs = [u.lon * math.cos(mean_lat) for u in units]
    ys = [-u.lat for u in units]
    x0, y0 = min(xs), min(ys)
    width, height = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    return [((x - x0) / width * (cols - 1), (y - y0) / height * (rows - 1)) for x, y in zip(xs, ys, strict=True)]


def _cost(point: tuple[float, float], cell: tuple[int, int]) -> float:
    return (point[0] - cell[0]) ** 2 + (point[1] - cell[1]) ** 2


def _improve(points: list[tuple[float, float]], placed: list[tuple[int, int]], cells: list[tuple[int, int]]) -> bool:
    """One pass of swaps between two units and moves to a free cell; True if anything changed."""
    changed = False
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            now = _cost(points[i], placed[i]) + _cost(points[j], placed[j])
            if _cost(points[i], placed[j]) + _cost(points[j], placed[i]) < now - 1e-9:
                placed[i], placed[j] = placed[j], placed[i]
                changed = True
        taken = set(placed)
        best = min((c for c in cells if c not in taken), key=lambda c: (_cost(points[i], c), c), default=None)
        if best is not None and _cost(points[i], best) < _cost(points[i], placed[i]) - 1e-9:
            placed[i] = best
            changed = True
    return changed


def assign(points: list[tuple[float, float]], cols: int, rows: int) -> list[tuple[int, int]]:
    """A cell (col, row) for every point, no two alike, keeping points near where they are."""
    cells = [(c, r) for r in range(rows) for c in range(cols)]
    if len(cells) < len(points):
        raise ValueError(f"{len(points)} units do not fit a {cols}×{rows} grid")
    pairs = sorted((_cost(p, c), i, c) for i, p in enumerate(points) for c in cells)
    placed: dict[int, tuple[int, int]] = {}
    taken: set[tuple[int, int]] = set()
    for _, i, cell in pairs:  # closest pairs first: each unit takes the nearest cell still free
        if i not in placed and cell not in taken:
            placed[i] = cell
            taken.add(cell)
    result = [placed[i] for i in range(len(points))]
    while _improve(points, result, cells):
        pass
    return _trimmed(result)


def _trimmed(cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Empty outer columns and rows removed: the map starts at col 0, row 0."""
    left, top = min(c for c, _ in cells), min(r for _, r in cells)
    return [(c - left, r - top) for c, r in cells]


def laid_out(units: list[Unit]) -> list[Unit]:
    """Every unit with its tile, layout by layout, in layout then code order."""
    result = []
    for layout, _, _, _, cols, rows in LAYOUTS:
        members = sorted((u for u in units if u.layout == layout), key=lambda u: u.code)
        tiles = assign(scaled_points(members, cols, rows), cols, rows)
        result += [replace(u, col=c, row=r) for u, (c, r) in zip(members, tiles, strict=True)]
    return result


def rows_of(units: list[Unit]) -> list[list[str]]:
    return [[u.layout, u.level, u.code, u.name, u.short_name, u.valid_from, u.valid_to, f"{u.lat:.6f}", f"{u.lon:.6f}",
             u.centre_source, str(u.col), str(u.row)] for u in units]


def write(units: list[Unit], path: Path = TILES_CSV) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows_of(units))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-package", action="store_true", help="read the centres from vietnamadminunits")
    parser.add_argument("--check", action="store_true", help="exit 1 if the CSV differs from what would be written")
    args = parser.parse_args(argv)
    units = laid_out(units_from_package() if args.from_package else units_from_csv())
    if args.check:
        with TILES_CSV.open(encoding="utf-8") as handle:
            current = list(csv.reader(handle))
        if current != [list(COLUMNS), *rows_of(units)]:
            print(f"{TILES_CSV.name} differs from what {Path(__file__).name} writes", file=sys.stderr)
            return 1
        return 0
    write(units)
    print(f"{len(units)} tiles written to {TILES_CSV.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
