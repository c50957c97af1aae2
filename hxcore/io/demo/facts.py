"""Quarterly facts of every organisation, 2021 to 2026-Q3: stocks derived from the 30/6/2023 base by
each organisation's growth, flows, incomes and ratings drawn at random, and the two report
dates (31/12/2022, 30/6/2023) calibrated as each snapshot is made."""

from __future__ import annotations

import random
from datetime import date

from hxcore.io.demo.calibration import calibrate_end_2022, calibrate_h1_2023, set_base_2023h1
from hxcore.io.demo.register import Org, Register
from hxcore.io.demo.report import END_2022, H1_2023, SNAPSHOTS, SNAPSHOTS_TO_2024
from hxcore.model.vocab import OrgKind, OrgType, Quality, Rating, Status

CALIBRATIONS = {END_2022: calibrate_end_2022, H1_2023: calibrate_h1_2023}


def build_facts(register: Register) -> list[dict]:
    set_base_2023h1(register)
    return facts_on(register, SNAPSHOTS_TO_2024)


def facts_on(register: Register, days: list[date]) -> list[dict]:
    """Every organisation's facts on each of `days`, calibrated on the report's dates."""
    rows = []
    for day in days:
        snapshot = [_fact_row(register.rng, org, day) for org in register.orgs if org.exists_at(day)]
        if day in CALIBRATIONS:
            CALIBRATIONS[day](register, snapshot)
        rows.extend(snapshot)
    return rows


def _stocks(org: Org, day: date, operating: bool) -> tuple[int, int, float]:
    """Members, workers and charter capital at `day`: the base at 30/6/2023, scaled elsewhere."""
    base = org.base
    if day == H1_2023:
        return base["members"], (base["workers"] if operating else 0), base["capital"]
    scale = org.growth ** ((day - H1_2023).days / 365.25)
    young = min(1.0, 0.55 + (day - org.registered_on).days / 730)  # new organisations grow into their size
    members = max(5 if org.org_type != OrgType.UNION else 4, round(base["members"] * scale * young))
    workers = round(base["workers"] * scale * young) if operating else 0
    capital = base["capital"] if org.kind == OrgKind.CREDIT_FUND else round(base["capital"] * scale, -1)
    return members, workers, capital


def _fact_row(rng: random.Random, org: Org, day: date) -> dict:
    operating = org.operating_at(day) if org.org_type == OrgType.COOP else True
    members, workers, capital = _stocks(org, day, operating)
    row = {
        "org_id": org.id, "as_of": day, "status": Status.OPERATING if operating else Status.STOPPED,
        "charter_capital": float(capital), "members": int(members), "workers": int(workers),
        "revenue": None, "avg_income_month": None, "rating": None, "new_members": 0, "new_workers": 0,
        "quality": Quality.ESTIMATED if day in (H1_2023, SNAPSHOTS[-1]) else Quality.REPORTED,
    }
    if org.org_type == OrgType.UNION:
        row.update(members=4, workers=9, charter_capital=2000.0, revenue=float(rng.randint(900, 1300)),
                   avg_income_month=4.6)
    elif operating:
        _add_flows(rng, org, day, row)
    return row


def _add_flows(rng: random.Random, org: Org, day: date, row: dict) -> None:
    """Revenue, income, rating and newcomers of an operating HTX or THT."""
    age_days = (day - org.registered_on).days
    trend = 1 + 0.045 * (day - H1_2023).days / 365.25
    if org.org_type == OrgType.COOP:
        row["revenue"] = float(round(max(20.0, org.base["capital"] * rng.uniform(0.05, 0.15) * trend)))
        if row["workers"]:
            row["avg_income_month"] = round(rng.uniform(3.4, 5.4) * trend, 2)
        if age_days >= 365:  # not rated in the first twelve months
            row["rating"] = _rating(rng, org, day)
    else:
        row["avg_income_month"] = round(rng.uniform(2.5, 3.7) * trend, 2)
    new_rate = 0.03 if age_days > 200 else 0.5
    row["new_members"] = sum(rng.random() < new_rate for _ in range(max(1, row["members"] // 4)))
    if org.org_type == OrgType.COOP:
        row["new_workers"] = sum(rng.random() < new_rate for _ in range(max(1, row["workers"] // 3)))


def _rating(rng: random.Random, org: Org, day: date) -> Rating:
    years = (day - H1_2023).days / 365.25
    score = org.score + 0.04 * years + rng.uniform(-0.08, 0.08)
    if score > 0.80:
        return Rating.GOOD
    if score > 0.62:
        return Rating.FAIR
    return Rating.AVERAGE if score > 0.25 else Rating.WEAK
