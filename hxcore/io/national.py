"""A synthetic national dataset: every province, ~30.000 HTX and ~65.000 THT, ten years.

Lai Châu inside it is the Lai Châu demo unchanged (so its figures still match the report);
the other 62 provinces, their districts and communes are invented, with the real province
names and GSO province codes. Used to measure hx at the size of the whole country.
"""

from __future__ import annotations

import itertools
import random
from collections import namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from hxcore.db import schema
from hxcore.io.demo import DEMO_NOTE, lai_chau_content, refuse_over_imports, write_content
from hxcore.io.demo.database import MadeWhileWritten
from hxcore.model.areas import PROVINCE_CODE, slugify
from hxcore.model.periods import periods_between
from hxcore.model.vocab import OrgKind, OrgType, Quality, Rating, Status, TrainingKind

# GSO codes and names of the 63 provinces before the 2025 merger.
PROVINCES = (
    ("01", "Thành phố Hà Nội"), ("02", "Tỉnh Hà Giang"), ("04", "Tỉnh Cao Bằng"), ("06", "Tỉnh Bắc Kạn"),
    ("08", "Tỉnh Tuyên Quang"), ("10", "Tỉnh Lào Cai"), ("11", "Tỉnh Điện Biên"), ("12", "Tỉnh Lai Châu"),
    ("14", "Tỉnh Sơn La"), ("15", "Tỉnh Yên Bái"), ("17", "Tỉnh Hoà Bình"), ("19", "Tỉnh Thái Nguyên"),
    ("20", "Tỉnh Lạng Sơn"), ("22", "Tỉnh Quảng Ninh"), ("24", "Tỉnh Bắc Giang"), ("25", "Tỉnh Phú Thọ"),
    ("26", "Tỉnh Vĩnh Phúc"), ("27", "Tỉnh Bắc Ninh"), ("30", "Tỉnh Hải Dương"), ("31", "Thành phố Hải Phòng"),
    ("33", "Tỉnh Hưng Yên"), ("34", "Tỉnh Thái Bình"), ("35", "Tỉnh Hà Nam"), ("36", "Tỉnh Nam Định"),
    ("37", "Tỉnh Ninh Bình"), ("38", "Tỉnh Thanh Hóa"), ("40", "Tỉnh Nghệ An"), ("42", "Tỉnh Hà Tĩnh"),
    ("44", "Tỉnh Quảng Bình"), ("45", "Tỉnh Quảng Trị"), ("46", "Tỉnh Thừa Thiên Huế"), ("48", "Thành phố Đà Nẵng"),
    ("49", "Tỉnh Quảng Nam"), ("51", "Tỉnh Quảng Ngãi"), ("52", "Tỉnh Bình Định"), ("54", "Tỉnh Phú Yên"),
    ("56", "Tỉnh Khánh Hòa"), ("58", "Tỉnh Ninh Thuận"), ("60", "Tỉnh Bình Thuận"), ("62", "Tỉnh Kon Tum"),
    ("64", "Tỉnh Gia Lai"), ("66", "Tỉnh Đắk Lắk"), ("67", "Tỉnh Đắk Nông"), ("68", "Tỉnh Lâm Đồng"),
    ("70", "Tỉnh Bình Phước"), ("72", "Tỉnh Tây Ninh"), ("74", "Tỉnh Bình Dương"), ("75", "Tỉnh Đồng Nai"),
    ("77", "Tỉnh Bà Rịa - Vũng Tàu"), ("79", "Thành phố Hồ Chí Minh"), ("80", "Tỉnh Long An"),
    ("82", "Tỉnh Tiền Giang"), ("83", "Tỉnh Bến Tre"), ("84", "Tỉnh Trà Vinh"), ("86", "Tỉnh Vĩnh Long"),
    ("87", "Tỉnh Đồng Tháp"), ("89", "Tỉnh An Giang"), ("91", "Tỉnh Kiên Giang"), ("92", "Thành phố Cần Thơ"),
    ("93", "Tỉnh Hậu Giang"), ("94", "Tỉnh Sóc Trăng"), ("95", "Tỉnh Bạc Liêu"), ("96", "Tỉnh Cà Mau"),
)
NATION_CODE = "VN"
SNAPSHOTS = [p.end for p in periods_between("2015-H1", "2024-H2", kind="half")]
COOP_SECTORS = (("agriculture", 55), ("industry", 7), ("construction", 14), ("trade", 14), ("transport", 5),
                ("environment", 3), ("credit", 2))
GROUP_SECTORS = (("agriculture", 60), ("non_agriculture", 40))


def build_national(engine, seed: int = 42, coops: int = 30_000, groups: int = 65_000,
                   progress: Callable[[str], None] = print, force: bool = False) -> dict[str, int]:
    """(Re)build the national dataset, all or nothing; returns row counts per table.

    Refuses (DatabaseHoldsImports) over a database holding imported data unless `force`, before
    spending minutes on the data.
    """
    refuse_over_imports(engine, force)
    rng = random.Random(seed)
    facts_rng = np.random.default_rng(seed + 1)  # a stream of its own: the facts are made after every organisation
    progress("Lai Châu (dữ liệu demo của báo cáo)…")
    content = lai_chau_content(seed)
    organisations = content[schema.organisations]
    lai_chau_coops = sum(1 for o in organisations if o["org_type"] == OrgType.COOP)
    lai_chau_groups = sum(1 for o in organisations if o["org_type"] == OrgType.GROUP)
    _join_the_nation(content[schema.areas])
    progress("Đơn vị hành chính…")
    country = _invent_provinces(content[schema.areas], rng)
    maker = _OrgMaker(content, country, rng, progress)
    progress(f"HTX: {coops - lai_chau_coops:,}…")
    maker.make(coops - lai_chau_coops, OrgType.COOP, COOP_SECTORS)
    progress(f"THT: {groups - lai_chau_groups:,}…")
    maker.make(groups - lai_chau_groups, OrgType.GROUP, GROUP_SECTORS)
    progress("Lớp tập huấn…")
    _add_training(content[schema.training_classes], country, rng)
    # The facts are made while they are written: the organisations are written first, and their
    # summaries built by a worker meanwhile (io/demo/database.py), and 1,2 million facts are never all held.
    facts = content[schema.facts] = MadeWhileWritten(
        itertools.chain(content[schema.facts], _facts_of(maker.made, facts_rng)),
        sorted({row["as_of"] for row in content[schema.facts]} | _dates_with_facts(maker.made)))
    progress(f"Ghi vào cơ sở dữ liệu: {len(organisations):,} tổ chức và số liệu của chúng…")
    counts = {table.name: len(rows) for table, rows in content.items() if table is not schema.facts}
    write_content(engine, content, {"demo": "true", "demo_note": DEMO_NOTE + " Các tỉnh khác là số liệu tổng hợp giả "
                                    "định để đo hiệu năng toàn quốc.", "seed": str(seed), "scale": "national"},
                  progress=progress, force=force, release_rows=True)
    return {**counts, schema.facts.name: facts.count}


# Rows as named tuples of every column, not dicts: 95.000 organisations are held until written, and
# a tuple takes a quarter of a dict's memory (write_content takes either).
Fact = namedtuple("Fact", [c.name for c in schema.facts.columns])
Organisation = namedtuple("Organisation", [c.name for c in schema.organisations.columns])


@dataclass
class _Country:
    """The 62 invented provinces around Lai Châu: their districts, communes and relative size."""

    provinces: list[str] = field(default_factory=list)  # codes, sorted
    weights: list[float] = field(default_factory=list)  # one per province
    districts_of: dict[str, list[str]] = field(default_factory=dict)  # province -> districts
    communes_of: dict[str, list[str]] = field(default_factory=dict)  # district -> communes


def _join_the_nation(areas: list[dict]) -> None:
    """Viet Nam above Lai Châu, so that provinces have a parent."""
    areas.append({"code": NATION_CODE, "name": "Việt Nam", "slug": "viet-nam", "level": "nation", "kind": "quốc gia",
                  "parent_code": None, "valid_from": date(2000, 1, 1), "valid_to": None, "province_code": None,
                  "commune_2025_code": None, "former_district_code": None})
    for area in areas:
        if area["level"] == "province":
            area["parent_code"] = NATION_CODE


def _invent_provinces(areas: list[dict], rng: random.Random) -> _Country:
    """Every province but Lai Châu with 7–15 invented districts of 10–22 communes each."""
    weights = {}
    country = _Country()
    for code, name in PROVINCES:
        if code == PROVINCE_CODE:
            continue
        areas.append({"code": code, "name": name, "slug": slugify(name), "level": "province",
                      "kind": "thành phố" if name.startswith("Thành phố") else "tỉnh", "parent_code": NATION_CODE,
                      "valid_from": date(2000, 1, 1), "valid_to": None, "province_code": code,
                      "commune_2025_code": None, "former_district_code": None})
        weights[code] = rng.uniform(0.5, 1.6)
        for d in range(1, rng.randint(7, 15) + 1):
            district = f"{code}{d:02d}"
            areas.append({"code": district, "name": f"Huyện {_bare(name)} {d}", "slug": f"p{district}",
                          "level": "district", "kind": "huyện", "parent_code": code,
                          "valid_from": date(2000, 1, 1), "valid_to": date(2025, 6, 30), "province_code": code,
                          "commune_2025_code": None, "former_district_code": district})
            country.communes_of[district] = _invent_communes(areas, rng, district)
            country.districts_of.setdefault(code, []).append(district)
    country.provinces = sorted(weights)
    country.weights = [weights[p] for p in country.provinces]
    return country


def _bare(province: str) -> str:
    """The province's name without its kind: "Hà Nội" of "Thành phố Hà Nội" (not "phố Hà Nội")."""
    return province.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def _invent_communes(areas: list[dict], rng: random.Random, district: str) -> list[str]:
    """Invented communes outlive their district: the other provinces' reforms are not invented,
    so each commune is its own 2025 unit and counts under its district as the former one."""
    communes = []
    for c in range(1, rng.randint(10, 22) + 1):
        commune = f"{district}{c:02d}"
        areas.append({"code": commune, "name": f"Xã {c} ({district})", "slug": f"x{commune}",
                      "level": "commune", "kind": "xã", "parent_code": district,
                      "valid_from": date(2000, 1, 1), "valid_to": None, "province_code": district[:2],
                      "commune_2025_code": commune, "former_district_code": district})
        communes.append(commune)
    return communes


class _OrgMaker:
    """Invented HTX and THT across the country, some HTX with a loan; `made`: the invented ones (their facts: _facts_of)."""

    def __init__(self, content: dict, country: _Country, rng: random.Random, progress: Callable[[str], None]):
        self.country, self.rng, self.progress = country, rng, progress
        self.organisations = content[schema.organisations]
        self.made: list[Organisation] = []
        self.loans = content[schema.fund_loans]
        self.repayments = content[schema.fund_repayments]
        self.next_id = max(o["id"] for o in self.organisations) + 1

    def make(self, count: int, org_type: OrgType, sectors) -> None:
        rng = self.rng
        codes, sector_weights = zip(*sectors, strict=True)
        chosen_provinces = rng.choices(self.country.provinces, self.country.weights, k=count)
        for index, province in enumerate(chosen_provinces):
            district = rng.choice(self.country.districts_of[province])
            org = self._org(org_type, province, district, rng.choices(codes, sector_weights)[0])
            self.organisations.append(org)
            self.made.append(org)
            if org_type == OrgType.COOP and rng.random() < 0.08:
                _loan_for(org, rng, self.loans, self.repayments)
            self.next_id += 1
            if index and index % 20_000 == 0:
                self.progress(f"  {org_type.value}: {index:,}/{count:,}")

    def _org(self, org_type: OrgType, province: str, district: str, sector: str) -> Organisation:
        rng = self.rng
        is_coop = org_type == OrgType.COOP
        kind = OrgKind.THT if not is_coop else OrgKind.CREDIT_FUND if sector == "credit" else OrgKind.HTX
        registered = date(1997, 1, 1) + timedelta(days=int(rng.betavariate(2.2, 1.0) * 10_200))
        dissolved = _dissolved(registered, rng)
        commune = rng.choice(self.country.communes_of[district])
        return Organisation(
            id=self.next_id, org_type=org_type.value, kind=kind.value,
            name=f"{'HTX' if is_coop else 'Tổ hợp tác'} {sector} {self.next_id}",
            province_code=province, district_code=district,
            commune_code=commune, commune_2025_code=commune, sector_code=sector,
            registered_on=registered, dissolved_on=dissolved,
            alliance_joined_on=registered + timedelta(days=rng.randint(30, 3000))
            if is_coop and rng.random() < 0.5 else None,
            founding_supported=rng.random() < 0.4, tax_code=None,
        )


def _dissolved(registered: date, rng: random.Random) -> date | None:
    """12% are dissolved some years after registration (unless that falls after 2024)."""
    if rng.random() >= 0.12:
        return None
    dissolved = registered + timedelta(days=rng.randint(400, 5000))
    return dissolved if dissolved < date(2024, 12, 31) else None


def _add_training(training: list[dict], country: _Country, rng: random.Random) -> None:
    """3–12 classes per province and half-year, mostly propaganda."""
    for province in country.provinces:
        for end in SNAPSHOTS:
            for _ in range(rng.randint(3, 12)):
                training.append({
                    "held_on": end - timedelta(days=rng.randint(0, 170)), "province_code": province,
                    "district_code": rng.choice(country.districts_of[province]),
                    "kind": TrainingKind.PROPAGANDA if rng.random() < 0.85 else TrainingKind.MANAGER,
                    "title": "Tuyên truyền chính sách về HTX", "trainees": rng.randint(25, 70)})




# The vocabulary's values as plain text: sqlite3 binds an Enum member (a str subclass) three times slower than a str.
_OPERATING, _STOPPED, _REPORTED = Status.OPERATING.value, Status.STOPPED.value, Quality.REPORTED.value
_RATINGS = np.array([None, Rating.WEAK.value, Rating.AVERAGE.value, Rating.FAIR.value, Rating.GOOD.value], dtype=object)
_RATING_FLOORS = (0.25, 0.6, 0.8)  # the drawn score above which a return is rated average, fair, good
FACTS_PER_DRAW = 5_000  # organisations whose facts are drawn at once: ~65.000 facts, a few MB of arrays
_NEVER = date.max.toordinal()


def _with_facts(organisations: list[Organisation]) -> np.ndarray:
    """Which organisation has a fact at which snapshot date (organisations × SNAPSHOTS): at each one
    from its registration until it is dissolved."""
    days = np.array([day.toordinal() for day in SNAPSHOTS])
    registered = np.array([org.registered_on.toordinal() for org in organisations])
    dissolved = np.array([org.dissolved_on.toordinal() if org.dissolved_on else _NEVER for org in organisations])
    return (registered[:, None] <= days) & (dissolved[:, None] > days)


def _dates_with_facts(organisations: list[Organisation]) -> set[date]:
    """The snapshot dates at which some of the organisations has a fact."""
    if not organisations:
        return set()
    return {day for day, some in zip(SNAPSHOTS, _with_facts(organisations).any(axis=0).tolist(), strict=True) if some}


def _facts_of(organisations: list[Organisation], rng: np.random.Generator) -> Iterator[Fact]:
    """The organisations' facts, organisation after organisation, dates in order: drawn with numpy for
    FACTS_PER_DRAW organisations at a time (drawn value by value in Python, making and writing 1,2
    million facts took ~10 µs a fact, 12 s of the national build)."""
    for start in range(0, len(organisations), FACTS_PER_DRAW):
        yield from _drawn_facts(organisations[start:start + FACTS_PER_DRAW], rng)


def _drawn_facts(organisations: list[Organisation], rng: np.random.Generator) -> Iterator[Fact]:
    """Each organisation's facts from its registration to its dissolution: its members, workers and
    capital growing from what it started with; 22 % of HTX stop some day; an operating HTX's
    revenue, income, rating and new workers drawn each half-year."""
    count = len(organisations)
    days = np.array([day.toordinal() for day in SNAPSHOTS])
    registered = np.array([org.registered_on.toordinal() for org in organisations])
    coop = np.array([org.org_type == OrgType.COOP for org in organisations])
    stops = coop & (rng.random(count) < 0.22)
    stopped_from = np.where(stops, registered + rng.integers(200, 4001, count), _NEVER)
    members0 = np.where(coop, rng.integers(5, 31, count), rng.integers(5, 13, count))
    workers0 = np.where(coop, rng.integers(2, 26, count), rng.integers(0, 4, count))
    capital0 = np.where(coop, rng.integers(5, 121, count) * 100, 0)
    score, growth = rng.random(count), rng.uniform(1.0, 1.08, count)

    # One row per (organisation, date) with a fact, organisation by organisation, dates in order.
    org, day = np.nonzero(_with_facts(organisations))
    rows = len(org)
    years = (days[day] - registered[org]) / 365.25
    scale = growth[org] ** years
    operating = stopped_from[org] > days[day]
    in_coop = coop[org]
    members = np.maximum(5, np.round(members0[org] * scale)).astype(np.int64)
    workers = np.where(operating, np.round(workers0[org] * scale), 0).astype(np.int64)
    first = np.ones(rows, dtype=bool)
    first[1:] = org[1:] != org[:-1]
    joined = np.where(first, members, np.maximum(0, members - np.roll(members, 1)))
    rated = in_coop & operating & (years >= 1)
    value = score[org] + 0.02 * (np.array([d.year for d in SNAPSHOTS])[day] - 2015) + rng.uniform(-0.1, 0.1, rows)
    rating = _RATINGS[np.where(rated, 1 + np.searchsorted(_RATING_FLOORS, value, side="left"), 0)]
    revenue = _or_none(np.round(capital0[org] * rng.uniform(0.08, 0.25, rows)), operating & in_coop)
    income = np.round(np.where(in_coop, rng.uniform(3.0, 6.5, rows), rng.uniform(2.3, 4.0, rows)), 2)
    new_workers = np.where(operating & in_coop, rng.integers(0, 3, rows), 0)
    ids = np.array([o.id for o in organisations])[org]
    # Python values for the driver (sqlite3 binds no numpy scalar), in Fact's column order.
    return map(Fact._make, zip(
        ids.tolist(), [SNAPSHOTS[i] for i in day.tolist()],
        np.where(operating, _OPERATING, _STOPPED).tolist(), np.round(capital0[org] * scale, -1).tolist(),
        members.tolist(), workers.tolist(), revenue, _or_none(income, operating & ((workers > 0) | ~in_coop)),
        rating.tolist(), joined.tolist(), new_workers.tolist(), itertools.repeat(_REPORTED, rows), strict=True))


def _or_none(values: np.ndarray, kept: np.ndarray) -> list:
    """The values where kept, else None, as Python floats."""
    out = values.astype(object)
    out[~kept] = None
    return out.tolist()


def _loan_for(org: Organisation, rng: random.Random, loans: list[dict], repayments: list[dict]) -> None:
    start = max(org.registered_on, date(2015, 1, 1)) + timedelta(days=rng.randint(30, 900))
    if start > date(2024, 11, 30):
        return
    loan_id = len(loans) + 1
    amount = float(rng.randint(4, 20) * 50)
    loans.append({"id": loan_id, "org_id": org.id, "disbursed_on": start, "amount": amount,
                  "purpose": "Vay vốn phát triển sản xuất"})
    paid, day = 0.0, start + timedelta(days=365)
    while paid < amount and day < date(2024, 12, 31):
        part = min(amount - paid, float(rng.randint(1, 4) * 50))
        paid += part
        repayments.append({"id": len(repayments) + 1, "loan_id": loan_id, "paid_on": day, "amount": part,
                           "settles_loan": paid >= amount})
        day += timedelta(days=182)
