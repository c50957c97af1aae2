"""Resolution targets as arithmetic: how far an actual figure is from its target.

Attainment = actual ÷ target. Count targets counted over the year get the pace expected at
the period's end (at H1, half the annual target); levels and rates do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from hxcore.model.labels import Labels

TARGET_COLUMNS = ("resolution", "item", "indicator", "comparator", "value", "value_high", "sector", "year", "wording")
COMPARATORS = ("min", "max", "range")


class TargetStatus(StrEnum):
    # Written to CSV and used for chart colours: never rename.
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"


STATUS_LABELS: Labels = {
    TargetStatus.ACHIEVED: ("Đạt", "Achieved"),
    TargetStatus.ON_TRACK: ("Đúng tiến độ", "On track"),
    TargetStatus.BEHIND: ("Chậm tiến độ", "Behind"),
    TargetStatus.NO_DATA: ("Chưa có số liệu", "No data"),
}


class TargetFileError(ValueError):
    pass


@dataclass(frozen=True)
class Assessment:
    attainment: float | None  # percent of the target reached
    expected: float | None  # the pace expected at the period's end, for yearly counts
    status: TargetStatus
    gap: float | None  # what is still missing to the full target (0 once achieved)


def assess(actual: float | None, comparator: str, value: float, value_high: float | None,
           paced: bool, year_fraction: float) -> Assessment:
    """Compare an actual figure with a target of the form "at least", "at most" or "low–high"."""
    if actual is None or math.isnan(actual):
        return Assessment(None, None, TargetStatus.NO_DATA, None)
    reference = value  # for a range "2–3", reaching the low end attains it
    attainment = actual / reference * 100 if reference else None
    expected = reference * year_fraction if paced and year_fraction < 1 else None
    if comparator == "max":
        status = TargetStatus.ACHIEVED if actual <= value else TargetStatus.BEHIND
        return Assessment(attainment, None, status, max(actual - value, 0.0))
    if actual >= reference:
        status = TargetStatus.ACHIEVED
    elif expected is not None and actual >= expected:
        status = TargetStatus.ON_TRACK
    else:
        status = TargetStatus.BEHIND
    return Assessment(attainment, expected, status, max(reference - actual, 0.0))
