"""Calibration to the H1-2023 report: where the report's figures are made to hold exactly.

The 30/6/2023 base figures of every organisation (sector totals split across HTX, Tam Đường's
capital, THT people), the end-2022 stocks, the 30/6/2023 ratings, incomes and alliance
membership, and the half-year's flows (revenue, new members, new workers).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from hxcore.io.demo.arith import random_day, split_total
from hxcore.io.demo.register import Org, Register
from hxcore.io.demo.report import (
    ALLIANCE_2023H1,
    COOP_INCOME_YEAR_2023H1,
    COOP_REVENUE_2023H1,
    EFFECTIVE_2023H1,
    END_2022_CAPITAL,
    END_2022_MEMBERS,
    END_2022_WORKERS,
    GROUP_INCOME_YEAR_2023H1,
    GROUP_NEW_MEMBERS_2023H1,
    GROUP_PEOPLE_2023H1,
    H1_2023,
    NEW_MEMBERS_2023H1,
    NEW_WORKERS_2023H1,
    SECTOR_2023H1,
    TAM_DUONG,
    TAM_DUONG_CAPITAL_2023H1,
)
from hxcore.model.vocab import OrgKind, OrgType, Rating, Status


# --- Base figures at 30/6/2023, from which every other date derives ---------------------------
def set_base_2023h1(register: Register) -> None:
    coops = [o for o in register.of_type(OrgType.COOP) if o.exists_at(H1_2023)]
    _split_sector_figures(register.rng, coops)
    _pin_tam_duong_capital(register.rng, coops)
    _base_of_the_others(register, coops)
    _split_group_people(register)


def _split_sector_figures(rng: random.Random, coops: list[Org]) -> None:
    """Each sector's members, workers and capital of operating HTX, split across them."""
    for sector, (operating, _stopped, members, workers, capital) in SECTOR_2023H1.items():
        active = [o for o in coops if o.sector == sector and o.operating_at(H1_2023)]
        assert len(active) == operating, (sector, len(active), operating)
        weights = [rng.lognormvariate(0, 0.6) for _ in active]
        minimum_members = 5 if sector != "credit" else 100
        for org, m, w, c in zip(active, split_total(members, weights, minimum_members),
                                split_total(workers, [x * rng.uniform(0.7, 1.3) for x in weights]),
                                split_total(capital, [x * rng.uniform(0.6, 1.4) for x in weights], 100),
                                strict=True):
            org.base = {"members": m, "workers": w, "capital": float(c)}


def _pin_tam_duong_capital(rng: random.Random, coops: list[Org]) -> None:
    """Move capital between Tam Đường HTX and HTX elsewhere in the same sector, so that
    Tam Đường's published 141.075 holds while every sector total stays the report's."""
    active = [o for o in coops if o.operating_at(H1_2023) and o.base and o.kind == OrgKind.HTX]
    inside = [o for o in active if o.district == TAM_DUONG]
    outside = [o for o in active if o.district != TAM_DUONG]
    difference = TAM_DUONG_CAPITAL_2023H1 - sum(o.base["capital"] for o in inside)
    while abs(difference) >= 1:
        if difference > 0:
            donor = max(outside, key=lambda o: o.base["capital"])
            receiver = rng.choice([o for o in inside if o.sector == donor.sector])
        else:
            donor = max(inside, key=lambda o: o.base["capital"])
            receiver = rng.choice([o for o in outside if o.sector == donor.sector])
        amount = min(abs(difference), round(donor.base["capital"] * 0.3))
        donor.base["capital"] -= amount
        receiver.base["capital"] += amount
        difference += -amount if difference > 0 else amount


def _base_of_the_others(register: Register, coops: list[Org]) -> None:
    """HTX stopped at 30/6/2023 or not there then, and THT: small invented figures."""
    rng = register.rng
    for org in coops:
        if not org.operating_at(H1_2023):
            org.base = {"members": rng.randint(5, 9), "workers": 0, "capital": float(rng.randint(5, 60) * 100)}
    for org in register.orgs:
        if org.org_type == OrgType.COOP and not org.base:
            org.base = {"members": rng.randint(6, 15), "workers": rng.randint(3, 12),
                        "capital": float(rng.randint(10, 80) * 100)}
        if org.org_type == OrgType.GROUP:
            org.base = {"members": rng.randint(5, 9), "workers": rng.randint(0, 2), "capital": 0.0}


def _split_group_people(register: Register) -> None:
    """The THT at 30/6/2023 have 2.115 members and workers in all."""
    groups = [o for o in register.of_type(OrgType.GROUP) if o.exists_at(H1_2023)]
    people = split_total(GROUP_PEOPLE_2023H1, [o.base["members"] + o.base["workers"] for o in groups], 5)
    for org, total in zip(groups, people, strict=True):
        org.base["workers"] = min(org.base["workers"], total - 5)
        org.base["members"] = total - org.base["workers"]


# --- The snapshots of 31/12/2022 and 30/6/2023 ------------------------------------------------
def _operating_coop_rows(rows: list[dict], by_id: dict[int, Org]) -> list[dict]:
    return [r for r in rows if by_id[r["org_id"]].org_type == OrgType.COOP and r["status"] == Status.OPERATING]


def calibrate_end_2022(register: Register, rows: list[dict]) -> None:
    """The end-2022 stocks of operating HTX: capital, members, workers."""
    operating = _operating_coop_rows(rows, register.by_id())
    _rescale(operating, "charter_capital", END_2022_CAPITAL, minimum=100)
    _rescale(operating, "members", END_2022_MEMBERS, minimum=5)
    _rescale([r for r in operating if r["workers"]], "workers", END_2022_WORKERS, minimum=1)


def calibrate_h1_2023(register: Register, rows: list[dict]) -> None:
    """Ratings, incomes and alliance membership at 30/6/2023."""
    by_id = register.by_id()
    operating = _operating_coop_rows(rows, by_id)
    _pin_ratings(operating, by_id)
    _pin_incomes(operating, rows, by_id)
    _pin_alliance(register, operating, by_id)


def _pin_ratings(operating: list[dict], by_id: dict[int, Org]) -> None:
    """Exactly 42 of 174 agricultural and 120 of 326 HTX rated Tốt or Khá."""
    for group, wanted in EFFECTIVE_2023H1.items():
        pool = [r for r in operating if (by_id[r["org_id"]].sector == "agriculture") == (group == "agriculture")]
        rated = sorted((r for r in pool if r["rating"] is not None), key=lambda r: by_id[r["org_id"]].score,
                       reverse=True)
        for index, row in enumerate(rated):
            if index < wanted:
                row["rating"] = Rating.GOOD if index < wanted // 3 else Rating.FAIR
            elif row["rating"] in (Rating.GOOD, Rating.FAIR):
                row["rating"] = Rating.AVERAGE


def _pin_incomes(operating: list[dict], rows: list[dict], by_id: dict[int, Org]) -> None:
    """The workers-weighted mean income is 52,6 million a year in HTX, 37 in THT (per person)."""
    paid = [r for r in operating if r["workers"] and r["avg_income_month"] is not None]
    _pin_weighted_mean(paid, COOP_INCOME_YEAR_2023H1 / 12, "workers")
    groups = [r for r in rows if by_id[r["org_id"]].org_type == OrgType.GROUP]
    for row in groups:
        row["people"] = row["members"] + row["workers"]
    _pin_weighted_mean(groups, GROUP_INCOME_YEAR_2023H1 / 12, "people")
    for row in groups:
        del row["people"]


def _pin_alliance(register: Register, operating: list[dict], by_id: dict[int, Org]) -> None:
    """176 operating HTX are members of the alliance at 30/6/2023; others join later."""
    rng = register.rng
    ids = [r["org_id"] for r in operating]
    members = set(rng.sample(sorted(ids), ALLIANCE_2023H1))
    for org_id in ids:
        org = by_id[org_id]
        if org_id in members:
            org.alliance_joined_on = random_day(rng, max(org.registered_on, date(2012, 1, 1)), H1_2023)
        elif rng.random() < 0.3:
            org.alliance_joined_on = random_day(rng, H1_2023 + timedelta(days=10), date(2024, 12, 20))
    for org in register.of_type(OrgType.COOP):
        if org.registered_on > H1_2023 and rng.random() < 0.4:
            org.alliance_joined_on = random_day(rng, org.registered_on, max(org.registered_on, date(2024, 12, 20)))


# --- Flows over the half-year ------------------------------------------------------------------
def pin_flows_2023h1(register: Register, facts: list[dict]) -> None:
    """New members, new workers and revenue over Q1 + Q2 2023 add up to the report's."""
    rng = register.rng
    by_id = register.by_id()
    half = [r for r in facts if date(2023, 1, 1) <= r["as_of"] <= H1_2023]
    coops = [r for r in half if by_id[r["org_id"]].org_type == OrgType.COOP]
    operating = [r for r in coops if r["status"] == Status.OPERATING]
    _redistribute(operating, "revenue", COOP_REVENUE_2023H1, rng, minimum=10)
    _redistribute(operating, "new_members", NEW_MEMBERS_2023H1, rng)
    _redistribute([r for r in operating if r["workers"]], "new_workers", NEW_WORKERS_2023H1, rng)
    for row in coops:
        if row["status"] != Status.OPERATING:
            row["new_members"] = row["new_workers"] = 0
        elif not row["workers"]:
            row["new_workers"] = 0  # the report's 143 are counted where there are workers to count
    groups = [r for r in half if by_id[r["org_id"]].org_type == OrgType.GROUP]
    _redistribute(groups, "new_members", GROUP_NEW_MEMBERS_2023H1, rng)


# --- Arithmetic ----------------------------------------------------------------------------------
def _rescale(rows: list[dict], column: str, total: float, minimum: int = 0) -> None:
    values = split_total(int(total), [max(r[column], 1) for r in rows], minimum)
    for row, value in zip(rows, values, strict=True):
        row[column] = float(value) if isinstance(row[column], float) else value


def _redistribute(rows: list[dict], column: str, total: int, rng: random.Random, minimum: int = 0) -> None:
    weights = [(r[column] or 0) + rng.random() * 0.5 for r in rows]
    values = split_total(total, weights, minimum)
    for row, value in zip(rows, values, strict=True):
        row[column] = float(value) if column == "revenue" else value


def _pin_weighted_mean(rows: list[dict], mean: float, weight: str) -> None:
    """Shift incomes so that Σ income·weight / Σ weight is `mean`, to the last hundredth."""
    total_weight = sum(r[weight] for r in rows)
    current = sum(r["avg_income_month"] * r[weight] for r in rows) / total_weight
    for row in rows:
        row["avg_income_month"] = round(row["avg_income_month"] + mean - current, 2)
    largest = max(rows, key=lambda r: r[weight])
    rest = sum(r["avg_income_month"] * r[weight] for r in rows if r is not largest)
    largest["avg_income_month"] = round((mean * total_weight - rest) / largest[weight], 2)
