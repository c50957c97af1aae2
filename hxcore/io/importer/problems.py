"""What every stage reports: a Problem names the sheet, row, column, value and what was expected.

Severity is a code the program compares; the office sees its Vietnamese label ("lỗi", "cảnh
báo") in the report it downloads. The downloaded report echoes cells of the uploaded file, so its
text cells are made inert (hxcore.model.cells): "=HYPERLINK(...)" in a file comes back as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import pandas as pd

from hxcore.model.cells import inert
from hxcore.model.labels import Labels, label


class Severity(StrEnum):
    ERROR = "error"  # blocks the import
    WARNING = "warning"  # reported, does not block
    NOTICE = "notice"  # what the importer did on its own (a hidden sheet skipped, "-" read as 0): for the record


SEVERITY_LABELS: Labels = {Severity.ERROR: ("lỗi", "error"), Severity.WARNING: ("cảnh báo", "warning"),
                           Severity.NOTICE: ("thông báo", "notice")}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # the row number as the office sees it in Excel (the header is usually row 1); 0 for the whole file
    column: str
    value: str
    expected: str
    severity: Severity = Severity.ERROR

    @property
    def label(self) -> str:
        """The severity as the office reads it."""
        return label(SEVERITY_LABELS, self.severity)

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.ERROR


# Report columns: Problem field -> Vietnamese header.
PROBLEM_COLUMNS = {"sheet": "Trang tính", "row": "Dòng", "column": "Cột", "value": "Giá trị", "expected": "Yêu cầu",
                   "severity": "Mức độ"}


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The report, with Vietnamese headers and severity labels."""
    records = [{"sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value, "expected": p.expected,
                "severity": p.label} for p in problems]
    return pd.DataFrame(records, columns=list(PROBLEM_COLUMNS)).rename(columns=PROBLEM_COLUMNS)


def problems_csv(problems: list[Problem]) -> bytes:
    """The report as a CSV file Excel opens with its accents (UTF-8 with BOM); no cell of it is a formula."""
    frame = problems_frame(problems)
    return frame.map(inert).to_csv(index=False).encode("utf-8-sig")


def display(value) -> str:
    """A value as the report shows it: dates as 2023-06-30, nothing as an empty string."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return "" if value is None else str(value)
