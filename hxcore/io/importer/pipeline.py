"""The dry run: the stages in order on one file - read, locate, parse, validate, plan - into an ImportPlan.

Writes nothing. The write stage runs it inside the transaction that commits (or reuses a dry run
made on the same file while the database has not changed since: the check runs once per commit).
Around the stages: hidden sheets and sheets without a table (notes, explanations) are skipped with
a notice naming them; a file converted from TCVN3/VNI and a district read from the title block are
said, for the office to confirm; total rows are checked against the sum of their rows (a
difference is a warning with both figures). A saved column mapping (profiles.py) is applied when
the header's fingerprint is known, or when named (`profile`).
"""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Connection, Engine, select

from hxcore.db import schema
from hxcore.io.importer import legacy, profiles
from hxcore.io.importer.context import Context, load_context
from hxcore.io.importer.locate import Hints, Located, Table, is_guide, locate
from hxcore.io.importer.parse import Invalid, Parsed, parse_number, parse_order, parse_table
from hxcore.io.importer.plan import PLANNERS, ImportPlan, SheetPlan
from hxcore.io.importer.problems import Problem, Severity, display
from hxcore.io.importer.read import FileProblem, Grid, is_blank, read_file
from hxcore.io.importer.spec import ParseAs
from hxcore.io.importer.validate import check_values, valid_rows
from hxcore.model.periods import Period


def prepare(conn: Connection, data: bytes, file_name: str, period: str, mapping: dict | None = None,
            profile: str | None = None) -> ImportPlan:
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
    named = profiles.find(conn, profile) if profile else None
    if profile and named is None:
        plan.problems.append(Problem(file_name, 0, "", profile, "không có cách ghép cột đã lưu tên này: xem danh sách "
                                     "trên trang Nhập dữ liệu"))
        return plan
    ctx = load_context(conn, parsed_period)
    _font_notice(grids, file_name, plan)
    hints = Hints(parsed_period.end, mapping, named.kind if named else None)
    checked = [sheet for sheet in (_check_sheet(conn, grid, ctx, plan, hints, named) for grid in _readable(grids, plan))
               if sheet]
    if not checked:
        _nothing_to_import(file_name, plan)
    checked.sort(key=lambda sheet: list(PLANNERS).index(sheet[0].spec.key))  # registers before what refers to them
    for table, rows in checked:
        sheet = SheetPlan(conn, table, ctx, plan)
        PLANNERS[table.spec.key](sheet, rows)
        plan.summary.append(sheet.summary(len(rows)))
    return plan


def _nothing_to_import(file_name: str, plan: ImportPlan) -> None:
    """No sheet had a table: the notices about skipped sheets become the refusal's reason."""
    if not plan.errors:
        skipped = [p.value for p in plan.problems if p.severity == Severity.NOTICE and p.row == 0]
        reason = f" (đã bỏ qua: {', '.join(skipped)})" if skipped else ""
        plan.problems.append(Problem(file_name, 0, "", file_name, f"không có trang tính nào có bảng số liệu để nhập{reason}"))


def _font_notice(grids: list[Grid], file_name: str, plan: ImportPlan) -> None:
    font = next((grid.converted_from for grid in grids if grid.converted_from), None)
    if font:
        plan.problems.append(Problem(file_name, 0, "", legacy.FONT_NAMES[font],
                                     f"tệp gõ bằng phông chữ cũ {legacy.FONT_NAMES[font]}: đã chuyển sang Unicode, hãy xem "
                                     "lại tên trong phần xem trước", Severity.NOTICE))


def _readable(grids: list[Grid], plan: ImportPlan):
    """The sheets to read: hidden and explanation sheets skipped, each named in a notice."""
    for grid in grids:
        if grid.hidden:
            plan.problems.append(Problem(grid.name, 0, "", grid.name, "trang tính bị ẩn: không nhập (nếu cần nhập, hãy "
                                         "bỏ ẩn trang tính trong Excel)", Severity.NOTICE))
        elif is_guide(grid):
            plan.problems.append(Problem(grid.name, 0, "", grid.name, "trang hướng dẫn/ghi chú: không nhập", Severity.NOTICE))
        else:
            yield grid


def _no_table(located: Located) -> bool:
    """A sheet that holds no table at all (notes, an explanation): skipped, not a reason to refuse the file."""
    return located.spec is None


def _check_sheet(conn: Connection, grid: Grid, ctx: Context, plan: ImportPlan, hints: Hints,
                 named: profiles.Profile | None) -> tuple[Table, list[tuple[int, dict]]] | None:
    """Locate, parse and validate one sheet: its valid rows, its problems added to the plan."""
    used, profile = _with_profile(conn, grid, hints, named)
    located = locate(grid, used)
    if profile is not None and located.table is not None:
        plan.problems.append(Problem(grid.name, 0, "", profile.name, f"đọc theo cách ghép cột đã lưu '{profile.name}' "
                                     "(xem hoặc xoá trên trang Nhập dữ liệu)", Severity.NOTICE))
    if _no_table(located):
        plan.problems.append(Problem(grid.name, 0, "", grid.name, "trang tính không có bảng số liệu (ghi chú, thuyết "
                                     f"minh...): bỏ qua; các dòng đầu: {located.problems[0].value[:120]}",
                                     Severity.NOTICE))
        return None
    table, found = located.table, located.problems
    if table is None:
        plan.problems += found
        plan.unmapped.append(located)
        return None
    if "district" in table.given:
        district = next((values.get("district") for _, values in table.rows), None) or table.office
        plan.problems.append(Problem(table.name, table.header_start, table.header_of("district"), table.office,
                                     f"không có cột huyện: mọi dòng được tính cho {district}, lấy ở tiêu đề biểu "
                                     "(hãy kiểm tra)", Severity.NOTICE))
    plan.tables.append(table)
    parsed = parse_table(table, ctx)
    cells = _by_column(table, parsed.problems + check_values(table, parsed))
    totals = check_totals(table, parsed) if parsed.rows else []
    plan.problems += sorted(found + cells + totals, key=lambda p: p.row)
    rows = valid_rows(table, parsed, cells)
    plan.previews[table.name] = pd.DataFrame([{"Dòng": n, **{table.spec.col(k).header: display(v) for k, v in row.items()}}
                                              for n, row in rows])
    return table, rows


def _by_column(table: Table, problems: list[Problem]) -> list[Problem]:
    """Cell problems in row order, and within a row in the order the cells are parsed."""
    order = {table.header_of(col.key): i for i, col in enumerate(parse_order(table))}
    return sorted(problems, key=lambda p: (p.row, order.get(p.column, len(order))))


def _with_profile(conn: Connection, grid: Grid, hints: Hints,
                  named: profiles.Profile | None) -> tuple[Hints, profiles.Profile | None]:
    """The hints, with the named profile's mapping, or a saved one whose header fingerprint this sheet has;
    and that profile (None when the columns the user chose, or none, are used)."""
    if hints.mapping:
        return hints, None
    found = named or profiles.for_header(conn, grid)
    if found is None:
        return hints, None
    return Hints(hints.as_of, {found.kind: found.mapping}, found.kind), found


def _figure(value) -> float:
    try:
        return parse_number(value)
    except Invalid:
        return 0.0


def check_totals(table: Table, parsed: Parsed) -> list[Problem]:
    """Each total row against the sum of the rows it covers: a notice when equal, a warning with both figures when not."""
    values = dict(parsed.rows)
    numeric = [c for c in table.spec.columns if c.key in table.mapping and c.parse_as in (ParseAs.INT, ParseAs.FLOAT)]
    problems = []
    for total in table.totals:
        covers = total.covers if total.covers is not None else [n for n, _ in table.rows]
        differ = []
        for col in numeric:
            written = total.cells.get(col.key)
            if is_blank(written):
                continue
            summed = sum(values[n].get(col.key) or 0 for n in covers if n in values)
            if abs(_figure(written) - summed) > 0.001 * max(1.0, abs(summed)):
                differ.append(f"cột '{table.header_of(col.key)}' ghi {display(written)}, cộng {len(covers)} dòng "
                              f"được {number_text(summed)}")
        if differ:
            problems.append(Problem(table.name, total.row, "", total.label, "dòng tổng không khớp: " + "; ".join(differ),
                                    Severity.WARNING))
        else:
            problems.append(Problem(table.name, total.row, "", total.label, f"dòng tổng: không nhập; khớp với tổng "
                                    f"{len(covers)} dòng", Severity.NOTICE))
    return problems


def number_text(value: float) -> str:
    """1.234 or 1.234,5 as a Vietnamese form writes it (the report CSV is plain text: no Babel in io)."""
    whole = f"{value:,.1f}".rstrip("0").rstrip(".")
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".")


def prepare_import(engine: Engine, data: bytes, file_name: str, period: str, mapping: dict | None = None,
                   profile: str | None = None) -> ImportPlan:
    """The dry run: every problem and every change the import would make. Writes nothing.

    `mapping`: sheet kind -> column key -> header as the file writes it (the page's column choices);
    `profile`: the name of a saved mapping to apply."""
    with engine.connect() as conn:
        return prepare(conn, data, file_name, period, mapping, profile)
