"""The HTX of the register: the report's 416 at 30/6/2023 (named ones included), their districts,
the half-year's new and dissolved ones, their history, when stopped ones stopped, and communes."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from hxcore.io.demo.arith import random_day, split_total
from hxcore.io.demo.history import date_history
from hxcore.io.demo.register import Org, Register
from hxcore.io.demo.report import (
    COMMUNES_WITH_COOP_2023H1,
    COOPS_AT,
    COOPS_DISSOLVED_IN,
    DISSOLVED_2023H1,
    DISTRICT_COOPS_2023H1,
    END_2022,
    H1_2023,
    NAMED_COOPS,
    NEW_COOPS_2023H1,
    SECTOR_2023H1,
    SUPPORTED_NEW_2023H1,
)
from hxcore.model.vocab import OrgKind, OrgType

STOPPED = date(1900, 1, 1)  # placeholder: stopped at 30/6/2023, the date is chosen later


def build_coops(register: Register) -> None:
    present = _present_at_2023h1(register)
    _assign_districts(register, present)
    _new_in_2023h1(register, present)
    dissolved = _dissolved_in_2023h1(register)
    date_history(register, present + dissolved, COOPS_AT, COOPS_DISSOLVED_IN, OrgType.COOP)
    _stop_dates(register, register.of_type(OrgType.COOP))
    _assign_communes(register)
    for org in register.of_type(OrgType.COOP):
        if not org.name:
            org.name = register.invent_name(org)


def _kind(sector: str) -> OrgKind:
    return OrgKind.CREDIT_FUND if sector == "credit" else OrgKind.HTX


def _present_at_2023h1(register: Register) -> list[Org]:
    """The report's operating and stopped HTX per sector, the named ones first."""
    present: list[Org] = []
    for name, district, sector in NAMED_COOPS:
        org = register.new_org(OrgType.COOP, _kind(sector), sector)
        org.name, org.district = name, district
        present.append(org)
    for sector, (operating, stopped, *_) in SECTOR_2023H1.items():
        named_here = sum(1 for o in present if o.sector == sector)
        for index in range(operating + stopped - named_here):
            org = register.new_org(OrgType.COOP, _kind(sector), sector)
            # Named organisations are operating; the others fill the stopped places first.
            org.stopped_from = STOPPED if index < stopped else None
            present.append(org)
    return present


def _assign_districts(register: Register, present: list[Org]) -> None:
    remaining = Counter(DISTRICT_COOPS_2023H1)
    for org in present:
        if org.district:
            remaining[org.district] -= 1
    slots = [code for code, count in sorted(remaining.items()) for _ in range(count)]
    register.rng.shuffle(slots)
    for org in present:
        if not org.district:
            org.district = slots.pop()


def _new_in_2023h1(register: Register, present: list[Org]) -> None:
    """The 13 new HTX of H1 2023 are operating and not among the report's named ones."""
    rng = register.rng
    for sector, count in NEW_COOPS_2023H1.items():
        pool = [o for o in present if o.sector == sector and o.stopped_from is None and not o.name]
        for index, org in enumerate(rng.sample(pool, count)):
            org.registered_on = random_day(rng, date(2023, 1, 5), date(2023, 6, 25))
            org.founding_supported = index < SUPPORTED_NEW_2023H1.get(sector, 0)


def _dissolved_in_2023h1(register: Register) -> list[Org]:
    dissolved: list[Org] = []
    for sector, count in DISSOLVED_2023H1.items():
        for _ in range(count):
            org = register.new_org(OrgType.COOP, OrgKind.HTX, sector)
            org.dissolved_on = random_day(register.rng, date(2023, 1, 10), date(2023, 6, 20))
            dissolved.append(org)
    return dissolved


def _stop_dates(register: Register, coops: list[Org]) -> None:
    """When stopped HTX stopped: before 2023 for those stopped at 30/6/2023, so that the
    year's revenue comes only from HTX operating at the report's date."""
    rng = register.rng
    for org in coops:
        if org.stopped_from == STOPPED or (org.dissolved_on and org.dissolved_on <= H1_2023):
            latest = min(END_2022, (org.dissolved_on or END_2022) - timedelta(days=30))
            earliest = org.registered_on + timedelta(days=300)
            org.stopped_from = random_day(rng, min(earliest, latest), latest)
    # After the report some operating HTX stop, and those dissolved later had stopped first.
    for org in coops:
        if org.dissolved_on and org.dissolved_on > H1_2023 and org.stopped_from is None:
            org.stopped_from = random_day(rng, H1_2023 + timedelta(days=1), org.dissolved_on)
    later = [o for o in coops if o.stopped_from is None and o.dissolved_on is None and not o.name
             and o.registered_on < date(2022, 1, 1)]
    for org in rng.sample(later, 14):
        org.stopped_from = random_day(rng, date(2023, 7, 15), date(2024, 12, 1))


def _assign_communes(register: Register) -> None:
    """Exactly 81 communes have an operating HTX at 30/6/2023."""
    rng = register.rng
    operating = defaultdict(list)
    for org in register.of_type(OrgType.COOP):
        if org.operating_at(H1_2023):
            operating[org.district].append(org)
    covered = _covered_communes(register, operating)
    for district, orgs in operating.items():
        rng.shuffle(orgs)
        for index, org in enumerate(orgs):
            chosen = covered[district]
            org.commune = chosen[index] if index < len(chosen) else rng.choice(chosen)
    for org in register.of_type(OrgType.COOP):
        if not org.commune:
            # Not operating at the report's date: anywhere in its district.
            org.commune = register.random_commune(org.district)


def _covered_communes(register: Register, operating: dict[str, list[Org]]) -> dict[str, list[str]]:
    """The communes with an operating HTX, per district: 81 in all, in proportion to the
    districts' communes, never more than the district's operating HTX."""
    communes = register.communes_by_district
    district_codes = sorted(communes)
    total_communes = sum(len(communes[d]) for d in district_codes)
    quota = split_total(COMMUNES_WITH_COOP_2023H1, [len(communes[d]) / total_communes for d in district_codes])
    covered = {}
    for district, wanted in zip(district_codes, quota, strict=True):
        wanted = min(wanted, len(operating[district]), len(communes[district]))
        covered[district] = register.rng.sample(sorted(communes[district]), wanted)
    shortfall = COMMUNES_WITH_COOP_2023H1 - sum(len(v) for v in covered.values())
    for district in district_codes:
        spare = [c for c in communes[district] if c not in covered[district]]
        while shortfall > 0 and spare and len(covered[district]) < len(operating[district]):
            covered[district].append(spare.pop())
            shortfall -= 1
    return covered
