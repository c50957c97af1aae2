"""The half-year report as data: sections of paragraphs whose figures stay figures.

build(ReportData) writes the statistical sections of the report of the Executive Committee of the
provincial Cooperative Alliance (the H1-2023 report is the template) in its own words: §I.1
cooperative groups, §I.2 cooperatives (counts, capital, members; business results; each sector),
§I.3 unions, §II.1 the resolution's targets item by item, §II.2 the alliance's activity, and an
annex by district. Every number is a Figure taken from hxcore's results (evaluate, target_table,
the lists), formatted the Vietnamese way, with the validation rules it fails; writers (DOCX,
Markdown, text) only lay the parts out. Pure: no database, no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from hxcore.engine.report_data import ANNEX, ReportData
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.periods import Period
from hxcore.model.targets import TargetStatus
from hxcore.model.vocab import OrgType, sectors_of
from hxcore.present import fmt

# ---------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Figure:
    """One number of the report: what it is, its value, how it is printed, and the rules it fails."""

    # indicator, aspect (value, change, share, attainment, numerator, denominator), sector, district: the
    # key of hxcore.engine.checks (district None: the report's own area; a code: a row of the annex)
    key: tuple[str, str, str | None, str | None]
    value: float
    text: str
    flags: tuple[str, ...] = ()
    note: str = ""  # the numerator and denominator behind a percentage: "478.756/1.056.714"


Part = str | Figure


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Part, ...]
    kind: str = "body"  # body | note (italic, smaller)

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    @property
    def figures(self) -> list[Figure]:
        return [p for p in self.parts if isinstance(p, Figure)]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Part, ...], ...]  # a name, then one cell per column

    @property
    def figures(self) -> list[Figure]:
        return [cell for row in self.rows for cell in row if isinstance(cell, Figure)]


@dataclass(frozen=True)
class Section:
    code: str  # "I.1", "I.2.3.agriculture", "II.1", "annex"
    heading: str
    level: int  # 1: "I.", 2: "1.", 3: "2.1.", 4: "a)"
    paragraphs: tuple[Paragraph, ...] = ()
    table: Table | None = None

    @property
    def figures(self) -> list[Figure]:
        return [f for p in self.paragraphs for f in p.figures] + (self.table.figures if self.table else [])


@dataclass(frozen=True)
class Header:
    """The heading block of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

    organ_parent: str
    organ: str
    number: str
    draft: str
    nation: str
    motto: str
    place_date: str


@dataclass(frozen=True)
class Report:
    header: Header
    title: str
    subtitle: tuple[str, ...]
    intro: Paragraph
    sections: tuple[Section, ...]
    closing: Paragraph
    recipients: tuple[str, ...]
    signature: tuple[str, ...]
    stamp: str  # the as-of date and the data version
    period: str
    as_of: date
    data_version: str

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    @property
    def flagged(self) -> list[Figure]:
        return [f for f in self.figures if f.flags]

    def section(self, code: str) -> Section:
        return next(s for s in self.sections if s.code == code)


# ---------------------------------------------------------------------------------------------
# Numbers as the report prints them


def number_text(value: float, decimals: int = 0) -> str:
    """1056714 -> "1.056.714"; 52.6 -> "52,6"; 37.0 -> "37" (a whole number shows no decimals)."""
    text = fmt.number(value, decimals)
    return re.sub(r",0+$", "", text) if decimals else text


def percent_text(value: float) -> str:
    """36.81 -> "36,8%"; 52.0 -> "52%"."""
    return number_text(value, 1) + "%"


def figure_text(indicator: str, aspect: str, value: float) -> str:
    """How the report prints a figure of this indicator and aspect (a change without its sign: the
    sentence says "tăng" or "giảm")."""
    ind = INDICATORS_BY_CODE[indicator]
    if aspect in ("share", "attainment") or (aspect == "value" and ind.unit == "%"):
        return percent_text(value)
    if aspect in ("numerator", "denominator"):
        return number_text(value)
    return number_text(abs(value) if aspect == "change" else value, ind.decimals)


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


# ---------------------------------------------------------------------------------------------
# Sentences from templates: "{name}" slots take a Figure, a string or a tuple of parts

_SLOT = re.compile(r"\{(\w+)\}")


def say(template: str, **slots) -> tuple[Part, ...]:
    """say("có {n} HTX", n=figure) -> ("có ", figure, " HTX"); a slot left without its figure is a bug."""
    parts: list[Part] = []
    for position, piece in enumerate(_SLOT.split(template)):
        value = slots[piece] if position % 2 else piece
        if value is None:
            raise ValueError(f"no figure for {{{piece}}} in: {template}")
        parts.extend(value if isinstance(value, tuple) else (value,))
    return tuple(p for p in parts if p != "")


def paragraph(*chunks: Part | tuple[Part, ...], kind: str = "body") -> Paragraph:
    """A paragraph from strings, figures and tuples of them; neighbouring strings merged."""
    parts: list[Part] = []
    for chunk in chunks:
        for part in chunk if isinstance(chunk, tuple) else (chunk,):
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            elif part != "":
                parts.append(part)
    return Paragraph(tuple(parts), kind)


def counted(figure: Figure, template: str, none: str) -> tuple[Part, ...]:
    """A count in its sentence, or what the report says when there is none ("không có HTX giải thể")."""
    return say(template, n=figure) if figure.value else (none,)


def joined(items: Iterable[tuple[Part, ...]], separator: str = "; ") -> tuple[Part, ...]:
    out: list[Part] = []
    for number, item in enumerate(items):
        out.extend(((separator,) if number else ()) + item)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Figures from hxcore's results


def _records(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records"), the same values, column by column (a country's annex: 5.000 rows, 5× quicker)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*(frame[c].tolist() for c in columns), strict=True)]


class Source:
    """ReportData looked up by (indicator, aspect, sector), each number returned as a Figure."""

    def __init__(self, data: ReportData):
        self.data = data
        self.period = data.flt.parsed_period
        self.totals = {row["indicator"]: row for row in _records(data.totals)}
        self.by_sector = {(row["indicator"], row["sector"]): row for row in _records(data.sectors)}
        self.by_district = {(row["indicator"], row[data.parts]): row for row in _records(data.districts)}
        self.districts = data.flt.districts

    def row(self, code: str, sector: str | None = None) -> dict:
        return (self.by_sector.get((code, sector)) if sector else self.totals.get(code)) or {}

    def value(self, code: str, aspect: str = "value", sector: str | None = None) -> float | None:
        value = self.row(code, sector).get(aspect)
        return None if _missing(value) else float(value)

    def flags(self, code: str, aspect: str, sector: str | None, district: str | None = None) -> tuple[str, ...]:
        """The rules a figure fails: at its own scope (a report on one district: that district's figure)."""
        if district is None and len(self.districts) == 1:
            district = self.districts[0]
        if district is None and self.districts:
            return ()  # several districts together: the checks do not cover that scope
        return self.data.flags.get((code, aspect, sector, district), ())

    def figure(self, code: str, aspect: str, value: float | None, sector: str | None = None, note: str = "",
               district: str | None = None) -> Figure | None:
        if _missing(value):
            return None
        return Figure((code, aspect, sector, district), float(value), figure_text(code, aspect, float(value)),
                      self.flags(code, aspect, sector, district), note)

    def fig(self, code: str, aspect: str = "value", sector: str | None = None) -> Figure | None:
        return self.figure(code, aspect, self.value(code, aspect, sector), sector)

    def share(self, code: str, sector: str) -> Figure | None:
        """A sector's share of the whole, from its own numerator and denominator."""
        part, whole = self.value(code, sector=sector), self.value(code)
        if part is None or not whole:
            return None
        return self.figure(code, "share", part / whole * 100, sector, note=f"{number_text(part)}/{number_text(whole)}")

    def compared(self, code: str) -> str:
        previous = self.totals.get(code, {}).get("previous_period")
        if not isinstance(previous, str):
            return ""
        before = Period.parse(previous)
        return f"so với năm {before.year}" if before.part is None else f"so với cùng kỳ năm {before.year}"

    def change(self, code: str, unit: str, sector: str | None = None, subject: str = "") -> tuple[Part, ...]:
        """ "tăng 7 HTX so với năm 2022" / "giảm 6 HTX …" / "không đổi …"; nothing without a comparison."""
        delta = self.fig(code, "change", sector)
        if delta is None:
            return ()
        compared = self.compared(code)
        if delta.text == number_text(0, INDICATORS_BY_CODE[code].decimals):
            return (f"{subject} không đổi {compared}".strip(),)
        return ("tăng " if delta.value > 0 else "giảm ", delta, f" {unit} {compared}")

    def reach(self, code: str) -> str:
        """ "ước đạt" where the figure rests on estimated returns, "đạt" otherwise."""
        return "ước đạt" if code in self.data.estimated else "đạt"

    def has(self, *codes: str) -> bool:
        return all(self.value(code) is not None for code in codes)


NO_DATA = "Chưa có số liệu."


def _unit_name(name: str) -> str:
    """ "Huyện Tam Đường" -> "huyện Tam Đường" (inside a sentence)."""
    return name[:1].lower() + name[1:] if name else name


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def where(src: Source) -> str:
    if not src.districts:
        return "toàn tỉnh"
    return ", ".join(_unit_name(src.data.district_names.get(code, code)) for code in src.districts)


def as_of_day(src: Source) -> str:
    return fmt.day(src.period.end)


def span(src: Source) -> str:
    """How long flows have been counted: "6 tháng", or "cả năm"."""
    months = src.period.months_elapsed
    return f"{months} tháng" if months < 12 else "cả năm"


# ---------------------------------------------------------------------------------------------
# §I.1 Cooperative groups


def _group_sectors(src: Source) -> tuple[Part, ...]:
    items = []
    for sector in sectors_of(OrgType.GROUP):
        count, share = src.fig("groups_total", sector=sector.code), src.share("groups_total", sector.code)
        if count is None or share is None:
            return ()
        items.append(say("lĩnh vực {name}: {count} tổ, chiếm {share}", name=sector.label_vi.lower(), count=count,
                         share=share))
    return (" Trong đó: hoạt động trong ", *joined(items), ".")


def groups_section(src: Source) -> Section:
    total = src.fig("groups_total")
    heading = "1. Tổ hợp tác (THT)"
    if total is None:
        return Section("I.1", heading, 2, (paragraph(NO_DATA),))
    change = src.change("groups_total", "THT")
    first = say("Đến {day}, {where} có {total} tổ hợp tác", day=as_of_day(src), where=where(src), total=total)
    people = src.fig("groups_members")
    members = say(" Các THT đã tạo việc làm cho {n} thành viên và lao động.", n=people) if people and total.value else ()
    sectors = _group_sectors(src) if total.value else ()
    return Section("I.1", heading, 2, (paragraph(first, (", ",) if change else (), change, ".", sectors, members),))


# ---------------------------------------------------------------------------------------------
# §I.2 Cooperatives


def _credit_note(src: Source) -> tuple[Part, ...]:
    credit = src.fig("coops_total", sector="credit")
    return say(" (bao gồm {n} quỹ tín dụng nhân dân)", n=credit) if credit and credit.value else ()


def _plan(src: Source, code: str) -> tuple[Part, ...]:
    """ " (đạt 52% so với kế hoạch năm 2023)": attainment of the year's target for a count."""
    row = _target_row(src, code, None)
    attained = src.figure(code, "attainment", row.get("attainment")) if row else None
    if attained is None:
        return ()
    if src.districts:
        return say(" (bằng {a} kế hoạch năm {y} của toàn tỉnh)", a=attained, y=str(src.period.year))
    return say(" (đạt {a} so với kế hoạch năm {y})", a=attained, y=str(src.period.year))


def _counts(src: Source) -> Paragraph:
    change = src.change("coops_total", "HTX")
    total = say("- Đến {day} {where} có {n} HTX", day=as_of_day(src), where=where(src), n=src.fig("coops_total"))
    states = say(" Số HTX đang hoạt động là {op} HTX; số ngừng hoạt động là {stop} HTX.",
                 op=src.fig("coops_operating"), stop=src.fig("coops_inactive"))
    new = counted(src.fig("coops_new"), " Số thành lập mới là {n} HTX", " Không có HTX thành lập mới")
    gone = counted(src.fig("coops_dissolved"), ", số HTX giải thể là {n} HTX.", ", không có HTX giải thể.")
    return paragraph(total, _credit_note(src), ("; ",) if change else (), change, ".", states, new,
                     _plan(src, "coops_new"), gone)


def _capital_and_people(src: Source) -> Paragraph:
    capital_change = src.change("coop_charter_capital", "triệu đồng")
    people_change = src.change("coop_members_workers", "thành viên và lao động",
                               subject="tổng số thành viên và lao động")
    capital = say("- Tổng vốn điều lệ theo đăng ký kinh doanh là {c} triệu đồng (chỉ tính đối với các HTX đang hoạt "
                  "động)", c=src.fig("coop_charter_capital"))
    people = say(" Thu hút {m} thành viên, tạo việc làm thường xuyên cho {w} lao động", m=src.fig("coop_members"),
                 w=src.fig("coop_workers"))
    return paragraph(capital, (", ",) if capital_change else (), capital_change, ".", people,
                     (", ",) if people_change else (), people_change, ".")


COUNTS = ("coops_total", "coops_operating", "coops_inactive", "coops_new", "coops_dissolved", "coop_charter_capital",
          "coop_members", "coop_workers")


def coops_counts_section(src: Source) -> Section:
    heading = "2.1. Số lượng, vốn, thành viên và lao động"
    if not src.has(*COUNTS):
        return Section("I.2.1", heading, 3, (paragraph(NO_DATA),))
    return Section("I.2.1", heading, 3, (_counts(src), _capital_and_people(src)))


def _revenue(src: Source) -> Paragraph:
    revenue = src.fig("coop_avg_revenue")
    if revenue is None:
        return paragraph("Chưa có số liệu doanh thu của HTX.")
    return paragraph(say("Doanh thu bình quân của 1 HTX {span} {reach} {r} triệu đồng/HTX.", span=span(src),
                         reach=src.reach("coop_avg_revenue"), r=revenue))


def _income(src: Source) -> Paragraph:
    month, year = src.fig("coop_avg_income"), src.fig("coop_avg_income_year")
    if month is None or year is None:
        return paragraph("Chưa có số liệu thu nhập của lao động trong HTX.")
    return paragraph(say("Thu nhập bình quân của lao động trong HTX {span} {reach} {m} triệu đồng/người/tháng "
                         "({y} triệu đồng/người/năm).", span=span(src), reach=src.reach("coop_avg_income"), m=month,
                         y=year))


def coops_results_section(src: Source) -> Section:
    return Section("I.2.2", "2.2. Kết quả hoạt động sản xuất kinh doanh", 3, (_revenue(src), _income(src)))


LETTERS = ("a", "b", "c", "d", "đ", "e", "f", "g", "h")  # the report's own lettering of the sectors


def _sector_heading(letter: str, code: str, label: str) -> str:
    return f"{letter}) {label}" if code == "credit" else f"{letter}) Lĩnh vực {label}"


def _sector_states(src: Source, code: str, noun: str) -> tuple[Part, ...]:
    total, operating = src.fig("coops_total", sector=code), src.fig("coops_operating", sector=code)
    stopped = src.fig("coops_inactive", sector=code)
    if stopped and stopped.value:
        return say("Tổng số {t} {noun} (trong đó có {o} {noun} đang hoạt động và {s} {noun} ngừng hoạt động)", t=total,
                   o=operating, s=stopped, noun=noun)
    if code == "credit":  # the report counts the funds, all operating, as "Có 2 đơn vị"
        return say("Có {t} {noun}", t=total, noun=noun)
    return say("Có {o} {noun} đang hoạt động", o=operating, noun=noun)


def _sector_capital(src: Source, code: str) -> tuple[Part, ...]:
    capital, share = src.fig("coop_charter_capital", sector=code), src.share("coop_charter_capital", code)
    words = say("tổng vốn điều lệ theo đăng ký kinh doanh là {c} triệu đồng", c=capital)
    return words + (say(", chiếm {s} so với tổng số vốn điều lệ", s=share) if share else ())


def _sector_body(src: Source, code: str) -> Paragraph:
    noun = "đơn vị" if code == "credit" else "HTX"
    total, operating = src.fig("coops_total", sector=code), src.fig("coops_operating", sector=code)
    if total is None or operating is None:
        return paragraph(NO_DATA)
    if not total.value:
        return paragraph("Không có quỹ tín dụng nhân dân." if code == "credit" else "Không có HTX.")
    if not operating.value:
        return paragraph(say("Có {t} {noun}, đều ngừng hoạt động.", t=total, noun=noun))
    workers = src.fig("coop_workers", sector=code)
    people = say("thu hút {m} thành viên", m=src.fig("coop_members", sector=code))
    people += say(", tạo việc làm cho {w} lao động", w=workers) if workers and workers.value else ()
    return paragraph(_sector_states(src, code, noun), "; ", people, "; ", _sector_capital(src, code), ".")


def sector_sections(src: Source) -> list[Section]:
    sections = [Section("I.2.3", "2.3. Đánh giá hoạt động của HTX theo lĩnh vực hoạt động", 3)]
    for letter, sector in zip(LETTERS, sectors_of(OrgType.COOP), strict=False):
        sections.append(Section(f"I.2.3.{sector.code}", _sector_heading(letter, sector.code, sector.label_vi), 4,
                                (_sector_body(src, sector.code),)))
    return sections


# ---------------------------------------------------------------------------------------------
# §I.3 Unions of cooperatives


def unions_section(src: Source) -> Section:
    heading = "3. Liên hiệp hợp tác xã"
    count = src.fig("unions_total")
    if count is None:
        return Section("I.3", heading, 2, (paragraph(NO_DATA),))
    if not count.value:
        return Section("I.3", heading, 2, (paragraph(f"{_capital(where(src))} không có liên hiệp hợp tác xã."),))
    names = ", ".join(sorted(src.data.unions["name"].dropna())) if not src.data.unions.empty else ""
    body = say("Có {n} liên hiệp HTX{names}, vốn điều lệ đăng ký {c} triệu đồng, với {m} thành viên tham gia, tạo việc "
               "làm cho {w} lao động.", n=count, names=f" ({names})" if names else "",
               c=src.fig("union_charter_capital"), m=src.fig("union_members"), w=src.fig("union_workers"))
    return Section("I.3", heading, 2, (paragraph(body),))


# ---------------------------------------------------------------------------------------------
# §II.1 The resolution's targets, item by item

# What was done, in the report's words; {actual} is the target's indicator, {numerator} and
# {denominator} the parts of a rate, another indicator's code its value at the target's scope.
RESULTS = {
    "training_classes": "Liên minh HTX tỉnh phối hợp tổ chức {actual} lớp tuyên truyền",
    "training_trainees": "tuyên truyền cho {actual} học viên",
    "training_managers": "{actual} học viên là cán bộ quản lý HTX được bồi dưỡng chuyên môn nghiệp vụ",
    "coops_new": "đến {day} có {actual} HTX thành lập mới",
    "groups_new": "có {actual} THT thành lập mới",
    "communes_with_coop_share": "có {numerator}/{denominator} xã, phường, thị trấn có HTX, bằng {actual}",
    "coop_new_workers": "thu hút mới {actual} lao động",
    "coop_new_members": "thu hút mới {actual} thành viên tham gia HTX",
    "groups_new_members": "thu hút {actual} thành viên tham gia THT",
    "coop_avg_income_year": "đến {day} thu nhập bình quân của lao động thường xuyên trong HTX {reach} {actual} triệu "
                            "đồng/người/năm",
    "group_avg_income_year": "thu nhập của lao động trong THT {reach} {actual} triệu đồng/người/năm",
    "coops_effective_share": "số HTX hoạt động hiệu quả{scope} là {numerator}/{denominator} HTX đang hoạt động, bằng "
                             "{actual}",
    "model_coops": "đã xây dựng xong {actual} mô hình",
    "fund_loans_count": "đã giải ngân cho {actual} lượt HTX vay vốn với số vốn cho vay là {fund_loans_amount} triệu đồng",
    "fairs_participants": "hỗ trợ {actual} HTX tham gia hội chợ, xúc tiến thương mại",
    "coops_alliance_share": "số HTX tham gia thành viên Liên minh HTX tỉnh là {coops_alliance_members} HTX/"
                            "{coops_operating} HTX đang hoạt động, bằng {actual}",
}
# What was done when nothing was: "chưa có mô hình nào" rather than "0 mô hình".
NOTHING_DONE = {"model_coops": "chưa có mô hình nào được xây dựng xong"}
STATUS_WORDS = {TargetStatus.ACHIEVED: "đã đạt chỉ tiêu", TargetStatus.ON_TRACK: "đúng tiến độ",
                TargetStatus.BEHIND: "chậm tiến độ", TargetStatus.NO_DATA: "chưa có số liệu"}


def _target_row(src: Source, code: str, sector: str | None) -> dict:
    if src.data.targets.empty:
        return {}
    for row in src.data.targets.to_dict("records"):
        own = row["sector"] if isinstance(row["sector"], str) else None
        if row["indicator"] == code and own == sector:
            return row
    return {}


def _result_slots(src: Source, row: dict, sector: str | None) -> dict:
    code = row["indicator"]
    slots = {"actual": src.figure(code, "value", row["actual"], sector),
             "numerator": src.figure(code, "numerator", row["numerator"], sector),
             "denominator": src.figure(code, "denominator", row["denominator"], sector),
             "day": as_of_day(src), "reach": src.reach(code),
             "scope": f" trong lĩnh vực {sectors_label(sector)}" if sector else ""}
    for name in _SLOT.findall(RESULTS.get(code, "")):
        if name in INDICATORS_BY_CODE:
            slots[name] = src.fig(name, sector=sector)
    return slots


def sectors_label(code: str) -> str:
    return next((s.label_vi.lower() for s in sectors_of(OrgType.COOP) if s.code == code), code)


def _attainment(src: Source, row: dict, sector: str | None) -> tuple[Part, ...]:
    attained = src.figure(row["indicator"], "attainment", row["attainment"], sector)
    if attained is None:
        return ()
    if src.districts:
        return say(" (bằng {a} chỉ tiêu Nghị quyết của toàn tỉnh)", a=attained)
    return say(" (đạt {a} so với chỉ tiêu Nghị quyết, {status})", a=attained,
               status=STATUS_WORDS[TargetStatus(row["status"])])


def _result(src: Source, row: dict) -> tuple[Part, ...]:
    sector = row["sector"] if isinstance(row["sector"], str) else None
    ind = INDICATORS_BY_CODE[row["indicator"]]
    if _missing(row["actual"]):
        return (f"{ind.label_vi}: chưa có số liệu",)
    slots = _result_slots(src, row, sector)
    template = RESULTS.get(ind.code, "{label}: {actual} {unit}")
    if ind.code in NOTHING_DONE and not row["actual"]:
        template = NOTHING_DONE[ind.code]
    if any(slots.get(name) is None for name in _SLOT.findall(template) if name in slots):
        return (f"{ind.label_vi}: chưa có số liệu",)
    return say(template, label=ind.label_vi, unit=ind.unit, **slots) + _attainment(src, row, sector)


def _item(src: Source, item: int, rows: list[dict]) -> Paragraph:
    wordings = [str(row["wording"]).rstrip(". ") for row in rows]
    wordings = [wordings[0], *(w[:1].lower() + w[1:] for w in wordings[1:])]
    return paragraph(f"({item}) " + "; ".join(wordings) + ": ", joined(_result(src, row) for row in rows), ".")


def _resolution_name(src: Source) -> str:
    resolution = src.data.resolution or {}
    return f"Nghị quyết số {resolution.get('code', '')}".strip()


def targets_section(src: Source) -> Section:
    heading = f"1. Kết quả thực hiện các chỉ tiêu theo {_resolution_name(src)}"
    targets = src.data.targets
    if targets.empty:
        return Section("II.1", "1. Kết quả thực hiện các chỉ tiêu nghị quyết", 2,
                       (paragraph(f"Không có chỉ tiêu nghị quyết cho năm {src.period.year}."),))
    intro = [paragraph(f"Kết quả thực hiện các chỉ tiêu phát triển KTTT, HTX theo {src.data.resolution['title']}:")]
    if src.districts:
        intro.append(paragraph(f"Chỉ tiêu Nghị quyết là chỉ tiêu của toàn tỉnh; số liệu dưới đây là của {where(src)}.",
                               kind="note"))
    rows = targets.to_dict("records")
    items = dict.fromkeys(int(row["item"]) for row in rows)
    body = [_item(src, item, [row for row in rows if int(row["item"]) == item]) for item in items]
    return Section("II.1", heading, 2, (*intro, *body))


# ---------------------------------------------------------------------------------------------
# §II.2 The alliance's activity


def _training(src: Source) -> Paragraph | None:
    classes, trainees, managers = (src.fig(c) for c in ("training_classes", "training_trainees", "training_managers"))
    if classes is None or trainees is None or managers is None:
        return None
    held = (say("phối hợp tổ chức {c} lớp tuyên truyền, phổ biến chủ trương, chính sách pháp luật về HTX với {t} học "
                "viên", c=classes, t=trainees) if classes.value else ("chưa tổ chức lớp tuyên truyền nào",))
    trained = counted(managers, "; {n} học viên là cán bộ quản lý HTX được bồi dưỡng chuyên môn nghiệp vụ.",
                      "; chưa có cán bộ quản lý HTX được bồi dưỡng.")
    return paragraph("- Công tác tuyên truyền: ", held, trained)


def _advice_sectors(src: Source) -> tuple[Part, ...]:
    items = []
    for sector in sectors_of(OrgType.COOP):
        count = src.fig("coops_new_supported", sector=sector.code)
        if count is not None and count.value:
            items.append(say("{name}: {n} HTX", name=sector.label_vi, n=count))
    return (" Trong đó: ", *joined(items), ".") if items else ()


def _advice(src: Source) -> Paragraph | None:
    advised, dissolved, members = (src.fig(c) for c in ("coops_new_supported", "coops_dissolved",
                                                         "coops_alliance_members"))
    if advised is None or dissolved is None or members is None:
        return None
    first = (say("phối hợp tư vấn thành lập mới được {n} HTX.", n=advised) + _advice_sectors(src) if advised.value
             else ("chưa có HTX thành lập mới do Liên minh tư vấn.",))
    return paragraph("- Công tác tư vấn thành lập HTX, phát triển thành viên: ", first,
                     counted(dissolved, " Có {n} HTX giải thể.", " Không có HTX giải thể."),
                     say(" Tổng số HTX thành viên Liên minh HTX tỉnh là {m} HTX.", m=members))


def _repayments(src: Source) -> tuple[Part, ...]:
    loans, settled, amount = (src.fig(c) for c in ("fund_recovered_loans", "fund_settled_loans", "fund_recovered"))
    if loans is None or settled is None or amount is None:
        return ()
    if not loans.value:
        return (" Chưa thu hồi được nợ của dự án nào.",)
    return (say(" Đôn đốc, thu hồi nợ của {n} dự án", n=loans) + counted(settled, " (trong đó tất toán {n} dự án)", "")
            + say(" với tổng số tiền {a} triệu đồng.", a=amount))


def _fund(src: Source) -> Paragraph | None:
    count, amount, outstanding = (src.fig(c) for c in ("fund_loans_count", "fund_loans_amount", "fund_outstanding"))
    if count is None or amount is None or outstanding is None:
        return None
    lent = (say("đã giải ngân cho {n} dự án với số vốn vay là {a} triệu đồng", n=count, a=amount) if count.value
            else ("chưa giải ngân dự án nào",))
    change = src.change("fund_outstanding", "triệu đồng")
    balance = say("; tổng dư nợ của Quỹ đến {day} là {o} triệu đồng", day=as_of_day(src), o=outstanding)
    return paragraph(f"- Hoạt động hỗ trợ vốn: {period_words(src)}, Quỹ hỗ trợ phát triển HTX ", lent, balance,
                     (", ",) if change else (), change, ".", _repayments(src))


def _fairs(src: Source) -> Paragraph | None:
    fairs = src.fig("fairs_participants")
    if fairs is None:
        return None
    return paragraph("- Xúc tiến thương mại: ", counted(fairs, "hỗ trợ {n} HTX tham gia hội chợ, xúc tiến thương mại "
                                                          "trong, ngoài tỉnh.", "chưa có HTX tham gia hội chợ, xúc "
                                                          "tiến thương mại."))


def _names(projects: pd.DataFrame) -> str:
    return "; ".join(f"{row['name']} – {_unit_name(str(row['district_name']))}"
                     for row in projects.to_dict("records"))


def _linkage_statuses(src: Source, total: Figure) -> tuple[Part, ...]:
    """The other projects by status, counted from the project list."""
    projects = src.data.projects
    linkage = projects[(projects["scheme"] == "linkage_1054") & (projects["status"] != "submitted")]
    items = []
    for (status, label), group in linkage.groupby(["status", "status_label"], sort=False):
        count = src.figure("linkage_projects", f"status_{status}", len(group))
        items.append((count, "/", total, f" HTX {label.lower()}"))
    return ("; ", *joined(items)) if items else ()


def _linkage(src: Source) -> Paragraph | None:
    total, submitted = src.fig("linkage_projects"), src.fig("linkage_projects_submitted")
    if total is None or submitted is None:
        return None
    if not total.value:
        return paragraph(f"- Đề án 1054: {where(src)} không có HTX tham gia Đề án.")
    projects = src.data.projects
    shown = projects[(projects["scheme"] == "linkage_1054") & (projects["status"] == "submitted")]
    names = f" ({_names(shown)})" if not shown.empty else ""
    return paragraph(say("- Thực hiện Đề án hỗ trợ HTX liên kết chuỗi (Quyết định số 1054/QĐ-UBND): trong {t} HTX "
                         "được lựa chọn tham gia Đề án có {s}/{t} HTX đã xây dựng dự án liên kết trình UBND huyện "
                         "thẩm định{names}", t=total, s=submitted, names=names), _linkage_statuses(src, total), ".")


def _models(src: Source) -> Paragraph | None:
    done = src.fig("model_coops")
    if done is None:
        return None
    projects = src.data.projects
    under_way = projects[(projects["scheme"] == "model_coop") & (projects["status"] != "completed")]
    lines = [f"{label.lower()}: {_names(group)}" for label, group in under_way.groupby("status_label", sort=False)]
    count = src.figure("model_coops", "under_way", len(under_way))
    rest = say("; đang triển khai tại {n} đơn vị ({names})", n=count, names="; ".join(lines)) if lines else ()
    first = say("{d} mô hình đã hoàn thành", d=done) if done.value else ("chưa có mô hình nào hoàn thành",)
    return paragraph("- Xây dựng mô hình HTX kiểu mới điển hình gắn với chuỗi giá trị: ", first, rest, ".")


def alliance_section(src: Source) -> Section:
    found = [p for p in (_training(src), _advice(src), _fund(src), _fairs(src), _linkage(src), _models(src)) if p]
    return Section("II.2", "2. Hoạt động của Liên minh HTX tỉnh", 2, tuple(found) or (paragraph(NO_DATA),))


# ---------------------------------------------------------------------------------------------
# The annex: districts × headline indicators


def _column(code: str) -> str:
    ind = INDICATORS_BY_CODE[code]
    return ind.label_vi if ind.unit in ("HTX", "THT") else f"{ind.label_vi} ({ind.unit})"


def _annex_cell(src: Source, code: str, row: dict | None, district: str | None) -> Part:
    value = None if row is None else row.get("value")
    if _missing(value):
        return ""
    ind = INDICATORS_BY_CODE[code]
    aspect_value = float(value)
    return Figure((code, "value", None, district), aspect_value, fmt.number(aspect_value, ind.decimals),
                  src.flags(code, "value", None, district))


# The annex's rows (ReportData.parts): their column's heading, and the whole's row.
ANNEX_PARTS = {"district": ("Huyện, thành phố", "Toàn tỉnh"), "province": ("Tỉnh, thành phố", "Toàn quốc")}


def annex_section(src: Source) -> Section:
    parts = src.data.parts
    codes = [code for code in src.data.districts[parts].dropna().unique()]
    rows = []
    for part in codes:
        name = src.data.part_names.get(part, part)
        rows.append((name, *(_annex_cell(src, c, src.by_district.get((c, part)), part) for c in ANNEX)))
    heading, whole = ANNEX_PARTS[parts]
    rows.append(("Cộng" if src.districts else whole, *(_annex_cell(src, c, src.totals.get(c), None) for c in ANNEX)))
    table = Table((heading, *(_column(c) for c in ANNEX)), tuple(rows))
    caption = paragraph(f"Một số chỉ tiêu chủ yếu theo {heading.lower()}, số liệu đến {as_of_day(src)}")
    return Section("annex", "PHỤ LỤC", 1, (caption,), table)


# ---------------------------------------------------------------------------------------------
# The whole report


def _place(province: str | None) -> str:
    return re.sub(r"^(Tỉnh|Thành phố)\s+", "", province or "").strip()


def header(src: Source) -> Header:
    province = src.data.province_name
    return Header(
        organ_parent=f"UBND {province.upper()}" if province else "",
        organ="BCH LIÊN MINH HỢP TÁC XÃ",
        number="Số:        /BC-BCH",
        draft="(Dự thảo)",
        nation="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        motto="Độc lập - Tự do - Hạnh phúc",
        place_date=f"{_place(province) or '…'}, ngày      tháng      năm {src.period.end.year}",
    )


def period_words(src: Source) -> str:
    label = src.period.label("vi")
    return label[:1].lower() + label[1:]


def _stamp(src: Source) -> str:
    demo = " Dữ liệu minh họa." if src.data.demo else ""
    flagged = (" Số liệu tô màu là số không qua quy tắc kiểm tra (xem chú thích)."
               if any(src.data.flags.values()) else "")
    return (f"Dự thảo do hx lập từ cơ sở dữ liệu: số liệu đến {as_of_day(src)}, phiên bản dữ liệu "
            f"{src.data.data_version or '0'}.{demo}{flagged}")


def build(data: ReportData) -> Report:
    """The report for the data's period and districts."""
    src = Source(data)
    scope = f" trên địa bàn {where(src)}" if src.districts else ""
    intro = paragraph(f"Căn cứ {data.resolution['title']}, " if data.resolution else "",
                      "Ban Chấp hành Liên minh HTX tỉnh báo cáo tình hình phát triển kinh tế tập thể (KTTT), hợp tác "
                      f"xã (HTX) và kết quả hoạt động của Liên minh HTX tỉnh {period_words(src)}{scope} như sau:")
    sections = [
        Section("I", f"I. TÌNH HÌNH KINH TẾ TẬP THỂ {period_words(src).upper()}", 1),
        groups_section(src),
        Section("I.2", "2. Hợp tác xã (HTX)", 2),
        coops_counts_section(src), coops_results_section(src), *sector_sections(src),
        unions_section(src),
        Section("II", "II. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT VÀ HOẠT ĐỘNG CỦA LIÊN MINH HTX TỈNH", 1),
        targets_section(src), alliance_section(src),
        annex_section(src),
    ]
    subtitle = ("Tình hình kinh tế tập thể và hoạt động của Liên minh Hợp tác xã tỉnh", period_words(src),
                *((f"({where(src)})",) if src.districts else ()))
    return Report(
        header=header(src), title="BÁO CÁO", subtitle=subtitle, intro=intro, sections=tuple(sections),
        closing=paragraph("Trên đây là báo cáo tình hình kinh tế tập thể và hoạt động của Liên minh HTX tỉnh "
                          f"{period_words(src)}{scope}./."),
        recipients=("Nơi nhận:", "- Các thành viên BCH Liên minh HTX tỉnh;", "- Lưu: VT."),
        signature=("TM. BAN CHẤP HÀNH", "CHỦ TỊCH"),
        stamp=_stamp(src), period=data.flt.period, as_of=src.period.end, data_version=data.data_version,
    )


# ---------------------------------------------------------------------------------------------
# Text and Markdown (the on-screen preview)


def _plain(parts: Iterable[Part]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def to_text(report: Report) -> str:
    """Every line of the report as plain text: what the document says, in order."""
    h = report.header
    lines = [h.organ_parent, h.organ, h.number, h.draft, h.nation, h.motto, h.place_date, "", report.title,
             *report.subtitle, "", report.intro.text]
    for section in report.sections:
        lines += [section.heading, *(p.text for p in section.paragraphs)]
        if section.table:
            lines += ["\t".join(section.table.header), *("\t".join(_plain([c]) for c in row) for row in section.table.rows)]
    lines += [report.closing.text, *report.recipients, *report.signature, report.stamp]
    return "\n".join(lines) + "\n"


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _md_parts(parts: Iterable[Part], notes: list[str], mark: str) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part.replace("*", "\\*"))
        elif part.flags:
            notes.append(f"{part.text}: {'; '.join(part.flags)}")
            out.append(mark.format(text=part.text) + str(len(notes)).translate(SUPERSCRIPT))
        else:
            out.append(part.text)
    return "".join(out)


def _md_table(table: Table, notes: list[str], mark: str) -> list[str]:
    lines = ["| " + " | ".join(table.header) + " |", "|---|" + "---:|" * (len(table.header) - 1)]
    for row in table.rows:
        lines.append("| " + " | ".join(_md_parts([cell], notes, mark) for cell in row) + " |")
    return lines


HEADING_MARKS = {1: "#### {}", 2: "##### {}", 3: "***{}***", 4: "*{}*"}  # the preview's headings stay modest


def to_markdown(report: Report, mark: str = "**{text}**") -> str:
    """The report's sections as Markdown; a figure failing a rule is wrapped in `mark` and numbered,
    the rules listed after the sections."""
    notes: list[str] = []
    lines = [f"**{report.title}**", "", f"**{' – '.join(report.subtitle)}**", "", _md_parts(report.intro.parts, notes, mark)]
    for section in report.sections:
        lines += ["", HEADING_MARKS[section.level].format(section.heading)]
        lines += ["", *(_md_parts(p.parts, notes, mark) + "  " for p in section.paragraphs)]
        if section.table:
            lines += ["", *_md_table(section.table, notes, mark)]
    lines += ["", _md_parts(report.closing.parts, notes, mark), "", f"*{report.stamp}*"]
    if notes:
        lines += ["", "**Số liệu không qua kiểm tra:**", *(f"{n}. {note}" for n, note in enumerate(notes, start=1))]
    return "\n".join(lines) + "\n"
