"""Administrative areas: the GSO reference list, slugs and forgiving name matching.

Areas are keyed by the General Statistics Office's code, not by name: names changed in 2025
and are spelled several ways in office spreadsheets.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REFERENCE_CSV = Path(__file__).resolve().parents[2] / "data" / "reference" / "lai-chau-areas-2023.csv"

PROVINCE_CODE = "12"
PROVINCE_NAME = "Tỉnh Lai Châu"
# Key of an area-names dict for the whole area's name when no province is chosen ("Toàn quốc" on a
# database of several provinces); without it, what the figures cover is the whole province.
WHOLE_AREA = ""
# Units of the 2023 list stood from 2020 until the reform of 1/7/2025 (NQ 1670/NQ-UBTVQH15).
OLD_UNITS_VALID_FROM = date(2020, 1, 1)
OLD_UNITS_VALID_TO = date(2025, 6, 30)
NEW_UNITS_VALID_FROM = date(2025, 7, 1)
# The day districts were abolished and the 106 communes became 38 (NQ 1670/NQ-UBTVQH15).
REFORM_DATE = NEW_UNITS_VALID_FROM
REFORM_RESOLUTION = "Nghị quyết 1670/NQ-UBTVQH15"

# Prefixes offices write before a unit's name, longest first so "thành phố" wins over "tp", each
# with the unit kind it stands for (so "TT. Mường Tè" and "Thị trấn Mường Tè" name the same kind).
_PREFIX_KINDS = {
    "thanh pho": "thanh pho", "thi tran": "thi tran", "huyen": "huyen", "phuong": "phuong", "tinh": "tinh",
    "xa": "xa", "tp.": "thanh pho", "tp": "thanh pho", "h.": "huyen", "tt.": "thi tran", "tt": "thi tran",
    "p.": "phuong", "x.": "xa",
}
_PREFIXES = tuple(_PREFIX_KINDS)

# Spellings seen in the statistics list and in local use (data/reference README).
NAME_VARIANTS = {
    "pa u": "pa u",
    "hua bum": "hua bun",
    "pa ve su": "pa ve su",
    "pa khoa": "pa khoa",
}


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    level: str  # province | district | commune
    kind: str  # tỉnh, thành phố, huyện, xã, phường, thị trấn
    parent_code: str | None
    valid_from: date
    valid_to: date | None
    successor_code: str | None = None
    # The two groupings that let series cross the reform: the 2025 commune an old commune became
    # (a 2025 commune: itself), and the former district ("huyện cũ") a unit belongs to (a 2025
    # commune: the one that held most of its predecessors).
    commune_2025_code: str | None = None
    former_district_code: str | None = None


def fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese name, for matching and slugs."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", ascii_text.lower()).strip()


def split_prefix(name: str) -> tuple[str | None, str]:
    """(kind of unit its prefix names, bare name): "TT. Mường Tè" -> ("thi tran", "muong te");
    no prefix -> (None, "muong te")."""
    folded = fold(name)
    kind = None
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " ") or (prefix.endswith(".") and folded.startswith(prefix)):
            folded, kind = folded[len(prefix):].strip(), _PREFIX_KINDS[prefix]
            break
    return kind, NAME_VARIANTS.get(folded, folded)


def bare_name(name: str) -> str:
    """Folded name without its administrative prefix: "H. Tam Đường" -> "tam duong"."""
    return split_prefix(name)[1]


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", bare_name(name)).strip("-")


def read_reference(path: Path = REFERENCE_CSV) -> list[AreaRow]:
    """The province, its 2023 districts and communes, and the 2025 communes they merged into."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    former = former_districts(rows)
    areas: dict[tuple[str, date], AreaRow] = {}
    province = AreaRow(PROVINCE_CODE, PROVINCE_NAME, "province", "tỉnh", None, OLD_UNITS_VALID_FROM, None)
    areas[(province.code, province.valid_from)] = province
    for row in rows:
        district_kind = "thành phố" if row["district_name"].startswith("Thành phố") else "huyện"
        areas.setdefault(
            (row["district_code"], OLD_UNITS_VALID_FROM),
            AreaRow(row["district_code"], row["district_name"], "district", district_kind, PROVINCE_CODE,
                    OLD_UNITS_VALID_FROM, OLD_UNITS_VALID_TO, former_district_code=row["district_code"]),
        )
        new_code = row["successor_2025_code"]
        areas[(row["commune_code"], OLD_UNITS_VALID_FROM)] = AreaRow(
            row["commune_code"], row["commune_name"], "commune", row["commune_type"], row["district_code"],
            OLD_UNITS_VALID_FROM, OLD_UNITS_VALID_TO, new_code or None, new_code, row["district_code"],
        )
        new_kind = "phường" if row["successor_2025_name"].startswith("Phường") else "xã"
        # 2025 communes hang directly under the province: districts no longer exist.
        areas.setdefault(
            (new_code, NEW_UNITS_VALID_FROM),
            AreaRow(new_code, row["successor_2025_name"], "commune", new_kind, PROVINCE_CODE,
                    NEW_UNITS_VALID_FROM, None, None, new_code, former[new_code]),
        )
    return list(areas.values())


def former_districts(rows: list[dict]) -> dict[str, str]:
    """2025 commune code -> the former district that held most of its predecessors; on a tie,
    the district of the predecessor whose code the new commune kept."""
    counts: dict[str, dict[str, int]] = {}
    keeper: dict[str, str] = {}
    for row in rows:
        new_code, district = row["successor_2025_code"], row["district_code"]
        per_district = counts.setdefault(new_code, {})
        per_district[district] = per_district.get(district, 0) + 1
        if row["commune_code"] == new_code:
            keeper[new_code] = district
    return {code: max(sorted(per), key=lambda d: (per[d], d == keeper.get(code))) for code, per in counts.items()}


@dataclass(frozen=True)
class Reform:
    """Old -> new units of the reform, read once from the reference list."""

    successor: dict[str, str]  # old commune code -> 2025 commune code
    former_district: dict[str, str]  # 2025 commune code -> former district code
    predecessors: dict[str, tuple[str, ...]]  # 2025 commune code -> old commune codes
    names: dict[tuple[str, str], str]  # (code, "old" | "new") -> official name

    def crossing_borders(self) -> dict[str, tuple[str, ...]]:
        """2025 communes whose predecessors lay in more than one former district: code -> districts."""
        district_of = {a.code: a.parent_code for a in REFERENCE if a.level == "commune" and a.valid_to}
        out = {}
        for code, olds in self.predecessors.items():
            districts = tuple(sorted({district_of[o] for o in olds}))
            if len(districts) > 1:
                out[code] = districts
        return out


def _reform() -> Reform:
    old = [a for a in REFERENCE if a.level == "commune" and a.valid_to is not None]
    new = [a for a in REFERENCE if a.level == "commune" and a.valid_to is None]
    predecessors: dict[str, list[str]] = {}
    for area in old:
        predecessors.setdefault(area.successor_code, []).append(area.code)
    names = {(a.code, "old"): a.name for a in REFERENCE if a.valid_to is not None}
    names |= {(a.code, "new"): a.name for a in new}
    return Reform({a.code: a.successor_code for a in old}, {a.code: a.former_district_code for a in new},
                  {code: tuple(sorted(codes)) for code, codes in predecessors.items()}, names)


def crossing_communes() -> list[tuple[str, list[str], str]]:
    """(2025 commune, the former districts its predecessors lay in, the one it is counted under),
    by name, for every 2025 commune of Lai Châu that crosses the old district borders."""
    district_name = {a.code: a.name for a in REFERENCE if a.level == "district"}
    return [(REFORM.names[(code, "new")], [district_name[d] for d in districts],
             district_name[REFORM.former_district[code]]) for code, districts in REFORM.crossing_borders().items()]


def successor_2025(old_commune_code: str) -> str:
    """The 2025 commune an old commune of Lai Châu became on 1/7/2025."""
    return REFORM.successor[old_commune_code]


def former_district_of(commune_2025_code: str) -> str:
    """The former district a 2025 commune of Lai Châu is counted under for series across the reform."""
    return REFORM.former_district[commune_2025_code]


def is_province_code(code: str) -> bool:
    """GSO codes: a province's has 2 digits, a district's 3, a commune's 5."""
    return len(code) == 2


def after_reform(day: date) -> bool:
    return day >= REFORM_DATE


class AmbiguousName(ValueError):
    """Two or more units match a name equally well: ask the user, never guess."""


def match_area(token: str, candidates: list[tuple[str, str]]) -> str | None:
    """The code among (code, name) candidates that `token` names: by code, slug or name.

    Returns None when nothing matches; raises AmbiguousName when several do.
    """
    token = token.strip()
    for code, _ in candidates:
        if token == code or token.lstrip("0") == code.lstrip("0") and token.isdigit():
            return code
    wanted = bare_name(token)
    wanted_slug = slugify(token)
    hits = [code for code, name in candidates if bare_name(name) == wanted or slugify(name) == wanted_slug]
    if len(set(hits)) > 1:
        hits = _same_kind(token, hits, candidates)
    if len(set(hits)) > 1:
        names = ", ".join(name for code, name in candidates if code in hits)
        raise AmbiguousName(f"'{token}' khớp với nhiều đơn vị: {names}")
    return hits[0] if hits else None


def _same_kind(token: str, hits: list[str], candidates: list[tuple[str, str]]) -> list[str]:
    """Among units of the same bare name, those of the kind the token's prefix names: "Thị trấn
    Mường Tè" is not "Xã Mường Tè" nor "Huyện Mường Tè". Without a prefix, all of them."""
    kind = split_prefix(token)[0]
    same = [code for code, name in candidates if code in hits and split_prefix(name)[0] == kind]
    return same if kind and same else hits


REFERENCE = read_reference()
REFORM = _reform()
