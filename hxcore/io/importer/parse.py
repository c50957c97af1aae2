"""Stage 3, parse: a table's raw cells -> typed values, by each column's `parse_as`.

Numbers as offices write them (1.056.714, 1,056,714, 4,3), dates (30/6/2023, 2023-06-30, Excel
dates and serial numbers), district and commune names against the reference areas, and the
words of the closed lists (status, rating, kind...). A cell that cannot be read gives a
problem and the value None; a blank cell gives None. Ranges, whole numbers, plausible dates
and required cells are checked afterwards, by the pandera schemas of the validate stage.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from hxcore.io.importer.context import Context
from hxcore.io.importer.locate import Table
from hxcore.io.importer.problems import Problem, Severity, display
from hxcore.io.importer.read import is_blank
from hxcore.io.importer.spec import RATING_WORDS, STATUS_WORDS, Col, ParseAs
from hxcore.model.areas import (
    REFORM,
    REFORM_DATE,
    REFORM_RESOLUTION,
    AmbiguousName,
    bare_name,
    fold,
    former_district_of,
    match_area,
    successor_2025,
)
from hxcore.model.vocab import SECTORS, OrgKind, TrainingKind


class Invalid(ValueError):
    """A cell that cannot be read as its column's type; args[0] may say why, in Vietnamese."""


# --- the closed lists, as folded words ------------------------------------------------------

_SECTOR_WORDS = {  # folded keywords -> sector code, per org type; ambiguous words are left out
    "coop": {"nong": "agriculture", "lam nghiep": "agriculture", "thuy san": "agriculture", "cong nghiep": "industry",
             "thu cong": "industry", "xay dung": "construction", "vat lieu": "construction", "thuong mai": "trade",
             "dich vu": "trade", "van tai": "transport", "moi truong": "environment", "ve sinh": "environment",
             "tin dung": "credit", "qtd": "credit"},
    "group": {"phi nong": "non_agriculture", "nong": "agriculture"},
}
_STATUS = {word: code for code, words in STATUS_WORDS.items() for word in words}
_RATING = {word: code for code, words in RATING_WORDS.items() for word in words}
_BOOL = {"co": True, "x": True, "1": True, "yes": True, "true": True, "khong": False, "0": False, "no": False,
         "false": False}
_ORG_KIND = {"htx": OrgKind.HTX, "hop tac xa": OrgKind.HTX, "quy tin dung nhan dan": OrgKind.CREDIT_FUND,
             "qtdnd": OrgKind.CREDIT_FUND, "quy tin dung": OrgKind.CREDIT_FUND, "lien hiep htx": OrgKind.UNION,
             "lien hiep hop tac xa": OrgKind.UNION, "lhhtx": OrgKind.UNION}
_CLASS_KIND = {"tuyen truyen": TrainingKind.PROPAGANDA, "boi duong can bo quan ly": TrainingKind.MANAGER,
               "boi duong": TrainingKind.MANAGER, "can bo quan ly": TrainingKind.MANAGER}


# --- one value --------------------------------------------------------------------------------

def parse_text(value) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def parse_number(value) -> float:
    """1.056.714, 1,056,714, 1056714, 4,3 or 4.3; a group of three digits after one separator is thousands."""
    if isinstance(value, bool):
        raise Invalid(value)
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid(value)
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    if re.fullmatch(r"\d+", text):
        number = text
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        number = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        number = text.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", text):
        number = text.replace(",", ".")
    elif re.fullmatch(r"\d*\.\d+", text):
        number = text
    else:
        raise Invalid(value)
    return sign * float(number)


_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value) -> date:
    """30/6/2023, 30-06-2023, 30.6.2023, 2023-06-30, an Excel date cell or an Excel serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise Invalid(value)
    text = str(value).strip()
    text = re.sub(r"[ T]0?0:00(:00)?(\.0+)?$", "", text)
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            y, m, d = map(int, text.split("-"))
            return date(y, m, d)
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            d, m, y = map(int, match.groups())
            return date(y, m, d)
        if re.fullmatch(r"\d{5}", text):
            return _EXCEL_EPOCH + timedelta(days=int(text))
    except ValueError:
        raise Invalid(value) from None
    raise Invalid(value)


# Per org type: each sector's code and folded labels -> its code (folded once, not for every cell).
_SECTOR_NAMES: dict[str, dict[str, str]] = {}
for _sector in SECTORS:
    for _name in (_sector.code, fold(_sector.label_vi), fold(_sector.label_en)):
        _SECTOR_NAMES.setdefault(_sector.org_type.value, {}).setdefault(_name, _sector.code)  # the first sector wins


def parse_sector(value, org_type: str) -> str:
    """A sector code from its code, its label, or one unambiguous keyword ("xây dựng", "phi nông nghiệp")."""
    key = fold(str(value)).strip()
    if key in _SECTOR_NAMES.get(org_type, {}):
        return _SECTOR_NAMES[org_type][key]
    hits = {code for word, code in _SECTOR_WORDS[org_type].items() if word in key}
    if org_type == "group" and "non_agriculture" in hits:
        hits = {"non_agriculture"}
    if len(hits) == 1:
        return hits.pop()
    raise Invalid(value)


def parse_word(value, table: dict):
    """A closed-list value from its folded word: "Đang hoạt động", "Đang HĐ" -> "operating"."""
    key = re.sub(r"[\s.]+", " ", fold(str(value))).strip()
    if key not in table:
        raise Invalid(value)
    found = table[key]
    return found.value if isinstance(found, Enum) else found


def parse_area(token: str, candidates: list[tuple[str, str]], what: str) -> str:
    """The code of the area the cell names; a close name is suggested, never taken."""
    try:
        code = match_area(token, candidates)
    except AmbiguousName as error:
        raise Invalid(f"{error}; hãy ghi rõ mã hoặc tên đầy đủ") from None
    if code:
        return code
    names = {bare_name(name): name for _, name in candidates}
    close = difflib.get_close_matches(bare_name(token), list(names), n=3, cutoff=0.75)
    hint = f"; có phải: {', '.join(names[c] for c in close)}? (hãy sửa trong tệp, hệ thống không tự đoán)" if close else ""
    raise Invalid(f"không có {what} trong danh mục{hint}")


# --- cells, by parse_as -------------------------------------------------------------------------

@dataclass(frozen=True)
class Around:
    """What a cell's parser may need besides the cell itself."""

    row: dict  # the row's values parsed so far: the commune is read within the row's district
    ctx: Context
    org_type: str  # "coop" or "group": the sector lists differ


def _area(around: Around, scope: str, token: str, candidates: list[tuple[str, str]], what: str) -> str:
    """parse_area, once per name and scope in a file: 9.000 rows name the same few districts."""
    key = (scope, token)
    if key not in around.ctx.areas_read:
        try:
            around.ctx.areas_read[key] = parse_area(token, candidates, what)
        except Invalid as error:
            around.ctx.areas_read[key] = error.args
    found = around.ctx.areas_read[key]
    if isinstance(found, tuple):
        raise Invalid(*found)
    return found


def _district(value, around: Around) -> str:
    return _area(around, "", str(value), around.ctx.districts, "huyện/thành phố")


@dataclass(frozen=True)
class Noted:
    """A value read with something the office should know ("old commune name: its successor is ...")."""

    value: object
    note: str


def _names_of(codes, side: str) -> str:
    return ", ".join(REFORM.names.get((code, side), code) for code in codes)


def _commune(value, around: Around):
    if around.ctx.after_reform:
        return _commune_after(str(value), around)
    district = around.row.get("district")
    if not district:
        raise Invalid("chưa xác định được huyện")
    try:
        return _area(around, district, str(value), around.ctx.communes.get(district, []), "xã/phường/thị trấn ở huyện này")
    except Invalid:
        new = _quiet_match(str(value), around.ctx.communes_2025)
        if new is None:
            raise
        raise Invalid(f"'{REFORM.names[(new, 'new')]}' là đơn vị hành chính mới từ {REFORM_DATE:%d/%m/%Y} "
                      f"({REFORM_RESOLUTION}), hợp nhất từ {_names_of(REFORM.predecessors.get(new, ()), 'old')}: số liệu "
                      f"đến ngày {around.ctx.as_of:%d/%m/%Y} phải ghi xã/phường/thị trấn cũ") from None


def _quiet_match(token: str, candidates: list[tuple[str, str]]) -> str | None:
    try:
        return match_area(token, candidates)
    except AmbiguousName:
        return None


def _commune_after(token: str, around: Around):
    """After the reform: a 2025 commune; an old commune's name is taken as its successor, with a notice."""
    found = _quiet_match(token, around.ctx.communes_2025)
    if found:
        return found
    district = around.row.get("district")
    scope = around.ctx.communes.get(district, []) if district else around.ctx.old_communes
    old = _area(around, f"old:{district}", token, scope, "xã/phường (sau 1/7/2025: 38 xã, phường mới của tỉnh)")
    new = successor_2025(old)
    return Noted(new, f"'{REFORM.names[(old, 'old')]}' là tên trước {REFORM_DATE:%d/%m/%Y}; từ ngày đó thuộc "
                      f"'{REFORM.names[(new, 'new')]}' ({REFORM_RESOLUTION}): ghi vào đơn vị mới")


PARSERS: dict[ParseAs, Callable[[object, Around], object]] = {
    ParseAs.TEXT: lambda value, _: parse_text(value),
    ParseAs.INT: lambda value, _: parse_number(value),  # whole number and range: checked by the schema
    ParseAs.FLOAT: lambda value, _: parse_number(value),
    ParseAs.DATE: lambda value, _: parse_date(value),
    ParseAs.DISTRICT: _district,
    ParseAs.COMMUNE: _commune,
    ParseAs.SECTOR: lambda value, around: parse_sector(value, around.org_type),
    ParseAs.STATUS: lambda value, _: parse_word(value, _STATUS),
    ParseAs.RATING: lambda value, _: parse_word(value, _RATING),
    ParseAs.BOOL: lambda value, _: parse_word(value, _BOOL),
    ParseAs.ORG_KIND: lambda value, _: parse_word(value, _ORG_KIND),
    ParseAs.CLASS_KIND: lambda value, _: parse_word(value, _CLASS_KIND),
}


def why(error: Invalid, value, col: Col) -> str:
    """The report's "expected" text: the reason, if the parser gave one, then what the column wants."""
    reason = error.args[0] if error.args and isinstance(error.args[0], str) else ""
    return f"{reason}: {col.expected}" if reason and reason != str(value) else col.expected


# --- a table ------------------------------------------------------------------------------------

@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, object]]]  # (row number, value by column key); None: blank or unreadable
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[tuple[int, str]] = field(default_factory=set)  # (row number, column key) already reported


def parse_order(table: Table) -> list[Col]:
    """The table's columns in the order their cells are read: the commune after its district."""
    return sorted((c for c in table.spec.columns if c.key in table.mapping or c.key in table.given),
                  key=lambda c: c.parse_as == ParseAs.COMMUNE)


def parse_table(table: Table, ctx: Context) -> Parsed:
    org_type = "group" if table.spec.key == "groups" else "coop"
    columns = parse_order(table)
    parsed = Parsed([])
    if not _given_district_ok(table, ctx, parsed):
        return parsed
    for number, cells in table.rows:
        row: dict[str, object] = {}
        for col in columns:
            row[col.key] = _parse_cell(table, number, col, cells[col.key], Around(row, ctx, org_type), parsed)
        if "sector" in table.mapping and row.get("sector") is None and number in table.sections:
            row["sector"] = _section_sector(table.sections[number], org_type)
        if ctx.after_reform and row.get("commune") and not row.get("district"):
            row["district"] = former_district_of(row["commune"])  # "huyện cũ": organisations are kept under it
        parsed.rows.append((number, row))
    return parsed


def _section_sector(text: str, org_type: str) -> str | None:
    """The sector a section row names ("A. Nông nghiệp"), for rows that leave their sector cell blank."""
    try:
        return parse_sector(re.sub(r"^\S{1,4}[.)]\s*", "", text), org_type)
    except Invalid:
        return None


def _given_district_ok(table: Table, ctx: Context, parsed: Parsed) -> bool:
    """The district the title block names, checked once (not once a row)."""
    if "district" not in table.given or not table.rows:
        return True
    value = table.rows[0][1]["district"]
    try:
        _district(value, Around({}, ctx, "coop"))
    except Invalid as error:
        col = table.spec.col("district")
        parsed.problems.append(Problem(table.name, table.header_start, table.header_of("district"), display(value),
                                       f"{why(error, value, col)}; các huyện, thành phố: "
                                       f"{', '.join(name for _, name in ctx.districts)}"))
        return False
    return True


def _parse_cell(table: Table, number: int, col: Col, value, around: Around, parsed: Parsed):
    if is_blank(value):
        return None
    try:
        found = PARSERS[col.parse_as](value, around)
    except Invalid as error:
        parsed.problems.append(Problem(table.name, number, table.header_of(col.key), display(value), why(error, value, col)))
        parsed.unreadable.add((number, col.key))
        return None
    if isinstance(found, Noted):
        parsed.problems.append(Problem(table.name, number, table.header_of(col.key), display(value), found.note,
                                       Severity.NOTICE))
        return found.value
    return found
