"""The targets file officials edit (data/targets.csv) and the resolutions they belong to, read and checked.

The per-cell rules of the targets file are declared as pandera schemas: the columns it must have
(COLUMNS_SCHEMA), then each row's values (ROWS_SCHEMA). One target per indicator, sector and year
of a resolution is a rule across rows (`duplicate_targets`). Every problem names the file and
line; a file with problems raises TargetFileError listing them all.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.targets import COMPARATORS, TARGET_COLUMNS, TargetFileError
from hxcore.model.vocab import SECTOR_CODES

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
TARGETS_CSV = DATA_DIR / "targets.csv"
RESOLUTIONS_CSV = DATA_DIR / "resolutions.csv"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_whole(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _range_has_high(row: pd.Series) -> bool:
    """A "range" target needs a high value at least the low one (a low value that is no number is reported by its column)."""
    if row["comparator"] != "range" or not _is_number(row["value"]):
        return True
    return _is_number(row["value_high"]) and float(row["value_high"]) >= float(row["value"])


# Messages are the checks' `error`, formatted with the failing {value}; whoever shows them names the line and column.
_NUMBER = "số không hợp lệ: '{value}'"
COLUMNS_SCHEMA = pa.DataFrameSchema({column: pa.Column(required=True) for column in TARGET_COLUMNS})
ROWS_SCHEMA = pa.DataFrameSchema(
    {
        "indicator": pa.Column(checks=pa.Check.isin(list(INDICATORS_BY_CODE),
                                                    error="chỉ tiêu '{value}' không có trong danh mục")),
        "comparator": pa.Column(checks=pa.Check.isin(COMPARATORS,
                                                     error="so sánh phải là min, max hoặc range, không phải '{value}'")),
        "sector": pa.Column(checks=pa.Check.isin(["", *SECTOR_CODES],
                                                 error=f"lĩnh vực '{{value}}' không có (chọn: {', '.join(SECTOR_CODES)})")),
        "value": pa.Column(checks=pa.Check(_is_number, element_wise=True, error=_NUMBER)),
        "value_high": pa.Column(checks=pa.Check(lambda text: text == "" or _is_number(text), element_wise=True, error=_NUMBER)),
        "item": pa.Column(checks=pa.Check(_is_whole, element_wise=True, error=_NUMBER)),
        "year": pa.Column(checks=pa.Check(_is_whole, element_wise=True, error=_NUMBER)),
    },
    checks=[pa.Check(_range_has_high, element_wise=True, error="chỉ tiêu khoảng cần giá trị cao ≥ giá trị thấp")],
)


def _read(path: Path) -> tuple[list[str], pd.DataFrame]:
    """The header and the rows as text, stripped, indexed by their line number in the file."""
    with path.open(encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
        header = list(reader.fieldnames or [])
    return header, pd.DataFrame(rows, columns=header, index=range(2, len(rows) + 2), dtype=object)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return None


def _row_problems(failures: pd.DataFrame) -> list[tuple[int, str | None, str]]:
    """(line, column, message) for each failing cell; a row-wide check (reported by pandera for every cell
    of the row) once, named by the column it asks for (the range check: value_high)."""
    found = ((int(case.index), "value_high" if case.schema_context == "DataFrameSchema" else case.column,
              case.check.format(value=case.failure_case)) for case in failures.itertuples())
    return list(dict.fromkeys(found))


def duplicate_targets(frame: pd.DataFrame) -> list[tuple[int, str]]:
    """(line, message) for a second target of the same resolution, indicator, sector and year (rows whose year is a number)."""
    problems, seen = [], {}
    for line, row in frame.iterrows():
        if not _is_whole(row["year"]):
            continue
        scope = (row["resolution"], row["indicator"], row["sector"], int(row["year"]))
        if scope in seen:
            problems.append((line, f"trùng chỉ tiêu với dòng {seen[scope]} (cùng nghị quyết, chỉ tiêu, lĩnh vực và năm)"))
        seen.setdefault(scope, line)
    return problems


def missing_columns(header: list[str]) -> list[str]:
    """The targets file's columns that `header` lacks."""
    missing = _failures(COLUMNS_SCHEMA, pd.DataFrame(columns=header))
    return [] if missing is None else list(missing["failure_case"])


def target_problems(frame: pd.DataFrame) -> list[tuple[int, str | None, str]]:
    """(line, column, message) of every problem of targets given as text, one row per target indexed by its
    line: the per-cell rules, then the duplicates (no column: the whole scope repeats), in line order.
    The targets file and the in-app editor (hxcore.io.targets_edit) both check with this."""
    failures = _failures(ROWS_SCHEMA, frame)
    problems = (_row_problems(failures) if failures is not None else []) + [
        (line, None, message) for line, message in duplicate_targets(frame)]
    return sorted(problems, key=lambda problem: problem[0])


def target_record(row: pd.Series) -> dict:
    return {
        "resolution_code": row["resolution"], "item": int(row["item"]), "indicator": row["indicator"],
        "comparator": row["comparator"], "value": float(row["value"]),
        "value_high": float(row["value_high"]) if row["value_high"] else None,
        "sector_code": row["sector"] or None, "year": int(row["year"]), "wording": row["wording"],
    }


def read_targets_csv(path: Path = TARGETS_CSV) -> list[dict]:
    """Targets as officials edit them, checked: columns, known indicator and sector, comparator,
    numbers, and one target per indicator, sector and year of a resolution."""
    header, frame = _read(path)
    missing = missing_columns(header)
    if missing:
        raise TargetFileError(f"{path.name}: thiếu cột {', '.join(missing)} (cần: {', '.join(TARGET_COLUMNS)})")
    problems = target_problems(frame)
    if problems:
        raise TargetFileError("\n".join(f"{path.name}, dòng {line}{f', cột {column}' if column else ''}: {message}"
                                        for line, column, message in problems))
    return [target_record(row) for _, row in frame.iterrows()]


def read_resolutions_csv(path: Path = RESOLUTIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return [
            {"code": r["code"], "title": r["title"], "adopted_on": date.fromisoformat(r["adopted_on"]),
             "year": int(r["year"]), "province_code": r["province_code"] or None}
            for r in csv.DictReader(handle)
        ]
