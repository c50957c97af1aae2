"""The register of organisations: every HTX, THT and the union of the demo, the areas they sit
in, and the one random stream every step of the build draws from, in a fixed order."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from hxcore.model.areas import PROVINCE_CODE, read_reference
from hxcore.model.vocab import OrgKind, OrgType

_NAME_STEMS = {
    "agriculture": ("Nông nghiệp", "Chè", "Dược liệu", "Chăn nuôi", "Nuôi cá lòng hồ", "Mật ong", "Lúa gạo",
                    "Nông lâm nghiệp", "Rau an toàn", "Cây ăn quả"),
    "industry": ("Chế biến nông sản", "Mộc dân dụng", "Dệt thổ cẩm", "Cơ khí", "Chế biến chè"),
    "construction": ("Xây dựng", "Vật liệu xây dựng", "Xây dựng và thương mại", "Khai thác cát sỏi"),
    "trade": ("Dịch vụ thương mại", "Thương mại tổng hợp", "Du lịch cộng đồng", "Dịch vụ nông nghiệp"),
    "transport": ("Vận tải", "Vận tải hành khách"),
    "environment": ("Vệ sinh môi trường", "Môi trường đô thị"),
    "non_agriculture": ("Dịch vụ", "Thủ công mỹ nghệ", "Thêu thổ cẩm", "Mộc", "Xây dựng"),
}
_PLACE_WORDS = ("Hợp Thành", "Bình Minh", "Tiến Phát", "Thành Công", "Đoàn Kết", "Phúc Lộc", "Hưng Thịnh",
                "Tân Tiến", "Hòa Bình", "An Khang", "Xanh", "Vùng Cao", "Sơn Lâm", "Bản Mường", "Ánh Dương")


@dataclass
class Org:
    id: int
    org_type: OrgType
    kind: OrgKind
    sector: str
    name: str = ""
    district: str = ""
    commune: str = ""  # until 30/6/2025; empty for one first located after the reform
    commune_2025: str = ""  # from 1/7/2025; empty: the successor of `commune`
    registered_on: date | None = None
    dissolved_on: date | None = None
    stopped_from: date | None = None
    alliance_joined_on: date | None = None
    founding_supported: bool = False
    growth: float = 1.0
    score: float = 0.0
    base: dict = field(default_factory=dict)  # the 30/6/2023 figures other dates derive from

    def exists_at(self, day: date) -> bool:
        return self.registered_on <= day and (self.dissolved_on is None or self.dissolved_on > day)

    def operating_at(self, day: date) -> bool:
        return self.exists_at(day) and (self.stopped_from is None or self.stopped_from > day)


class Register:
    """The organisations built so far (ids in creation order), Lai Châu's areas, and the rng."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.orgs: list[Org] = []
        self.areas = read_reference()
        self.communes_by_district: dict[str, list[str]] = defaultdict(list)
        for area in self.areas:
            if area.level == "commune" and area.parent_code != PROVINCE_CODE:
                self.communes_by_district[area.parent_code].append(area.code)

    def new_org(self, org_type: OrgType, kind: OrgKind, sector: str) -> Org:
        org = Org(len(self.orgs) + 1, org_type, kind, sector)
        org.growth = self.rng.uniform(1.00, 1.10)
        org.score = self.rng.random()
        self.orgs.append(org)
        return org

    def of_type(self, org_type: OrgType) -> list[Org]:
        return [o for o in self.orgs if o.org_type == org_type]

    def by_id(self) -> dict[int, Org]:
        return {o.id: o for o in self.orgs}

    def named(self) -> dict[str, Org]:
        return {o.name: o for o in self.orgs if o.name}

    def random_district(self, weights: dict[str, float]) -> str:
        codes = sorted(weights)
        return self.rng.choices(codes, [weights[c] for c in codes])[0]

    def random_commune(self, district: str) -> str:
        return self.rng.choice(sorted(self.communes_by_district[district]))

    def invent_name(self, org: Org) -> str:
        stem = self.rng.choice(_NAME_STEMS[org.sector])
        prefix = "Tổ hợp tác" if org.org_type == OrgType.GROUP else "HTX"
        return f"{prefix} {stem} {self.rng.choice(_PLACE_WORDS)} {org.id}"
