"""The indicator catalog: measures (aggregations over one table) and indicators (what users see).

Codes are a public contract: tests, the CLI, URLs and CSV downloads use them. Adding an
indicator is adding a row here (and a line in README's catalog table, which a test checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hxcore.model.vocab import (
    EFFECTIVE_RATINGS,
    ORG_TYPE_OF_KIND,
    OrgKind,
    OrgType,
    ProjectScheme,
    ProjectStatus,
    Quality,
    Status,
    TrainingKind,
)

COOP_KINDS = (OrgKind.HTX, OrgKind.CREDIT_FUND)
GROUP_KINDS = (OrgKind.THT,)
UNION_KINDS = (OrgKind.UNION,)


class Aggregation(StrEnum):
    """How a measure reduces its rows."""

    SUM = "sum"
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"


class IndicatorType(StrEnum):
    """How an indicator is formed from its measures. Written in CSV downloads: never rename."""

    SIMPLE = "simple"  # one measure
    RATIO = "ratio"  # numerator / denominator, in percent
    AVERAGE = "average"  # numerator / denominator, in a unit per thing
    DIFFERENCE = "difference"  # numerator − denominator (disbursed − repaid)


class Time(StrEnum):
    """How an indicator behaves over time. Written in CSV downloads: never rename."""

    STOCK = "stock"  # read at the period's end
    FLOW = "flow"  # counted from 1 January to the period's end


@dataclass(frozen=True)
class Measure:
    """An aggregation over one source table, e.g. the sum of charter capital of operating HTX.

    `value(t)` is the column or expression aggregated (None counts rows); `where(t, w)` gives
    the conditions (all must hold) on the source's tables `t` and the period window `w`
    (w.start, w.end); they are column expressions, so this module needs no SQL library.
    `org_kinds` restricts organisation-based measures to some kinds of organisation; the
    sector filter applies to them through the sectors of those kinds.
    """

    code: str
    source: str
    aggregation: Aggregation
    where: Callable
    value: Callable | None = None
    org_kinds: tuple[OrgKind, ...] = ()


def _exists_at_end(t, w):
    return (t.o.c.registered_on <= w.end, (t.o.c.dissolved_on.is_(None)) | (t.o.c.dissolved_on > w.end))


def _operating(t, w):
    return (t.f.c.status == Status.OPERATING,)


def _in_window(column):
    return lambda t, w: (column(t).between(w.start, w.end),)


_all_rows = lambda t, w: ()  # noqa: E731 - a named "no condition"

MEASURES: tuple[Measure, ...] = (
    # Register (organisations table), by dates.
    Measure("coops_existing", "organisations", Aggregation.COUNT, _exists_at_end, org_kinds=COOP_KINDS),
    Measure("coops_registered", "organisations", Aggregation.COUNT, _in_window(lambda t: t.o.c.registered_on), org_kinds=COOP_KINDS),
    Measure("coops_registered_supported", "organisations", Aggregation.COUNT,
            lambda t, w: (t.o.c.registered_on.between(w.start, w.end), t.o.c.founding_supported.is_(True)),
            org_kinds=COOP_KINDS),
    Measure("coops_dissolved", "organisations", Aggregation.COUNT, _in_window(lambda t: t.o.c.dissolved_on), org_kinds=COOP_KINDS),
    Measure("groups_existing", "organisations", Aggregation.COUNT, _exists_at_end, org_kinds=GROUP_KINDS),
    Measure("groups_registered", "organisations", Aggregation.COUNT, _in_window(lambda t: t.o.c.registered_on), org_kinds=GROUP_KINDS),
    Measure("groups_dissolved", "organisations", Aggregation.COUNT, _in_window(lambda t: t.o.c.dissolved_on), org_kinds=GROUP_KINDS),
    Measure("unions_existing", "organisations", Aggregation.COUNT, _exists_at_end, org_kinds=UNION_KINDS),
    # Facts read at the period's end.
    Measure("coops_operating", "facts_end", Aggregation.COUNT, _operating, org_kinds=COOP_KINDS),
    Measure("coops_stopped", "facts_end", Aggregation.COUNT, lambda t, w: (t.f.c.status == Status.STOPPED,), org_kinds=COOP_KINDS),
    Measure("coop_capital", "facts_end", Aggregation.SUM, _operating, lambda t: t.f.c.charter_capital, COOP_KINDS),
    Measure("coop_members", "facts_end", Aggregation.SUM, _operating, lambda t: t.f.c.members, COOP_KINDS),
    Measure("coop_workers", "facts_end", Aggregation.SUM, _operating, lambda t: t.f.c.workers, COOP_KINDS),
    Measure("coop_people", "facts_end", Aggregation.SUM, _operating, lambda t: t.f.c.members + t.f.c.workers, COOP_KINDS),
    Measure("coop_income_mass", "facts_end", Aggregation.SUM,
            lambda t, w: (*_operating(t, w), t.f.c.avg_income_month.is_not(None)),
            lambda t: t.f.c.avg_income_month * t.f.c.workers, COOP_KINDS),
    Measure("coop_income_workers", "facts_end", Aggregation.SUM,
            lambda t, w: (*_operating(t, w), t.f.c.avg_income_month.is_not(None)),
            lambda t: t.f.c.workers, COOP_KINDS),
    Measure("coops_effective", "facts_end", Aggregation.COUNT,
            lambda t, w: (*_operating(t, w), t.f.c.rating.in_([r.value for r in EFFECTIVE_RATINGS])),
            org_kinds=COOP_KINDS),
    Measure("coops_in_alliance", "facts_end", Aggregation.COUNT,
            lambda t, w: (*_operating(t, w), t.o.c.alliance_joined_on <= w.end), org_kinds=COOP_KINDS),
    Measure("communes_with_operating_coop", "facts_end", Aggregation.COUNT_DISTINCT, _operating,
            lambda t: t.commune, COOP_KINDS),  # the commune valid at the period's end
    Measure("group_people", "facts_end", Aggregation.SUM, _all_rows, lambda t: t.f.c.members + t.f.c.workers, GROUP_KINDS),
    Measure("group_income_mass", "facts_end", Aggregation.SUM, lambda t, w: (t.f.c.avg_income_month.is_not(None),),
            lambda t: t.f.c.avg_income_month * (t.f.c.members + t.f.c.workers), GROUP_KINDS),
    Measure("group_income_people", "facts_end", Aggregation.SUM, lambda t, w: (t.f.c.avg_income_month.is_not(None),),
            lambda t: t.f.c.members + t.f.c.workers, GROUP_KINDS),
    Measure("union_capital", "facts_end", Aggregation.SUM, _all_rows, lambda t: t.f.c.charter_capital, UNION_KINDS),
    Measure("union_members", "facts_end", Aggregation.SUM, _all_rows, lambda t: t.f.c.members, UNION_KINDS),
    Measure("union_workers", "facts_end", Aggregation.SUM, _all_rows, lambda t: t.f.c.workers, UNION_KINDS),
    # Facts' flows, summed from 1 January to the period's end.
    Measure("coop_new_members", "facts_ytd", Aggregation.SUM, _all_rows, lambda t: t.f.c.new_members, COOP_KINDS),
    Measure("coop_new_workers", "facts_ytd", Aggregation.SUM, _all_rows, lambda t: t.f.c.new_workers, COOP_KINDS),
    Measure("coop_revenue", "facts_ytd", Aggregation.SUM, _operating, lambda t: t.f.c.revenue, COOP_KINDS),
    Measure("group_new_members", "facts_ytd", Aggregation.SUM, _all_rows, lambda t: t.f.c.new_members, GROUP_KINDS),
    # Areas: the denominator of commune coverage.
    Measure("communes", "communes", Aggregation.COUNT, _all_rows),
    # The alliance's own activity.
    Measure("propaganda_classes", "training", Aggregation.COUNT,
            lambda t, w: (t.tc.c.held_on.between(w.start, w.end), t.tc.c.kind == TrainingKind.PROPAGANDA)),
    Measure("propaganda_trainees", "training", Aggregation.SUM,
            lambda t, w: (t.tc.c.held_on.between(w.start, w.end), t.tc.c.kind == TrainingKind.PROPAGANDA),
            lambda t: t.tc.c.trainees),
    Measure("managers_trained", "training", Aggregation.SUM,
            lambda t, w: (t.tc.c.held_on.between(w.start, w.end), t.tc.c.kind == TrainingKind.MANAGER),
            lambda t: t.tc.c.trainees),
    Measure("loans_disbursed_count", "loans", Aggregation.COUNT, _in_window(lambda t: t.l.c.disbursed_on), org_kinds=COOP_KINDS),
    Measure("loans_disbursed_amount", "loans", Aggregation.SUM, _in_window(lambda t: t.l.c.disbursed_on),
            lambda t: t.l.c.amount, COOP_KINDS),
    Measure("loans_disbursed_to_date", "loans", Aggregation.SUM, lambda t, w: (t.l.c.disbursed_on <= w.end,),
            lambda t: t.l.c.amount, COOP_KINDS),
    Measure("repaid_amount", "repayments", Aggregation.SUM, _in_window(lambda t: t.r.c.paid_on),
            lambda t: t.r.c.amount, COOP_KINDS),
    Measure("repaid_loans", "repayments", Aggregation.COUNT_DISTINCT, _in_window(lambda t: t.r.c.paid_on),
            lambda t: t.r.c.loan_id, COOP_KINDS),
    Measure("settled_loans", "repayments", Aggregation.COUNT,
            lambda t, w: (t.r.c.paid_on.between(w.start, w.end), t.r.c.settles_loan.is_(True)), org_kinds=COOP_KINDS),
    Measure("repaid_to_date", "repayments", Aggregation.SUM, lambda t, w: (t.r.c.paid_on <= w.end,),
            lambda t: t.r.c.amount, COOP_KINDS),
    Measure("fair_participants", "fairs", Aggregation.COUNT_DISTINCT, _in_window(lambda t: t.fp.c.held_on),
            lambda t: t.fp.c.org_id, COOP_KINDS),
    Measure("linkage_projects", "projects", Aggregation.COUNT,
            lambda t, w: (t.j.c.scheme == ProjectScheme.LINKAGE_1054, t.j.c.selected_on <= w.end),
            org_kinds=COOP_KINDS),
    Measure("linkage_projects_submitted", "projects", Aggregation.COUNT,
            lambda t, w: (t.j.c.scheme == ProjectScheme.LINKAGE_1054, t.status_at_end == ProjectStatus.SUBMITTED),
            org_kinds=COOP_KINDS),
    Measure("model_coops_completed", "projects", Aggregation.COUNT,
            lambda t, w: (t.j.c.scheme == ProjectScheme.MODEL_COOP, t.status_at_end == ProjectStatus.COMPLETED),
            org_kinds=COOP_KINDS),
)

# Returns reported as estimates ("ước đạt", vocab.Quality), per kind of organisation, at the period's end
# and from 1 January: the report marks the figures made of them. {(org type, source): measure}
ESTIMATED_RETURNS = {
    (org_type, source): Measure(f"estimated_{org_type.value}_returns{'_ytd' if source == 'facts_ytd' else ''}", source,
                                Aggregation.COUNT, lambda t, w: (t.f.c.quality == Quality.ESTIMATED,), org_kinds=kinds)
    for org_type, kinds in ((OrgType.COOP, COOP_KINDS), (OrgType.GROUP, GROUP_KINDS), (OrgType.UNION, UNION_KINDS))
    for source in ("facts_end", "facts_ytd")
}
MEASURES += tuple(ESTIMATED_RETURNS.values())

MEASURES_BY_CODE = {m.code: m for m in MEASURES}

ORG_DIMENSIONS = ("district", "sector", "commune")


@dataclass(frozen=True)
class Indicator:
    """One figure of the report. `definition` says what it means, in the report's words."""

    code: str
    label_vi: str
    label_en: str
    unit: str
    time: Time
    numerator: str
    denominator: str | None = None
    type: IndicatorType = IndicatorType.SIMPLE
    scale: float = 1.0
    dimensions: tuple[str, ...] = ORG_DIMENSIONS
    higher_is_better: bool = True
    decimals: int = 0
    group: str = "coops"  # coops | groups | unions | alliance: which page shows it
    definition: str = ""


_PCT = "%"
_COUNT_HTX = "HTX"
_MVND = "triệu đồng"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("coops_total", "Tổng số HTX", "Cooperatives", _COUNT_HTX, Time.STOCK, "coops_existing",
              definition="HTX và quỹ tín dụng nhân dân đã đăng ký, chưa giải thể, tại ngày cuối kỳ."),
    Indicator("coops_operating", "HTX đang hoạt động", "Operating cooperatives", _COUNT_HTX, Time.STOCK,
              "coops_operating", definition="HTX (kể cả quỹ TDND) báo cáo đang hoạt động tại ngày cuối kỳ."),
    Indicator("coops_inactive", "HTX ngừng hoạt động", "Stopped cooperatives", _COUNT_HTX, Time.STOCK,
              "coops_stopped", higher_is_better=False,
              definition="HTX chưa giải thể nhưng báo cáo ngừng hoạt động tại ngày cuối kỳ."),
    Indicator("coops_new", "HTX thành lập mới", "New cooperatives", _COUNT_HTX, Time.FLOW, "coops_registered",
              definition="HTX đăng ký thành lập từ 1/1 đến ngày cuối kỳ."),
    Indicator("coops_new_supported", "HTX thành lập mới do Liên minh tư vấn", "New cooperatives advised by the alliance",
              _COUNT_HTX, Time.FLOW, "coops_registered_supported",
              definition="HTX thành lập mới trong năm có Liên minh HTX tỉnh phối hợp tư vấn thành lập."),
    Indicator("coops_dissolved", "HTX giải thể", "Dissolved cooperatives", _COUNT_HTX, Time.FLOW, "coops_dissolved",
              higher_is_better=False, definition="HTX giải thể từ 1/1 đến ngày cuối kỳ."),
    Indicator("coop_charter_capital", "Vốn điều lệ HTX", "Charter capital", _MVND, Time.STOCK, "coop_capital",
              definition="Tổng vốn điều lệ theo đăng ký kinh doanh, chỉ tính các HTX đang hoạt động."),
    Indicator("coop_members", "Thành viên HTX", "Cooperative members", "thành viên", Time.STOCK, "coop_members",
              definition="Thành viên của các HTX đang hoạt động tại ngày cuối kỳ."),
    Indicator("coop_workers", "Lao động thường xuyên trong HTX", "Regular workers", "lao động", Time.STOCK,
              "coop_workers", definition="Lao động thường xuyên của các HTX đang hoạt động."),
    Indicator("coop_members_workers", "Thành viên và lao động HTX", "Members and workers", "người", Time.STOCK,
              "coop_people", definition="Thành viên cộng lao động thường xuyên của các HTX đang hoạt động."),
    Indicator("coop_new_members", "Thành viên HTX thu hút mới", "New cooperative members", "thành viên", Time.FLOW,
              "coop_new_members", definition="Thành viên mới tham gia HTX từ 1/1 đến ngày cuối kỳ."),
    Indicator("coop_new_workers", "Lao động HTX thu hút mới", "New cooperative workers", "lao động", Time.FLOW,
              "coop_new_workers", definition="Lao động mới vào làm việc trong HTX từ 1/1 đến ngày cuối kỳ."),
    Indicator("coop_avg_revenue", "Doanh thu bình quân 1 HTX", "Average revenue per cooperative", "triệu đồng/HTX",
              Time.FLOW, "coop_revenue", "coops_operating", IndicatorType.AVERAGE, decimals=0,
              definition="Tổng doanh thu từ 1/1 đến cuối kỳ của các HTX đang hoạt động ÷ số HTX đang hoạt động."),
    Indicator("coop_avg_income", "Thu nhập bình quân lao động HTX (tháng)", "Average monthly income per worker",
              "triệu đồng/người/tháng", Time.STOCK, "coop_income_mass", "coop_income_workers", IndicatorType.AVERAGE,
              decimals=1, definition="Thu nhập bình quân tháng của lao động thường xuyên, bình quân gia quyền theo "
              "số lao động của từng HTX đang hoạt động."),
    Indicator("coop_avg_income_year", "Thu nhập bình quân lao động HTX (năm)", "Average yearly income per worker",
              "triệu đồng/người/năm", Time.STOCK, "coop_income_mass", "coop_income_workers", IndicatorType.AVERAGE,
              scale=12, decimals=1, definition="Thu nhập bình quân tháng của lao động thường xuyên trong HTX × 12."),
    Indicator("coops_effective", "HTX hoạt động hiệu quả", "Effective cooperatives", _COUNT_HTX, Time.STOCK,
              "coops_effective", definition="HTX đang hoạt động xếp loại Tốt hoặc Khá (Thông tư 01/2020/TT-BKHĐT)."),
    Indicator("coops_effective_share", "Tỷ lệ HTX hoạt động hiệu quả", "Share of effective cooperatives", _PCT,
              Time.STOCK, "coops_effective", "coops_operating", IndicatorType.RATIO, scale=100, decimals=1,
              definition="HTX xếp loại Tốt hoặc Khá ÷ HTX đang hoạt động."),
    Indicator("coops_alliance_members", "HTX thành viên Liên minh HTX tỉnh", "Cooperatives in the alliance",
              _COUNT_HTX, Time.STOCK, "coops_in_alliance",
              definition="HTX đang hoạt động đã gia nhập Liên minh HTX tỉnh tại ngày cuối kỳ."),
    Indicator("coops_alliance_share", "Tỷ lệ HTX tham gia Liên minh", "Share of cooperatives in the alliance", _PCT,
              Time.STOCK, "coops_in_alliance", "coops_operating", IndicatorType.RATIO, scale=100, decimals=1,
              definition="HTX thành viên Liên minh HTX tỉnh ÷ HTX đang hoạt động."),
    Indicator("communes_with_coop_share", "Tỷ lệ xã, phường, thị trấn có HTX", "Share of communes with a cooperative",
              _PCT, Time.STOCK, "communes_with_operating_coop", "communes", IndicatorType.RATIO, scale=100, decimals=1,
              definition="Số xã, phường, thị trấn có ít nhất một HTX đang hoạt động ÷ tổng số xã, phường, thị trấn."),
    Indicator("groups_total", "Tổng số tổ hợp tác", "Cooperative groups", "THT", Time.STOCK, "groups_existing",
              group="groups", definition="THT đã thành lập, chưa chấm dứt hoạt động, tại ngày cuối kỳ."),
    Indicator("groups_new", "THT thành lập mới", "New cooperative groups", "THT", Time.FLOW, "groups_registered",
              group="groups", definition="THT thành lập từ 1/1 đến ngày cuối kỳ."),
    Indicator("groups_dissolved", "THT chấm dứt hoạt động", "Dissolved cooperative groups", "THT", Time.FLOW,
              "groups_dissolved", group="groups", higher_is_better=False,
              definition="THT chấm dứt hoạt động từ 1/1 đến ngày cuối kỳ."),
    Indicator("groups_members", "Thành viên và lao động THT", "Group members and workers", "người", Time.STOCK,
              "group_people", group="groups", definition="Thành viên và lao động của các THT tại ngày cuối kỳ."),
    Indicator("groups_new_members", "Thành viên THT thu hút mới", "New group members", "thành viên", Time.FLOW,
              "group_new_members", group="groups", definition="Thành viên mới tham gia THT từ 1/1 đến cuối kỳ."),
    Indicator("group_avg_income", "Thu nhập bình quân lao động THT (tháng)", "Group average monthly income",
              "triệu đồng/người/tháng", Time.STOCK, "group_income_mass", "group_income_people", IndicatorType.AVERAGE,
              decimals=1, group="groups", definition="Thu nhập bình quân tháng của thành viên và lao động THT, "
              "bình quân gia quyền theo số người."),
    Indicator("group_avg_income_year", "Thu nhập bình quân lao động THT (năm)", "Group average yearly income",
              "triệu đồng/người/năm", Time.STOCK, "group_income_mass", "group_income_people", IndicatorType.AVERAGE,
              scale=12, decimals=1, group="groups", definition="Thu nhập bình quân tháng của lao động THT × 12."),
    Indicator("unions_total", "Liên hiệp HTX", "Unions of cooperatives", "liên hiệp", Time.STOCK, "unions_existing",
              group="unions", definition="Liên hiệp HTX đã đăng ký, chưa giải thể, tại ngày cuối kỳ."),
    Indicator("union_charter_capital", "Vốn điều lệ liên hiệp HTX", "Unions' charter capital", _MVND, Time.STOCK,
              "union_capital", group="unions", definition="Vốn điều lệ đăng ký của các liên hiệp HTX."),
    Indicator("union_members", "Thành viên liên hiệp HTX", "Unions' members", "thành viên", Time.STOCK,
              "union_members", group="unions", definition="Thành viên của các liên hiệp HTX."),
    Indicator("union_workers", "Lao động liên hiệp HTX", "Unions' workers", "lao động", Time.STOCK,
              "union_workers", group="unions", definition="Lao động của các liên hiệp HTX."),
    Indicator("training_classes", "Lớp tuyên truyền", "Awareness classes", "lớp", Time.FLOW, "propaganda_classes",
              dimensions=("district",), group="alliance",
              definition="Lớp tuyên truyền chủ trương, chính sách về HTX do Liên minh phối hợp tổ chức từ 1/1."),
    Indicator("training_trainees", "Học viên lớp tuyên truyền", "Awareness-class trainees", "học viên", Time.FLOW,
              "propaganda_trainees", dimensions=("district",), group="alliance",
              definition="Học viên các lớp tuyên truyền từ 1/1 đến cuối kỳ."),
    Indicator("training_managers", "Cán bộ quản lý HTX được bồi dưỡng", "Managers trained", "học viên", Time.FLOW,
              "managers_trained", dimensions=("district",), group="alliance",
              definition="Học viên là cán bộ quản lý HTX được bồi dưỡng chuyên môn nghiệp vụ từ 1/1."),
    Indicator("fund_loans_count", "Lượt HTX được giải ngân vốn vay", "Support-fund loans disbursed", "lượt",
              Time.FLOW, "loans_disbursed_count", group="alliance",
              definition="Lượt giải ngân của Quỹ hỗ trợ phát triển HTX từ 1/1 đến cuối kỳ."),
    Indicator("fund_loans_amount", "Vốn vay giải ngân", "Amount disbursed", _MVND, Time.FLOW,
              "loans_disbursed_amount", group="alliance", definition="Số tiền Quỹ giải ngân từ 1/1 đến cuối kỳ."),
    Indicator("fund_outstanding", "Dư nợ Quỹ hỗ trợ phát triển HTX", "Support fund outstanding", _MVND, Time.STOCK,
              "loans_disbursed_to_date", "repaid_to_date", IndicatorType.DIFFERENCE, group="alliance",
              higher_is_better=False, definition="Tổng vốn đã giải ngân trừ tổng nợ đã thu hồi, tại ngày cuối kỳ."),
    Indicator("fund_recovered", "Nợ thu hồi", "Amount recovered", _MVND, Time.FLOW, "repaid_amount",
              group="alliance", definition="Số tiền nợ gốc Quỹ thu hồi từ 1/1 đến cuối kỳ."),
    Indicator("fund_recovered_loans", "Dự án được thu hồi nợ", "Loans with repayments", "dự án", Time.FLOW,
              "repaid_loans", group="alliance", definition="Số dự án vay có thu hồi nợ từ 1/1 đến cuối kỳ."),
    Indicator("fund_settled_loans", "Dự án tất toán", "Loans settled", "dự án", Time.FLOW, "settled_loans",
              group="alliance", definition="Số dự án vay đã trả hết nợ (tất toán) từ 1/1 đến cuối kỳ."),
    Indicator("fairs_participants", "HTX tham gia hội chợ xúc tiến thương mại", "Cooperatives at trade fairs",
              _COUNT_HTX, Time.FLOW, "fair_participants", group="alliance",
              definition="Số HTX được hỗ trợ tham gia hội chợ, xúc tiến thương mại từ 1/1 đến cuối kỳ."),
    Indicator("linkage_projects", "HTX tham gia Đề án 1054", "Cooperatives in scheme 1054", _COUNT_HTX, Time.STOCK,
              "linkage_projects", group="alliance",
              definition="HTX được lựa chọn tham gia Đề án hỗ trợ liên kết chuỗi (QĐ 1054/QĐ-UBND)."),
    Indicator("linkage_projects_submitted", "Dự án liên kết đã trình thẩm định", "Linkage projects submitted",
              "dự án", Time.STOCK, "linkage_projects_submitted", group="alliance",
              definition="Dự án liên kết của Đề án 1054 đã trình UBND huyện thẩm định, chờ phê duyệt, tại ngày cuối kỳ."),
    Indicator("model_coops", "Mô hình HTX kiểu mới điển hình", "Model new-type cooperatives", "mô hình", Time.STOCK,
              "model_coops_completed", group="alliance",
              definition="Mô hình HTX kiểu mới điển hình gắn với chuỗi giá trị đã xây dựng xong."),
)

INDICATORS_BY_CODE = {i.code: i for i in INDICATORS}


def org_type_of(ind: Indicator):
    """The organisation type an indicator counts (None for activities without one)."""
    kinds = MEASURES_BY_CODE[ind.numerator].org_kinds
    return ORG_TYPE_OF_KIND[kinds[0]] if kinds else None


def is_additive(ind: Indicator) -> bool:
    """Counts and amounts add up over districts and sectors (shares of a total make sense); rates do not."""
    return ind.type in (IndicatorType.SIMPLE, IndicatorType.DIFFERENCE)


def is_paced(ind: Indicator) -> bool:
    """A yearly count target is paced over the year (half of it due at H1); levels and rates are not."""
    return ind.type == IndicatorType.SIMPLE and ind.time == Time.FLOW


# ---------------------------------------------------------------------------------------------
# Legal basis and definitions that change. A series that crosses a change shows a break (a mark
# on the chart, a note in downloads); declared here once, by page group or by indicator.


@dataclass(frozen=True)
class DefinitionChange:
    """From `on`, the indicator counts something defined differently: the series breaks there."""

    on: date
    note_vi: str
    note_en: str


LAW_2023 = DefinitionChange(
    date(2024, 7, 1),
    "Luật Hợp tác xã 2023 (17/2023/QH15) có hiệu lực: HTX cần ít nhất 5 thành viên chính thức (trước đó 7); "
    "liên hiệp HTX và tổ hợp tác theo quy định mới.",
    "Law on Cooperatives 2023 (17/2023/QH15) in force: a cooperative needs at least 5 official members (7 before); "
    "new rules for unions and cooperative groups.",
)
UNITS_2025 = DefinitionChange(
    date(2025, 7, 1),
    "Sắp xếp đơn vị hành chính (NQ 1670/NQ-UBTVQH15): 106 xã, phường, thị trấn thành 38 xã, phường.",
    "Reorganisation of administrative units (NQ 1670/NQ-UBTVQH15): 106 communes became 38.",
)
LEGAL_BASIS = {  # page group (or indicator code) -> the texts its figures rest on
    "coops": "Luật Hợp tác xã 2012 (23/2012/QH13) đến 30/6/2024; Luật Hợp tác xã 2023 (17/2023/QH15) từ 1/7/2024",
    "groups": "Nghị định 77/2019/NĐ-CP về tổ hợp tác đến 30/6/2024; Luật Hợp tác xã 2023 từ 1/7/2024",
    "unions": "Luật Hợp tác xã 2012 đến 30/6/2024; Luật Hợp tác xã 2023 từ 1/7/2024",
    "alliance": "Nghị quyết của Ban Chấp hành Liên minh HTX tỉnh về chương trình công tác năm",
    "coops_effective_share": "Thông tư 01/2020/TT-BKHĐT (xếp loại HTX: Tốt, Khá, Trung bình, Yếu)",
}
DEFINITION_CHANGES = {  # page group or indicator code -> its changes, oldest first
    "coops": (LAW_2023,),
    "groups": (LAW_2023,),
    "unions": (LAW_2023,),
    "communes_with_coop_share": (LAW_2023, UNITS_2025),
}


def legal_basis(ind: Indicator) -> str:
    return LEGAL_BASIS.get(ind.code) or LEGAL_BASIS.get(ind.group, "")


def definition_changes(ind: Indicator) -> tuple[DefinitionChange, ...]:
    return DEFINITION_CHANGES.get(ind.code) or DEFINITION_CHANGES.get(ind.group, ())
