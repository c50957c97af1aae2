"""Stage 5, plan: valid rows -> the changes the import would make, with the rows the rules turn away.

Registers (HTX, THT) insert new organisations or update known ones; half-year returns insert or
update one fact row per organisation and period; training classes and fund loans are inserted.
Organisations are matched by tax code, else by name within their district, through the
context's dictionaries; the rows each planner compares with are read in one query, never one
query a row. A planned change is (table, "insert"|"update", key dict, row dict, before dict): the
write stage applies it and logs `before`, so it can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, select

from hxcore.db import schema
from hxcore.io.importer import rules
from hxcore.io.importer.context import Context, org_key_name
from hxcore.io.importer.locate import Table
from hxcore.io.importer.problems import Problem, Severity, display, problems_csv, problems_frame
from hxcore.io.importer.spec import DISSOLVED
from hxcore.model.areas import PROVINCE_CODE, REFORM
from hxcore.model.vocab import OrgKind

# Columns a register may leave out, with what a new organisation gets when it does.
OPTIONAL_ORG_COLUMNS = {"dissolved_on": None, "alliance_joined_on": None, "founding_supported": False, "tax_code": None}
# Facts a half-year return may leave out: a new row gets these; a known row keeps what it had.
OPTIONAL_FACTS = {"charter_capital": 0.0, "revenue": None, "avg_income_month": None, "rating": None,
                  "new_members": 0, "new_workers": 0}
SUMMARY_COLUMNS = ["Trang tính", "Loại", "Số dòng", "Thêm mới", "Thay đổi", "Không đổi"]


@dataclass
class ImportPlan:
    file_name: str
    sha256: str
    period: str
    problems: list[Problem] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)
    previews: dict[str, pd.DataFrame] = field(default_factory=dict)
    ops: list[tuple] = field(default_factory=list)  # (table, "insert"|"update", key dict, row dict, before dict)
    data_version: str | None = None  # the database's, when the plan was made: a commit may reuse the plan while it holds
    tables: list = field(default_factory=list)  # the tables read (locate.Table): a mapping can be saved from them
    unmapped: list = field(default_factory=list)  # sheets refused for a missing column (locate.Located), with guesses

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_added(self) -> int:
        return sum(1 for op in self.ops if op[1] == "insert")

    @property
    def rows_changed(self) -> int:
        return sum(1 for op in self.ops if op[1] == "update")

    def problems_frame(self) -> pd.DataFrame:
        return problems_frame(self.problems)

    def problems_csv(self) -> bytes:
        """The report as a CSV file Excel opens with its accents (UTF-8 with BOM), its cells inert (OWASP)."""
        return problems_csv(self.problems)

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.summary, columns=SUMMARY_COLUMNS)


class ImportRejected(ValueError):
    """Nothing was written: the file has errors (`plan.problems` lists them), or the database could not take it now."""

    def __init__(self, plan: ImportPlan, message: str | None = None):
        super().__init__(message or f"{len(plan.errors)} lỗi: không ghi dữ liệu nào.")
        self.plan = plan


@dataclass
class SheetPlan:
    """Planning one sheet: where its problems and changes go, and what it counts."""

    conn: Connection
    table: Table
    ctx: Context
    plan: ImportPlan
    counts: dict[str, int] = field(default_factory=lambda: {"added": 0, "changed": 0, "same": 0})

    def reject(self, number: int, key: str, value, expected: str | None) -> bool:
        """Report the row's problem, if there is one; True when it was rejected."""
        if expected is not None:
            self.plan.problems.append(Problem(self.table.name, number, self.table.spec.col(key).header, display(value), expected))
        return expected is not None

    def insert(self, table_name: str, key: dict | None, row: dict) -> None:
        self.plan.ops.append((table_name, "insert", key, row, None))
        self.counts["added"] += 1

    def update(self, table_name: str, key: dict, before: dict, values: dict) -> dict:
        """Plan the values that differ from `before` (if any); returns them."""
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if changed:
            self.plan.ops.append((table_name, "update", key, changed, {k: before[k] for k in changed}))
        self.counts["changed" if changed else "same"] += 1
        return changed

    def summary(self, rows: int) -> dict:
        """The sheet's line of the dry run's summary; `rows`: the rows that passed the per-cell checks."""
        return {"Trang tính": self.table.name, "Loại": self.table.spec.title, "Số dòng": rows,
                "Thêm mới": self.counts["added"], "Thay đổi": self.counts["changed"], "Không đổi": self.counts["same"]}


# --- registers ------------------------------------------------------------------------------------

def _org_values(sheet: SheetPlan, row: dict) -> dict:
    kind = OrgKind.THT.value if sheet.table.spec.key == "groups" else row.get("kind", OrgKind.HTX.value)
    org_type = "group" if sheet.table.spec.key == "groups" else "union" if kind == OrgKind.UNION.value else "coop"
    values = {
        "org_type": org_type, "kind": kind, "name": row["name"],
        "province_code": sheet.ctx.province_of.get(row["district"], PROVINCE_CODE),
        "district_code": row["district"], "sector_code": row["sector"], "registered_on": row["registered_on"],
        **located_at(sheet.ctx, row["commune"]),
    }
    # Optional columns change a known organisation only where the file gives a value: a register
    # exported without "Ngày gia nhập Liên minh" must not erase the dates already recorded.
    values.update({k: row[k] for k in OPTIONAL_ORG_COLUMNS if row.get(k) not in (None, "")})
    return values


def located_at(ctx: Context, commune: str) -> dict:
    """Both communes of an organisation: before the reform its commune and that commune's successor;
    after it, no old commune and its 2025 commune (the district is then the former district, set by parse)."""
    if ctx.after_reform:
        return {"commune_code": None, "commune_2025_code": commune}
    return {"commune_code": commune, "commune_2025_code": REFORM.successor.get(commune, commune)}


def kept_history(ctx: Context, org: dict, values: dict) -> dict:
    """A row dated after the reform locates a known organisation in its 2025 commune (an office's
    correction); where it was before 1/7/2025 (its old commune and district) is history and stays."""
    if ctx.after_reform and org.get("commune_code"):
        return {k: v for k, v in values.items() if k not in ("commune_code", "district_code")}
    return values


def _org_rejected(sheet: SheetPlan, number: int, row: dict, values: dict, seen: rules.FirstSeen) -> bool:
    """The rules a register row passes before matching: dates in order, once in the file, credit funds in credit."""
    wrong_date = rules.date_before_registration(row)
    if wrong_date and sheet.reject(number, wrong_date[0], row[wrong_date[0]], wrong_date[1]):
        return True
    key = ("tax", row["tax_code"]) if row.get("tax_code") else (values["org_type"], org_key_name(row["name"]), row["district"])
    if sheet.reject(number, "name", row["name"], rules.repeats_row(seen.earlier(key))):
        return True
    seen.add(key, number)
    return sheet.reject(number, "sector", row["sector"], rules.credit_fund_mismatch(values["kind"], row["sector"]))


def plan_orgs(sheet: SheetPlan, rows: list[tuple[int, dict]]) -> None:
    seen = rules.FirstSeen()
    for number, row in rows:
        values = _org_values(sheet, row)
        if _org_rejected(sheet, number, row, values, seen):
            continue
        hits = sheet.ctx.find_orgs(row["name"], row["district"], row.get("tax_code"), (values["org_type"],))
        if sheet.reject(number, "name", row["name"], rules.ambiguous_in_database(hits)):
            continue
        if not hits:
            _plan_new_org(sheet, values)
        elif not sheet.reject(number, "name", row["name"], rules.already_in_file(hits[0])):
            values = kept_history(sheet.ctx, hits[0], values)
            sheet.ctx.change_org(hits[0], sheet.update("organisations", {"id": hits[0]["id"]}, hits[0], values))
            hits[0]["_planned"] = True


def _plan_new_org(sheet: SheetPlan, values: dict) -> None:
    values = {**OPTIONAL_ORG_COLUMNS, **values}
    values["founding_supported"] = bool(values["founding_supported"])
    values["id"] = sheet.ctx.next_org_id
    sheet.ctx.next_org_id += 1
    sheet.insert("organisations", {"id": values["id"]}, values)
    sheet.ctx.add_org({**values, "_planned": True})


# --- half-year returns --------------------------------------------------------------------------

def plan_facts(sheet: SheetPlan, rows: list[tuple[int, dict]]) -> None:
    seen = rules.FirstSeen()
    f, as_of = schema.facts, sheet.ctx.as_of
    known = {r["org_id"]: dict(r) for r in sheet.conn.execute(select(f).where(f.c.as_of == as_of)).mappings()}  # one query
    for number, row in rows:
        org, missing = rules.resolve_org(sheet.ctx, row, ("coop", "group", "union"))
        if sheet.reject(number, "name", row["name"], missing):
            continue
        if sheet.reject(number, "name", row["name"], rules.second_return(seen.earlier(org["id"]))):
            continue
        seen.add(org["id"], number)
        if sheet.reject(number, "name", row["name"], rules.in_another_sheet(sheet.ctx.returns, org["id"], sheet.table.name,
                                                                           number)):
            continue
        if sheet.reject(number, "name", row["name"], rules.not_active_at(org, as_of)):
            continue
        if row["status"] == DISSOLVED:
            _plan_dissolution(sheet, org)
            continue
        values = {"status": row["status"], "members": row["members"], "workers": row["workers"], "quality": "reported"}
        values.update({k: row[k] for k in OPTIONAL_FACTS if k in row})
        key = {"org_id": org["id"], "as_of": as_of}
        before = known.get(org["id"])
        if before is None:
            sheet.insert("facts", key, {**key, **OPTIONAL_FACTS, **values})
        else:
            sheet.update("facts", key, before, values)


def _plan_dissolution(sheet: SheetPlan, org: dict) -> None:
    """A return that says "Đã giải thể": the organisation is dissolved at the period's end, with no figures."""
    sheet.update("organisations", {"id": org["id"]}, org, {"dissolved_on": sheet.ctx.as_of})
    sheet.plan.problems.append(Problem(sheet.table.name, 0, sheet.table.header_of("status"), org["name"],
                                       f"ghi 'Đã giải thể': đơn vị được ghi giải thể ngày {sheet.ctx.as_of:%d/%m/%Y} "
                                       "(ngày cuối kỳ; sửa trong danh sách HTX nếu biết ngày thật)", Severity.NOTICE))


# --- training classes and fund loans --------------------------------------------------------------

def plan_training(sheet: SheetPlan, rows: list[tuple[int, dict]]) -> None:
    tc = schema.training_classes
    existing = {(r.held_on, r.district_code, r.kind, org_key_name(r.title), r.trainees) for r in sheet.conn.execute(select(tc))}
    seen = rules.FirstSeen()
    for number, row in rows:
        if sheet.reject(number, "held_on", row["held_on"], rules.outside_period(row["held_on"], sheet.ctx.period)):
            continue
        key = (row["held_on"], row["district"], row["class_kind"], org_key_name(row["title"]), row["trainees"])
        if sheet.reject(number, "title", row["title"], rules.duplicate(seen.earlier(key), key in existing, "lớp này")):
            continue
        seen.add(key, number)
        sheet.insert("training_classes", None, {
            "held_on": row["held_on"], "province_code": sheet.ctx.province_of.get(row["district"], PROVINCE_CODE),
            "district_code": row["district"], "kind": row["class_kind"], "title": row["title"], "trainees": row["trainees"]})


def plan_loans(sheet: SheetPlan, rows: list[tuple[int, dict]]) -> None:
    fl = schema.fund_loans
    existing = {(r.org_id, r.disbursed_on, round(r.amount, 3)) for r in sheet.conn.execute(select(fl))}
    seen = rules.FirstSeen()
    for number, row in rows:
        if sheet.reject(number, "disbursed_on", row["disbursed_on"], rules.outside_period(row["disbursed_on"], sheet.ctx.period)):
            continue
        org, missing = rules.resolve_org(sheet.ctx, row, ("coop", "union"))
        if sheet.reject(number, "name", row["name"], missing):
            continue
        key = (org["id"], row["disbursed_on"], round(row["amount"], 3))
        if sheet.reject(number, "amount", row["amount"], rules.duplicate(seen.earlier(key), key in existing, "khoản vay này")):
            continue
        seen.add(key, number)
        sheet.insert("fund_loans", None, {"org_id": org["id"], "disbursed_on": row["disbursed_on"],
                                          "amount": row["amount"], "purpose": row.get("purpose")})


# Sheet kind -> its planner, in the order sheets are planned: registers before what refers to them.
PLANNERS: dict[str, Callable[[SheetPlan, list[tuple[int, dict]]], None]] = {
    "coops": plan_orgs, "groups": plan_orgs, "facts": plan_facts, "training": plan_training, "loans": plan_loans,
}
