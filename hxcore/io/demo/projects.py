"""Projects the alliance supports, with their status history: Đề án 1054 (value-chain linkage,
11 HTX selected in 2022) and the model cooperatives of the poverty-reduction programme."""

from __future__ import annotations

from datetime import date

from hxcore.io.demo.arith import random_day
from hxcore.io.demo.register import Org, Register
from hxcore.io.demo.report import H1_2023, NAMED_COOPS
from hxcore.model.vocab import OrgKind, OrgType, ProjectScheme, ProjectStatus

LINKAGE_SELECTED_ON = date(2022, 9, 15)
# The five named HTX of Đề án 1054 and their status changes: (date, status, value).
LINKAGE_PLAN = {
    "HTX Ứng Thìn": [(date(2023, 2, 20), ProjectStatus.DRAFTING, None),
                     (date(2023, 5, 25), ProjectStatus.SUBMITTED, None),
                     (date(2023, 11, 10), ProjectStatus.IMPLEMENTING, None)],
    "HTX Nông sản dược liệu cao nguyên Sìn Hồ": [(date(2023, 4, 12), ProjectStatus.DRAFTING, None),
                                                 (date(2023, 9, 20), ProjectStatus.SUBMITTED, None)],
    "HTX Dương Yến": [(date(2023, 5, 3), ProjectStatus.DRAFTING, None),
                      (date(2023, 10, 5), ProjectStatus.SUBMITTED, None)],
    "HTX Nông lâm thủy sản Hà Dũng": [(date(2023, 6, 2), ProjectStatus.DRAFTING, None),
                                      (date(2024, 3, 14), ProjectStatus.SUBMITTED, None)],
    "HTX Công nghệ và Môi trường": [(date(2023, 3, 15), ProjectStatus.IMPLEMENTING, 2800.0),
                                    (date(2024, 6, 28), ProjectStatus.COMPLETED, 2800.0)],
}
LINKAGE_OTHERS = 6  # invented agricultural HTX completing the 11
# The model cooperatives: (date, status).
MODEL_PLAN = {
    "HTX Nông nghiệp, thương mại và xây dựng Nậm Nhùn": [(date(2023, 5, 18), ProjectStatus.SURVEYED),
                                                         (date(2024, 4, 2), ProjectStatus.IMPLEMENTING)],
    "HTX Mý Dao": [(date(2023, 5, 19), ProjectStatus.SURVEYED)],
    "HTX Ứng Thìn": [(date(2023, 6, 10), ProjectStatus.DRAFTING),
                     (date(2023, 12, 1), ProjectStatus.IMPLEMENTING),
                     (date(2024, 9, 30), ProjectStatus.COMPLETED)],
}


def build_projects(register: Register) -> tuple[list[dict], list[dict]]:
    """Projects and their status events."""
    projects: list[dict] = []
    events: list[dict] = []
    _linkage_projects(register, projects, events)
    _model_projects(register, projects, events)
    return projects, events


def _linkage_projects(register: Register, projects: list[dict], events: list[dict]) -> None:
    rng = register.rng
    named = register.named()
    extra = rng.sample(_linkage_candidates(register), LINKAGE_OTHERS)
    for index, org in enumerate([named[n] for n in LINKAGE_PLAN] + extra):
        project_id = len(projects) + 1
        projects.append({"id": project_id, "scheme": ProjectScheme.LINKAGE_1054, "org_id": org.id,
                         "title": f"Dự án liên kết sản xuất, tiêu thụ sản phẩm theo chuỗi giá trị – {org.name}",
                         "selected_on": LINKAGE_SELECTED_ON})
        history = [(LINKAGE_SELECTED_ON, ProjectStatus.NOT_STARTED, None)] + LINKAGE_PLAN.get(org.name, [])
        if org in extra and index % 2:
            history.append((random_day(rng, date(2024, 1, 10), date(2024, 11, 30)), ProjectStatus.DRAFTING, None))
        for day, status, value in history:
            events.append({"project_id": project_id, "happened_on": day, "status": status, "value": value})


def _linkage_candidates(register: Register) -> list[Org]:
    """Unnamed agricultural HTX operating at 30/6/2023 and registered before 2022."""
    named = {n for n, _, _ in NAMED_COOPS}
    return [o for o in register.of_type(OrgType.COOP) if o.kind == OrgKind.HTX and o.operating_at(H1_2023)
            and o.registered_on < date(2022, 1, 1) and o.name not in named and o.sector == "agriculture"]


def _model_projects(register: Register, projects: list[dict], events: list[dict]) -> None:
    named = register.named()
    for name, history in MODEL_PLAN.items():
        project_id = len(projects) + 1
        projects.append({"id": project_id, "scheme": ProjectScheme.MODEL_COOP, "org_id": named[name].id,
                         "title": "Mô hình giảm nghèo phát triển sản xuất theo chuỗi giá trị (MTQG giảm nghèo)",
                         "selected_on": history[0][0]})
        for day, status in history:
            events.append({"project_id": project_id, "happened_on": day, "status": status, "value": None})
