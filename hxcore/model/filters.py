"""What the user is looking at (a Filter) and the period window a figure is computed over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hxcore.model.areas import AmbiguousName, match_area
from hxcore.model.periods import Comparison, Period
from hxcore.model.vocab import SECTOR_CODES

# `commune`: the communes valid at the period's end (106 old ones of Lai Châu until 30/6/2025, the
# 38 new ones after); `commune_2025` and `former_district` group any period by the units that
# carry series across the reform. `district` after the reform means the former district.
BREAKDOWNS = ("district", "sector", "province", "commune", "commune_2025", "former_district")
COMMUNE_BREAKDOWNS = ("commune", "commune_2025")
DISTRICT_BREAKDOWNS = ("district", "former_district")


class FilterError(ValueError):
    """A filter value that names nothing: the message lists the valid choices."""


@dataclass(frozen=True)
class Filter:
    """What the user is looking at: one period, optionally some districts (former districts after
    the reform), communes (GSO codes of units valid at the period's end) and sectors."""

    period: str
    districts: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    # Which units `communes` names: the 2025 communes (any period is re-based on them exactly),
    # or, with `old_communes`, those until 30/6/2025 (after the reform: the organisations located
    # there before it). Set from the period the user chose the communes in.
    old_communes: bool = False
    province: str | None = None
    comparison: Comparison = Comparison.PREVIOUS_YEAR_END

    @property
    def parsed_period(self) -> Period:
        return Period.parse(self.period)


@dataclass(frozen=True)
class Window:
    start: date  # 1 January of the period's year: flows are counted year-to-date
    end: date  # stocks are read here


def check_breakdown(by: str | None) -> None:
    if by not in (None, *BREAKDOWNS):
        raise FilterError(f"Không thể phân tổ theo '{by}'. Chọn: {', '.join(BREAKDOWNS)}")


def resolve_area_tokens(tokens, choices: list[tuple[str, str]], what: str = "huyện/thành phố") -> tuple[str, ...]:
    """GSO codes for units given by code, ASCII slug or Vietnamese name, among (code, name) choices."""
    codes = []
    for token in tokens or ():
        try:
            code = match_area(str(token), choices)
        except AmbiguousName as error:
            raise FilterError(str(error)) from None
        if code is None:
            valid = "; ".join(f"{c} {n}" for c, n in choices)
            raise FilterError(f"Không có {what} '{token}'. Chọn: {valid}")
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def resolve_sectors(tokens) -> tuple[str, ...]:
    codes = []
    for token in tokens or ():
        code = str(token).strip().lower().replace("-", "_")
        if code not in SECTOR_CODES:
            raise FilterError(f"Không có lĩnh vực '{token}'. Chọn: {', '.join(SECTOR_CODES)}")
        codes.append(code)
    return tuple(dict.fromkeys(codes))
