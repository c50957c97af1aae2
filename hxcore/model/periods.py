"""Reporting periods: years, halves and quarters, with the windows the report counts in.

Stocks are read at the period's end date; flows are counted year-to-date (1 January to the
period's end), which is how the report and the resolution count them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hxcore.model.labels import Labels, label


class PeriodKind(StrEnum):
    # Stored in URLs and CSV files: never rename.
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"


_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>H[12]|Q[1-4]))?$")
_END_MONTH = {"H1": 6, "H2": 12, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, None: 12}
PART_LABELS: Labels = {  # a period's part ("" for a whole year) -> label templates
    "": ("Năm {y}", "Year {y}"),
    "H1": ("6 tháng đầu năm {y}", "First half {y}"),
    "H2": ("6 tháng cuối năm {y}", "Second half {y}"),
    "Q1": ("Quý I/{y}", "Q1 {y}"),
    "Q2": ("Quý II/{y}", "Q2 {y}"),
    "Q3": ("Quý III/{y}", "Q3 {y}"),
    "Q4": ("Quý IV/{y}", "Q4 {y}"),
}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    part: str | None = None  # None for a whole year, "H1"/"H2", "Q1".."Q4"

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _PATTERN.match(str(code).strip().upper())
        if not match:
            raise PeriodError(
                f"Kỳ báo cáo không hợp lệ: '{code}'. Dùng dạng 2023, 2023-H1, 2023-H2 hoặc 2023-Q1..Q4."
            )
        return cls(int(match["year"]), match["part"])

    @property
    def code(self) -> str:
        return f"{self.year}" if self.part is None else f"{self.year}-{self.part}"

    @property
    def kind(self) -> PeriodKind:
        if self.part is None:
            return PeriodKind.YEAR
        return PeriodKind.HALF if self.part.startswith("H") else PeriodKind.QUARTER

    @property
    def start(self) -> date:
        month = {"H1": 1, "H2": 7, "Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10, None: 1}[self.part]
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        month = _END_MONTH[self.part]
        day = 30 if month in (6, 9) else 31
        return date(self.year, month, day)

    @property
    def year_start(self) -> date:
        """Flows are counted from here to `end`."""
        return date(self.year, 1, 1)

    @property
    def months_elapsed(self) -> int:
        return _END_MONTH[self.part]

    @property
    def year_fraction(self) -> float:
        """Share of the year elapsed at the period's end: the pace a yearly count target expects."""
        return self.months_elapsed / 12

    def label(self, lang: str = "vi") -> str:
        return label(PART_LABELS, self.part or "", lang).format(y=self.year)

    def previous_year_end(self) -> Period:
        """The comparison "so với năm 2022": the whole previous year, its stocks at 31/12."""
        return Period(self.year - 1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.part)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.part is None:
            return Period(self.year - 1)
        parts = ["H1", "H2"] if self.part.startswith("H") else ["Q1", "Q2", "Q3", "Q4"]
        index = parts.index(self.part)
        return Period(self.year, parts[index - 1]) if index else Period(self.year - 1, parts[-1])

    def __str__(self) -> str:
        return self.code


class Comparison(StrEnum):
    PREVIOUS_YEAR_END = "previous_year_end"
    SAME_PERIOD_LAST_YEAR = "same_period_last_year"


COMPARISON_LABELS: Labels = {
    Comparison.PREVIOUS_YEAR_END: ("So với cuối năm trước", "Previous year end"),
    Comparison.SAME_PERIOD_LAST_YEAR: ("So với cùng kỳ năm trước", "Same period last year"),
}


def comparison_period(period: Period, comparison: Comparison) -> Period:
    if comparison == Comparison.SAME_PERIOD_LAST_YEAR:
        return period.same_period_last_year()
    return period.previous_year_end()


def periods_between(first: str, last: str, kind: PeriodKind = PeriodKind.HALF) -> list[Period]:
    """Every period of `kind` from `first` to `last` inclusive, oldest first."""
    start, stop = Period.parse(first), Period.parse(last)
    out: list[Period] = []
    for year in range(start.year, stop.year + 1):
        parts = {PeriodKind.YEAR: [None], PeriodKind.HALF: ["H1", "H2"], PeriodKind.QUARTER: ["Q1", "Q2", "Q3", "Q4"]}
        for part in parts[kind]:
            candidate = Period(year, part)
            if start.end <= candidate.end <= stop.end:
                out.append(candidate)
    return out
