"""2025 to 2026-Q3: the half-years after the ones the demo was first built for, across the reform
of 1/7/2025, drawn from a random stream of their own so that every figure up to 2024 stays what it
was. New organisations, stops and dissolutions, alliance joins, quarterly facts, classes, fairs and
the fund's loans; organisations registered from 1/7/2025 are located in the 38 new communes.

Everything here is invented (no province figures after August 2023 are published), with the
trends of 2023-2024 carried on: the database says so in `meta`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from hxcore.io.demo.activity import build_fairs, build_training
from hxcore.io.demo.arith import random_day
from hxcore.io.demo.facts import facts_on
from hxcore.io.demo.fund import FundLedger
from hxcore.io.demo.history import History
from hxcore.io.demo.register import Register
from hxcore.io.demo.report import (
    COOPS_AT,
    COOPS_DISSOLVED_IN,
    END_2024,
    GROUPS_AT,
    GROUPS_DISSOLVED_IN,
    HALF_ENDS_LATER,
    LAST_DAY,
    SNAPSHOTS_LATER,
)
from hxcore.model.areas import REFORM_DATE, former_district_of, successor_2025
from hxcore.model.vocab import OrgKind, OrgType

LATER_STREAM = 2025  # added to the seed: the stream of the years after 2024
STOPPING_LATER = 12  # operating HTX that stop between 2025 and 2026-Q3
ALLIANCE_SHARE_OF_NEW = 0.45  # new HTX that join the alliance within their first months


def extend_past_2024(register: Register, fund: FundLedger) -> dict[str, list[dict]]:
    """The organisations, facts and activity of 2025 to 2026-Q3: {"facts", "training", "fairs"}
    rows to add (the register and the fund's ledger grow in place)."""
    register.rng = random.Random(register.seed + LATER_STREAM)
    fund.rng = register.rng
    _stop_some(register)
    for org_type, totals, dissolved in ((OrgType.COOP, COOPS_AT, COOPS_DISSOLVED_IN),
                                        (OrgType.GROUP, GROUPS_AT, GROUPS_DISSOLVED_IN)):
        History(register, org_type, totals, dissolved).forward(HALF_ENDS_LATER, END_2024)
    for org in register.orgs:
        if org.registered_on > END_2024:
            _place_new(register, org)
    fund.after_the_report(HALF_ENDS_LATER)
    return {"facts": facts_on(register, SNAPSHOTS_LATER), "training": build_training(register, HALF_ENDS_LATER),
            "fairs": build_fairs(register, HALF_ENDS_LATER)}


def _stop_some(register: Register) -> None:
    """A few long-standing HTX stop (the pool the next halves dissolve from)."""
    rng = register.rng
    pool = [o for o in register.of_type(OrgType.COOP) if o.operating_at(END_2024) and o.kind == OrgKind.HTX
            and o.stopped_from is None and o.registered_on < date(2022, 1, 1)]
    for org in rng.sample(sorted(pool, key=lambda o: o.id), STOPPING_LATER):
        org.stopped_from = random_day(rng, date(2025, 1, 15), LAST_DAY - timedelta(days=20))


def _place_new(register: Register, org) -> None:
    """A commune, a name, a starting size and perhaps the alliance for an organisation registered
    after 2024; from 1/7/2025 it is located in a 2025 commune only, under its former district."""
    rng = register.rng
    org.commune = register.random_commune(org.district)
    if org.registered_on >= REFORM_DATE:
        org.commune_2025 = successor_2025(org.commune)
        org.commune, org.district = "", former_district_of(org.commune_2025)
    org.name = register.invent_name(org)
    if org.org_type == OrgType.COOP:
        org.base = {"members": rng.randint(6, 15), "workers": rng.randint(3, 12),
                    "capital": float(rng.randint(10, 80) * 100)}
        if rng.random() < ALLIANCE_SHARE_OF_NEW:
            org.alliance_joined_on = random_day(rng, org.registered_on, max(org.registered_on, LAST_DAY - timedelta(days=5)))
    else:
        org.base = {"members": rng.randint(5, 9), "workers": rng.randint(0, 2), "capital": 0.0}
