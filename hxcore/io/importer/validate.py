"""Stage 4, validate: the per-column rules, declared as a pandera schema built from the sheet's columns.

Required cells are not null; whole numbers are whole; numbers lie in the column's range; dates
are plausible; text fits the database. The schema runs lazily on the parsed table (one row per
file row, indexed by the row number) and every failure case becomes a Problem naming the sheet,
row, column, value and what was expected, in Vietnamese. One problem per cell: a cell the parser
could not read is not reported again.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from hxcore.io.importer.locate import Table
from hxcore.io.importer.parse import Parsed
from hxcore.io.importer.problems import Problem, display
from hxcore.io.importer.read import is_blank
from hxcore.io.importer.spec import Col, ParseAs

TEXT_MAX = 250  # the database's text columns
EARLIEST_DATE = date(1950, 1, 1)
# Failure reasons pandera names itself (the declared checks carry their message as `error`).
_BUILT_IN_REASONS = {"not_nullable": "bắt buộc"}

_WHOLE = pa.Check(lambda s: s == s.round(), name="whole_number", error="phải là số nguyên")


def _range(col: Col) -> list[pa.Check]:
    if col.low is None and col.high is None:
        return []
    return [pa.Check.in_range(col.low if col.low is not None else float("-inf"),
                              col.high if col.high is not None else float("inf"), error="ngoài khoảng cho phép")]


def column_checks(col: Col, today: date) -> list[pa.Check]:
    """A column's checks beyond "required", in the order they are reported."""
    if col.parse_as == ParseAs.INT:
        return [_WHOLE, *_range(col)]
    if col.parse_as == ParseAs.FLOAT:
        return _range(col)
    if col.parse_as == ParseAs.DATE:
        return [pa.Check.in_range(EARLIEST_DATE, today, error="ngày không hợp lý")]
    if col.parse_as == ParseAs.TEXT:
        return [pa.Check.str_length(max_value=TEXT_MAX, error=f"quá {TEXT_MAX} ký tự")]
    return []  # closed lists and areas: the parser accepts only what they hold


def column_schema(col: Col, today: date) -> pa.Column:
    numeric = col.parse_as in (ParseAs.INT, ParseAs.FLOAT)
    return pa.Column(float if numeric else None, checks=column_checks(col, today), nullable=not col.required, coerce=numeric)


def sheet_schema(table: Table, today: date | None = None) -> pa.DataFrameSchema:
    """The schema of the columns the file has (a missing required column was reported when locating)."""
    today = today or date.today()
    return pa.DataFrameSchema({col.key: column_schema(col, today) for col in table.spec.columns if col.key in table.mapping})


def _frame(table: Table, parsed: Parsed) -> pd.DataFrame:
    keys = [c.key for c in table.spec.columns if c.key in table.mapping]
    return pd.DataFrame([row for _, row in parsed.rows], columns=keys, index=[n for n, _ in parsed.rows], dtype=object)


def check_values(table: Table, parsed: Parsed) -> list[Problem]:
    """The schema's failure cases as problems, in row then column order."""
    try:
        sheet_schema(table).validate(_frame(table, parsed), lazy=True)
    except SchemaErrors as errors:
        return _problems(table, parsed, errors.failure_cases)
    return []


def _problems(table: Table, parsed: Parsed, failures: pd.DataFrame) -> list[Problem]:
    position = {c.key: i for i, c in enumerate(table.spec.columns)}
    failures = failures.assign(position=failures["column"].map(position),
                               order=failures["check_number"].fillna(-1).astype(int))
    raw = dict(table.rows)
    found: dict[tuple[int, str], Problem] = {}
    for case in failures.sort_values(["index", "position", "order"], kind="stable").itertuples():
        number, key = int(case.index), case.column
        if (number, key) in parsed.unreadable or (number, key) in found:
            continue  # one problem per cell: the first reason found
        reason = _BUILT_IN_REASONS.get(case.check, case.check)
        value = raw[number][key]
        found[(number, key)] = Problem(table.name, number, table.header_of(key), "" if is_blank(value) else display(value),
                                       f"{reason}: {table.spec.col(key).expected}")
    return list(found.values())


def valid_rows(table: Table, parsed: Parsed, problems: list[Problem]) -> list[tuple[int, dict]]:
    """The rows without an error, as {column key: value} holding only the cells given; whole numbers as int."""
    rejected = {p.row for p in problems if p.sheet == table.name and p.blocking}
    whole = {c.key for c in table.spec.columns if c.parse_as == ParseAs.INT}
    return [(number, {k: int(v) if k in whole else v for k, v in row.items() if v is not None})
            for number, row in parsed.rows if number not in rejected]
