"""What the importer accepts, declared as rows: the sheets and their columns.

A column has its Vietnamese header, the other headers offices use for it, how its cells are
read (`parse_as`), whether it is required, its range, the template's example and what a valid
value looks like (shown in the problem report). The templates, the parser and the pandera
checks are all built from these rows.

To add a column: declare a Col in its Sheet below; if the value is stored, write it in that
sheet's planner (plan.py). A new `parse_as` also needs its parser (parse.PARSERS) and, if it has
rules beyond "required", its checks (validate.column_checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ParseAs(StrEnum):
    """How a column's cells are read into values (hxcore.io.importer.parse)."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    DISTRICT = "district"  # a district of the reference areas, by code or name
    COMMUNE = "commune"  # a commune of the row's district
    SECTOR = "sector"
    STATUS = "status"
    RATING = "rating"
    BOOL = "bool"
    ORG_KIND = "org_kind"
    CLASS_KIND = "class_kind"


class Meaning(StrEnum):
    """What a placeholder cell ("-", "–", "x", "…") means in a column: offices write "-" for none."""

    ZERO = "zero"  # a count: "-" is 0
    MISSING = "missing"  # not given: the cell is blank


# The marks offices put in a cell that has no figure (folded NFC text, compared whole).
PLACEHOLDERS = ("-", "–", "—", "x", "…", "...", "..", "-/-", "không")
MEANING_LABELS = {Meaning.ZERO: "0", Meaning.MISSING: "để trống (không có số liệu)"}

# Statuses and ratings as returns write them (folded words), declared once: parse reads them, the
# guide sheet of the template lists them. "dissolved" is a return's word, not a stored status: the
# organisation is marked dissolved at the period's end and gets no figures.
DISSOLVED = "dissolved"
STATUS_WORDS = {
    "operating": ("dang hoat dong", "hoat dong", "dang hd", "hd", "operating", "binh thuong", "con hoat dong"),
    "stopped": ("ngung hoat dong", "ngung", "ngung hd", "tam ngung", "tam ngung hoat dong", "tam ngung hd",
                "khong hoat dong", "stopped"),
    DISSOLVED: ("da giai the", "giai the", "giai the", "dissolved"),
}
RATING_WORDS = {
    "tot": ("tot", "loai tot", "xuat sac"),
    "kha": ("kha", "loai kha"),
    "trung_binh": ("trung binh", "tb", "loai trung binh"),
    "yeu": ("yeu", "kem", "loai yeu", "yeu kem"),
}


@dataclass(frozen=True)
class Col:
    key: str
    header: str  # the template's Vietnamese header
    parse_as: ParseAs
    required: bool = False
    aliases: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    example: object = ""
    expected: str = ""  # what a valid value looks like, for the error report
    dash: Meaning | None = None  # what "-", "x", "…" mean here; None: by parse_as (missing for numbers and dates)

    @property
    def placeholder(self) -> Meaning | None:
        """The declared meaning of a placeholder cell; None where a placeholder is an error (names, areas, lists)."""
        if self.dash is not None:
            return self.dash
        numeric = self.parse_as in (ParseAs.INT, ParseAs.FLOAT, ParseAs.DATE, ParseAs.RATING)
        return Meaning.MISSING if numeric else None


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # the sheet's name in the template
    table: str
    columns: tuple[Col, ...]
    aliases: tuple[str, ...] = ()

    def col(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


_P = ParseAs  # short, for the declarations below
_DISTRICT = Col("district", "Huyện/thành phố", _P.DISTRICT, True, ("Huyện", "Huyện/TP", "Huyện, thành phố", "Đơn vị hành chính"),
                example="Huyện Tam Đường", expected="tên huyện/thành phố của tỉnh (có hoặc không dấu, có hoặc không 'Huyện')")
_COMMUNE = Col("commune", "Xã/phường/thị trấn", _P.COMMUNE, True, ("Xã", "Xã/phường", "Xã, phường, thị trấn", "Xã/phường/TT"),
               example="Xã Bình Lư", expected="tên xã/phường/thị trấn thuộc huyện đã ghi")
_TAX = Col("tax_code", "Mã số HTX", _P.TEXT, False, ("Mã số thuế", "MST", "Mã số", "Mã số doanh nghiệp"),
           example="6200123456", expected="mã số HTX/mã số thuế (không bắt buộc)")

SHEETS: tuple[Sheet, ...] = (
    Sheet("coops", "Hợp tác xã", "organisations", (
        Col("name", "Tên HTX", _P.TEXT, True, ("Tên hợp tác xã", "Tên đơn vị", "Tên"), example="VÍ DỤ HTX Nông nghiệp Bình Lư",
            expected="tên HTX"),
        _TAX,
        Col("kind", "Loại hình", _P.ORG_KIND, False, ("Loại",), example="HTX",
            expected="HTX, Quỹ tín dụng nhân dân hoặc Liên hiệp HTX"),
        _DISTRICT, _COMMUNE,
        Col("sector", "Lĩnh vực", _P.SECTOR, True, ("Ngành", "Lĩnh vực hoạt động"), example="Nông, lâm nghiệp, thủy sản",
            expected="một lĩnh vực: nông nghiệp, công nghiệp, xây dựng, thương mại, vận tải, môi trường, quỹ tín dụng"),
        Col("registered_on", "Ngày đăng ký", _P.DATE, True, ("Ngày thành lập", "Ngày cấp đăng ký", "Ngày ĐKKD"),
            example="15/3/2023", expected="ngày dạng 30/6/2023 hoặc 2023-06-30"),
        Col("dissolved_on", "Ngày giải thể", _P.DATE, False, (), expected="ngày giải thể, sau ngày đăng ký (để trống nếu còn)"),
        Col("alliance_joined_on", "Ngày gia nhập Liên minh", _P.DATE, False, ("Ngày vào Liên minh",), example="",
            expected="ngày gia nhập Liên minh HTX tỉnh (để trống nếu chưa)"),
        Col("founding_supported", "Liên minh tư vấn thành lập", _P.BOOL, False, ("Tư vấn thành lập",), example="Có",
            expected="Có hoặc Không"),
    ), ("HTX", "Danh sách HTX", "Hop tac xa")),
    Sheet("groups", "Tổ hợp tác", "organisations", (
        Col("name", "Tên THT", _P.TEXT, True, ("Tên tổ hợp tác", "Tên đơn vị", "Tên"), example="VÍ DỤ THT chăn nuôi Bản Hon",
            expected="tên tổ hợp tác"),
        _DISTRICT, _COMMUNE,
        Col("sector", "Lĩnh vực", _P.SECTOR, True, ("Ngành",), example="Nông nghiệp", expected="Nông nghiệp hoặc Phi nông nghiệp"),
        Col("registered_on", "Ngày thành lập", _P.DATE, True, ("Ngày đăng ký", "Ngày chứng thực"), example="2/4/2023",
            expected="ngày dạng 30/6/2023 hoặc 2023-06-30"),
        Col("dissolved_on", "Ngày chấm dứt", _P.DATE, False, ("Ngày giải thể",), expected="sau ngày thành lập (để trống nếu còn)"),
    ), ("THT", "Danh sách THT", "To hop tac")),
    Sheet("facts", "Số liệu 6 tháng", "facts", (
        Col("name", "Tên đơn vị", _P.TEXT, True, ("Tên HTX", "Tên THT", "Tên HTX/THT", "Tên", "Tên hợp tác xã", "Tên HTX, THT"),
            example="VÍ DỤ HTX Nông nghiệp Bình Lư",
            expected="tên HTX/THT đã có trong danh sách"),
        _TAX, _DISTRICT,
        Col("commune", "Xã/phường/thị trấn", _P.COMMUNE, False, _COMMUNE.aliases, example="Xã Bình Lư",
            expected="tên xã/phường (sau 1/7/2025: xã/phường mới, không cần cột huyện)"),
        Col("status", "Tình trạng", _P.STATUS, True, ("Trạng thái", "Tình trạng hoạt động"), example="Đang hoạt động",
            expected="Đang hoạt động (Đang HĐ), Ngừng hoạt động (Ngừng HĐ, Tạm ngừng) hoặc Đã giải thể"),
        Col("charter_capital", "Vốn điều lệ (triệu đồng)", _P.FLOAT, False, ("Vốn điều lệ", "Vốn đăng ký", "Vốn ĐL"), 0,
            1_000_000, 1500, "số triệu đồng, từ 0 đến 1.000.000"),
        Col("members", "Số thành viên", _P.INT, True, ("Thành viên", "Số TV", "Thành viên HTX"), 0, 100_000, 12,
            "số nguyên từ 0 đến 100.000", Meaning.ZERO),
        Col("workers", "Số lao động thường xuyên", _P.INT, True, ("Lao động", "Số lao động", "Lao động thường xuyên",
            "Số LĐ", "Lao động thường xuyên trong HTX"), 0, 5_000, 15, "số nguyên từ 0 đến 5.000", Meaning.ZERO),
        Col("revenue", "Doanh thu (triệu đồng)", _P.FLOAT, False, ("Doanh thu",), 0, 10_000_000, 820,
            "số triệu đồng trong kỳ báo cáo (6 tháng, hoặc từ kỳ báo cáo trước), không âm"),
        Col("avg_income_month", "Thu nhập bình quân (triệu đồng/người/tháng)", _P.FLOAT, False,
            ("Thu nhập bình quân", "Thu nhập bình quân tháng", "Thu nhập BQ"), 0, 200, "4,5", "triệu đồng/người/tháng, từ 0 đến 200"),
        Col("rating", "Xếp loại", _P.RATING, False, ("Đánh giá", "Phân loại"), example="Khá",
            expected="Tốt, Khá, Trung bình hoặc Yếu"),
        Col("new_members", "Thành viên mới", _P.INT, False, ("Thành viên thu hút mới",), 0, 100_000, 2,
            "số thành viên mới trong kỳ báo cáo (không cộng dồn từ đầu năm), số nguyên không âm", Meaning.ZERO),
        Col("new_workers", "Lao động mới", _P.INT, False, ("Lao động thu hút mới",), 0, 5_000, 3,
            "số lao động mới trong kỳ báo cáo (không cộng dồn từ đầu năm), số nguyên không âm", Meaning.ZERO),
    ), ("So lieu", "So lieu 6 thang", "Bao cao 6 thang", "Số liệu")),
    Sheet("training", "Lớp tập huấn", "training_classes", (
        Col("held_on", "Ngày tổ chức", _P.DATE, True, ("Ngày", "Ngày mở lớp"), example="12/4/2023", expected="ngày trong kỳ báo cáo"),
        _DISTRICT,
        Col("class_kind", "Loại lớp", _P.CLASS_KIND, True, ("Loại",), example="Tuyên truyền",
            expected="Tuyên truyền hoặc Bồi dưỡng cán bộ quản lý"),
        Col("title", "Tên lớp", _P.TEXT, True, ("Nội dung",), example="VÍ DỤ Tuyên truyền Luật HTX", expected="tên lớp"),
        Col("trainees", "Số học viên", _P.INT, True, ("Học viên",), 0, 2_000, 45, "số nguyên từ 0 đến 2.000"),
    ), ("Lop tap huan", "Tập huấn", "Đào tạo")),
    Sheet("loans", "Vay Quỹ", "fund_loans", (
        Col("name", "Tên HTX", _P.TEXT, True, ("Tên đơn vị", "Tên"), example="VÍ DỤ HTX Nông nghiệp Bình Lư",
            expected="tên HTX đã có trong danh sách"),
        _TAX, _DISTRICT,
        Col("disbursed_on", "Ngày giải ngân", _P.DATE, True, ("Ngày vay",), example="20/5/2023", expected="ngày trong kỳ báo cáo"),
        Col("amount", "Số tiền (triệu đồng)", _P.FLOAT, True, ("Số tiền", "Số vốn vay"), 0.001, 100_000, 300,
            "số triệu đồng lớn hơn 0, đến 100.000"),
        Col("purpose", "Mục đích", _P.TEXT, False, ("Mục đích vay",), example="Mua giống cây trồng", expected="mục đích vay"),
    ), ("Vay von", "Quỹ hỗ trợ", "Vay quy")),
)
SHEETS_BY_KEY = {s.key: s for s in SHEETS}
