"""Small closed vocabularies: sectors, organisation kinds, statuses, ratings.

Their codes are stored in the database, written in CSV downloads and typed on the command
line, so a code must never change once released: add a new code instead, and relabel freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hxcore.model.labels import Labels


class OrgType(StrEnum):
    """What an organisation is counted as: the report counts HTX and THT separately."""

    COOP = "coop"
    GROUP = "group"
    UNION = "union"


class OrgKind(StrEnum):
    HTX = "htx"
    CREDIT_FUND = "credit_fund"  # quỹ tín dụng nhân dân, counted among the HTX
    UNION = "union"  # liên hiệp HTX
    THT = "tht"


ORG_TYPE_OF_KIND = {
    OrgKind.HTX: OrgType.COOP,
    OrgKind.CREDIT_FUND: OrgType.COOP,
    OrgKind.UNION: OrgType.UNION,
    OrgKind.THT: OrgType.GROUP,
}


class Status(StrEnum):
    OPERATING = "operating"
    STOPPED = "stopped"


class Rating(StrEnum):
    """Thông tư 01/2020/TT-BKHĐT: Tốt 80–100 points, Khá 65–<80, Trung bình 50–<65, Yếu <50."""

    GOOD = "tot"
    FAIR = "kha"
    AVERAGE = "trung_binh"
    WEAK = "yeu"


EFFECTIVE_RATINGS = (Rating.GOOD, Rating.FAIR)  # "hoạt động hiệu quả" = Tốt + Khá

# Label tables (hxcore.model.labels): code -> (Vietnamese, English).
RATING_LABELS: Labels = {
    Rating.GOOD: ("Tốt", "Good"),
    Rating.FAIR: ("Khá", "Fair"),
    Rating.AVERAGE: ("Trung bình", "Average"),
    Rating.WEAK: ("Yếu", "Weak"),
}

STATUS_LABELS: Labels = {Status.OPERATING: ("Đang hoạt động", "Operating"), Status.STOPPED: ("Ngừng hoạt động", "Stopped")}


class Quality(StrEnum):
    REPORTED = "reported"
    ESTIMATED = "estimated"  # the report's "ước đạt"


class TrainingKind(StrEnum):
    PROPAGANDA = "propaganda"  # lớp tuyên truyền
    MANAGER = "manager_training"  # bồi dưỡng cán bộ quản lý HTX


class ProjectScheme(StrEnum):
    LINKAGE_1054 = "linkage_1054"  # Quyết định 1054/QĐ-UBND
    MODEL_COOP = "model_coop"  # mô hình HTX kiểu mới (Liên minh HTX Việt Nam)


class ProjectStatus(StrEnum):
    NOT_STARTED = "not_started"
    SURVEYED = "surveyed"
    DRAFTING = "drafting"
    SUBMITTED = "submitted"
    IMPLEMENTING = "implementing"
    COMPLETED = "completed"


PROJECT_STATUS_LABELS: Labels = {  # in the order a project moves through them
    ProjectStatus.NOT_STARTED: ("Chưa xây dựng dự án", "No project yet"),
    ProjectStatus.SURVEYED: ("Đã khảo sát", "Surveyed"),
    ProjectStatus.DRAFTING: ("Đang xây dựng, hoàn thiện dự án", "Drafting the project"),
    ProjectStatus.SUBMITTED: ("Đã trình UBND huyện thẩm định", "Submitted to the district"),
    ProjectStatus.IMPLEMENTING: ("Đang thực hiện hỗ trợ", "Support under way"),
    ProjectStatus.COMPLETED: ("Hoàn thành", "Completed"),
}

TRAINING_LABELS: Labels = {
    TrainingKind.PROPAGANDA: ("Tuyên truyền", "Awareness class"),
    TrainingKind.MANAGER: ("Bồi dưỡng cán bộ quản lý", "Manager training"),
}

SCHEME_LABELS: Labels = {
    ProjectScheme.LINKAGE_1054: ("Đề án 1054 (liên kết chuỗi giá trị)", "Scheme 1054 (value-chain linkage)"),
    ProjectScheme.MODEL_COOP: ("Mô hình HTX kiểu mới điển hình", "Model new-type cooperatives"),
}


@dataclass(frozen=True)
class Sector:
    code: str
    org_type: OrgType
    label_vi: str
    label_en: str
    color: str  # one fixed colour per sector on every chart


SECTORS: tuple[Sector, ...] = (
    Sector("agriculture", OrgType.COOP, "Nông, lâm nghiệp, thủy sản", "Agriculture, forestry, fishery", "#2e7d32"),
    Sector("industry", OrgType.COOP, "Công nghiệp, tiểu thủ công nghiệp", "Industry, handicrafts", "#6d4c41"),
    Sector("construction", OrgType.COOP, "Xây dựng, sản xuất vật liệu xây dựng", "Construction, building materials", "#ef6c00"),
    Sector("trade", OrgType.COOP, "Dịch vụ thương mại", "Trade and services", "#1565c0"),
    Sector("transport", OrgType.COOP, "Vận tải", "Transport", "#6a1b9a"),
    Sector("environment", OrgType.COOP, "Vệ sinh - môi trường", "Sanitation, environment", "#00838f"),
    Sector("credit", OrgType.COOP, "Quỹ tín dụng nhân dân", "People's credit funds", "#c62828"),
    Sector("agriculture", OrgType.GROUP, "Nông nghiệp", "Agriculture", "#2e7d32"),
    Sector("non_agriculture", OrgType.GROUP, "Phi nông nghiệp", "Non-agriculture", "#546e7a"),
)


def sectors_of(org_type: OrgType) -> tuple[Sector, ...]:
    return tuple(s for s in SECTORS if s.org_type == org_type)


SECTOR_CODES: tuple[str, ...] = tuple(dict.fromkeys(s.code for s in SECTORS))


def sector_label(code: str, lang: str = "vi") -> str:
    for s in SECTORS:
        if s.code == code:
            return s.label_vi if lang == "vi" else s.label_en
    return code


SECTOR_COLORS = {s.code: s.color for s in SECTORS}


# The catalog's units (Vietnamese, as the report writes them) in each language.
UNIT_LABELS: Labels = {
    "%": ("%", "%"), "HTX": ("HTX", "cooperatives"), "THT": ("THT", "groups"), "dự án": ("dự án", "projects"),
    "học viên": ("học viên", "trainees"), "lao động": ("lao động", "workers"), "liên hiệp": ("liên hiệp", "unions"),
    "lượt": ("lượt", "loans"), "lớp": ("lớp", "classes"), "mô hình": ("mô hình", "models"), "người": ("người", "people"),
    "thành viên": ("thành viên", "members"), "triệu đồng": ("triệu đồng", "million VND"),
    "triệu đồng/HTX": ("triệu đồng/HTX", "million VND per cooperative"),
    "triệu đồng/người/năm": ("triệu đồng/người/năm", "million VND per person a year"),
    "triệu đồng/người/tháng": ("triệu đồng/người/tháng", "million VND per person a month"),
}


def unit_label(unit: str, lang: str = "vi") -> str:
    """A catalog unit in `lang` ("triệu đồng" -> "million VND"); an unknown unit as written."""
    pair = UNIT_LABELS.get(unit)
    return unit if pair is None else (pair[1] if lang == "en" else pair[0])
