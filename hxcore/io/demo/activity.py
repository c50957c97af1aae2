"""The alliance's own activity: propaganda and manager training classes, and trade fairs."""

from __future__ import annotations

from hxcore.io.demo.arith import half_start, random_day, split_total
from hxcore.io.demo.register import Register
from hxcore.io.demo.report import DISTRICT_COOPS_2023H1, H1_2023, HALF_ENDS_TO_2024, PROPAGANDA_2023H1
from hxcore.model.areas import PROVINCE_CODE
from hxcore.model.vocab import OrgKind, OrgType, TrainingKind

FAIRS = (("Hội chợ xúc tiến thương mại sản phẩm OCOP", "Lai Châu"),
         ("Hội chợ nông sản vùng Tây Bắc", "Lào Cai"),
         ("Hội chợ triển lãm HTX Việt Nam", "Hà Nội"),
         ("Tuần hàng nông sản an toàn", "Điện Biên"))


def build_training(register: Register, ends: list = HALF_ENDS_TO_2024[1:]) -> list[dict]:
    """Each half-year: propaganda classes in every district (19 classes, 900 trainees in H1
    2023), and one or two classes for HTX managers in the provincial capital."""
    rng = register.rng
    rows = []
    districts = sorted(DISTRICT_COOPS_2023H1)
    for end in ends:
        start = half_start(end)
        if end == H1_2023:
            classes, trainees = PROPAGANDA_2023H1
        else:
            classes = rng.randint(6, 14)
            trainees = classes * rng.randint(40, 52)
        for index, size in enumerate(split_total(trainees, [rng.uniform(0.8, 1.2) for _ in range(classes)])):
            district = districts[index % len(districts)] if index < len(districts) else rng.choice(districts)
            rows.append({"held_on": random_day(rng, start, end), "province_code": PROVINCE_CODE,
                         "district_code": district, "kind": TrainingKind.PROPAGANDA, "trainees": size,
                         "title": "Tuyên truyền chủ trương, chính sách về kinh tế tập thể, HTX"})
        for _ in range(rng.randint(1, 2)):
            rows.append({"held_on": random_day(rng, start, end), "province_code": PROVINCE_CODE,
                         "district_code": "105", "kind": TrainingKind.MANAGER, "trainees": rng.randint(45, 80),
                         "title": "Bồi dưỡng cán bộ quản lý HTX (chương trình Liên minh HTX Việt Nam)"})
    return rows


def build_fairs(register: Register, ends: list = HALF_ENDS_TO_2024[1:]) -> list[dict]:
    """Each half-year, two fairs with four to eight HTX operating that day."""
    rng = register.rng
    rows = []
    for end in ends:
        for fair_name, place in rng.sample(FAIRS, 2):
            day = random_day(rng, half_start(end), end)
            pool = [o for o in register.of_type(OrgType.COOP) if o.operating_at(day) and o.kind == OrgKind.HTX]
            for org in rng.sample(pool, rng.randint(4, 8)):
                rows.append({"org_id": org.id, "fair_name": fair_name, "held_on": day, "place": place})
    return rows
