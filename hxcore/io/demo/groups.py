"""The THT (cooperative groups) of the register, and the one union of cooperatives."""

from __future__ import annotations

from datetime import date

from hxcore.io.demo.arith import random_day
from hxcore.io.demo.history import date_history
from hxcore.io.demo.register import Register
from hxcore.io.demo.report import END_2022, GROUP_DISTRICT_WEIGHTS, GROUPS_2023H1, GROUPS_AT, GROUPS_DISSOLVED_IN, H1_2023, UNION_NAME
from hxcore.model.vocab import OrgKind, OrgType


def build_groups(register: Register) -> None:
    rng = register.rng
    present = []
    for sector, count in GROUPS_2023H1.items():
        for _ in range(count):
            org = register.new_org(OrgType.GROUP, OrgKind.THT, sector)
            org.district = register.random_district(GROUP_DISTRICT_WEIGHTS)
            present.append(org)
    for org in rng.sample(present, GROUPS_AT[H1_2023] - GROUPS_AT[END_2022]):
        org.registered_on = random_day(rng, date(2023, 1, 10), date(2023, 6, 25))
    date_history(register, present, GROUPS_AT, GROUPS_DISSOLVED_IN, OrgType.GROUP)
    for org in register.of_type(OrgType.GROUP):
        org.commune = register.random_commune(org.district)
        org.name = register.invent_name(org)
    _add_union(register)


def _add_union(register: Register) -> None:
    union = register.new_org(OrgType.UNION, OrgKind.UNION, "trade")
    union.name, union.district, union.registered_on = UNION_NAME, "105", date(2019, 10, 15)
    union.commune = "03389"
    union.base = {"members": 4, "workers": 9, "capital": 2000.0}
