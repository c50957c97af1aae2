"""Registration and dissolution dates, half-year by half-year, so that the province's totals of
HTX (or THT) at every half-year end are the report's (or the invented ones around them).

Backward from 30/6/2023: the organisations present at a half's end are those present at the
previous end, plus those registered in the half, minus those dissolved in it. Forward from
30/6/2023 new organisations are added and stopped ones dissolved.
"""

from __future__ import annotations

from datetime import date, timedelta

from hxcore.io.demo.arith import half_start, random_day
from hxcore.io.demo.register import Org, Register
from hxcore.io.demo.report import DISTRICT_COOPS_2023H1, GROUP_DISTRICT_WEIGHTS, H1_2023, HALF_ENDS, HALF_ENDS_TO_2024
from hxcore.model.vocab import SECTORS, OrgKind, OrgType


def date_history(register: Register, at_2023h1: list[Org], totals: dict, dissolved_in: dict, org_type: OrgType) -> None:
    """Date every organisation of `org_type`; `at_2023h1` are those of the report's date, with
    the half-year's own new and dissolved ones already dated by the caller."""
    History(register, org_type, totals, dissolved_in).place(at_2023h1)


class History:
    def __init__(self, register: Register, org_type: OrgType, totals: dict, dissolved_in: dict):
        self.register, self.rng = register, register.rng
        self.org_type = org_type
        self.totals, self.dissolved_in = totals, dissolved_in
        self.kind = OrgKind.HTX if org_type == OrgType.COOP else OrgKind.THT
        self.sectors = [s.code for s in SECTORS if s.org_type == org_type and s.code != "credit"]
        self.weights = DISTRICT_COOPS_2023H1 if org_type == OrgType.COOP else GROUP_DISTRICT_WEIGHTS

    def place(self, at_2023h1: list[Org]) -> None:
        present = [o for o in at_2023h1 if o.dissolved_on is None]
        undated = [o for o in present if o.registered_on is None and not o.name.startswith("Quỹ")]
        self._backward(undated)
        self._date_the_older(undated)
        self._forward()
        for org in self.register.of_type(self.org_type):
            if not org.district:
                org.district = self.register.random_district(self.weights)

    def _new_count(self, end: date, previous_end: date) -> int:
        return self.totals[end] - self.totals[previous_end] + self.dissolved_in[end]

    def _founding_supported(self, probability: float) -> bool:
        return self.org_type == OrgType.COOP and self.rng.random() < probability

    # --- Before 30/6/2023 -------------------------------------------------------------------
    def _backward(self, undated: list[Org]) -> None:
        halves_back = [d for d in HALF_ENDS if d <= H1_2023][::-1]  # 2023-06-30, 2022-12-31, ...
        # The first is the report's own half: its new and dissolved were placed by the caller.
        for end, previous_end in zip(halves_back[1:], halves_back[2:], strict=False):
            self._dissolved_before(end)
            candidates = [o for o in undated if o.registered_on is None and o.stopped_from is None]
            for org in self.rng.sample(candidates, self._new_count(end, previous_end)):
                org.registered_on = random_day(self.rng, half_start(end), end - timedelta(days=3))
                org.founding_supported = self._founding_supported(0.7)

    def _dissolved_before(self, end: date) -> None:
        """Organisations dissolved in the half ending on `end`, gone by 30/6/2023."""
        for _ in range(self.dissolved_in[end]):
            org = self.register.new_org(self.org_type, self.kind, self.rng.choice(self.sectors))
            org.district = self.register.random_district(self.weights)
            org.dissolved_on = random_day(self.rng, half_start(end), end - timedelta(days=5))

    def _date_the_older(self, undated: list[Org]) -> None:
        """Those not registered in a half since 2020 were registered before it."""
        rng = self.rng
        orgs = self.register.of_type(self.org_type)
        for org in undated + [o for o in orgs if o.registered_on is None]:
            if org.registered_on is None:
                org.registered_on = random_day(rng, date(2007, 1, 1), date(2020, 11, 30))
        for org in orgs:
            if org.dissolved_on and org.registered_on >= org.dissolved_on:
                org.registered_on = random_day(rng, date(2008, 1, 1), date(2019, 12, 31))

    # --- After 30/6/2023 --------------------------------------------------------------------
    def _forward(self) -> None:
        self.forward([d for d in HALF_ENDS_TO_2024 if d > H1_2023], H1_2023)

    def forward(self, ends: list[date], previous_end: date) -> None:
        """Half by half after `previous_end`: dissolutions, then new organisations."""
        for end in ends:
            self._dissolve_after(previous_end, end)
            self._register_after(previous_end, end)
            previous_end = end

    def _dissolve_after(self, previous_end: date, end: date) -> None:
        """THT, and HTX that had stopped (never a credit fund), dissolved in the half."""
        pool = [o for o in self.register.of_type(self.org_type) if o.exists_at(previous_end)
                and (self.org_type == OrgType.GROUP or o.stopped_from is not None) and o.kind != OrgKind.CREDIT_FUND]
        for org in self.rng.sample(pool, self.dissolved_in[end]):
            org.dissolved_on = random_day(self.rng, half_start(end), end - timedelta(days=3))

    def _register_after(self, previous_end: date, end: date) -> None:
        rng = self.rng
        sector_weights = [4 if s == "agriculture" else 1 for s in self.sectors]
        for _ in range(self._new_count(end, previous_end)):
            org = self.register.new_org(self.org_type, self.kind, rng.choices(self.sectors, sector_weights)[0])
            org.district = self.register.random_district(self.weights)
            org.registered_on = random_day(rng, half_start(end), end - timedelta(days=3))
            org.founding_supported = self._founding_supported(0.8)
