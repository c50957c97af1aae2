"""Stage 2, locate: find the table in a raw sheet - its header, which kind of sheet it is, which file
column holds which declared column, and which rows below the header are data.

Offices send a "Biểu": a title block ("UBND HUYỆN TAM ĐƯỜNG", the national motto, "Biểu số 01",
the title, "Đơn vị tính"), a header of one to three rows with merged cells ("Thành viên, lao động
(người)" over "Số thành viên" / "Số lao động"), often a numbering row ("(1) (2) (3)", "A B 1 2"),
data rows grouped by section rows ("I", "A. Nông nghiệp"), total rows ("Tổng cộng", "Cộng"), then
notes and the signature block. Here:

- the header is the block of rows (one to three) whose cells best match the declared column names
  and their variants, scored accent-insensitively with rapidfuzz; a parent cell is carried over the
  children it spans, and a column is read by its child, then parent + child, then parent, units in
  brackets dropped;
- numbering rows are skipped; section rows are kept as grouping (and as a sector hint); total rows
  are set aside to be checked against the sum of the rows (pipeline), never imported; reading stops
  at the notes and the signature block;
- the title block gives the office and, when the table has no district column, the district;
- placeholder cells ("-", "x", "…") take their column's declared meaning (spec.Meaning), counted
  for the notice that says which was applied;
- the templates' example rows ("VÍ DỤ ...") and unused columns are set aside with a warning.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from hxcore.io.importer.problems import Problem, Severity, display
from hxcore.io.importer.read import Grid, is_blank
from hxcore.io.importer.spec import MEANING_LABELS, PLACEHOLDERS, SHEETS, Col, Meaning, ParseAs, Sheet
from hxcore.model.areas import REFORM_DATE, fold

EXAMPLE_MARK = "vi du"  # rows with a cell starting "VÍ DỤ" are the templates' example rows
GUIDE_SHEETS = {"huongdan", "ghichu", "readme", "giaithich", "thuyetminh"}  # explanation sheets, never imported
HEADER_SEARCH_ROWS = 30  # the header is among the first rows with content (a title block takes up to ~12)
MAX_HEADER_DEPTH = 3
FUZZY_ACCEPT = 90  # a header this close (0-100) to a declared name is that column
FUZZY_SUGGEST = 55  # ... this close, it is offered when a required column is missing

# Words that start the rows after the table: notes, the place and date, the signature block.
STOP_WORDS = ("ghi chu", "nguon", "nguoi lap bieu", "nguoi lap", "thu truong", "kt. chu tich", "kt chu tich",
              "tm. uy ban", "tm uy ban", "chu tich", "(ky", "xac nhan", "noi nhan", "lanh dao", "giam doc",
              "truong phong", "kt. giam doc", "kt. truong phong")
TOTAL_WORDS = ("tong cong", "tong so", "toan tinh", "toan huyen", "tong", "cong")  # whole table, or the section ("cong")
OF_WHICH = "trong do"
_PLACE_DATE = re.compile(r"^[^,0-9]{2,40}, ngay\b.*\bthang\b.*\bnam\b")
_NUMBERING = re.compile(r"^\(?([0-9]{1,2}|[a-z])\)?(=.*)?$")
_ROMAN_OR_LETTER = re.compile(r"^([ivxlc]+|[a-z])[.)]?$")
_SECTION_TEXT = re.compile(r"^([ivxlc]+|[a-z]|[0-9]{1,2})[.)]\s+\S")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_OFFICE = re.compile(r"(?i)^\s*(ubnd|ủy ban nhân dân|uỷ ban nhân dân|phòng|sở|liên minh|chi cục)\b")
_DISTRICT_IN_OFFICE = re.compile(r"(?i)\b(huyện|huyen|thành phố|thanh pho|tp\.?)\s+(.+)$")


@dataclass
class Total:
    row: int
    label: str
    cells: dict[str, object]  # raw cell by column key
    covers: list[int] | None  # the data rows it sums; None: every data row of the table


@dataclass
class Table:
    name: str  # the sheet's name in the file
    spec: Sheet
    header_row: int  # the last row of the header
    headers: list[str]  # as written in the file (flattened: "Thành viên, lao động - Số thành viên")
    mapping: dict[str, int]  # column key -> position of its cell in a row
    rows: list[tuple[int, dict[str, object]]]  # (row number in the file, raw cell by column key): data rows only
    office: str = ""  # the title block's issuing body: "UBND HUYỆN TAM ĐƯỜNG"
    given: dict[str, str] = field(default_factory=dict)  # column key -> where its value came from (no such column)
    sections: dict[int, str] = field(default_factory=dict)  # data row -> the text of its section row
    totals: list[Total] = field(default_factory=list)
    header_start: int = 0

    def header_of(self, key: str) -> str:
        """The column's header as the file writes it (or where a value given for every row came from)."""
        if key in self.mapping:
            return self.headers[self.mapping[key]]
        return self.given.get(key, self.spec.col(key).header)

    @property
    def fingerprint(self) -> str:
        """The header's shape, for recognising the next file of the same form: its normalised cells in order."""
        return header_fingerprint(self.headers)


def header_fingerprint(headers: list[str]) -> str:
    return hashlib.sha256("|".join(norm_header(h) for h in headers).encode()).hexdigest()[:16]


def fingerprint_of(grid: Grid) -> str:
    """The fingerprint of the header found in a raw sheet (the same as its Table's)."""
    start, end = find_header(grid.rows)
    return header_fingerprint(flatten([cells for number, cells in grid.rows if start <= number <= end])[0])


@dataclass(frozen=True)
class Hints:
    """What locating may use besides the sheet: the period's end and a saved mapping."""

    as_of: date | None = None
    mapping: dict[str, dict[str, str]] | None = None  # sheet kind -> column key -> header as written
    kind: str | None = None  # the kind the saved mapping is for


def norm_header(text) -> str:
    """A header (or sheet name) reduced for comparison: no accents, case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]+", "", fold(str(text or "")))


def label_text(text) -> str:
    """A header cell as matched: folded, units in brackets dropped, punctuation as spaces."""
    return re.sub(r"[^a-z0-9]+", " ", fold(_BRACKETS.sub(" ", str(text or "")))).strip()


def _names(col: Col) -> list[str]:
    return [label_text(h) for h in (col.header, *col.aliases)]


_KNOWN: dict[str, set[str]] = {}  # label -> the sheet kinds' column keys it names, "kind:key"
for _sheet in SHEETS:
    for _col in _sheet.columns:
        for _name in _names(_col):
            _KNOWN.setdefault(_name, set()).add(f"{_sheet.key}:{_col.key}")
_KNOWN_LABELS = list(_KNOWN)


def is_guide(grid: Grid) -> bool:
    return norm_header(grid.name) in GUIDE_SHEETS


def _filled(cells: list) -> list:
    return [cell for cell in cells if not is_blank(cell)]


def is_numbering(cells: list) -> bool:
    """A row numbering the columns: "(1) (2) (3)", "A B 1 2 3", "(4)=(5)+(6)"."""
    texts = [fold(str(c)).replace(" ", "") for c in _filled(cells)]
    return len(texts) >= 3 and all(_NUMBERING.match(t) for t in texts)


def _candidates(parent: str, child: str) -> list[str]:
    """How one flattened header cell may be read: child, parent + child, parent (units dropped)."""
    found = [label_text(child), label_text(f"{parent} {child}"), label_text(parent)]
    return [text for text in dict.fromkeys(found) if text]


def flatten(block: list[list]) -> tuple[list[str], list[list[str]]]:
    """A header of several rows -> one header per column (shown) and the texts each may be read as.

    A merged parent cell holds its text in its first column only: it is carried right over the
    columns below it that have their own child text."""
    width = max((len(cells) for cells in block), default=0)
    grid = [[("" if is_blank(c) else str(c).strip()) for c in cells] + [""] * (width - len(cells)) for cells in block]
    for upper, lower in zip(grid, grid[1:], strict=False):
        for i in range(1, width):
            if not upper[i] and lower[i] and lower[i - 1] and upper[i - 1]:
                upper[i] = upper[i - 1]  # under one merged parent
    shown, readings = [], []
    for i in range(width):
        parts = list(dict.fromkeys(row[i] for row in grid if row[i]))
        shown.append(" - ".join(parts))
        parent, child = (" ".join(parts[:-1]), parts[-1]) if parts else ("", "")
        readings.append(_candidates(parent, child))
    return shown, readings


def _best_label(reading: list[str], labels: list[str], exact: set[str] | dict) -> tuple[str | None, float]:
    """The declared name closest to one header cell, and how close (100: the same)."""
    best, score = None, 0.0
    for text in reading:
        if text in exact:
            return text, 100.0
        found = process.extractOne(text, labels, scorer=fuzz.ratio)
        if found and found[1] > score:
            best, score = found[0], found[1]
    return best, score


def _header_score(readings: list[list[str]]) -> int:
    """How many known column names a header names (each counted once)."""
    keys: set[str] = set()
    for reading in readings:
        label, score = _best_label(reading, _KNOWN_LABELS, _KNOWN)
        if label and score >= FUZZY_ACCEPT:
            keys |= _KNOWN[label]
    return len({key.split(":")[1] for key in keys})


def find_header(rows: list[tuple[int, list]]) -> tuple[int, int]:
    """(first row, last row) of the header: the block of one to three rows naming the most known columns."""
    filled = [(number, cells) for number, cells in rows if _filled(cells)][:HEADER_SEARCH_ROWS]
    best, best_score = (filled[0][0], filled[0][0]) if filled else (1, 1), 0
    for start, (first, _) in enumerate(filled):
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            block = filled[start:start + depth]
            if len(block) < depth or is_numbering(block[-1][1]) or len(_filled(block[-1][1])) < 2:
                break  # a header row has several cells: a title line ("Đơn vị tính: ...") is not one
            score = _header_score(flatten([cells for _, cells in block])[1])
            if score > best_score:  # a tie keeps the shallower header: a data row read as a child adds nothing
                best, best_score = (first, block[-1][0]), score
    return best


def identify(name: str, readings: list[list[str]]) -> Sheet | None:
    """The kind of sheet: by the sheet's name, else the kind whose columns the header names best."""
    by_name = norm_header(name)
    for spec in SHEETS:
        if by_name in {norm_header(n) for n in (spec.title, spec.key, *spec.aliases)}:
            return spec
    scores = []
    for order, spec in enumerate(SHEETS):
        mapping = match_columns(spec, readings)[0]
        required = [c for c in spec.columns if c.required]
        present = sum(1 for c in required if c.key in mapping)
        # all required first; then most required; then most columns; a tie goes to the later kind (facts over registers)
        scores.append(((present == len(required), present, len(mapping), order), spec))
    (complete, present, matched, _), spec = max(scores, key=lambda item: item[0])
    return spec if complete or (present >= 2 and matched >= 3) else None


def match_columns(spec: Sheet, readings: list[list[str]]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Column key -> position for the header cells close enough to a column's names; and the keys named
    exactly by more than one cell (an error)."""
    labels = {label: col.key for col in spec.columns for label in _names(col)}
    choices = list(labels)
    scored = []
    for index, reading in enumerate(readings):
        label, score = _best_label(reading, choices, labels)
        if label in labels and score >= FUZZY_ACCEPT:
            scored.append((score, -index, labels[label], index))
    mapping: dict[str, int] = {}
    exact: dict[str, list[int]] = {}
    for score, _, key, index in sorted(scored, reverse=True):
        mapping.setdefault(key, index)
        if score == 100:
            exact.setdefault(key, []).append(index)
    return mapping, {key: sorted(found) for key, found in exact.items() if len(found) > 1}


def suggest(col: Col, headers: list[str], taken: set[int]) -> int | None:
    """The file column most like a missing column's names (accent-insensitive), if any is close enough."""
    choices = {i: label_text(h) for i, h in enumerate(headers) if h.strip() and i not in taken}
    best, best_score = None, 0.0
    for name in _names(col):
        found = process.extractOne(name, choices, scorer=fuzz.WRatio)
        if found and found[1] > best_score:
            best, best_score = found[2], found[1]
    return best if best_score >= FUZZY_SUGGEST else None


def _given_mapping(spec: Sheet, headers: list[str], saved: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """A saved mapping (column key -> header as written) applied to this header; the headers it names that are absent."""
    position = {norm_header(h): i for i, h in enumerate(headers) if h.strip()}
    mapping, absent = {}, []
    for key, header in saved.items():
        if norm_header(header) in position:
            mapping[key] = position[norm_header(header)]
        elif key in {c.key for c in spec.columns}:
            absent.append(header)
    return mapping, absent


@dataclass
class Located:
    """What locating one sheet found: the table, or why not; and, for a missing column, the best guesses."""

    table: Table | None
    problems: list[Problem]
    spec: Sheet | None = None
    headers: list[str] = field(default_factory=list)
    suggestions: dict[str, int | None] = field(default_factory=dict)  # missing required key -> guessed position
    header_row: int = 0
    office: str = ""
    sheet: str = ""  # the sheet's name in the file


def title_block(rows: list[tuple[int, list]], header_start: int) -> tuple[str, str | None]:
    """(issuing office, the district it names) from the rows above the header."""
    for number, cells in rows:
        if number >= header_start:
            break
        for cell in _filled(cells):
            text = str(cell).strip()
            if _OFFICE.match(text):
                district = _DISTRICT_IN_OFFICE.search(text)
                name = district.group(2).strip(" .:").title() if district else None
                kind = "Thành phố" if district and fold(district.group(1)).startswith(("thanh", "tp")) else "Huyện"
                return text, f"{kind} {name}" if name else None
    return "", None


def district_not_needed(spec: Sheet, mapping: dict[str, int], hints: Hints) -> bool:
    """After the reform a row is located by its commune alone: no district column is needed."""
    return bool(hints.as_of and hints.as_of >= REFORM_DATE and "commune" in mapping)


def map_columns(name: str, header_row: int, headers: list[str], readings: list[list[str]], spec: Sheet,
                hints: Hints, given: set[str]) -> tuple[dict[str, int], list[Problem], dict[str, int | None]]:
    """Column key -> position, with a problem for each unused, repeated or missing required column,
    and for each missing one the file column it most likely is."""
    saved = (hints.mapping or {}).get(spec.key)
    if saved:
        mapping, absent = _given_mapping(spec, headers, saved)
        twice: dict[str, list[int]] = {}
        auto = match_columns(spec, readings)[0]
        for key, index in auto.items():  # what the profile leaves out is matched as usual
            if key not in mapping and index not in mapping.values():
                mapping[key] = index
    else:
        mapping, twice = match_columns(spec, readings)
        absent = []
    problems = [Problem(name, header_row, headers[i], headers[i], f"cột '{spec.col(key).header}' xuất hiện hai lần")
                for key, positions in twice.items() for i in positions[1:]]
    problems += [Problem(name, header_row, header, "", "cột này có trong cách ghép cột đã lưu nhưng không có trong tệp")
                 for header in absent]
    used = set(mapping.values())
    problems += [Problem(name, header_row, h, h, "cột không dùng đến: bỏ qua", Severity.WARNING)
                 for i, h in enumerate(headers) if h.strip() and i not in used and not _is_row_number(h)]
    suggestions: dict[str, int | None] = {}
    for col in spec.columns:
        if not col.required or col.key in mapping or col.key in given:
            continue
        if col.key == "district" and district_not_needed(spec, mapping, hints):
            continue
        guess = suggest(col, headers, used)
        suggestions[col.key] = guess
        hint = f" — có phải cột '{headers[guess]}'?" if guess is not None else ""
        problems.append(Problem(name, header_row, col.header, "", f"Không thấy cột '{col.header}'{hint}"))
    return mapping, problems, suggestions


def _is_row_number(header: str) -> bool:
    return norm_header(header) in {"stt", "so thu tu", "sothutu", "tt", "so tt", "sott"}


def is_example(text: str) -> bool:
    """A cell starting "VÍ DỤ" (any case, accents or spacing): only its first characters are folded."""
    return fold(text.lstrip()[:24]).startswith(EXAMPLE_MARK)


def _lead_text(cells: list) -> str:
    """The row's first text, folded: its number column or its name."""
    for cell in cells[:4]:
        if isinstance(cell, str) and cell.strip():
            return fold(cell.strip())
    return ""


def is_stop(cells: list) -> bool:
    """A row of the notes, the place and date, or the signature block: the table has ended."""
    for cell in _filled(cells)[:3]:
        text = fold(str(cell).strip())
        if text.startswith(STOP_WORDS) or _PLACE_DATE.match(text):
            return True
    return False


def total_label(cells: list) -> str | None:
    """"tong cong", "cong"... when the row is a total (or "trong do") row."""
    text = _lead_text(cells)
    for word in (*TOTAL_WORDS, OF_WHICH):
        if text == word or text.startswith(word + " ") or text.startswith(word + ":"):
            return word
    return None


def _numbers_in(values: dict[str, object], spec: Sheet) -> bool:
    numeric = {c.key for c in spec.columns if c.parse_as in (ParseAs.INT, ParseAs.FLOAT)}
    return any(not is_blank(v) and fold(str(v)).strip() not in PLACEHOLDERS for k, v in values.items() if k in numeric)


def is_section(cells: list, values: dict[str, object], spec: Sheet) -> bool:
    """A row grouping the rows below it ("I", "A. Nông nghiệp", "1. Lĩnh vực ..."): text, no figures, few cells."""
    if _numbers_in(values, spec) or len(_filled(cells)) > 2:
        return False
    texts = [fold(str(c).strip()) for c in _filled(cells)]
    return bool(texts) and (bool(_ROMAN_OR_LETTER.match(texts[0])) or bool(_SECTION_TEXT.match(texts[0]))
                            or len(texts) == 1)


@dataclass
class _Reading:
    """Walking the rows below the header."""

    grid: Grid
    spec: Sheet
    mapping: dict[str, int]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sections: dict[int, str] = field(default_factory=dict)
    totals: list[Total] = field(default_factory=list)
    placeholders: dict[tuple[str, str], int] = field(default_factory=dict)  # (column key, mark) -> cells
    section: str = ""
    section_rows: list[int] = field(default_factory=list)

    def values(self, cells: list) -> dict[str, object]:
        return {key: cells[i] if i < len(cells) else None for key, i in self.mapping.items()}

    def add_data(self, number: int, values: dict) -> None:
        for key, value in values.items():
            meaning = self.spec.col(key).placeholder
            mark = fold(str(value)).strip() if isinstance(value, str) else None
            if meaning is not None and mark in PLACEHOLDERS:
                self.placeholders[(key, value.strip())] = self.placeholders.get((key, value.strip()), 0) + 1
                values[key] = 0 if meaning == Meaning.ZERO else None
        self.rows.append((number, values))
        self.section_rows.append(number)
        if self.section:
            self.sections[number] = self.section

    def add_total(self, number: int, word: str, cells: list, values: dict) -> None:
        if word == OF_WHICH:
            self.problems.append(Problem(self.grid.name, number, "", display(_lead_text(cells)),
                                         "dòng 'Trong đó': chi tiết của dòng tổng, không nhập", Severity.NOTICE))
            return
        covers = list(self.section_rows) if word == "cong" and self.section_rows else None
        self.totals.append(Total(number, str(next(iter(_filled(cells)), "")), values, covers))
        self.section_rows = []


def data_rows(grid: Grid, header_row: int, mapping: dict[str, int], spec: Sheet | None = None) -> _Reading:
    """The rows below the header: data, with section rows, totals, numbering, example rows and the end found."""
    spec = spec or SHEETS[0]
    reading = _Reading(grid, spec, mapping)
    for number, cells in grid.rows:
        if number <= header_row or not _filled(cells) or is_numbering(cells):
            continue
        values = reading.values(cells)
        if is_stop(cells) and not _numbers_in(values, spec):
            break
        word = total_label(cells)
        if word is not None:
            reading.add_total(number, word, cells, values)
            continue
        if all(is_blank(v) for v in values.values()):
            continue
        example = next((v for v in values.values() if isinstance(v, str) and is_example(v)), None)
        if example is not None:
            reading.problems.append(Problem(grid.name, number, "", display(example), "dòng ví dụ của mẫu: bỏ qua",
                                            Severity.WARNING))
            continue
        if is_section(cells, values, spec):
            reading.section = " ".join(str(c).strip() for c in _filled(cells))
            reading.section_rows = []
            continue
        reading.add_data(number, values)
    return reading


def _placeholder_notices(reading: _Reading, table: Table) -> list[Problem]:
    notices = []
    for (key, mark), count in sorted(reading.placeholders.items()):
        meaning = MEANING_LABELS[table.spec.col(key).placeholder]
        notices.append(Problem(table.name, 0, table.header_of(key), mark,
                               f"{count} ô ghi '{mark}' được hiểu là {meaning}", Severity.NOTICE))
    return notices


def locate(grid: Grid, hints: Hints | None = None) -> Located:
    """The sheet's table, or None (with the reason among the problems) when it cannot be imported."""
    hints = hints or Hints()
    start, header_row = find_header(grid.rows)
    block = [cells for number, cells in grid.rows if start <= number <= header_row]
    headers, readings = flatten(block)
    office, district = title_block(grid.rows, start)
    spec = identify(grid.name, readings)
    if hints.kind and hints.mapping and spec is None:
        spec = next(s for s in SHEETS if s.key == hints.kind)
    if spec is None:
        shown = ", ".join(h for h in headers if h)[:200]
        return Located(None, [Problem(grid.name, header_row, "", shown,
                                      "không nhận ra bảng số liệu: không thấy các cột như 'Tên HTX', 'Số thành viên', "
                                      "'Huyện/thành phố' ở các dòng đầu (xem mẫu nhập liệu)")], headers=headers,
                       sheet=grid.name)
    given = {"district": f"(tiêu đề biểu: {office})"} if district and "district" in {c.key for c in spec.columns} else {}
    mapping, problems, suggestions = map_columns(grid.name, header_row, headers, readings, spec, hints, set(given))
    given = {k: v for k, v in given.items() if k not in mapping}
    located = Located(None, problems, spec, headers, suggestions, header_row, office, grid.name)
    if any(p.blocking for p in problems):
        return located
    reading = data_rows(grid, header_row, mapping, spec)
    if given:
        for _, values in reading.rows:
            values["district"] = district
        for total in reading.totals:
            total.cells.setdefault("district", district)
    table = Table(grid.name, spec, header_row, headers, mapping, reading.rows, office, given, reading.sections,
                  reading.totals, start)
    located.table = table
    located.problems = problems + reading.problems + _placeholder_notices(reading, table)
    return located
