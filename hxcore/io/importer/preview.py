"""What an import would change, before anything is written: per organisation and in the headline indicators.

The plan's changes are applied inside a transaction that is always rolled back: the summaries are
refreshed as a real import refreshes them, and hxcore's own `evaluate` computes the headline
indicators per district and for the province on the state before and after, through that one
connection. No figure here is computed by hand, and the database is left as it was (the same
content fingerprint) whatever happens.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from hxcore.db import schema
from hxcore.engine.compute import evaluate
from hxcore.engine.summary import data_changed, touched_by_import
from hxcore.io.importer import write
from hxcore.io.importer.plan import ImportPlan
from hxcore.model.filters import Filter
from hxcore.model.periods import Period

# The indicators the preview shows the change of (codes of the catalog).
HEADLINE = ("coops_total", "coops_operating", "coop_charter_capital", "coop_members", "coop_workers", "groups_total")
# A figure that moves by this factor or more (either way) is highlighted: capital x10, members halved.
JUMP_FACTORS = {"charter_capital": 10.0, "members": 2.0, "workers": 2.0}
INDICATOR_JUMP = 1.5  # an area's headline figure that moves by half or more
FIGURES = ("status", "charter_capital", "members", "workers")


@dataclass
class Preview:
    # one row per organisation the import touches: name, district, old/new figures, mark ("new", "dissolved",
    # "jump" or ""), jumps (figure -> new ÷ old)
    organisations: pd.DataFrame
    indicators: pd.DataFrame  # area, as_of, indicator, label, unit, before, after, jump: only those that change


class _Held:
    """The transaction's connection as `evaluate` uses one: the read transaction it would open is the one
    already open (hxcore.db.reading begins one, and on SQLite issues BEGIN), so nothing is begun twice."""

    def __init__(self, conn: Connection):
        self._conn = conn

    def begin(self):
        return contextlib.nullcontext(self)

    def exec_driver_sql(self, statement: str, *args, **kwargs):
        if statement.strip().upper() == "BEGIN":
            return None
        return self._conn.exec_driver_sql(statement, *args, **kwargs)

    def execution_options(self, **_options):
        return self

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


class _InTransaction:
    """One open connection seen as an Engine, so `evaluate` reads the uncommitted state of the transaction."""

    def __init__(self, conn: Connection):
        self._conn = _Held(conn)
        self.dialect = conn.dialect
        self.url = conn.engine.url

    def connect(self):
        return contextlib.nullcontext(self._conn)

    begin = connect


PROVINCE_LABEL = "Toàn tỉnh"


def _headline(view, period: Period, names: dict[str, str]) -> pd.DataFrame:
    flt = Filter(period=period.code)
    parts = [evaluate(view, flt, HEADLINE, by=by, compare=False, with_targets=False) for by in ("district", None)]
    frame = pd.concat(parts, ignore_index=True)
    frame["area"] = [PROVINCE_LABEL if pd.isna(code) else names.get(code, code) for code in frame["district"]]
    return frame[["area", "indicator", "label", "unit", "value"]]


def _apply_plan(conn: Connection, plan: ImportPlan) -> None:
    """The plan's changes and the summaries' refresh, as commit_import makes them (the caller rolls back)."""
    seeded = write._ensure_reference(conn)
    import_id = conn.execute(insert(schema.imports).values(
        user_name="(xem trước)", imported_at=datetime.now(UTC).isoformat(timespec="seconds"), file_name=plan.file_name[:250],
        file_sha256=plan.sha256, period=plan.period, status="committed")).inserted_primary_key[0]
    write._apply(conn, import_id, plan, seeded)
    data_changed(conn, f"preview-{plan.sha256[:12]}", touched_by_import(conn, import_id))


def _compare(before: pd.DataFrame, after: pd.DataFrame, period: Period) -> pd.DataFrame:
    merged = before.merge(after, on=["area", "indicator", "label", "unit"], how="outer", suffixes=("_before", "_after"))
    merged = merged.rename(columns={"value_before": "before", "value_after": "after"})
    changed = merged[merged["before"].fillna(-1) != merged["after"].fillna(-1)].copy()
    ratio = changed["after"].fillna(0) / changed["before"].where(changed["before"] > 0)
    changed["jump"] = (ratio >= INDICATOR_JUMP) | (ratio <= 1 / INDICATOR_JUMP)
    changed["as_of"] = period.end
    order = {code: i for i, code in enumerate(HEADLINE)}
    changed["_order"] = changed["indicator"].map(order)
    changed["_province"] = changed["area"] == PROVINCE_LABEL
    changed = changed.sort_values(["_province", "area", "_order"]).drop(columns=["_order", "_province"])
    return changed[["area", "as_of", "indicator", "label", "unit", "before", "after", "jump"]].reset_index(drop=True)


def _figures(conn: Connection, ids: list[int], as_of) -> dict[int, dict]:
    """Each organisation's figures as the database has them: at the period's end, else its latest before."""
    f = schema.facts
    rows = conn.execute(select(f).where(f.c.org_id.in_(ids), f.c.as_of <= as_of).order_by(f.c.as_of)).mappings()
    return {row["org_id"]: dict(row) for row in rows}  # the latest wins


def _organisations(conn: Connection, plan: ImportPlan, as_of) -> pd.DataFrame:
    """Old -> new status, capital, members and workers of every organisation the plan touches."""
    new_orgs = {op[2]["id"]: op[3] for op in plan.ops if op[0] == "organisations" and op[1] == "insert"}
    dissolved = {op[2]["id"] for op in plan.ops if op[0] == "organisations" and op[1] == "update"
                 and op[3].get("dissolved_on")}
    facts = {op[2]["org_id"]: op for op in plan.ops if op[0] == "facts"}
    ids = sorted(set(new_orgs) | dissolved | set(facts))
    if not ids:
        return pd.DataFrame(columns=["name", "district", *[f"{k}_{s}" for k in FIGURES for s in ("old", "new")], "mark",
                                     "jumps"])
    o, a = schema.organisations, schema.areas
    names = {r.id: (r.name, r.district_code) for r in conn.execute(select(o.c.id, o.c.name, o.c.district_code)
                                                                  .where(o.c.id.in_(ids)))}
    names |= {i: (row["name"], row["district_code"]) for i, row in new_orgs.items()}
    districts = dict(conn.execute(select(a.c.code, a.c.name).where(a.c.level == "district")).all())
    old = _figures(conn, ids, as_of)
    rows = []
    for org_id in ids:
        before = old.get(org_id, {})
        after = dict(before)
        if org_id in facts:
            after.update(facts[org_id][3])
        row = {"name": names[org_id][0], "district": districts.get(names[org_id][1], names[org_id][1])}
        for key in FIGURES:
            row[f"{key}_old"], row[f"{key}_new"] = before.get(key), after.get(key) if org_id not in dissolved else None
        row["mark"] = _mark(org_id in new_orgs, org_id in dissolved)
        row["jumps"] = _jumps(before, after) if not row["mark"] else {}
        if row["jumps"]:
            row["mark"] = "jump"
        rows.append(row)
    return pd.DataFrame(rows)


def _mark(new: bool, dissolved: bool) -> str:
    """Why a row deserves a look (a code; hxcore.present.import_preview words it): new, dissolved, or "jump"."""
    return "new" if new else "dissolved" if dissolved else ""


def _jumps(before: dict, after: dict) -> dict[str, float]:
    """The figures that moved by their factor or more: figure -> new ÷ old (10.0: capital ×10; 0.5: members halved)."""
    jumps = {}
    for key, factor in JUMP_FACTORS.items():
        old, new_value = before.get(key), after.get(key)
        if old and new_value is not None and (new_value >= old * factor or new_value <= old / factor):
            jumps[key] = new_value / old
    return jumps


def preview(engine: Engine, plan: ImportPlan) -> Preview:
    """The organisations and headline indicators the plan would change; nothing is written."""
    period = Period.parse(plan.period)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            organisations = _organisations(conn, plan, period.end)
            a = schema.areas
            names = dict(conn.execute(select(a.c.code, a.c.name).where(a.c.level == "district")).all())
            view = _InTransaction(conn)
            before = _headline(view, period, names)
            _apply_plan(conn, plan)
            after = _headline(view, period, names)
        finally:
            transaction.rollback()
    return Preview(organisations, _compare(before, after, period))
