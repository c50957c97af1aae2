"""Validation rules declared as data, run on the database and on published reports.

In the spirit of DHIS2's validation rules: each rule says which figures must agree and how
(parts sum to a total, a stated share is part ÷ total, a yearly figure is 12 × the monthly one,
an attainment is actual ÷ target, a change is the difference of two stocks, a printed figure is
the one the data gives). Every printed figure stands for an interval: "1,1%" for 1,05–1,15,
"hơn 900" for at least 901. A rule is violated when the interval it states and the interval it
computes do not meet. For each violation the checker says what each figure would have to be for
the rule to hold, and which single figure, changed, would satisfy every rule it takes part in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from babel.numbers import format_decimal
from sqlalchemy import Engine, select

from hxcore.db import schema
from hxcore.engine.compute import available_periods, district_choices, evaluate
from hxcore.model.catalog import INDICATORS_BY_CODE, IndicatorType, Time, is_additive, org_type_of
from hxcore.model.filters import Filter
from hxcore.model.periods import Period
from hxcore.model.vocab import sector_label, sectors_of

# Units counted in whole things: "hơn 900 học viên" means at least 901.
COUNT_UNITS = {"HTX", "THT", "lớp", "học viên", "thành viên", "lao động", "người", "lượt", "dự án", "đơn vị", "liên hiệp",
               "mô hình"}
REPORT, DATA, TARGET = "báo cáo", "dữ liệu", "chỉ tiêu"


@dataclass(frozen=True)
class Rule:
    code: str
    form: Literal["sum", "product", "difference", "equal", "percent_sign"]
    label_vi: str
    total: str | None = None  # the stated figure's indicator (None: every figure of the aspect)
    parts: tuple[str, ...] = ()  # indicators on the other side, at the same scope
    over: str | None = None  # "sector" | "district": the parts are the total's breakdown
    aspect: str = "value"  # the stated figure's aspect
    factor: float = 1.0
    sources: tuple[str, ...] = (REPORT, DATA)  # which figure sets the rule is run on


ADDITIVE = tuple(code for code, ind in INDICATORS_BY_CODE.items() if is_additive(ind))

RULES: tuple[Rule, ...] = (
    Rule("sectors_sum", "sum", "Các lĩnh vực cộng lại bằng tổng số", over="sector"),
    Rule("districts_sum", "sum", "Các huyện, thành phố cộng lại bằng toàn tỉnh", over="district"),
    Rule("operating_plus_stopped", "sum", "HTX đang hoạt động + ngừng hoạt động = tổng số HTX", "coops_total",
         ("coops_operating", "coops_inactive")),
    Rule("members_plus_workers", "sum", "Thành viên + lao động HTX = thành viên và lao động", "coop_members_workers",
         ("coop_members", "coop_workers")),
    Rule("stated_share", "product", "Tỷ lệ ghi = phần ÷ tổng × 100", aspect="share", factor=100),
    Rule("alliance_rate", "product", "Tỷ lệ HTX tham gia Liên minh = HTX thành viên ÷ HTX đang hoạt động × 100",
         "coops_alliance_share", ("coops_alliance_members", "coops_operating"), factor=100),
    Rule("effective_rate", "product", "Tỷ lệ HTX hiệu quả = HTX Tốt, Khá ÷ HTX đang hoạt động × 100",
         "coops_effective_share", ("coops_effective", "coops_operating"), factor=100),
    Rule("coop_income_year", "product", "Thu nhập năm = thu nhập tháng × 12 (HTX)", "coop_avg_income_year",
         ("coop_avg_income",), factor=12),
    Rule("group_income_year", "product", "Thu nhập năm = thu nhập tháng × 12 (THT)", "group_avg_income_year",
         ("group_avg_income",), factor=12),
    Rule("attainment", "product", "Mức đạt = thực hiện ÷ chỉ tiêu × 100", aspect="attainment", factor=100),
    Rule("change", "difference", "Tăng, giảm = số cuối kỳ − số cuối năm trước", aspect="change"),
    Rule("repeated", "equal", "Một số liệu in nhiều lần phải như nhau", sources=(REPORT,)),
    Rule("matches_data", "equal", "Số trong báo cáo khớp số tính từ dữ liệu", sources=(REPORT,)),
    Rule("percent_sign", "percent_sign", "Tỷ lệ và mức đạt được ghi kèm dấu %", sources=(REPORT,)),
)
RULES_BY_CODE = {r.code: r for r in RULES}


# --- figures as intervals ---------------------------------------------------------------------

Key = tuple[str, str, str | None, str | None]  # indicator, aspect, sector, district


@dataclass(frozen=True)
class Fig:
    key: Key
    value: float
    lo: float
    hi: float
    source: str
    printed: str = ""
    sentence: str = ""

    @property
    def label(self) -> str:
        indicator, aspect, sector, district = self.key
        ind = INDICATORS_BY_CODE.get(indicator)
        text = ind.label_vi if ind else indicator
        text += {"share": " (tỷ lệ trong tổng)", "attainment": " (mức đạt chỉ tiêu)", "change": " (tăng/giảm)",
                 "target": " (chỉ tiêu)", "previous": " (cuối năm trước)"}.get(aspect, "")
        if sector:
            text += f", {sector_label(sector)}"
        if district:
            text += f", huyện {district}"
        return text

    def describe(self) -> str:
        shown = self.printed or vi_number(self.value)
        return f"{self.label} = {shown} ({self.source})"


def vi_number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits, locale="vi")


_NUMBER = re.compile(r"\d[\d.,]*\d|\d")


def printed_interval(value: float, printed: str, unit: str) -> tuple[float, float]:
    """The values a printed figure can stand for: rounding to its last digit, "hơn"/"trên" as a lower bound."""
    match = _NUMBER.search(printed or "")
    if not match:
        return value, value
    token = match.group()
    decimals = len(token.split(",")[1]) if "," in token else 0
    shown = float(token.replace(".", "").replace(",", "."))
    scale = value / shown if shown else 1.0  # "22,695 tỷ" stands for 22.695 triệu đồng
    half = 0.5 * 10 ** -decimals * abs(scale)
    words = printed.lower()
    if re.search(r"\b(hơn|trên)\b", words):
        low = value + 1 if unit in COUNT_UNITS and float(value).is_integer() else value
        return low, math.inf
    if re.search(r"\b(dưới|chưa đến)\b", words):
        return -math.inf, value
    return value - half, value + half


def _exact(value: float) -> tuple[float, float]:
    eps = 1e-9 * max(1.0, abs(value))
    return value - eps, value + eps


def report_figures(engine: Engine, report: str) -> tuple[dict[Key, Fig], list[list[Fig]], str]:
    """The report's figures by key, every repeated printing, and the report's period."""
    p = schema.published_figures
    with engine.connect() as conn:
        rows = conn.execute(select(p).where(p.c.report == report).order_by(p.c.id)).mappings().all()
    figures: dict[Key, Fig] = {}
    repeats: dict[Key, list[Fig]] = {}
    period = rows[0]["period"] if rows else ""
    for row in rows:
        if not row["indicator"]:
            continue
        key = (row["indicator"], row["aspect"], row["sector_code"], row["district_code"])
        lo, hi = printed_interval(row["value"], row["printed"], row["unit"])
        fig = Fig(key, row["value"], lo, hi, REPORT, row["printed"], row["sentence"])
        figures.setdefault(key, fig)
        repeats.setdefault(key, []).append(fig)
    return figures, [figs for figs in repeats.values() if len(figs) > 1], period


def data_figures(engine: Engine, period: str) -> tuple[dict[Key, Fig], dict[Key, Fig]]:
    """Figures computed from the database at the period's end, and the stocks a year-end earlier."""

    figures: dict[Key, Fig] = {}
    previous: dict[Key, Fig] = {}
    for by in (None, "sector", "district"):
        frame = evaluate(engine, Filter(period), by=by)
        for row in frame.to_dict("records"):
            sector = row["sector"] if by == "sector" and isinstance(row["sector"], str) else None
            district = row["district"] if by == "district" and isinstance(row["district"], str) else None
            if by and not (sector or district):
                continue
            for aspect, column in (("value", "value"), ("share", "share"), ("change", "change")):
                value = row.get(column)
                if value is None or pd.isna(value) or (aspect == "share" and not by):
                    continue
                key = (row["indicator"], aspect, sector, district)
                figures[key] = Fig(key, float(value), *_exact(float(value)), DATA)
            if row.get("previous_value") is not None and not pd.isna(row["previous_value"]):
                key = (row["indicator"], "previous", sector, district)
                previous[key] = Fig(key, float(row["previous_value"]), *_exact(float(row["previous_value"])), DATA)
    return figures, previous


def target_figures(engine: Engine, year: int) -> dict[Key, Fig]:
    t = schema.targets
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.year == year)).mappings().all()
    out = {}
    for row in rows:
        key = (row["indicator"], "target", row["sector_code"], None)
        out[key] = Fig(key, row["value"], *_exact(row["value"]), TARGET, vi_number(row["value"]), row["wording"])
    return out


# --- interval arithmetic ----------------------------------------------------------------------

def _clean(lo: float, hi: float) -> tuple[float, float]:
    lo = -math.inf if math.isnan(lo) else lo
    hi = math.inf if math.isnan(hi) else hi
    return lo, hi


def _sum(terms: list[tuple[Fig, int]]) -> tuple[float, float, float]:
    lo = sum(f.lo if s > 0 else -f.hi for f, s in terms)
    hi = sum(f.hi if s > 0 else -f.lo for f, s in terms)
    return (*_clean(lo, hi), sum(f.value * s for f, s in terms))


def _div(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    if b[0] <= 0 <= b[1]:
        return -math.inf, math.inf
    values = [x / y for x in a for y in b if not (math.isinf(x) and math.isinf(y))]
    return (min(values), max(values)) if values else (-math.inf, math.inf)


def _meet(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


# --- checks: one rule applied to one set of figures ------------------------------------------

@dataclass
class Check:
    rule: Rule
    stated: Fig
    form: str
    terms: list[tuple[Fig, int]] = field(default_factory=list)  # sum/difference/equal: stated = Σ sign·term
    numerator: Fig | None = None  # product: stated = factor × numerator ÷ denominator
    denominator: Fig | None = None
    note: str = ""

    @property
    def figures(self) -> list[Fig]:
        others = [f for f, _ in self.terms] if self.form != "product" else [f for f in (self.numerator, self.denominator) if f]
        return [self.stated, *others]

    def computed(self) -> tuple[float, float, float]:
        if self.form != "product":
            return _sum(self.terms)
        den = (self.denominator.lo, self.denominator.hi) if self.denominator else (1.0, 1.0)
        den_value = self.denominator.value if self.denominator else 1.0
        lo, hi = _div((self.numerator.lo, self.numerator.hi), den)
        value = self.numerator.value / den_value if den_value else math.nan
        return lo * self.rule.factor, hi * self.rule.factor, value * self.rule.factor

    def holds(self) -> bool:
        lo, hi, _ = self.computed()
        return _meet((self.stated.lo, self.stated.hi), (lo, hi))

    def needed(self, fig: Fig) -> tuple[float, float, float]:
        """The interval (and point) `fig` must lie in for this check to hold, the others as they are."""
        if fig is self.stated:
            return self.computed()
        s = (self.stated.lo, self.stated.hi)
        if self.form != "product":
            sign = next(sg for f, sg in self.terms if f is fig)
            rest = [(f, sg) for f, sg in self.terms if f is not fig]
            lo, hi, value = _sum(rest) if rest else (0.0, 0.0, 0.0)
            a = (s[0] - hi, s[1] - lo)
            point = self.stated.value - value
            return (*_clean(*a), point) if sign > 0 else (*_clean(-a[1], -a[0]), -point)
        k = self.rule.factor
        den = self.denominator
        if fig is self.numerator:
            d = (den.lo, den.hi) if den else (1.0, 1.0)
            lo, hi = min(s[0] * d[0], s[0] * d[1]) / k, max(s[1] * d[0], s[1] * d[1]) / k
            return *_clean(lo, hi), self.stated.value * (den.value if den else 1.0) / k
        n = (self.numerator.lo, self.numerator.hi)
        lo, hi = _div((n[0] * k, n[1] * k), s)
        point = k * self.numerator.value / self.stated.value if self.stated.value else math.nan
        return lo, hi, point


def _pick(figs: dict[Key, Fig], indicator: str, aspect: str, sector, district) -> Fig | None:
    return figs.get((indicator, aspect, sector, district))


def _checks(rule: Rule, figs: dict[Key, Fig], engine: Engine, extra: dict) -> list[Check]:
    checks: list[Check] = []
    stated_figs = [f for f in figs.values() if f.key[1] == rule.aspect and (rule.total is None or f.key[0] == rule.total)]
    if rule.form == "sum" and rule.over:
        for fig in stated_figs:
            indicator, _, sector, district = fig.key
            ind = INDICATORS_BY_CODE.get(indicator)
            if ind is None or indicator not in ADDITIVE or sector or district:
                continue
            if rule.over == "sector":
                org_type = org_type_of(ind)
                codes = [s.code for s in sectors_of(org_type)] if org_type else []
                parts = [_pick(figs, indicator, "value", code, None) for code in codes]
            else:
                codes = [code for code, _ in extra["districts"]]
                parts = [_pick(figs, indicator, "value", None, code) for code in codes]
            present = [p for p in parts if p]
            if not present:
                continue
            if len(present) == len(parts):
                checks.append(Check(rule, fig, "sum", [(p, 1) for p in present]))
            elif sum(p.lo for p in present) > fig.hi:  # the known parts alone exceed the total
                checks.append(Check(rule, fig, "sum", [(p, 1) for p in present],
                                    note=f"chỉ có {len(present)}/{len(parts)} phần được ghi"))
        return checks
    if rule.form == "sum":
        scopes = {(f.key[2], f.key[3]) for f in figs.values()}
        for sector, district in scopes:
            total = _pick(figs, rule.total, "value", sector, district)
            parts = [_pick(figs, code, "value", sector, district) for code in rule.parts]
            if total and all(parts):
                checks.append(Check(rule, total, "sum", [(p, 1) for p in parts]))
        return checks
    if rule.code == "stated_share":
        for fig in stated_figs:
            indicator, _, sector, district = fig.key
            part = _pick(figs, indicator, "value", sector, district)
            total = _pick(figs, indicator, "value", None, None)
            if part and total and (sector or district):
                checks.append(Check(rule, fig, "product", numerator=part, denominator=total))
        return checks
    if rule.code == "attainment":
        for fig in stated_figs:
            indicator, _, sector, district = fig.key
            actual = _pick(figs, indicator, "value", sector, district)
            target = extra["targets"].get((indicator, "target", sector, None))
            if actual and target and not district:
                note = ""
                if fig.source == REPORT and actual.printed and fig.value == actual.value and INDICATORS_BY_CODE[indicator].unit == "%":
                    note = "mức đạt ghi trùng với chính tỷ lệ thực hiện: có thể đã ghi tỷ lệ thay cho mức đạt"
                checks.append(Check(rule, fig, "product", numerator=actual, denominator=target, note=note))
        return checks
    if rule.form == "product":
        for fig in stated_figs:
            _, _, sector, district = fig.key
            parts = [_pick(figs, code, "value", sector, district) for code in rule.parts]
            if all(parts):
                checks.append(Check(rule, fig, "product", numerator=parts[0], denominator=parts[1] if len(parts) > 1 else None))
        return checks
    if rule.form == "difference":
        for fig in stated_figs:
            indicator, _, sector, district = fig.key
            ind = INDICATORS_BY_CODE.get(indicator)
            if ind is None or (ind.type == IndicatorType.SIMPLE and ind.time == Time.FLOW):
                continue
            now = _pick(figs, indicator, "value", sector, district) or _pick(extra["data"], indicator, "value", sector, district)
            before = extra["previous"].get((indicator, "previous", sector, district))
            if now and before:
                checks.append(Check(rule, fig, "difference", [(now, 1), (before, -1)]))
        return checks
    if rule.code == "repeated":
        return [Check(rule, group[0], "equal", [(other, 1)]) for group in extra["repeats"] for other in group[1:]]
    if rule.code == "matches_data":
        for fig in figs.values():
            if fig.key[1] in ("value", "share", "attainment"):
                data = extra["data"].get(fig.key)
                if data:
                    checks.append(Check(rule, fig, "equal", [(data, 1)]))
        return checks
    return checks


# --- running ----------------------------------------------------------------------------------

VIOLATION_COLUMNS = ["rule", "rule_label", "source", "report", "period", "indicator", "aspect", "sector", "district",
                     "stated", "computed", "difference", "figures", "reconcile", "note", "sentence"]


def _violation(check: Check, report: str, period: str) -> dict:
    lo, hi, value = check.computed()
    indicator, aspect, sector, district = check.stated.key
    reconcile = []
    for fig in check.figures:
        if fig.source == TARGET:
            continue
        nlo, nhi, point = check.needed(fig)
        reconcile.append(f"{fig.label} ({fig.source}): {vi_number(point)} thay cho {fig.printed or vi_number(fig.value)}")
    narrow = math.isfinite(lo) and math.isfinite(hi) and hi - lo <= 0.01 * max(1.0, abs(value))
    computed_text = vi_number(value) if narrow else f"{vi_number(value)} (khoảng {vi_number(lo)}–{vi_number(hi)})"
    sources = {f.source for f in check.figures} - {TARGET}
    return {
        "rule": check.rule.code, "rule_label": check.rule.label_vi,
        "source": " ↔ ".join(sorted(sources)), "report": report, "period": period,
        "indicator": indicator, "aspect": aspect, "sector": sector, "district": district,
        "stated": check.stated.printed or vi_number(check.stated.value), "computed": computed_text,
        "difference": check.stated.value - value if math.isfinite(value) else None,
        "figures": "; ".join(f.describe() for f in check.figures),
        "reconcile": " | ".join(reconcile), "note": check.note,
        "sentence": " / ".join(dict.fromkeys(f.sentence for f in check.figures if f.sentence and f.source == REPORT)),
        "_check": check,
    }


def _percent_sign_violations(figs: dict[Key, Fig], report: str, period: str, repeats) -> list[dict]:
    out = []
    every = [f for group in repeats for f in group] + list(figs.values())
    seen = set()
    for fig in every:
        if fig.source != REPORT or fig.key[1] not in ("share", "attainment") or "%" in fig.printed or id(fig) in seen:
            continue
        seen.add(id(fig))
        indicator, aspect, sector, district = fig.key
        out.append({"rule": "percent_sign", "rule_label": RULES_BY_CODE["percent_sign"].label_vi, "source": REPORT,
                    "report": report, "period": period, "indicator": indicator, "aspect": aspect, "sector": sector,
                    "district": district, "stated": fig.printed, "computed": fig.printed + "%", "difference": None,
                    "figures": fig.describe(), "reconcile": f"{fig.label}: ghi '{fig.printed}%'",
                    "note": "thiếu dấu %", "sentence": fig.sentence, "_check": None})
    return out


def _suspects(rows: list[dict], checks: list[Check]) -> None:
    """Mark, for each violation, the single figure whose change would satisfy every rule it is in."""
    violated = [r["_check"] for r in rows if r["_check"] is not None]
    by_fig: dict[int, list[Check]] = {}
    for check in checks:
        for fig in check.figures:
            by_fig.setdefault(id(fig), []).append(check)
    best: dict[int, tuple[int, Fig, float]] = {}
    for check in violated:
        for fig in check.figures:
            if fig.source == TARGET or id(fig) in best:
                continue
            lo, hi = -math.inf, math.inf
            for other in by_fig.get(id(fig), []):
                nlo, nhi, _ = other.needed(fig)
                lo, hi = max(lo, nlo), min(hi, nhi)
            if lo <= hi:
                fixed = sum(1 for other in violated if any(f is fig for f in other.figures))
                point = check.needed(fig)[2]
                point = point if lo <= point <= hi else (lo if math.isfinite(lo) else hi)
                best[id(fig)] = (fixed, fig, point)
    for row in rows:
        check = row["_check"]
        if check is None:
            row["suspect"] = ""
            continue
        options = sorted((best[id(f)] for f in check.figures if id(f) in best), key=lambda t: (-t[0], t[1].source != REPORT))
        row["suspect"] = "; ".join(
            f"{fig.label} ({fig.source}) {fig.printed or vi_number(fig.value)} → {vi_number(point)} "
            f"(khớp {fixed} vi phạm, không làm sai quy tắc khác)" for fixed, fig, point in options[:2])


def check(engine: Engine, report: str | None = None, period: str | None = None,
          rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """Every violation of the declared rules: in a published report (and against the data), or in the data alone."""

    extra = {"districts": district_choices(engine), "repeats": []}
    if report:
        figs, extra["repeats"], report_period = report_figures(engine, report)
        if not figs:
            raise ValueError(f"Không có báo cáo '{report}'. Chọn: {', '.join(published_reports(engine))}")
        period = report_period
        source = REPORT
    else:
        source = DATA
    if not period:

        periods = available_periods(engine)
        if not periods:
            return pd.DataFrame(columns=[*VIOLATION_COLUMNS, "suspect"])
        period = periods[0]
    data, previous = data_figures(engine, period)
    targets = target_figures(engine, Period.parse(period).year)
    for (indicator, _, sector, _), target in targets.items():  # attainment of the data, computed here
        actual = data.get((indicator, "value", sector, None))
        if actual and target.value:
            key = (indicator, "attainment", sector, None)
            data[key] = Fig(key, actual.value / target.value * 100, *_exact(actual.value / target.value * 100), DATA)
    extra.update(data=data, previous=previous, targets=targets)
    if not report:
        figs = data
    checks: list[Check] = []
    for rule in rules:
        if source not in rule.sources or rule.form == "percent_sign":
            continue
        checks.extend(_checks(rule, figs, engine, extra))
    rows = [_violation(c, report or "", period) for c in checks if not c.holds()]
    if report and any(r.code == "percent_sign" for r in rules):
        rows.extend(_percent_sign_violations(figs, report, period, extra["repeats"]))
    _suspects(rows, checks)
    frame = pd.DataFrame(rows, columns=[*VIOLATION_COLUMNS, "suspect", "_check"]).drop(columns="_check")
    return frame


def published_reports(engine: Engine) -> list[str]:
    p = schema.published_figures
    with engine.connect() as conn:
        return [r for (r,) in conn.execute(select(p.c.report).distinct().order_by(p.c.report))]
