"""The business rules the plan stage applies across rows, sheets and the database, one small function each.

Each returns what is wrong (a Vietnamese message, or the earlier row) or None when the row passes.
Per-cell rules (types, ranges, required cells) are the pandera schemas of the validate stage.
"""

from __future__ import annotations

from datetime import date

from hxcore.io.importer.context import Context
from hxcore.model.periods import Period
from hxcore.model.vocab import OrgKind


class FirstSeen:
    """Rows of the file already planned, by a key: the second row with the same key is a duplicate."""

    def __init__(self):
        self._rows: dict[object, int] = {}

    def earlier(self, key) -> int | None:
        """The row that had this key before, or None."""
        return self._rows.get(key)

    def add(self, key, number: int) -> None:
        self._rows[key] = number


def date_before_registration(row: dict) -> tuple[str, str] | None:
    """(column key, message) when dissolution or joining the alliance is dated before registration."""
    if row.get("dissolved_on") and row["dissolved_on"] < row["registered_on"]:
        return "dissolved_on", "ngày giải thể phải sau ngày đăng ký"
    if row.get("alliance_joined_on") and row["alliance_joined_on"] < row["registered_on"]:
        return "alliance_joined_on", "ngày gia nhập Liên minh phải sau ngày đăng ký"
    return None


def credit_fund_mismatch(kind: str, sector: str) -> str | None:
    """A people's credit fund is the one kind in the credit sector, and always in it."""
    if (kind == OrgKind.CREDIT_FUND.value) != (sector == "credit"):
        return "quỹ tín dụng nhân dân ghi loại hình 'Quỹ tín dụng nhân dân' và lĩnh vực 'Quỹ tín dụng'"
    return None


def ambiguous_in_database(hits: list[dict]) -> str | None:
    if len(hits) > 1:
        return "trong cơ sở dữ liệu có nhiều đơn vị cùng tên ở huyện này: hãy ghi mã số HTX"
    return None


def already_in_file(org: dict) -> str | None:
    """An organisation a register sheet of this file has already planned."""
    return "đơn vị này đã có ở một trang tính khác của tệp" if org.get("_planned") else None


def resolve_org(ctx: Context, row: dict, org_types: tuple[str, ...]) -> tuple[dict | None, str | None]:
    """The one known organisation a return or a loan names, else why there is none."""
    hits = ctx.find_orgs(row["name"], row.get("district"), row.get("tax_code"), org_types)
    if not hits:
        return None, "đơn vị chưa có trong danh sách HTX/THT của huyện này: nhập danh sách trước"
    if len(hits) > 1:
        return None, "nhiều đơn vị cùng tên ở huyện này: hãy ghi mã số HTX"
    return hits[0], None


def not_active_at(org: dict, day: date) -> str | None:
    """A return for an organisation not yet registered, or already dissolved, at the period's end."""
    if org["registered_on"] > day or (org.get("dissolved_on") and org["dissolved_on"] <= day):
        return f"đơn vị chưa thành lập hoặc đã giải thể tại {day:%d/%m/%Y}"
    return None


def outside_period(day: date, period: Period) -> str | None:
    if period.start <= day <= period.end:
        return None
    return f"ngày phải trong kỳ {period.code} ({period.start:%d/%m/%Y}–{period.end:%d/%m/%Y})"


def repeats_row(earlier: int | None) -> str | None:
    """A row repeating an earlier row of the file."""
    return None if earlier is None else f"trùng với dòng {earlier} trong tệp"


def second_return(earlier: int | None) -> str | None:
    """A second half-year return for the same organisation in the file."""
    return None if earlier is None else f"đơn vị đã có số liệu ở dòng {earlier} của tệp"


def in_another_sheet(returns: dict, org_id: int, sheet: str, number: int) -> str | None:
    """Figures for one organisation and date given by two sheets of the file: which would count is not ours to guess."""
    earlier = returns.setdefault(org_id, (sheet, number))
    if earlier[0] == sheet:
        return None
    return f"đơn vị này đã có số liệu cùng kỳ ở trang tính '{earlier[0]}' dòng {earlier[1]}: hai trang cho cùng một đơn vị"


def duplicate(earlier: int | None, in_database: bool, what: str) -> str | None:
    """A row repeating an earlier row of the file, or one the database already has ("lớp này", "khoản vay này")."""
    return repeats_row(earlier) or (f"{what} đã có trong cơ sở dữ liệu" if in_database else None)
