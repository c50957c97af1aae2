"""Stage 2, locate: find the table in a raw sheet - its header row, which kind of sheet it is,
which file column holds which declared column, and which rows below the header are data.

Title rows above the header, blank rows, unused columns and the templates' example rows
("VÍ DỤ ...") are set aside here; the example rows and unused columns with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hxcore.io.importer.problems import Problem, Severity, display
from hxcore.io.importer.read import Grid, is_blank
from hxcore.io.importer.spec import SHEETS, Sheet
from hxcore.model.areas import fold

EXAMPLE_MARK = "vi du"  # rows with a cell starting "VÍ DỤ" are the templates' example rows
GUIDE_SHEETS = {"huongdan", "ghichu", "readme"}  # explanation sheets of the templates, never imported
HEADER_SEARCH_ROWS = 10  # the header is among the first ten rows with content


@dataclass
class Table:
    name: str  # the sheet's name in the file
    spec: Sheet
    header_row: int
    headers: list[str]  # as written in the file
    mapping: dict[str, int]  # column key -> position of its cell in a row
    rows: list[tuple[int, dict[str, object]]]  # (row number in the file, raw cell by column key): data rows only

    def header_of(self, key: str) -> str:
        """The column's header as the file writes it."""
        return self.headers[self.mapping[key]]


def norm_header(text) -> str:
    """A header (or sheet name) reduced for comparison: no accents, case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]+", "", fold(str(text or "")))


def _names(col) -> set[str]:
    return {norm_header(h) for h in (col.header, *col.aliases)}


_KNOWN_HEADERS = {name for sheet in SHEETS for col in sheet.columns for name in _names(col)}


def is_guide(grid: Grid) -> bool:
    return norm_header(grid.name) in GUIDE_SHEETS


def find_header(rows: list[tuple[int, list]]) -> int:
    """Row number of the header: the first of the first rows with content naming at least two known columns."""
    filled = [(number, cells) for number, cells in rows if any(not is_blank(cell) for cell in cells)]
    for number, cells in filled[:HEADER_SEARCH_ROWS]:
        if sum(1 for cell in cells if norm_header(cell) in _KNOWN_HEADERS) >= 2:
            return number
    return filled[0][0]


def identify(name: str, headers: list[str]) -> Sheet | None:
    """The kind of sheet: by the sheet's name, else the kind whose required columns all appear."""
    by_name = norm_header(name)
    for spec in SHEETS:
        if by_name in {norm_header(n) for n in (spec.title, spec.key, *spec.aliases)}:
            return spec
    best, best_score = None, 0
    present = {norm_header(h) for h in headers}
    for spec in SHEETS:
        required = [c for c in spec.columns if c.required]
        score = sum(1 for c in required if present & _names(c))
        exact = sum(1 for c in spec.columns if norm_header(c.header) in present)
        if score == len(required) and (score, exact) > (best_score, 0):  # a tie goes to a later kind with exact headers
            best, best_score = spec, score
    return best


def map_columns(name: str, header_row: int, headers: list[str], spec: Sheet) -> tuple[dict[str, int], list[Problem]]:
    """Column key -> position, with a problem for each unused, repeated or missing required column."""
    lookup: dict[str, str] = {}
    for col in spec.columns:
        for header in (col.header, *col.aliases):
            lookup.setdefault(norm_header(header), col.key)
    mapping: dict[str, int] = {}
    problems = []
    for index, header in enumerate(headers):
        key = lookup.get(norm_header(header))
        if not header.strip():
            continue
        if key is None:
            problems.append(Problem(name, header_row, header, header, "cột không dùng đến: bỏ qua", Severity.WARNING))
        elif key in mapping:
            problems.append(Problem(name, header_row, header, header, f"cột '{spec.col(key).header}' xuất hiện hai lần"))
        else:
            mapping[key] = index
    problems += [Problem(name, header_row, col.header, "", f"thiếu cột bắt buộc '{col.header}'")
                 for col in spec.columns if col.required and col.key not in mapping]
    return mapping, problems


def is_example(text: str) -> bool:
    """A cell starting "VÍ DỤ" (any case, accents or spacing): only its first characters are folded."""
    return fold(text.lstrip()[:24]).startswith(EXAMPLE_MARK)


def data_rows(grid: Grid, header_row: int, mapping: dict[str, int]) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The rows below the header with something in the mapped columns; the example rows set aside with a warning."""
    rows, problems = [], []
    for number, cells in grid.rows:
        if number <= header_row:
            continue
        values = {key: cells[i] if i < len(cells) else None for key, i in mapping.items()}
        if all(is_blank(v) for v in values.values()):
            continue
        example = next((v for v in values.values() if isinstance(v, str) and is_example(v)), None)
        if example is not None:
            problems.append(Problem(grid.name, number, "", display(example), "dòng ví dụ của mẫu: bỏ qua", Severity.WARNING))
            continue
        rows.append((number, values))
    return rows, problems


def locate(grid: Grid) -> tuple[Table | None, list[Problem]]:
    """The sheet's table, or None (with the reason among the problems) when it cannot be imported."""
    header_row = find_header(grid.rows)
    cells = next(cells for number, cells in grid.rows if number == header_row)
    headers = [str(h).strip() if h is not None else "" for h in cells]
    spec = identify(grid.name, headers)
    if spec is None:
        return None, [Problem(grid.name, header_row, "", ", ".join(h for h in headers if h)[:200],
                              "không nhận ra loại bảng: dùng tên trang tính hoặc tiêu đề cột như trong mẫu")]
    mapping, problems = map_columns(grid.name, header_row, headers, spec)
    if any(p.blocking for p in problems):
        return None, problems
    rows, skipped = data_rows(grid, header_row, mapping)
    return Table(grid.name, spec, header_row, headers, mapping, rows), problems + skipped
