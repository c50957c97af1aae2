"""What the file is read against: the areas valid at the period's end and the organisations known.

Loaded once per dry run from the database (or the reference areas, for an empty database).
The parse stage matches district and commune names here; the plan stage the organisations.
Both hierarchies are kept: the districts and communes until 30/6/2025 and the 2025 communes, so
that a name given for the wrong side of the reform is recognised and explained, not just refused.
Organisations are found through two dictionaries built once (by tax code, and by district and
name as matching reduces it), never by scanning the list: a file of 10.000 rows takes ten
times as long as one of 1.000, not a hundred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from hxcore.db import schema
from hxcore.model.areas import REFORM_DATE, fold, read_reference
from hxcore.model.periods import Period


@dataclass
class Context:
    as_of: date
    period: Period
    districts: list[tuple[str, str]]  # (code, name): the districts, after the reform the former districts
    communes: dict[str, list[tuple[str, str]]]  # district code -> its communes' (code, name), before the reform
    province_of: dict[str, str]  # district code -> its province: the same importer serves a national database
    orgs: list[dict]  # the organisations table, plus those the plan adds (marked "_planned")
    next_org_id: int
    communes_2025: list[tuple[str, str]] = field(default_factory=list)  # the communes from 1/7/2025
    returns: dict = field(default_factory=dict)  # org id -> (sheet, row) of its figures in this file
    areas_read: dict = field(default_factory=dict)  # (scope, cell) -> area code or why not: each name is matched once
    _by_tax: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    _by_name: dict[tuple[str, str], list[dict]] = field(default_factory=dict, repr=False)
    _by_bare_name: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    @property
    def after_reform(self) -> bool:
        return self.as_of >= REFORM_DATE

    @property
    def old_communes(self) -> list[tuple[str, str]]:
        return [pair for communes in self.communes.values() for pair in communes]

    def __post_init__(self):
        for org in self.orgs:
            self._index(org)

    def _index(self, org: dict) -> None:
        if org.get("tax_code"):
            self._by_tax.setdefault(org["tax_code"], []).append(org)
        self._by_name.setdefault((org["district_code"], org_key_name(org["name"])), []).append(org)
        self._by_bare_name.setdefault(org_key_name(org["name"]), []).append(org)

    def _unindex(self, org: dict) -> None:
        by_name = (org["district_code"], org_key_name(org["name"]))
        for index, key in ((self._by_tax, org.get("tax_code")), (self._by_name, by_name),
                           (self._by_bare_name, org_key_name(org["name"]))):
            if key in index:
                index[key] = [o for o in index[key] if o is not org]

    def add_org(self, org: dict) -> None:
        """An organisation the plan adds: later rows of the file find it."""
        self.orgs.append(org)
        self._index(org)

    def change_org(self, org: dict, values: dict) -> None:
        """An organisation the plan changes (its name, district or tax code may be among the values)."""
        self._unindex(org)
        org.update(values)
        self._index(org)

    def find_orgs(self, name: str, district: str, tax_code: str | None, org_types: tuple[str, ...]) -> list[dict]:
        """Organisations a row names: by tax code when it has one that is known, else by name within its district."""
        if tax_code and self._by_tax.get(tax_code):
            return list(self._by_tax[tax_code])
        found = [o for o in self._by_name.get((district, org_key_name(name)), []) if o["org_type"] in org_types]
        if not found and (self.after_reform or not district):
            # After the reform a row names its commune, whose former district may not be the one an older
            # organisation was registered in: the name alone, if it is unique in the province.
            found = [o for o in self._by_bare_name.get(org_key_name(name), []) if o["org_type"] in org_types]
        return found


def org_key_name(name: str) -> str:
    """A name reduced for matching: "Hợp tác xã Bình Lư" and "HTX Binh Lu" are the same organisation."""
    folded = fold(name)
    folded = re.sub(r"\bhop tac xa\b", "htx", folded)
    folded = re.sub(r"\bto hop tac\b", "tht", folded)
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


def _area_rows(conn: Connection) -> list[dict]:
    a = schema.areas
    rows = [dict(r) for r in conn.execute(select(a.c.code, a.c.name, a.c.level, a.c.parent_code, a.c.valid_from,
                                                 a.c.valid_to)).mappings()]
    if not rows:
        rows = [{"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code,
                 "valid_from": r.valid_from, "valid_to": r.valid_to} for r in read_reference()]
    return rows


def _valid(row: dict, day: date) -> bool:
    return row["valid_from"] <= day and (row["valid_to"] is None or row["valid_to"] >= day)


def load_context(conn: Connection, period: Period) -> Context:
    rows = _area_rows(conn)
    # Before the reform: the units valid at the period's end. After it: the former districts and their
    # communes as they stood on 30/6/2025, for names written the old way.
    old_day = min(period.end, REFORM_DATE - timedelta(days=1))
    old = [r for r in rows if _valid(r, old_day)]
    districts = sorted((r["code"], r["name"]) for r in old if r["level"] == "district")
    communes: dict[str, list[tuple[str, str]]] = {}
    for r in old:
        if r["level"] == "commune":
            communes.setdefault(r["parent_code"], []).append((r["code"], r["name"]))
    new = sorted((r["code"], r["name"]) for r in rows if r["level"] == "commune" and r["valid_from"] >= REFORM_DATE)
    orgs = [dict(r) for r in conn.execute(select(schema.organisations)).mappings()]
    next_id = (conn.execute(select(func.max(schema.organisations.c.id))).scalar() or 0) + 1
    province_of = {r["code"]: r["parent_code"] for r in old if r["level"] == "district"}
    return Context(period.end, period, districts, communes, province_of, orgs, next_id, new)
