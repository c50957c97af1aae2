"""The dry run: the stages in order on one file - read, locate, parse, validate, plan - into an ImportPlan.

Writes nothing. The write stage runs it inside the transaction that commits (or reuses a dry run
made on the same file while the database has not changed since: the check runs once per commit).
"""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Connection, Engine, select

from hxcore.db import schema
from hxcore.io.importer.context import Context, load_context
from hxcore.io.importer.locate import Table, is_guide, locate
from hxcore.io.importer.parse import parse_order, parse_table
from hxcore.io.importer.plan import PLANNERS, ImportPlan, SheetPlan
from hxcore.io.importer.problems import Problem, display
from hxcore.io.importer.read import FileProblem, Grid, read_file
from hxcore.io.importer.validate import check_values, valid_rows
from hxcore.model.periods import Period


def prepare(conn: Connection, data: bytes, file_name: str, period: str) -> ImportPlan:
    parsed_period = Period.parse(period)
    plan = ImportPlan(file_name, hashlib.sha256(data).hexdigest(), parsed_period.code)
    try:
        grids = read_file(data, file_name)
    except FileProblem as error:
        plan.problems.append(Problem(file_name, 0, "", file_name, str(error)))
        return plan
    if not grids:
        plan.problems.append(Problem(file_name, 0, "", file_name, "tệp không có dữ liệu"))
        return plan
    plan.data_version = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "data_version")).scalar()
    ctx = load_context(conn, parsed_period)
    checked = [sheet for sheet in (_check_sheet(grid, ctx, plan) for grid in grids if not is_guide(grid)) if sheet]
    checked.sort(key=lambda sheet: list(PLANNERS).index(sheet[0].spec.key))  # registers before what refers to them
    for table, rows in checked:
        sheet = SheetPlan(conn, table, ctx, plan)
        PLANNERS[table.spec.key](sheet, rows)
        plan.summary.append(sheet.summary(len(rows)))
    if not checked and plan.ok:
        plan.problems.append(Problem(file_name, 0, "", file_name, "không có trang tính nào để nhập"))
    return plan


def _check_sheet(grid: Grid, ctx: Context, plan: ImportPlan) -> tuple[Table, list[tuple[int, dict]]] | None:
    """Locate, parse and validate one sheet: its valid rows, its problems added to the plan."""
    table, found = locate(grid)
    if table is None:
        plan.problems += found
        return None
    parsed = parse_table(table, ctx)
    cells = _by_column(table, parsed.problems + check_values(table, parsed))
    plan.problems += sorted(found + cells, key=lambda p: p.row)
    rows = valid_rows(table, parsed, cells)
    plan.previews[table.name] = pd.DataFrame([{"Dòng": n, **{table.spec.col(k).header: display(v) for k, v in row.items()}}
                                              for n, row in rows])
    return table, rows


def _by_column(table: Table, problems: list[Problem]) -> list[Problem]:
    """Cell problems in row order, and within a row in the order the cells are parsed."""
    order = {table.header_of(col.key): i for i, col in enumerate(parse_order(table))}
    return sorted(problems, key=lambda p: (p.row, order.get(p.column, len(order))))


def prepare_import(engine: Engine, data: bytes, file_name: str, period: str) -> ImportPlan:
    """The dry run: every problem and every change the import would make. Writes nothing."""
    with engine.connect() as conn:
        return prepare(conn, data, file_name, period)
